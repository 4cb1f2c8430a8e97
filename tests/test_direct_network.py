"""The direct network of a pure capacity round: the same circulation as the general search, and the same
decisions byte for byte, on hand-made and random rounds (ties, lottery seeds, priority tiers)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchmaker as mm
import matchmaker._solve as solve_floor
from brute import assert_solved_as_brute_force
from conftest import EXAMPLES, make_problem, pure_capacity
from matchmaker._build import build_model
from matchmaker._engines import flow
from matchmaker._linear import LinearModel
from matchmaker._scoring import score
from strategies import problems

_CAPACITY = {"one_place", "supervisor_capacity", "unit_max", "municipality_max"}


def _model(problem: mm.Problem) -> LinearModel:
    return build_model(problem, score(problem))


def _same_network(a: flow.Network, b: flow.Network) -> bool:
    return a.n_nodes == b.n_nodes and np.array_equal(a.tail, b.tail) and np.array_equal(a.head, b.head)


def _far_rows_span_two_applicants(model: LinearModel) -> bool:
    """Whether every capacity row beyond the applicant's own spans two or more applicants (a row of one
    applicant's pairs belongs on the applicant side, which only the general search places)."""
    for r in range(model.n_rows):
        if model.groups[model.row_group[r]].kind == "one_place":
            continue
        pairs, _ = model.row(r)
        if np.unique(model.pair_applicant[pairs]).size < 2:
            return False
    return True


@settings(max_examples=150, deadline=None)
@given(
    raw=problems(max_applicants=9, max_supervisors=6),
    seed=st.integers(0, 2**31 - 1),
    objective=st.sampled_from(["total_fit", "rank_maximal", "egalitarian"]),
    pure=st.booleans(),
)
def test_the_direct_network_is_the_searched_one(raw: dict[str, Any], seed: int, objective: str, pure: bool) -> None:
    """Whenever the direct path answers, its network is the general search's, arc for arc; on a pure
    capacity round whose far rows span two applicants it always answers."""
    problem = make_problem(pure_capacity(raw, seed, objective) if pure else raw)
    model = _model(problem)
    direct = flow._capacity_network(model)
    searched = flow._searched_network(model, None)
    if direct is not None:
        assert searched is not None
        assert _same_network(direct, searched)
    kinds = {model.groups[g].kind for g in model.row_group.tolist()}
    if model.n_rows and kinds <= _CAPACITY and _far_rows_span_two_applicants(model):
        assert direct is not None


@settings(max_examples=60, deadline=None)
@given(
    raw=problems(max_applicants=9, max_supervisors=6),
    seed=st.integers(0, 2**31 - 1),
    objective=st.sampled_from(["total_fit", "rank_maximal", "generous", "leximin"]),
)
def test_direct_and_general_paths_decide_alike(raw: dict[str, Any], seed: int, objective: str) -> None:
    """The decision through the direct network and through the general search is the same bytes."""
    problem = make_problem(pure_capacity(raw, seed, objective))
    direct = mm.solve(problem, mm.SolveOptions(workers=1))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flow, "_capacity_network", lambda model: None)
        patch.setattr(solve_floor, "direct_round", lambda *args: None)  # the scores' direct path too
        general = mm.solve(problem, mm.SolveOptions(workers=1))
    assert direct.decision_json() == general.decision_json()
    assert mm.check(problem, direct).ok


@settings(max_examples=40, deadline=None)
@given(raw=problems(max_applicants=5, max_supervisors=4), seed=st.integers(0, 2**31 - 1))
def test_pure_capacity_rounds_match_brute_force(raw: dict[str, Any], seed: int) -> None:
    """Tiny pure capacity rounds: the plan (through the direct network) is the brute-force optimum."""
    assert_solved_as_brute_force(make_problem(pure_capacity(raw, seed, "total_fit")), "auto")


def _round(units: list[dict[str, Any]], sups: list[dict[str, Any]], munis: list[dict[str, Any]]) -> mm.Problem:
    apps = [
        {"id": f"A{i}", "interests": {"supervisors": {s["id"]: 0.6 for s in sups}}, "priority_tier": 1 + i % 2}
        for i in range(4)
    ]
    policy = {"lottery_seed": 7}
    return mm.Problem.model_validate(
        {"municipalities": munis, "units": units, "supervisors": sups, "applicants": apps, "policy": policy}
    )


def test_nested_levels_of_equal_size_take_the_enclosing_row_as_parent() -> None:
    """A unit with one supervisor: the unit's row and the supervisor's hold the same pairs; the unit's row
    (the later one) is the parent, as in the general search; the municipality's row encloses both."""
    problem = _round(
        [{"id": "U1", "municipality": "M1", "area": "social", "max_places": 1}],
        [{"id": "S1", "unit": "U1", "capacity": 2}],
        [{"id": "M1", "max_places": 1}],
    )
    model = _model(problem)
    direct = flow._capacity_network(model)
    assert direct is not None
    searched = flow._searched_network(model, None)
    assert searched is not None
    assert _same_network(direct, searched)
    kinds = [model.groups[g].kind for g in model.row_group.tolist()]
    sup, unit, muni = (kinds.index(k) for k in ("supervisor_capacity", "unit_max", "municipality_max"))
    assert int(direct.head[model.n_pairs + sup]) == unit + 1
    assert int(direct.head[model.n_pairs + unit]) == muni + 1
    assert int(direct.head[model.n_pairs + muni]) == 0
    assert mm.check(problem, mm.solve(problem)).ok


def test_a_row_of_one_applicant_goes_to_the_general_search() -> None:
    """A unit of one place that only one applicant wants, through two supervisors: its row holds one
    applicant's pairs, so the general search (which puts it on the applicant side) decides."""
    problem = _round(
        [
            {"id": "U1", "municipality": "M1", "area": "social", "max_places": 3},
            {"id": "U2", "municipality": "M1", "area": "social", "max_places": 1},
        ],
        [
            {"id": "S1", "unit": "U1", "capacity": 1},
            {"id": "S2", "unit": "U2", "capacity": 1},
            {"id": "S3", "unit": "U2", "capacity": 1},
        ],
        [{"id": "M1"}],
    )
    raw = problem.model_dump(mode="json")
    raw["applicants"][0]["interests"] = {"supervisors": {"S1": 0.6, "S2": 0.6, "S3": 0.6}}
    for app in raw["applicants"][1:]:
        app["interests"] = {"supervisors": {"S1": 0.6}}
    problem = mm.Problem.model_validate(raw)
    model = _model(problem)
    kinds = [model.groups[g].kind for g in model.row_group.tolist()]
    assert "unit_max" in kinds
    assert flow._capacity_network(model) is None
    assert flow.network_of(model) is not None
    assert mm.check(problem, mm.solve(problem)).ok


def test_the_examples_keep_their_networks() -> None:
    for example in ("huddinge-nacka-tyreso", "sodertalje"):
        model = _model(mm.load_problem(EXAMPLES / example / "problem.json"))
        direct = flow._capacity_network(model)
        searched = flow._searched_network(model, None)
        assert direct is None or (searched is not None and _same_network(direct, searched))
