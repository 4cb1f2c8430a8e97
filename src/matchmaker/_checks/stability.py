"""The checker's own stability audit: blocking pairs re-derived from the records and both sides' orders."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matchmaker._checks.audit import CASES, blocking, unit_keys, unit_preferences
from matchmaker._checks.report import Violation
from matchmaker._checks.truth import UNIT_DRAW_OFFSET, Truth
from matchmaker._i18n import msg
from matchmaker._lottery import pair_draw
from matchmaker._models import Applicant, Problem
from matchmaker._result import Result

__all__ = ["check_stability", "stability_audit", "strict_rank", "unit_key", "unit_positions", "unit_preference"]


def strict_rank(t: Truth, a: Applicant, sup_id: str, seed: int) -> int:
    """The applicant's rank of ``sup_id`` with ties broken by the pair's lottery draw (higher first)."""

    def key(sid: str) -> tuple[int, int]:
        return (t.rank(a, sid), -pair_draw(seed, a.id, sid))

    mine = key(sup_id)
    return 1 + sum(1 for sid in t.options(a.id) if key(sid) < mine)


def unit_key(
    problem: Problem, upref: dict[tuple[str, str], int], unit_id: str, a_id: str, *, strict: bool
) -> tuple[int, int, str]:
    """A unit's sort key of an applicant (smaller is preferred); ``strict`` breaks ties by lottery."""
    if not strict:
        return (upref[(unit_id, a_id)], 0, "")
    draw = pair_draw((problem.policy.lottery_seed + UNIT_DRAW_OFFSET) % 2**64, a_id, unit_id)
    return (upref[(unit_id, a_id)], -draw, a_id)


def unit_positions(problem: Problem, t: Truth, *, strict: bool) -> dict[tuple[str, str], int]:
    """Each unit's rank of each applicant acceptable there: the position in its (strict) order, or,
    with ties kept, its own rank."""
    if not strict:
        return unit_preference(problem, t)
    tb = t.table
    pref = unit_preferences(t)
    units, apps = pref[0] // max(tb.n_app, 1), pref[0] % max(tb.n_app, 1)
    keys = unit_keys(t, pref, units, apps, strict=True)
    order = np.lexsort((keys[2], keys[1], keys[0], units))
    first = np.searchsorted(units[order], units[order])
    position = np.arange(len(order)) - first + 1
    return {
        (tb.unit_ids[k], tb.app_ids[i]): n
        for k, i, n in zip(units[order].tolist(), apps[order].tolist(), position.tolist(), strict=True)
    }


def unit_preference(problem: Problem, t: Truth) -> dict[tuple[str, str], int]:
    """Each unit's rank of each applicant acceptable there, recomputed from the records."""
    tb = t.table
    keys, ranks = unit_preferences(t)
    n = max(tb.n_app, 1)
    return {(tb.unit_ids[k // n], tb.app_ids[k % n]): r for k, r in zip(keys.tolist(), ranks.tolist(), strict=True)}


def stability_audit(
    problem: Problem, plan: Mapping[str, str], *, strict: bool = False, truth: Truth | None = None
) -> list[tuple[str, str, str]]:
    """Every blocking pair of ``plan`` as (applicant, supervisor, case), from the raw records, sorted.

    The reference definition (see :mod:`matchmaker._blocking`), written independently of the
    solver's arrays: acceptability, both sides' rankings and, with ``strict``, the seeded tie-breaks
    are recomputed here (by :func:`matchmaker._checks.audit.blocking`; ``truth``, when given, is the
    problem's :class:`Truth`, reused). For each acceptable pair of an applicant who is not pinned and
    not placed there, and who prefers the supervisor to their placement: ``undersubscribed`` when the
    supervisor and the unit have room and so has the municipality (or the applicant is already in it);
    ``unit_full`` when the supervisor has room but the unit has none, and the applicant is already in
    the unit or the unit likes its least liked movable applicant less; ``supervisor_full`` when the
    supervisor has no room and likes its least liked movable applicant less.
    """
    t = truth if truth is not None and truth.p is problem else Truth(problem)
    tb = t.table
    a, s, case = blocking(t, plan, strict=strict)
    return [
        (tb.app_ids[i], tb.sup_ids[j], CASES[k]) for i, j, k in zip(a.tolist(), s.tolist(), case.tolist(), strict=True)
    ]


def check_stability(problem: Problem, result: Result, out: list[Violation], t: Truth) -> None:
    """In a stable mode, no blocking pair (lottery-strict or weak, as the mode says); and the
    reported count of blocking pairs agrees with the audit."""
    stability = problem.policy.stability
    strict = stability is not None and stability.ties == "lottery"
    tb = t.table
    known = [
        (x.applicant, x.supervisor)
        for x in result.decision.assignments
        if x.applicant in t.apps and x.supervisor in t.sups
    ]
    ok = tb.acceptable_pairs(*tb.indices(known)).tolist()
    plan = {a: s for (a, s), fine in zip(known, ok, strict=True) if fine}
    apps, sups, cases = blocking(t, plan, strict=strict)
    if stability is not None:
        for i, j, k in zip(apps.tolist(), sups.tolist(), cases.tolist(), strict=True):
            out.append(
                Violation(
                    "blocking_pair",
                    tb.app_ids[i],
                    msg("blocks with supervisor {supervisor!r} ({case})", supervisor=tb.sup_ids[j], case=CASES[k]),
                )
            )
    m = result.decision.metrics
    if m is not None and m.blocking_pairs is not None and m.blocking_pairs != len(apps):
        out.append(
            Violation(
                "metrics",
                "blocking_pairs",
                msg("reported {reported}, the audit finds {found}", reported=m.blocking_pairs, found=len(apps)),
            )
        )
