"""check(): a result against the raw problem: every rule, every reported number, and a repair's diff."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from matchmaker._checks.arrays import IntArray
from matchmaker._checks.groups import check_groups
from matchmaker._checks.levels import check_objective
from matchmaker._checks.report import CheckReport, Violation
from matchmaker._checks.stability import check_stability
from matchmaker._checks.truth import LOAD_SCALE, SCALE, Truth, link_broken, offered_by_municipality
from matchmaker._gc import pausing
from matchmaker._i18n import msg
from matchmaker._metrics import Metrics
from matchmaker._models import Problem
from matchmaker._result import Assignment, RepairRecord, Result, UnplacedReason

__all__ = ["check", "check_balance", "check_links", "check_metrics", "check_repair", "points_match"]


def points_match(reported: int, fit: float) -> bool:
    exact = fit * SCALE
    if reported == round(exact):
        return True
    # Only at a rounding boundary may two correct float evaluations round apart.
    return abs(abs(exact - int(exact)) - 0.5) < 1e-6 and abs(reported - exact) <= 0.5 + 1e-6


@pausing  # its tables are many small containers that all stay alive until it returns (see _gc)
def check(problem: Problem, result: Result, *, previous: Result | None = None) -> CheckReport:
    """Verify ``result`` against ``problem``; returns every violation found (empty if valid).

    Checked: the input fingerprint; every placed applicant and supervisor exists and the unit and
    municipality are the supervisor's; each applicant appears exactly once (placed or unplaced);
    every placement is acceptable (wishes, requirements, conflicts, training, capacity, availability);
    supervisor, unit and municipality maximums and minimums; each supervisor's load on every date;
    pins; the group rules; each placement's fit, continuity bonus and rank; each unplaced reason; every objective level
    recomputed from the raw inputs; and the metrics' rank profile and counts per unit and municipality
    (a result migrated from schema version 0 has no metrics to check).

    A repaired result (``result.decision.repair``) is checked for a consistent diff, its hard keeps and
    its level ``moved``; give ``previous`` (the repaired result) to check the diff against it as well.
    """
    out: list[Violation] = []
    add = out.append
    t = Truth(problem)
    d = result.decision
    if d.input_fingerprint != problem.fingerprint():
        add(Violation("fingerprint", "problem", msg("the result was made for a different problem")))
    if d.lottery_seed != problem.policy.lottery_seed:
        add(Violation("lottery_seed", "policy", msg("the result's lottery seed differs from the policy's")))

    if not d.status.has_plan and d.assignments:
        add(Violation("status", d.status.value, msg("a result without a plan lists assignments")))

    placed_count: Counter[str] = Counter(x.applicant for x in d.assignments)
    unplaced_count: Counter[str] = Counter(x.applicant for x in d.unplaced)
    listed = placed_count.keys() | unplaced_count.keys()
    # Each applicant of the round listed exactly once (as many entries as applicants, and every one
    # named): nothing to report, and no need to walk them one by one.
    once = len(d.assignments) + len(d.unplaced) == len(t.apps) and listed == t.apps.keys()
    for ident in () if once else sorted(listed | t.apps.keys()):
        if ident not in t.apps:
            add(Violation("unknown_applicant", ident, msg("the result names an applicant the problem lacks")))
            continue
        n_in, n_out = placed_count[ident], unplaced_count[ident]
        if n_in > 1:
            add(Violation("placed_twice", ident, msg("placed {n_in} times", n_in=n_in)))
        if n_in and n_out:
            add(Violation("placed_and_unplaced", ident, msg("listed both as placed and as unplaced")))
        if n_out > 1:
            add(Violation("unplaced_twice", ident, msg("listed {n_out} times as unplaced", n_out=n_out)))
        if not n_in and not n_out:
            add(Violation("missing_applicant", ident, msg("neither placed nor listed as unplaced")))

    tb = t.table
    rows = d.assignments
    known_rows = [i for i, x in enumerate(rows) if x.applicant in t.apps and x.supervisor in t.sups]
    at = tb.indices([(rows[i].applicant, rows[i].supervisor) for i in known_rows])
    fine = tb.acceptable_pairs(*at)
    rank_of = tb.rank_of(*at)
    fit_of = t.fits(*at)
    # Each placement with a known applicant and supervisor is screened column by column; only one
    # that may break something is read again one field at a time below, in the plan's order.
    listed_rows = [rows[i] for i in known_rows]
    try:
        clean = fine & _screened(t, listed_rows, tb.sup_unit[at[1]], rank_of, fit_of)
    except OverflowError:  # a reported number no int64 holds: every placement is read one by one
        clean = np.zeros(len(listed_rows), dtype=np.bool_)
    per_sup_n = np.bincount(at[1], minlength=tb.n_sup)
    per_sup: Counter[str] = Counter({tb.sup_ids[j]: int(n) for j, n in enumerate(per_sup_n.tolist()) if n})
    per_unit: Counter[str] = Counter()
    for j, n in per_sup.items():
        per_unit[t.sups[j].unit] += n
    per_muni: Counter[str] = Counter()
    for u_id, n in per_unit.items():
        per_muni[t.units[u_id].municipality] += n
    position = np.full(len(rows), -1, dtype=np.int64)
    position[known_rows] = np.arange(len(known_rows))
    suspect = np.ones(len(rows), dtype=bool)
    suspect[known_rows] = ~clean
    for i, k in zip(np.flatnonzero(suspect).tolist(), position[suspect].tolist(), strict=True):
        x = rows[i]
        if x.applicant not in t.apps:
            continue
        if x.supervisor not in t.sups:
            add(
                Violation(
                    "unknown_supervisor",
                    x.applicant,
                    msg("placed with unknown supervisor {supervisor!r}", supervisor=x.supervisor),
                )
            )
            continue
        s = t.sups[x.supervisor]
        u = t.units[s.unit]
        if x.unit != s.unit:
            add(
                Violation(
                    "wrong_unit",
                    x.applicant,
                    msg(
                        "supervisor {supervisor!r} works in {works_in!r}, not {unit!r}",
                        supervisor=s.id,
                        works_in=s.unit,
                        unit=x.unit,
                    ),
                )
            )
        if x.municipality != u.municipality:
            add(
                Violation(
                    "wrong_municipality",
                    x.applicant,
                    msg("unit {unit!r} is in {municipality!r}", unit=u.id, municipality=u.municipality),
                )
            )
        a = t.apps[x.applicant]
        why = None if fine[k] else t.refusal(a, s.id)
        rank = int(rank_of[k])
        if why is not None:
            add(
                Violation(
                    "not_acceptable", x.applicant, msg("placed with {supervisor!r} but {why}", supervisor=s.id, why=why)
                )
            )
        fit = float(fit_of[k])
        if not points_match(x.fit_points, fit):
            add(
                Violation(
                    "fit",
                    x.applicant,
                    msg(
                        "fit points {fit_points} but the inputs give {expected:.3f}",
                        fit_points=x.fit_points,
                        expected=fit * SCALE,
                    ),
                )
            )
        if x.fit != x.fit_points / SCALE:
            add(Violation("fit", x.applicant, msg("fit and fit_points disagree")))
        if why is None and x.rank != rank:
            add(
                Violation(
                    "rank", x.applicant, msg("rank {rank} but the inputs give {expected}", rank=x.rank, expected=rank)
                )
            )
        if x.continuity != t.continuity(a, s.id):
            add(
                Violation(
                    "continuity",
                    x.applicant,
                    msg(
                        "bonus {continuity} but the inputs give {expected}",
                        continuity=x.continuity,
                        expected=t.continuity(a, s.id),
                    ),
                )
            )

    if d.status.has_plan:
        for s in problem.supervisors:
            if per_sup[s.id] > s.capacity:
                add(
                    Violation(
                        "supervisor_capacity",
                        s.id,
                        msg("{count} students, capacity {bound}", count=per_sup[s.id], bound=s.capacity),
                    )
                )
        hard_min = problem.policy.minimums == "hard"
        hard_target = problem.policy.targets == "hard"
        for u in problem.units:
            if per_unit[u.id] > u.max_places:
                add(
                    Violation(
                        "unit_max",
                        u.id,
                        msg("{count} students, maximum {bound}", count=per_unit[u.id], bound=u.max_places),
                    )
                )
            if hard_min and per_unit[u.id] < u.min_places:
                add(
                    Violation(
                        "unit_min",
                        u.id,
                        msg("{count} students, minimum {bound}", count=per_unit[u.id], bound=u.min_places),
                    )
                )
            if hard_target and u.target_places is not None and per_unit[u.id] < u.target_places:
                add(
                    Violation(
                        "unit_target",
                        u.id,
                        msg("{count} students, hard target {bound}", count=per_unit[u.id], bound=u.target_places),
                    )
                )
        for m in problem.municipalities:
            if m.max_places is not None and per_muni[m.id] > m.max_places:
                add(
                    Violation(
                        "municipality_max",
                        m.id,
                        msg("{count} students, maximum {bound}", count=per_muni[m.id], bound=m.max_places),
                    )
                )
            if hard_min and per_muni[m.id] < m.min_places:
                add(
                    Violation(
                        "municipality_min",
                        m.id,
                        msg("{count} students, minimum {bound}", count=per_muni[m.id], bound=m.min_places),
                    )
                )
        placements = {x.applicant: x for x in d.assignments}
        known = {x.applicant: x.supervisor for x in d.assignments if x.applicant in t.apps and x.supervisor in t.sups}
        for sid, day, load, limit in t.load_violations(known):
            add(
                Violation(
                    "supervisor_load",
                    sid,
                    msg(
                        "load {load:g} on {day}, limit {limit:g}",
                        load=load / LOAD_SCALE,
                        day=day,
                        limit=limit / LOAD_SCALE,
                    ),
                )
            )
        check_links(problem, {a: (x.unit, x.municipality) for a, x in placements.items()}, add)
        check_balance(problem, per_muni, add)
        check_groups(problem, placements.keys(), add)
        for pin in problem.pins:
            got = placements.get(pin.applicant)
            ok = got is not None and (
                got.supervisor == pin.supervisor if pin.supervisor is not None else got.unit == pin.unit
            )
            if not ok:
                add(Violation("pin", pin.applicant, msg("the pinned placement does not hold")))

    for y in d.unplaced:
        a_or_none = t.apps.get(y.applicant)
        if a_or_none is None:
            continue
        has_option = bool(tb.has_option[tb.app_index[y.applicant]])
        if d.status.has_plan and y.reason is UnplacedReason.NO_PLAN:
            add(Violation("unplaced_reason", y.applicant, msg("reason 'no_plan' although there is a plan")))
        if y.reason is UnplacedReason.NO_ACCEPTABLE_OPTION and has_option:
            add(Violation("unplaced_reason", y.applicant, msg("reported without options, but has acceptable ones")))
        if y.reason is UnplacedReason.NOT_SELECTED and not has_option:
            add(
                Violation("unplaced_reason", y.applicant, msg("reported as not selected, but has no acceptable option"))
            )
        if not d.status.has_plan and y.reason is not UnplacedReason.NO_PLAN:
            add(Violation("unplaced_reason", y.applicant, msg("without a plan the reason must be 'no_plan'")))

    if d.repair is not None:
        check_repair(problem, result, d.repair, previous, out, t)
    elif previous is not None:
        out.append(Violation("repair", "decision", msg("a previous result is given, but the result is not a repair")))
    check_objective(problem, result, out, t)
    if d.status.has_plan and d.metrics is not None:
        check_metrics(problem, result, d.metrics, out, t)
    if d.status.has_plan:
        check_stability(problem, result, out, t)
    return CheckReport(tuple(out))


def _screened(
    t: Truth, known: list[Assignment], sup_unit: IntArray, rank_of: IntArray, fit_of: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Where each placement (of a known applicant and supervisor, at ``sup_unit``) certainly breaks
    none of the per-placement rules but acceptability: its unit and municipality, its rank (``rank_of``),
    its fit points against the recomputed fit (``fit_of``; else :func:`points_match` decides), fit and
    fit points agreeing, and no continuity bonus for an applicant without a step-1 placement."""
    tb = t.table
    fit_points = np.array([x.fit_points for x in known], dtype=np.int64)
    ok: npt.NDArray[np.bool_] = np.array([x.rank for x in known], dtype=np.int64) == rank_of
    ok &= np.rint(fit_of * SCALE) == fit_points
    ok &= np.array([x.fit for x in known], dtype=np.float64) == fit_points / SCALE
    unit_ids = tb.unit_ids
    ok &= np.array(
        [
            x.unit == unit_ids[u] and x.municipality == t.units[x.unit].municipality
            for x, u in zip(known, sup_unit.tolist(), strict=True)
        ],
        dtype=bool,
    )
    moved = {a.id for a in t.p.applicants if a.previous_unit is not None}  # a bonus to recompute
    ok &= np.array([x.continuity == 0.0 and x.applicant not in moved for x in known], dtype=bool)
    return ok


