"""Brute force from the raw inputs: enumerate every plan of a tiny problem and take the best.

Acceptability and fit come from the records (through the independent checker's reading of them), never
from the solver's arrays. Plans are compared on the full objective vector.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

from matchmaker.checks import _Truth
from matchmaker.lottery import pair_draw
from matchmaker.models import Problem

Plan = dict[str, str]  # applicant id -> supervisor id


@dataclass(frozen=True)
class BruteResult:
    """The best objective vector, every plan that reaches it, and how many feasible plans exist."""

    vector: tuple[int, ...] | None
    plans: tuple[Plan, ...]
    feasible: int


def level_names(problem: Problem) -> list[str]:
    """The documented level names, in order."""
    tiers = sorted({a.priority_tier for a in problem.applicants if a.priority_tier is not None})
    return [f"placed_tier_{t}" for t in tiers] + ["placed", "total_fit", "lottery"]


def vector_of(problem: Problem, truth: _Truth, plan: Plan) -> tuple[int, ...]:
    """The objective vector of ``plan``, recomputed from the records."""
    tiers = sorted({a.priority_tier for a in problem.applicants if a.priority_tier is not None})
    apps = {a.id: a for a in problem.applicants}
    per_tier = Counter(apps[a].priority_tier for a in plan)
    fit = sum(round(truth.fit(apps[a], s) * 10_000) for a, s in plan.items())
    lottery = sum(pair_draw(problem.policy.lottery_seed, a, s) for a, s in plan.items())
    return (*[per_tier[t] for t in tiers], len(plan), fit, lottery)


def feasible(problem: Problem, truth: _Truth, plan: Plan, *, minimums: bool = True) -> bool:
    """Whether ``plan`` meets every capacity, minimum and pin."""
    sups = Counter(plan.values())
    units = Counter(truth.sups[s].unit for s in plan.values())
    munis = Counter(truth.units[truth.sups[s].unit].municipality for s in plan.values())
    if any(sups[s.id] > s.capacity for s in problem.supervisors):
        return False
    for u in problem.units:
        if units[u.id] > u.max_places or (minimums and units[u.id] < u.min_places):
            return False
    for m in problem.municipalities:
        if m.max_places is not None and munis[m.id] > m.max_places:
            return False
        if minimums and munis[m.id] < m.min_places:
            return False
    for pin in problem.pins:
        got = plan.get(pin.applicant)
        if got is None:
            return False
        if pin.supervisor is not None and got != pin.supervisor:
            return False
        if pin.supervisor is None and truth.sups[got].unit != pin.unit:
            return False
    return True


def brute_force(problem: Problem, *, minimums: bool = True) -> BruteResult:
    """Enumerate all plans; return the lexicographic optimum of the objective vector."""
    truth = _Truth(problem)
    apps = sorted(problem.applicants, key=lambda a: a.id)
    options: list[list[str | None]] = []
    for a in apps:
        acceptable = [s.id for s in problem.supervisors if truth.refusal(a, s.id) is None]
        options.append([None, *sorted(acceptable)])
    best: tuple[int, ...] | None = None
    plans: list[Plan] = []
    count = 0
    for choice in itertools.product(*options):
        plan = {a.id: s for a, s in zip(apps, choice, strict=True) if s is not None}
        if not feasible(problem, truth, plan, minimums=minimums):
            continue
        count += 1
        vec = vector_of(problem, truth, plan)
        if best is None or vec > best:
            best, plans = vec, [plan]
        elif vec == best:
            plans.append(plan)
    return BruteResult(best, tuple(plans), count)
