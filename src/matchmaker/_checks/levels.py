"""Every level of the objective vector recomputed from a plan, as the policy defines it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np

from matchmaker._checks.audit import draws, strict_ranks
from matchmaker._checks.groups import group_levels
from matchmaker._checks.report import Violation
from matchmaker._checks.stability import unit_positions
from matchmaker._checks.truth import SCALE, Truth, link_broken, offered_by_municipality
from matchmaker._i18n import msg
from matchmaker._models import STABLE_OBJECTIVES, Problem
from matchmaker._result import Result, Status

__all__ = ["check_objective", "level_terms", "level_vector"]


def level_vector(
    problem: Problem,
    t: Truth,
    plan: dict[str, str],
    *,
    base: Mapping[str, str] | None = None,
    position: float | None = None,
    penalty: float | None = None,
) -> list[tuple[str, str, int]]:
    """Every level the problem's policy asks for, in order: (name, sense, value) for ``plan``
    (applicant id -> supervisor id), recomputed from the records.

    With a ``base`` plan (a repair), level ``moved`` (base applicants still in the round who lose or
    change their placement) is inserted after every level at or before ``position``; or, with
    ``penalty``, level ``total_fit`` becomes ``total_fit_less_moves`` (each move costs ``penalty`` fit).
    """
    levels = level_terms(problem, t, plan)
    if base is None:
        return [(name, sense, value) for _, name, sense, value in _in_order(levels, _order(problem))]
    moved = sum(1 for a, s in base.items() if a in t.apps and plan.get(a) != s)
    if penalty is not None:
        cost = round(penalty * SCALE)
        return [
            ("total_fit_less_moves", sense, value - cost * moved) if name == "total_fit" else (name, sense, value)
            for _, name, sense, value in levels
        ]
    where = position if position is not None else 2.5
    at = sum(1 for pos, *_ in levels if pos <= where)
    levels.insert(at, (where, "moved", "min", moved))
    return [(name, sense, value) for _, name, sense, value in _in_order(levels, _order(problem))]


def level_terms(problem: Problem, t: Truth, plan: dict[str, str]) -> list[tuple[float, str, str, int]]:
    """(position, name, sense, value) of every level of the policy, in the default order (positions as
    documented for it; :func:`level_vector` puts them in the policy's order)."""
    pol = problem.policy
    apps = t.apps
    # Where each placed applicant is, and the counts per unit and municipality: only the soft goals,
    # links and balance read them (a dict over a national round's plan costs more than the rest).
    needs_where = (
        (
            pol.minimums == "soft"
            and (any(u.min_places for u in problem.units) or any(m.min_places for m in problem.municipalities))
        )
        or (pol.targets == "soft" and any(u.target_places for u in problem.units))
        or any(not k.hard for k in problem.links)
        or pol.balance is not None
    )
    where = {a: (t.sups[s].unit, t.units[t.sups[s].unit].municipality) for a, s in plan.items()} if needs_where else {}
    levels: list[tuple[float, str, str, int]] = []
    tiers = sorted({a.priority_tier for a in problem.applicants if a.priority_tier is not None})
    for k in tiers:
        levels.append((1.0, f"placed_tier_{k}", "max", sum(1 for a in plan if apps[a].priority_tier == k)))
    ranks = t.ranks(plan)
    if pol.objective == "rank_maximal_irving" and (pol.stability is None or pol.stability.mode == "optimise"):
        top = int(t.table.rank[t.table.ok].max(initial=0))
        levels += [(1.5, f"placed_at_rank_{k}", "max", ranks.count(k)) for k in range(1, top + 1)]
    levels.append((2.0, "placed", "max", len(plan)))
    per_unit = Counter(u for u, _ in where.values())
    per_muni = Counter(m for _, m in where.values())
    if pol.minimums == "soft" and (
        any(u.min_places for u in problem.units) or any(m.min_places for m in problem.municipalities)
    ):
        short = sum(max(0, u.min_places - per_unit[u.id]) for u in problem.units)
        short += sum(max(0, m.min_places - per_muni[m.id]) for m in problem.municipalities)
        levels.append((2.1, "minimum_shortfall", "min", short))
    if pol.targets == "soft" and any(u.target_places for u in problem.units):
        short = sum(max(0, (u.target_places or 0) - per_unit[u.id]) for u in problem.units)
        levels.append((2.2, "target_shortfall", "min", short))
    soft_links = [k for k in problem.links if not k.hard]
    if soft_links:
        broken = sum(
            link_broken(k.relation, where.get(k.applicants[0]), where.get(k.applicants[1]), hard=False)
            for k in soft_links
        )
        levels.append((2.3, "link_violations", "min", broken))
    offered = {m: o for m, o in offered_by_municipality(problem).items() if o > 0}
    if pol.balance is not None and pol.balance.mode == "maximin" and len(offered) >= 2:  # on fit, weights or not
        fit_m: Counter[str] = Counter()
        for a, s in plan.items():
            fit_m[where[a][1]] += t.points(apps[a], s)
        levels.append(
            (2.4, "lowest_fill_rate_ppm", "max", min(per_muni[m] * 1_000_000 // o for m, o in offered.items()))
        )
        levels.append((2.4, "lowest_fit_per_place", "max", min(fit_m[m] // o for m, o in offered.items())))
    levels += group_levels(problem, plan.keys())
    if problem.pair_weights is None:  # the fit points, from the fits of the whole plan at once
        values = np.rint(t.fits(*t.table.indices(list(plan.items()))) * SCALE).astype(np.int64).tolist()
    else:
        values = [t.value(apps[a], s) for a, s in plan.items()]
    what = "fit" if problem.pair_weights is None else "weight" if pol.pair_weights == "replace" else "fit_and_weight"
    order = _order(problem)
    stability = pol.stability
    if stability is not None and (stability.mode != "optimise" or pol.objective in STABLE_OBJECTIVES):
        strict = stability.ties == "lottery"
        own = int(strict_ranks(t, *t.table.indices(list(plan.items()))).sum()) if strict else sum(ranks)
        if stability.mode == "applicant_optimal":
            levels.append((3.0, "applicant_rank_sum", "min", own))
        elif stability.mode == "unit_optimal":
            levels.append((3.0, "applicant_rank_sum", "max", own))
        else:
            upos = unit_positions(problem, t, strict=strict)
            # a pair the unit does not rank (not acceptable: reported as such) counts below every ranked one
            below = len(problem.applicants) + 1
            units = sum(upos.get((t.sups[s].unit, a), below) for a, s in plan.items())
            if pol.objective == "sex_equal":
                levels.append((3.0, "rank_sum_gap", "min", abs(own - units)))
            elif pol.objective == "egalitarian_two_sided":
                levels.append((3.0, "two_sided_rank_sum", "min", own + units))
            else:  # minimum_regret_two_sided: the worse of the two ranks of each placed pair
                mine = strict_ranks(t, *t.table.indices(list(plan.items()))).tolist() if strict else ranks
                worst = (
                    max(r, upos.get((t.sups[s].unit, a), below)) for r, (a, s) in zip(mine, plan.items(), strict=True)
                )
                levels.append((3.0, "two_sided_worst_rank", "min", max(worst, default=0)))
    elif pol.objective == "total_fit":
        levels.append((3.0, f"total_{what}", "max", sum(values)))
    elif pol.objective in ("rank_maximal", "generous", "minimum_regret"):
        max_rank = int(t.table.rank[t.table.ok].max(initial=0))
        if pol.objective == "rank_maximal":
            # the last count is implied only when the placed count comes first
            last = max_rank if _placed_before_objective(order) else max_rank + 1
            levels += [(3.0, f"placed_at_rank_{k}", "max", ranks.count(k)) for k in range(1, last)]
        elif pol.objective == "generous":
            levels += [(3.0, f"placed_at_rank_{k}", "min", ranks.count(k)) for k in range(max_rank, 1, -1)]
        else:
            levels.append((3.0, "worst_rank", "min", max(ranks, default=0)))
    elif pol.objective == "rank_maximal_irving":
        pass  # its levels come before the placed count (above)
    elif pol.objective == "egalitarian":
        levels.append((3.0, "rank_sum", "min", sum(ranks)))
    else:  # leximin
        distinct = sorted({t.value(a, sid) for a, sid in t.acceptable()})
        levels += [(3.0, f"placed_at_{what}_{v}", "min", values.count(v)) for v in distinct[:-1]]
    levels.append((4.0, "lottery", "max", int(draws(t, *t.table.indices(list(plan.items()))).sum())))
    return levels


#: The parts of the objective vector in the default order, and the named orders (as documented for
#: ``Policy.order``; written out here again so that the checker shares nothing with the model).
_DEFAULT_ORDER = ("priority_tiers", "placed", "soft", "objective")
_PRESETS = {
    "placed_first": _DEFAULT_ORDER,
    "objective_first": ("objective", "priority_tiers", "placed", "soft"),
    "maximum_weight": ("objective",),
}


def _order(problem: Problem) -> tuple[str, ...]:
    order = problem.policy.order
    return _PRESETS[order] if isinstance(order, str) else tuple(order)


def _placed_before_objective(order: tuple[str, ...]) -> bool:
    return "placed" in order and ("objective" not in order or order.index("placed") < order.index("objective"))


def _part(position: float) -> str:
    """The part of the vector of a level at a default position (as documented for ``Policy.order``):
    priority tiers before 1.5, Irving's profile from 1.5, the placed count at 2, the soft goals (and a
    repair's moved level) up to 3, the objective up to 4, then the lottery."""
    if position < 1.5:
        return "priority_tiers"
    if position < 2.0:
        return "objective"
    if position < 2.1:
        return "placed"
    if position < 3.0:
        return "soft"  # also a repair's moved level there
    return "objective" if position < 4.0 else "lottery"


def _in_order(levels: list[tuple[float, str, str, int]], order: tuple[str, ...]) -> list[tuple[float, str, str, int]]:
    """The levels with the parts in ``order`` (a part left out is dropped; the lottery stays last),
    each with a position that keeps a repair's ``moved`` level among them."""
    if order == _DEFAULT_ORDER:
        return levels
    rank = {part: i for i, part in enumerate(order)}
    out: list[tuple[float, str, str, int]] = []
    for position, name, sense, value in levels:
        part = _part(position)
        if part == "lottery":
            out.append((10.0, name, sense, value))
        elif part in rank:
            base = {"priority_tiers": 1.0, "placed": 2.0, "soft": 2.0}.get(part, 3.0 if position >= 3.0 else position)
            out.append((rank[part] + 1.0 + (position - base), name, sense, value))
        elif name == "moved":  # a repair's moved level is kept: last but the lottery
            out.append((len(order) + 1.5, name, sense, value))
    return sorted(out, key=lambda level: level[0])


def check_objective(problem: Problem, result: Result, out: list[Violation], t: Truth) -> None:
    d = result.decision
    plan = {x.applicant: x.supervisor for x in d.assignments if x.applicant in t.apps and x.supervisor in t.sups}
    rec = d.repair
    if rec is None:
        expected = level_vector(problem, t, plan)
    else:
        base = rec.diff.before_plan(plan)
        expected = level_vector(problem, t, plan, base=base, position=rec.position, penalty=rec.penalty)
    truth = {name: value for name, _, value in expected}
    names = [lv.name for lv in d.objective]
    if names != [name for name, _, _ in expected] or [lv.sense for lv in d.objective] != [
        sense for _, sense, _ in expected
    ]:
        out.append(
            Violation(
                "objective_levels",
                "objective",
                msg("levels {names}, expected {expected}", names=names, expected=list(truth)),
            )
        )
        return
    if not d.status.has_plan:
        for lv in d.objective:
            if lv.value is not None:
                out.append(Violation("objective", lv.name, msg("a result without a plan reports a value")))
        return
    for lv in d.objective:
        if lv.value != truth[lv.name]:
            out.append(
                Violation(
                    "objective",
                    lv.name,
                    msg("reported {reported}, recomputed {recomputed}", reported=lv.value, recomputed=truth[lv.name]),
                )
            )
    if d.status is Status.OPTIMAL:
        for st in result.statistics.stages:
            if st.status != "optimal":
                out.append(
                    Violation(
                        "status", "optimal", msg("stage {levels} ended {status}", levels=st.levels, status=st.status)
                    )
                )