def check_metrics(problem: Problem, result: Result, m: Metrics, out: list[Violation], t: Truth) -> None:
    """The reported metrics agree with the plan (rank profile and counts per unit and municipality)."""
    known = [
        (x.applicant, x.supervisor)
        for x in result.decision.assignments
        if x.applicant in t.apps and x.supervisor in t.sups
    ]
    ranks = Counter(t.table.rank_of(*t.table.indices(known)).tolist())
    profile = tuple(ranks.get(k, 0) for k in range(1, max(ranks, default=0) + 1))
    if m.rank_profile != profile:
        out.append(
            Violation(
                "metrics",
                "rank_profile",
                msg("reported {reported}, recomputed {recomputed}", reported=m.rank_profile, recomputed=profile),
            )
        )
    per_unit = Counter(x.unit for x in result.decision.assignments)
    for u in m.units:
        if u.placed != per_unit[u.unit]:
            out.append(
                Violation(
                    "metrics",
                    u.unit,
                    msg("reported {placed} placed, the plan has {count}", placed=u.placed, count=per_unit[u.unit]),
                )
            )
    offered = offered_by_municipality(problem)
    per_muni = Counter(x.municipality for x in result.decision.assignments)
    for mm_ in m.municipalities:
        if mm_.placed != per_muni[mm_.municipality] or mm_.offered != offered.get(mm_.municipality):
            out.append(Violation("metrics", mm_.municipality, msg("placed or offered places disagree with the plan")))


