"""Tiny instances solved by hand; every engine must reproduce the known optimum."""

from __future__ import annotations

from typing import Any

import pytest

from matchmaker import (
    CancelToken,
    Problem,
    ResultStatusError,
    SolveOptions,
    Status,
    UnplacedReason,
    check,
    solve,
)

ENGINES = ["auto", "cp-sat"]


def with_changes(p: Problem, **changes: Any) -> Problem:
    data = p.model_dump(mode="json")
    data.update(changes)
    return Problem.model_validate(data)


@pytest.mark.parametrize("engine", ENGINES)
def test_tiny_optimum(tiny: Problem, engine: str) -> None:
    # Fits (no interviews -> 0.5 neutral): first choice 0.7*1 + 0.3*0.5 = 0.85, second 0.7*0.5 + 0.15 = 0.5.
    # Vux goes to A3 (0.85) and BoU to two of A1, A2, A4 (0.85 each): 3 placed, total 2.55.
    r = solve(tiny, SolveOptions(engine=engine, workers=1))
    assert check(tiny, r).ok
    assert r.status is Status.OPTIMAL
    assert r.objective == {"placed": 3, "total_fit": 25500, "lottery": r.objective["lottery"]}
    assert r.placement_of["A3"].unit == "Vux"
    left_out = [u.applicant for u in r.unplaced]
    assert len(left_out) == 1
    assert left_out[0] in {"A1", "A2", "A4"}
    assert r.unplaced[0].reason is UnplacedReason.NOT_SELECTED


@pytest.mark.parametrize("engine", ENGINES)
def test_priority_tier_outranks_fit(tiny: Problem, engine: str) -> None:
    data = tiny.model_dump(mode="json")
    # A3 only wants BoU now, at rank 2 of 2 (fit 0.5); with tier 1 A3 must still be placed.
    data["applicants"][2] = {"id": "A3", "ranking": {"units": {"Vux": 1, "BoU": 2}}, "priority_tier": 1}
    data["units"][1]["max_places"] = 0  # Vux closed: A3 can only go to BoU
    p = Problem.model_validate(data)
    r = solve(p, SolveOptions(engine=engine, workers=1))
    assert check(p, r).ok
    assert r.objective["placed_tier_1"] == 1
    assert r.placement_of["A3"].unit == "BoU"
    assert r.objective["placed"] == 2
    # One of A1, A2, A4 (fit 0.85) gets the other BoU place: 0.5 + 0.85.
    assert r.objective["total_fit"] == 13500


@pytest.mark.parametrize("engine", ENGINES)
def test_unit_minimum_forces_a_weaker_plan(tiny: Problem, engine: str) -> None:
    data = tiny.model_dump(mode="json")
    data["municipalities"][0]["max_places"] = 2
    base = Problem.model_validate(data)
    r0 = solve(base, SolveOptions(engine=engine, workers=1))
    assert r0.objective["placed"] == 2
    assert r0.objective["total_fit"] == 17000
    data["units"][1]["min_places"] = 1
    data["applicants"][2] = {"id": "A3", "ranking": {"units": {"BoU": 1}}}  # nobody wants Vux first now
    p = Problem.model_validate(data)
    r = solve(p, SolveOptions(engine=engine, workers=1))
    assert check(p, r).ok
    # Vux must take someone: only A1 accepts it (fit 0.5); the other place goes to BoU (0.85).
    assert r.placement_of["A1"].unit == "Vux"
    assert r.objective == {"placed": 2, "total_fit": 13500, "lottery": r.objective["lottery"]}


@pytest.mark.parametrize("engine", ENGINES)
def test_pin_is_respected(tiny: Problem, engine: str) -> None:
    p = with_changes(tiny, pins=[{"applicant": "A1", "unit": "Vux"}])
    r = solve(p, SolveOptions(engine=engine, workers=1))
    assert check(p, r).ok
    assert r.placement_of["A1"].unit == "Vux"
    # A3 then competes for BoU at 0.5 against A2 and A4 at 0.85: A3 is left out.
    assert {u.applicant for u in r.unplaced} == {"A3"}
    assert r.objective["total_fit"] == 5000 + 2 * 8500


