"""Every engine's optimum equals the brute-force optimum enumerated from the raw inputs."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import Phase, find, given, settings

from brute import assert_solved_as_brute_force, brute_force
from conftest import make_problem
from matchmaker import Problem
from strategies import problems


def plan_of(result: Any) -> dict[str, str]:
    return {a.applicant: a.supervisor for a in result.assignments}


@pytest.mark.parametrize("engine", ["auto", "lp", "cp-sat"])
@settings(max_examples=150)
@given(raw=problems())
def test_optimum_equals_brute_force(engine: str, raw: dict[str, Any]) -> None:
    assert_solved_as_brute_force(make_problem(raw), engine)


def _without_tiers(problem: Problem) -> Problem:
    data = problem.model_dump(mode="json")
    for a in data["applicants"]:
        a["priority_tier"] = None
    return Problem.model_validate(data)


def _placed(plan: dict[str, str]) -> set[str]:
    return set(plan)


# The generator must produce every kind of case the brute force is meant to cover.
def _infeasible(raw: dict[str, Any]) -> bool:
    return brute_force(make_problem(raw)).vector is None


def _has_unplaced(raw: dict[str, Any]) -> bool:
    p = make_problem(raw)
    r = brute_force(p)
    return r.vector is not None and len(r.plans[0]) < len(p.applicants)


def _binding_minimum(raw: dict[str, Any]) -> bool:
    has_min = any(u.get("min_places") for u in raw["units"]) or any(m.get("min_places") for m in raw["municipalities"])
    if not has_min or raw["policy"]["minimums"] != "hard":
        return False
    p = make_problem(raw)
    with_min = brute_force(p)
    without = brute_force(p, minimums=False)
    return with_min.vector is not None and without.vector is not None and without.vector > with_min.vector


def _tier_matters(raw: dict[str, Any]) -> bool:
    if not any(a.get("priority_tier") for a in raw["applicants"]):
        return False
    p = make_problem(raw)
    with_tiers = brute_force(p)
    no_tiers = brute_force(_without_tiers(p))
    if with_tiers.vector is None or no_tiers.vector is None:
        return False
    return _placed(with_tiers.plans[0]) != _placed(no_tiers.plans[0])


@pytest.mark.parametrize("kind", [_infeasible, _has_unplaced, _binding_minimum, _tier_matters])
def test_generator_covers_each_kind(kind: Any) -> None:
    # Generation only: shrinking the found example would cost minutes of brute force for nothing.
    example = find(
        problems(core_only=True), kind, settings=settings(max_examples=2000, database=None, phases=[Phase.generate])
    )
    assert kind(example)
