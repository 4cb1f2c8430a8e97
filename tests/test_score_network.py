"""The direct path of a pure capacity round (``_direct.py``): from the scores to the network's certified
stages without the general model. The same network arc for arc, the same decisions byte for byte as the
general path, the brute-force optimum on tiny rounds, and "not a network" for every side rule."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchmaker as mm
import matchmaker._solve as solve_floor
from brute import assert_solved_as_brute_force
from conftest import make_problem, pure_capacity
from matchmaker._build import build_model
from matchmaker._direct import DirectRound, direct_round, solve_direct
from matchmaker._engines import flow
from matchmaker._engines.capacity import verify_on_network
from matchmaker._engines.lp import verify
from matchmaker._scoring import score
from strategies import problems

AUTO = mm.SolveOptions(workers=1)


def _general(problem: mm.Problem, options: mm.SolveOptions = AUTO) -> mm.Result:
    """The result through the general model (the direct path switched off)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solve_floor, "direct_round", lambda *args: None)
        return mm.solve(problem, options)


def _same_as_general_model(problem: mm.Problem, direct: DirectRound) -> None:
    """The direct network is the one the flow engine reads off the general model, with its rows' bounds."""
    model = build_model(problem, score(problem))
    net = flow.network_of(model)
    assert net is not None
    got = direct.network.network
    assert got.n_nodes == net.n_nodes
    assert np.array_equal(got.tail, net.tail)
    assert np.array_equal(got.head, net.head)
    assert np.array_equal(direct.network.row_ub, model.row_ub)
    assert not np.any(model.row_lb)
    assert [lv.name for lv in direct.levels_model.levels] == [lv.name for lv in model.levels]


@settings(max_examples=80, deadline=None)
@given(
    raw=problems(max_applicants=9, max_supervisors=6),
    seed=st.integers(0, 2**31 - 1),
    objective=st.sampled_from(["total_fit", "rank_maximal", "generous", "leximin", "egalitarian", "minimum_regret"]),
    pure=st.booleans(),
)
def test_the_direct_path_decides_as_the_general_one(raw: dict[str, Any], seed: int, objective: str, pure: bool) -> None:
    """On random rounds (pure capacity ones and any others): the same decision bytes through either path,
    checked; whenever the direct path takes a round, its network is the general model's arc for arc."""
    problem = make_problem(pure_capacity(raw, seed, objective) if pure else raw)
    direct = direct_round(problem, score(problem), AUTO)
    if direct is not None:
        _same_as_general_model(problem, direct)
    result = mm.solve(problem, AUTO)
    assert result.decision_json() == _general(problem).decision_json()
    assert mm.check(problem, result).ok


