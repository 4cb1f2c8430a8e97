"""Brute force from the raw inputs: enumerate every plan of a tiny problem and take the best.

Acceptability and fit come from the records (through the independent checker's reading of them), never
from the solver's arrays. Plans are compared on the full objective vector, in the order the policy
chooses (``Policy.order``), with pair weights read from the problem's weight rows where it has them
(``tests/test_pair_weights.py`` adds an oracle for the maximum-weight plan that reads the rows itself).
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

from matchmaker import SolveOptions, Status, check, solve
from matchmaker._checks import Truth, check_balance, check_groups, check_links, level_vector
from matchmaker._models import Problem

Plan = dict[str, str]  # applicant id -> supervisor id


@dataclass(frozen=True)
class BruteResult:
    """The best objective vector, every plan that reaches it, and how many feasible plans exist."""

    vector: tuple[int, ...] | None  # as reported in a result (each level's own value)
    plans: tuple[Plan, ...]
    feasible: int


def vector_of(problem: Problem, truth: Truth, plan: Plan) -> tuple[int, ...]:
    """The objective vector of ``plan`` as a tuple where larger is better on every level."""
    return tuple(v if sense == "max" else -v for _, sense, v in level_vector(problem, truth, plan))


def level_names(problem: Problem) -> list[str]:
    """The level names the policy asks for (from the empty plan)."""
    return [name for name, _, _ in level_vector(problem, Truth(problem), {})]


def raw_vector(problem: Problem, truth: Truth, plan: Plan) -> tuple[int, ...]:
    """The level values of ``plan`` as reported in a result."""
    return tuple(v for _, _, v in level_vector(problem, truth, plan))


def feasible(problem: Problem, truth: Truth, plan: Plan, *, minimums: bool = True) -> bool:
    """Whether ``plan`` meets every capacity, minimum, pin, link, balance and group rule."""
    sups = Counter(plan.values())
    units = Counter(truth.sups[s].unit for s in plan.values())
    munis = Counter(truth.units[truth.sups[s].unit].municipality for s in plan.values())
    hard_min = minimums and problem.policy.minimums == "hard"
    if any(sups[s.id] > s.capacity for s in problem.supervisors):
        return False
    for u in problem.units:
        if units[u.id] > u.max_places or (hard_min and units[u.id] < u.min_places):
            return False
        if problem.policy.targets == "hard" and u.target_places is not None and units[u.id] < u.target_places:
            return False
    for m in problem.municipalities:
        if m.max_places is not None and munis[m.id] > m.max_places:
            return False
        if hard_min and munis[m.id] < m.min_places:
            return False
    if truth.load_violations(plan):
        return False
    broken: list[object] = []
    where = {a: (truth.sups[s].unit, truth.units[truth.sups[s].unit].municipality) for a, s in plan.items()}
    check_links(problem, where, broken.append)
    check_balance(problem, munis, broken.append)
    check_groups(problem, plan.keys(), broken.append)
    if broken:
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
    truth = Truth(problem)
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
    reported = None if best is None else raw_vector(problem, truth, plans[0])
    return BruteResult(reported, tuple(plans), count)


def assert_solved_as_brute_force(problem: Problem, engine: str) -> None:
    """Solve ``problem`` on ``engine`` (one worker) and hold the result to brute force: it passes the
    independent checker, has the policy's levels, and is infeasible exactly when no plan exists, else
    optimal with the brute-force vector and one of its optimal plans (more than one only on a lottery tie,
    rare by design)."""
    truth = brute_force(problem)
    result = solve(problem, SolveOptions(engine=engine, workers=1))
    report = check(problem, result)
    assert report.ok, str(report)
    assert [lv.name for lv in result.decision.objective] == level_names(problem)
    if truth.vector is None:
        assert result.status is Status.INFEASIBLE
        assert result.decision.message
        return
    assert result.status is Status.OPTIMAL
    assert tuple(result.objective.values()) == truth.vector
    assert {a.applicant: a.supervisor for a in result.assignments} in [dict(p) for p in truth.plans]
