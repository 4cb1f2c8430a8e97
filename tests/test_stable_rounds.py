"""The stable-rounds benchmark (``benchmarks/stable_rounds.py``) gives correct answers on small rounds,
and stable mode with ties kept proves the placed count in a stage of its own. No duration is asserted
here: timings belong to ``python -m benchmarks.stable_rounds``."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import matchmaker as mm
from matchmaker._scoring import score

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.stable_rounds import build_round, export, solve_cpsat  # noqa: E402


def test_round_is_deterministic_with_ties_and_binding_caps() -> None:
    assert build_round(90, 1) == build_round(90, 1)
    assert build_round(90, 1) != build_round(90, 2)
    problem = mm.Problem.model_validate(build_round(90, 1))
    sc = score(problem)
    # Ties on both sides: applicants rank units (their supervisors tie), units score on a 1-5 scale.
    assert np.unique(np.c_[sc.applicant, sc.rank], axis=0).shape[0] < sc.n_pairs
    assert np.unique(np.c_[sc.unit, sc.unit_rank], axis=0).shape[0] < sc.n_pairs
    # Municipality caps below what their units offer.
    for m in problem.municipalities:
        offered = sum(u.max_places for u in problem.units if u.municipality == m.id)
        assert m.max_places is not None
        assert m.max_places < offered


@pytest.mark.parametrize("seed", [1, 2])
def test_plain_model_agrees_with_matchmaker(seed: int, tmp_path: Path) -> None:
    problem = mm.Problem.model_validate(build_round(30, seed))
    result = mm.solve(problem, mm.SolveOptions(workers=1))
    assert result.status is mm.Status.OPTIMAL
    assert mm.check(problem, result).ok
    placed = {lv.name: lv.value for lv in result.decision.objective}["placed"]
    path = tmp_path / "round.npz"
    export(problem, path)
    plain = solve_cpsat(path, 60.0, 1)
    assert plain["proven"]
    assert plain["placed"] == placed
    # The plain model's plan is weakly stable by the audit, and matchmaker's plan meets its rows.
    sc = score(problem)
    enc = sc.encoding
    plan = {enc.applicant_ids[sc.applicant[p]]: enc.supervisor_ids[sc.supervisor[p]] for p in plain["chosen"]}
    assert mm.blocking_pairs(problem, plan, strict=False) == ()
    mine = {(a.applicant, a.supervisor) for a in result.assignments}
    fixed = np.array(
        [(enc.applicant_ids[sc.applicant[p]], enc.supervisor_ids[sc.supervisor[p]]) in mine for p in range(sc.n_pairs)],
        dtype=np.int64,
    )
    assert solve_cpsat(path, 60.0, 1, fixed=fixed)["placed"] == placed


def test_ties_kept_prove_the_placed_count_first() -> None:
    data = build_round(30, 1)
    keep = mm.solve(mm.Problem.model_validate(data), mm.SolveOptions(workers=1))
    assert [s.levels for s in keep.statistics.stages] == [("placed",), ("total_fit",), ("lottery",)]
    assert all(s.status == "optimal" for s in keep.statistics.stages)
    # Strict preferences keep the merged stage (the split measured slower on the joint example).
    data["policy"]["stability"] = {"mode": "optimise", "ties": "lottery"}
    strict = mm.solve(mm.Problem.model_validate(data), mm.SolveOptions(workers=1))
    assert strict.statistics.stages[0].levels == ("placed", "total_fit")


def test_a_first_stage_proven_by_the_bound_without_stability_is_the_search_s() -> None:
    """When the start within the caps (a weakly stable plan) places as many as the round without its
    stability rows allows, the first stage needs no search; the decision is the one CP-SAT proves alone
    (``engine="cp-sat"`` takes no start and no bound). At least one round takes that path."""
    bound = []
    for seed in (1, 2, 3, 4):
        problem = mm.Problem.model_validate(build_round(40, seed))
        fast = mm.solve(problem, mm.SolveOptions(workers=1))
        exact = mm.solve(problem, mm.SolveOptions(workers=1, engine="cp-sat"))
        assert fast.status is exact.status is mm.Status.OPTIMAL
        assert mm.check(problem, fast).ok
        assert fast.decision_json() == exact.decision_json()
        assert exact.statistics.stages[0].engine_status != "BOUND"
        bound.append(fast.statistics.stages[0].engine_status == "BOUND")
    assert any(bound)


def test_the_start_keeps_the_places_units_miss_of_their_minimums() -> None:
    """On the joint example deferred acceptance within the caps leaves tyreso-af (minimum 3) short;
    keeping the places its municipality still owes it meets the minimum, within every cap."""
    from matchmaker._engines.deferred_acceptance import deferred_acceptance

    root = Path(__file__).resolve().parents[1]
    problem = mm.load_problem(root / "examples" / "huddinge-nacka-tyreso" / "problem.json")
    sc = score(problem)
    enc = sc.encoding
    short = []
    for reserve in (False, True):
        x = deferred_acceptance(sc, municipality_caps=True, reserve=reserve)
        assert x is not None
        placed = x > 0
        per_unit = np.bincount(sc.unit[placed], minlength=len(enc.unit_ids))
        per_muni = np.bincount(sc.municipality[placed], minlength=len(enc.municipality_ids))
        assert np.all(per_unit <= enc.unit_max)
        assert np.all((enc.municipality_max < 0) | (per_muni <= enc.municipality_max))
        short.append(bool(np.any(per_unit < enc.unit_min)))
    assert short == [True, False]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_minimums_and_the_relaxed_bound_as_a_cut_keep_the_search_s_decision(seed: int) -> None:
    """With unit minimums beside the caps, the auto path (a start that keeps their places, the bound
    without stability as a cut on the first stage) decides what CP-SAT proves alone."""
    data = build_round(40, seed)
    for unit in data["units"][::3]:
        unit["min_places"] = 1
    problem = mm.Problem.model_validate(data)
    fast = mm.solve(problem, mm.SolveOptions(workers=1))
    exact = mm.solve(problem, mm.SolveOptions(workers=1, engine="cp-sat"))
    assert fast.status is exact.status
    if fast.status is mm.Status.OPTIMAL:
        assert mm.check(problem, fast).ok
        assert fast.decision_json() == exact.decision_json()