def check_links(problem: Problem, where: Mapping[str, tuple[str, str]], add: Callable[[Violation], None]) -> None:
    """Flag every hard link that ``where`` (applicant -> (unit, municipality)) breaks."""
    for link in problem.links:
        first, second = link.applicants
        if link.hard and link_broken(link.relation, where.get(first), where.get(second), hard=True):
            add(
                Violation(
                    "link", f"{first}~{second}", msg("the hard '{relation}' link does not hold", relation=link.relation)
                )
            )


def check_balance(problem: Problem, per_muni: Mapping[str, int], add: Callable[[Violation], None]) -> None:
    """Flag a ``within`` or ``ratio`` balance rule that the placements per municipality break."""
    balance = problem.policy.balance
    if balance is None or balance.mode == "maximin":
        return
    offered = {m: o for m, o in offered_by_municipality(problem).items() if o > 0}
    if len(offered) < 2:
        return
    rate = {m: Fraction(per_muni.get(m, 0), o) for m, o in offered.items()}
    if balance.mode == "within":
        tol = Fraction(balance.tolerance).limit_denominator(10_000)
        lo, hi = min(rate, key=lambda m: rate[m]), max(rate, key=lambda m: rate[m])
        if rate[hi] - rate[lo] > tol:
            add(
                Violation(
                    "balance",
                    f"{hi}/{lo}",
                    msg("fill rates differ by {difference:.4f}", difference=float(rate[hi] - rate[lo])),
                )
            )
    else:
        rho = Fraction(balance.ratio).limit_denominator(10_000)
        overall = Fraction(sum(per_muni.get(m, 0) for m in offered), sum(offered.values()))
        for m, r in rate.items():
            if r < rho * overall:
                add(
                    Violation(
                        "balance",
                        m,
                        msg("fill rate {rate:.4f} below {ratio} x overall", rate=float(r), ratio=float(rho)),
                    )
                )