@settings(max_examples=40, deadline=None)
@given(raw=problems(max_applicants=5, max_supervisors=4), seed=st.integers(0, 2**31 - 1))
def test_tiny_pure_capacity_rounds_match_brute_force(raw: dict[str, Any], seed: int) -> None:
    """Tiny pure capacity rounds: the plan is the brute-force optimum (through the direct path where it
    applies, which the spy records)."""
    problem = make_problem(pure_capacity(raw, seed, "total_fit"))
    taken: list[bool] = []
    real = solve_direct

    def spy(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        taken.append(out is not None)
        return out

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("matchmaker._solve.solve_direct", spy)
        assert_solved_as_brute_force(problem, "auto")
    assert taken in ([], [True])  # when the direct path runs, it certifies every stage


def _base(**policy: Any) -> dict[str, Any]:
    """A pure capacity round: four applicants want three supervisors of one place each (in two units of
    one municipality), so every capacity row binds."""
    sups = [{"id": f"S{i}", "unit": "U1" if i < 2 else "U2", "capacity": 1} for i in range(3)]
    apps = [
        {"id": f"A{i}", "interests": {"supervisors": {s["id"]: 0.3 + 0.1 * ((i + k) % 3) for k, s in enumerate(sups)}}}
        for i in range(4)
    ]
    return {
        "municipalities": [{"id": "M1", "max_places": 2}],
        "units": [
            {"id": "U1", "municipality": "M1", "area": "social", "max_places": 1},
            {"id": "U2", "municipality": "M1", "area": "social", "max_places": 2},
        ],
        "supervisors": sups,
        "applicants": apps,
        "policy": {"lottery_seed": 11, **policy},
    }


def _direct(data: dict[str, Any], options: mm.SolveOptions = AUTO) -> DirectRound | None:
    problem = mm.Problem.model_validate(data)
    return direct_round(problem, score(problem), options)


def test_the_base_round_takes_the_direct_path() -> None:
    data = _base()
    problem = mm.Problem.model_validate(data)
    direct = _direct(data)
    assert direct is not None
    _same_as_general_model(problem, direct)
    result = mm.solve(problem, AUTO)
    assert result.statistics.engine == "flow"
    assert result.statistics.n_rows == direct.network.n_rows
    assert result.decision_json() == _general(problem).decision_json()
    assert mm.check(problem, result).ok


def _with(change: dict[str, Any]) -> dict[str, Any]:
    data = _base()
    for path, value in change.items():
        node: Any = data
        *head, last = path.split(".")
        for key in head:
            node = node[int(key)] if key.isdigit() else node[key]
        node[last] = value
    return data


_TWO_MUNICIPALITIES = {"municipalities": [{"id": "M1"}, {"id": "M2"}], "units.1.municipality": "M2"}
_SIDE_RULES: dict[str, dict[str, Any]] = {
    "hard unit minimum": {"units.1.min_places": 1},
    "hard municipality minimum": {"municipalities.0.min_places": 1},
    "soft minimums": {"units.1.min_places": 1, "policy.minimums": "soft"},
    "hard target": {"units.1.target_places": 1, "policy.targets": "hard"},
    "soft target": {"units.1.target_places": 1},
    "pin": {"pins": [{"applicant": "A0", "supervisor": "S2"}]},
    "hard link": {"links": [{"applicants": ["A0", "A1"], "relation": "apart"}]},
    "soft link": {"links": [{"applicants": ["A0", "A1"], "relation": "same_unit", "hard": False}]},
    "balance within": {**_TWO_MUNICIPALITIES, "policy.balance": {"mode": "within"}},
    "balance ratio": {**_TWO_MUNICIPALITIES, "policy.balance": {"mode": "ratio"}},
    "balance maximin": {**_TWO_MUNICIPALITIES, "policy.balance": {"mode": "maximin"}},
    "stable, applicant-optimal": {"policy.stability": {"mode": "applicant_optimal"}},
    "stable, optimise": {"policy.stability": {"mode": "optimise"}},
    "threshold objective": {"policy.objective": "minimum_regret"},
}


@pytest.mark.parametrize("rule", sorted(_SIDE_RULES))
def test_every_side_rule_is_not_a_network(rule: str) -> None:
    """Each rule beside the capacities sends the round to the general path, which decides it (checked)."""
    data = _with(_SIDE_RULES[rule])
    assert _direct(data) is None
    problem = mm.Problem.model_validate(data)
    assert mm.check(problem, mm.solve(problem, AUTO)).ok


@pytest.mark.parametrize("rule", ["rate", "band", "maximin", "count"])
def test_every_group_rule_is_not_a_network(rule: str) -> None:
    data = _base()
    for i, app in enumerate(data["applicants"]):
        app["groups"] = {"home": "north" if i % 2 else "south"}
    assert _direct(data) is not None  # labels alone change nothing
    extra = {"min_count": 1} if rule == "count" else {}
    data["policy"]["group_rules"] = [{"family": "home", "rule": rule, **extra}]
    assert _direct(data) is None
    problem = mm.Problem.model_validate(data)
    assert mm.check(problem, mm.solve(problem, AUTO)).ok


def test_a_supervisor_load_limit_is_not_a_network() -> None:
    """Load over overlapping periods adds rows per peak day: the general path."""
    periods = [
        {"id": "su", "university": "SU", "start": "2026-08-25", "end": "2026-11-10"},
        {"id": "sh", "university": "SH", "start": "2026-10-01", "end": "2026-12-20"},
    ]
    data = _base()
    data["round"] = {"term": "HT", "year": 2026, "periods": periods}
    for i, app in enumerate(data["applicants"]):
        app["university"] = "SU" if i % 2 else "SH"
    data["supervisors"][2]["capacity"] = 3
    assert _direct(data) is not None
    data["supervisors"][2]["load_limit"] = 1.0
    assert _direct(data) is None
    problem = mm.Problem.model_validate(data)
    assert mm.check(problem, mm.solve(problem, AUTO)).ok


@pytest.mark.parametrize("engine", ["lp", "cp-sat"])
def test_other_engines_keep_the_general_path(engine: str) -> None:
    assert _direct(_base(), mm.SolveOptions(engine=engine)) is None


def test_a_row_of_one_applicant_keeps_the_general_path() -> None:
    """A unit of one place that only one applicant wants, through two supervisors: its row holds that
    applicant's pairs alone, which only the general search places (on the applicant side)."""
    data = _base()
    data["units"].append({"id": "U3", "municipality": "M1", "area": "social", "max_places": 1})
    data["supervisors"] += [{"id": "S3", "unit": "U3", "capacity": 1}, {"id": "S4", "unit": "U3", "capacity": 1}]
    data["applicants"][0]["interests"]["supervisors"].update({"S3": 0.9, "S4": 0.8})
    assert _direct(data) is None
    problem = mm.Problem.model_validate(data)
    model = build_model(problem, score(problem))
    assert "unit_max" in {g.kind for g in model.groups}
    assert flow.network_of(model) is not None  # a network all the same: the general path's flow takes it
    assert mm.solve(problem, AUTO).decision_json() == _general(problem).decision_json()


def test_the_certificate_on_the_network_is_the_matrix_one() -> None:
    """:func:`verify_on_network` answers as the LP engine's :func:`verify` on the general model's matrix:
    for the flow's plan and duals, and for a plan and duals that break a condition."""
    import scipy.sparse as sp

    problem = mm.Problem.model_validate(_base(lottery_seed=5))
    scores = score(problem)
    direct = direct_round(problem, scores, AUTO)
    assert direct is not None
    model = build_model(problem, scores)
    a = sp.csr_matrix((model.coefs, model.indices, model.indptr), shape=(model.n_rows, model.n_vars))
    n = model.n_pairs
    c = model.levels[-1].coefs.copy() if model.levels[-1].indices.size == n else np.arange(n, dtype=np.int64)
    bounds = (model.var_lb, model.var_ub, model.row_lb, model.row_ub)
    got = flow.solve_network(direct.network.network, c, *bounds)
    assert not isinstance(got, str)
    x, y = got
    rng = np.random.default_rng(3)
    trials = [(x, y), (x, y + 1), (1 - x, y), (x, rng.integers(-3, 4, y.size)), (np.zeros_like(x), np.zeros_like(y))]
    for xx, yy in trials:
        mine = verify_on_network(direct.network, c, bounds, xx, yy)
        theirs = verify(a, c, *bounds, xx, yy)
        assert (mine is None) == (theirs is None)
        if mine is not None and theirs is not None:
            assert mine.value == theirs.value
            assert np.array_equal(mine.d, theirs.d)


def test_a_stage_not_certified_falls_back_to_the_general_path() -> None:
    """When the flow's answer is not certified, nothing of the direct path is kept."""
    problem = mm.Problem.model_validate(_base())
    direct = direct_round(problem, score(problem), AUTO)
    assert direct is not None
    broken = copy.copy(direct)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("matchmaker._direct.verify_on_network", lambda *args: None)
        assert solve_direct(broken, AUTO) is None
        result = mm.solve(problem, AUTO)
    assert result.decision_json() == _general(problem).decision_json()


def test_a_cancelled_direct_solve_keeps_its_first_plan() -> None:
    """A cancellation after the first stage ends the direct path as the lexicographic driver ends a run:
    the first stage's plan, status feasible."""
    problem = mm.Problem.model_validate(_base())
    direct = direct_round(problem, score(problem), AUTO)
    assert direct is not None
    token = mm.CancelToken()
    token.cancel()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("matchmaker._direct.flow_coef_limit", lambda net: 1)  # one stage per level
        outcome = solve_direct(direct, AUTO, cancel=token)
    assert outcome is not None
    assert outcome.status == "feasible"
    assert len(outcome.stages) == 1
    assert outcome.values is not None