@pytest.mark.parametrize("engine", ENGINES)
def test_infeasible_is_a_result_with_a_reason(tiny: Problem, engine: str) -> None:
    pins = [{"applicant": a, "unit": "BoU"} for a in ("A1", "A2", "A4")]
    p = with_changes(tiny, pins=pins)
    r = solve(p, SolveOptions(engine=engine, workers=1))
    assert r.status is Status.INFEASIBLE
    assert check(p, r).ok
    assert r.assignments == ()
    assert {u.reason for u in r.unplaced} == {UnplacedReason.NO_PLAN}
    assert r.decision.message is not None
    # Three pins into BoU, whose two supervisors take one student each: the core names them all.
    assert "takes at most" in r.decision.message
    for applicant in ("A1", "A2", "A4"):
        assert f"applicant {applicant} is pinned to BoU" in r.decision.message
    with pytest.raises(ResultStatusError, match="infeasible"):
        r.raise_for_status()


def test_applicant_without_wishes_is_unplaced_with_reason(tiny: Problem) -> None:
    data = tiny.model_dump(mode="json")
    data["applicants"].append({"id": "A5"})
    data["applicants"].append({"id": "A6", "ranking": {"units": {"Vux": 1}}, "conflicts": {"units": ["Vux"]}})
    p = Problem.model_validate(data)
    r = solve(p)
    assert check(p, r).ok
    reasons = {u.applicant: u for u in r.unplaced}
    assert reasons["A5"].reason is UnplacedReason.NO_ACCEPTABLE_OPTION
    assert "no wishes were given" in reasons["A5"].detail
    assert reasons["A6"].reason is UnplacedReason.NO_ACCEPTABLE_OPTION
    assert "1 by rule 'conflict'" in reasons["A6"].detail


def test_everyone_unwanted_still_optimal() -> None:
    p = Problem.model_validate(
        {
            "municipalities": [{"id": "M"}],
            "units": [{"id": "U", "municipality": "M", "area": "A", "max_places": 1}],
            "supervisors": [{"id": "S", "unit": "U"}],
            "applicants": [{"id": "A"}],
        }
    )
    r = solve(p)
    assert r.status is Status.OPTIMAL
    assert r.objective == {"placed": 0, "total_fit": 0, "lottery": 0}
    assert check(p, r).ok


def test_solve_does_not_mutate_input(tiny: Problem) -> None:
    before = tiny.model_dump_json()
    fp = tiny.fingerprint()
    solve(tiny)
    assert tiny.model_dump_json() == before
    assert tiny.fingerprint() == fp


def test_solve_refuses_raw_dicts() -> None:
    with pytest.raises(TypeError, match=r"needs a matchmaker\.Problem"):
        solve({"units": []})  # type: ignore[arg-type]


def test_lottery_decides_among_equals() -> None:
    # Four applicants want the single supervisor equally: only the lottery separates them.
    data = {
        "municipalities": [{"id": "M"}],
        "units": [{"id": "U", "municipality": "M", "area": "A", "max_places": 1}],
        "supervisors": [{"id": "S", "unit": "U"}],
        "applicants": [{"id": f"A{i}", "interests": {"areas": {"A": 1.0}}} for i in range(4)],
    }
    winners = set()
    for seed in range(12):
        data["policy"] = {"lottery_seed": seed}
        p = Problem.model_validate(data)
        r1, r2 = solve(p), solve(p)
        assert r1.decision_json() == r2.decision_json()
        winners.add(r1.assignments[0].applicant)
    assert len(winners) >= 2


def test_cancel_before_start_returns_no_plan_or_best(tiny: Problem) -> None:
    token = CancelToken()
    token.cancel()
    r = solve(tiny, SolveOptions(engine="cp-sat", workers=1), cancel=token)
    assert r.status in (Status.OPTIMAL, Status.FEASIBLE, Status.UNKNOWN)
    assert check(tiny, r).ok