def check_repair(
    problem: Problem, result: Result, rec: RepairRecord, previous: Result | None, out: list[Violation], t: Truth
) -> None:
    """The diff describes this plan, the keeps hold, and (given ``previous``) the diff is against it."""
    add = out.append
    plan = {x.applicant: x for x in result.decision.assignments}
    diff = rec.diff
    if (rec.position is None) == (rec.penalty is None):
        add(Violation("repair", "settings", msg("exactly one of position and penalty must be set")))
    listed: Counter[str] = Counter()
    for kind, moves in (
        ("moved", diff.moved),
        ("newly_placed", diff.newly_placed),
        ("newly_unplaced", diff.newly_unplaced),
        ("withdrawn", diff.withdrawn),
    ):
        for m in moves:
            listed[m.applicant] += 1
            now = plan.get(m.applicant)
            after_ok = (now is None and m.after is None) or (
                now is not None and (m.after, m.after_unit) == (now.supervisor, now.unit)
            )
            shape_ok = {
                "moved": m.before is not None and m.after is not None and m.before != m.after,
                "newly_placed": m.before is None and m.after is not None,
                "newly_unplaced": m.before is not None and m.after is None and m.applicant in t.apps,
                "withdrawn": m.before is not None and m.after is None and m.applicant not in t.apps,
            }[kind]
            if not (after_ok and shape_ok):
                add(
                    Violation(
                        "repair_diff", m.applicant, msg("listed as {kind}, which the plan does not show", kind=kind)
                    )
                )
    for ident, n in listed.items():
        if n > 1:
            add(Violation("repair_diff", ident, msg("listed {n} times in the diff", n=n)))
    unchanged = sum(1 for a in plan if a not in listed)
    if diff.unchanged != unchanged:
        add(
            Violation(
                "repair_diff",
                "unchanged",
                msg("reported {reported}, the plan gives {expected}", reported=diff.unchanged, expected=unchanged),
            )
        )
    base = diff.before_plan({a: x.supervisor for a, x in plan.items()})
    if previous is not None:
        if rec.previous_fingerprint != previous.decision.input_fingerprint:
            add(Violation("repair", "previous", msg("the repair was made from another previous result")))
        before = {x.applicant: (x.supervisor, x.unit) for x in previous.decision.assignments}
        implied = {m.applicant: (m.before, m.before_unit) for m in (*diff.moved, *diff.newly_unplaced, *diff.withdrawn)}
        if base != {a: s for a, (s, _) in before.items()} or any(before.get(a) != v for a, v in implied.items()):
            add(Violation("repair_diff", "previous", msg("the diff does not lead back to the previous plan")))
    for ident in rec.keep if result.decision.status.has_plan else ():
        if ident not in base or plan.get(ident) is None or plan[ident].supervisor != base[ident]:
            add(Violation("keep", ident, msg("a hard keep was not kept at the previous supervisor")))
