"""The stability audit and both sides' orders as they were before the pair arrays, in plain Python."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from legacy_checks.truth import Truth
from matchmaker._i18n import msg
from matchmaker.checks.report import Violation
from matchmaker.checks.stability import unit_key
from matchmaker.lottery import pair_draw
from matchmaker.models import Applicant, Problem
from matchmaker.result import Result

__all__ = ["check_stability", "stability_audit", "unit_positions", "unit_preference"]


def unit_positions(problem: Problem, t: Truth, *, strict: bool) -> dict[tuple[str, str], int]:
    """Each unit's rank of each applicant acceptable there: the position in its (strict) order, or,
    with ties kept, its own rank."""
    upref = unit_preference(problem, t)
    if not strict:
        return upref
    by_unit: dict[str, list[str]] = {}
    for unit_id, a_id in upref:
        by_unit.setdefault(unit_id, []).append(a_id)
    out: dict[tuple[str, str], int] = {}
    for unit_id, members in by_unit.items():
        ordered = sorted(members, key=lambda a_id: unit_key(problem, upref, unit_id, a_id, strict=True))
        out.update({(unit_id, a_id): i + 1 for i, a_id in enumerate(ordered)})
    return out


def unit_preference(problem: Problem, t: Truth) -> dict[tuple[str, str], int]:
    """Each unit's rank of each applicant acceptable there, recomputed from the records."""
    out: dict[tuple[str, str], int] = {}
    by_unit: dict[str, set[str]] = {}
    for a, sid in t.acceptable():
        by_unit.setdefault(t.sups[sid].unit, set()).add(a.id)
    for unit_id, members in by_unit.items():
        unit = t.units[unit_id]
        if unit.ranking is not None:
            for a_id in members:
                out[(unit_id, a_id)] = unit.ranking[a_id]
        elif problem.policy.unit_preferences == "indifferent":
            for a_id in members:
                out[(unit_id, a_id)] = 1
        else:
            values = {a_id: t.interview(t.apps[a_id], unit_id) for a_id in members}
            known = sorted({v for v in values.values() if v is not None}, reverse=True)
            for a_id, v in values.items():
                out[(unit_id, a_id)] = known.index(v) + 1 if v is not None else len(known) + 1
    return out


def stability_audit(problem: Problem, plan: Mapping[str, str], *, strict: bool = False) -> list[tuple[str, str, str]]:
    """Every blocking pair of ``plan`` as (applicant, supervisor, case), from the raw records.

    The reference definition (see :mod:`matchmaker.blocking`), written independently of the
    solver's arrays: acceptability, both sides' rankings and, with ``strict``, the seeded tie-breaks
    are recomputed here.
    """
    t = Truth(problem)
    seed = problem.policy.lottery_seed
    upref = unit_preference(problem, t)
    pinned = {pin.applicant for pin in problem.pins}

    def akey(a: Applicant, sid: str) -> tuple[int, int]:
        return (t.rank(a, sid), -pair_draw(seed, a.id, sid) if strict else 0)

    def ukey(unit_id: str, a_id: str) -> tuple[int, int, str]:
        return unit_key(problem, upref, unit_id, a_id, strict=strict)

    per_sup = Counter(plan.values())
    per_unit = Counter(t.sups[s].unit for s in plan.values())
    per_muni = Counter(t.units[t.sups[s].unit].municipality for s in plan.values())
    # The applicant each unit (each supervisor) likes least among its placed, movable applicants.
    worst_u: dict[str, tuple[int, int, str]] = {}
    worst_s: dict[str, tuple[int, int, str]] = {}
    for b, bs in plan.items():
        if b in pinned:
            continue
        unit_id = t.sups[bs].unit
        key = ukey(unit_id, b)
        worst_u[unit_id] = max(worst_u.get(unit_id, key), key)
        worst_s[bs] = max(worst_s.get(bs, key), key)
    out = []
    for a, sid in t.acceptable():
        if a.id in pinned or plan.get(a.id) == sid:
            continue
        cur = plan.get(a.id)
        if cur is not None and not akey(a, sid) < akey(a, cur):
            continue
        s = t.sups[sid]
        u = t.units[s.unit]
        m = t.munis[u.municipality]
        cur_unit = t.sups[cur].unit if cur is not None else None
        cur_muni = t.units[cur_unit].municipality if cur_unit is not None else None
        s_room = per_sup[sid] < s.capacity
        u_room = per_unit[u.id] < u.max_places
        m_room = m.max_places is None or per_muni[m.id] < m.max_places
        mine = ukey(u.id, a.id)
        if s_room and u_room and (m_room or cur_muni == m.id):
            out.append((a.id, sid, "undersubscribed"))
        elif s_room and not u_room and (cur_unit == u.id or (u.id in worst_u and worst_u[u.id] > mine)):
            out.append((a.id, sid, "unit_full"))
        elif not s_room and sid in worst_s and worst_s[sid] > mine:
            out.append((a.id, sid, "supervisor_full"))
    return sorted(out)


def check_stability(problem: Problem, result: Result, out: list[Violation], t: Truth) -> None:
    """In a stable mode, no blocking pair (lottery-strict or weak, as the mode says); and the
    reported count of blocking pairs agrees with the audit."""
    stability = problem.policy.stability
    strict = stability is not None and stability.ties == "lottery"
    plan = {
        x.applicant: x.supervisor
        for x in result.decision.assignments
        if x.applicant in t.apps and x.supervisor in t.sups and t.refusal(t.apps[x.applicant], x.supervisor) is None
    }
    found = stability_audit(problem, plan, strict=strict)
    if stability is not None:
        for a_id, sid, case in found:
            out.append(
                Violation(
                    "blocking_pair",
                    a_id,
                    msg("blocks with supervisor {supervisor!r} ({case})", supervisor=sid, case=case),
                )
            )
    m = result.decision.metrics
    if m is not None and m.blocking_pairs is not None and m.blocking_pairs != len(found):
        out.append(
            Violation(
                "metrics",
                "blocking_pairs",
                msg("reported {reported}, the audit finds {found}", reported=m.blocking_pairs, found=len(found)),
            )
        )
