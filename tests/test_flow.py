"""The min-cost-flow engine: which models are networks, the certificate, and the same optimum as CP-SAT."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings

import matchmaker as mm
from conftest import EXAMPLES, make_problem
from matchmaker._build import build_model
from matchmaker._engines.flow import network_of, solve_network
from matchmaker._engines.lp import verify
from matchmaker._linear import ModelBuilder, plan_stages
from matchmaker._scoring import score
from matchmaker._solve import solve_model
from strategies import problems


def _model(problem: mm.Problem) -> Any:
    return build_model(problem, score(problem))


def _matrix(model: Any) -> sp.csr_matrix:
    return sp.csr_matrix((model.coefs, model.indices, model.indptr), shape=(model.n_rows, model.n_vars))


def test_the_core_model_is_a_network() -> None:
    problem = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    model = _model(problem)
    net = network_of(model)
    assert net is not None
    assert net.n_nodes == model.n_rows + 1
    assert net.n_arcs == model.n_pairs + model.n_rows
    # every pair arc leaves an applicant-side node and enters a supervisor-side node
    one_place = {r for r in range(model.n_rows) if model.groups[model.row_group[r]].kind == "one_place"}
    capacity = {r for r in range(model.n_rows) if model.groups[model.row_group[r]].kind == "supervisor_capacity"}
    pin_rows = {r for r in range(model.n_rows) if model.groups[model.row_group[r]].kind == "pin"}
    assert {int(t) - 1 for t in net.tail[: model.n_pairs]} <= one_place | pin_rows
    assert {int(h) - 1 for h in net.head[: model.n_pairs]} <= capacity


@pytest.mark.parametrize(
    "change",
    [
        {"links": [{"applicants": ["HT26-001", "HT26-002"], "relation": "apart", "hard": True}]},
        {"policy": {"balance": {"mode": "ratio", "ratio": 0.75}}},
        {"policy": {"stability": {"mode": "optimise"}}},
    ],
    ids=["link", "balance", "stability"],
)
def test_side_constraints_are_not_networks(change: dict[str, Any]) -> None:
    raw = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json").model_dump(mode="json")
    for key, value in change.items():
        if key == "policy":
            raw["policy"] = {**raw["policy"], **value}
        else:
            raw[key] = value
    model = _model(mm.Problem.model_validate(raw))
    assert network_of(model) is None


def _crossing_problem() -> mm.Problem:
    return mm.Problem.model_validate(
        {
            "municipalities": [{"id": "M"}],
            "units": [
                {"id": "U1", "municipality": "M", "area": "A", "max_places": 1},
                {"id": "U2", "municipality": "M", "area": "A", "max_places": 1},
            ],
            "supervisors": [{"id": "S1", "unit": "U1"}, {"id": "S2", "unit": "U2"}],
            "applicants": [{"id": f"A{i}", "ranking": {"supervisors": {"S1": 1, "S2": 2}}} for i in range(3)],
        }
    )


def test_a_crossing_row_is_not_a_network() -> None:
    """A row over (A0,S1), (A1,S2) crosses the supervisor rows: neither nested nor disjoint."""
    problem = _crossing_problem()
    scores = score(problem)
    model = build_model(problem, scores)
    assert network_of(model) is not None
    from matchmaker._pieces import default_constraints, default_objectives

    builder = ModelBuilder(scores)
    for piece in [*default_constraints(problem), *default_objectives(problem)]:
        piece.add(builder, problem)
    pairs = {(int(a), int(s)): p for p, (a, s) in enumerate(zip(scores.applicant, scores.supervisor, strict=True))}
    group = builder.add_group("extra", "x", "a crossing row")
    builder.add_row(group, [pairs[(0, 0)], pairs[(1, 1)]], 1, 0, 1)
    assert network_of(builder.build()) is None
    # a row nested in one applicant's row is fine (it joins the applicant-side family)
    builder2 = ModelBuilder(scores)
    for piece in [*default_constraints(problem), *default_objectives(problem)]:
        piece.add(builder2, problem)
    group = builder2.add_group("extra", "x", "a nested row")
    builder2.add_row(group, [pairs[(0, 0)]], 1, 0, 1)
    assert network_of(builder2.build()) is not None


def test_the_certificate_catches_a_wrong_dual_or_plan() -> None:
    problem = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    model = _model(problem)
    net = network_of(model)
    assert net is not None
    a = _matrix(model)
    stage = plan_stages(model.levels, 2**40)[0]
    c = np.zeros(model.n_vars, dtype=np.int64)
    c[stage.objective.indices] = stage.objective.coefs
    bounds = (model.var_lb, model.var_ub, model.row_lb, model.row_ub)
    got = solve_network(net, c, *bounds)
    assert not isinstance(got, str)
    x, y = got
    cert = verify(a, c, *bounds, x, y)
    assert cert is not None
    # the value is what the plan scores
    assert cert.value == int(c @ x)
    # a dual off by one on a binding row breaks complementary slackness or the reduced costs
    binding = np.flatnonzero(y != 0)
    assert binding.size
    for r in binding[:5]:
        bad = y.copy()
        bad[r] += 1 if bad[r] < 0 else -1
        assert verify(a, c, *bounds, x, bad) is None
    # a plan that drops one placement is no longer optimal for these duals
    placed = np.flatnonzero(x)
    worse = x.copy()
    worse[placed[0]] = 0
    assert verify(a, c, *bounds, worse, y) is None


def test_solving_leaves_the_model_arrays_alone() -> None:
    """A stable model has a variable twice in some rows; scipy would sum them in place if asked."""
    raw = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json").model_dump(mode="json")
    raw["policy"] = {**raw["policy"], "stability": {"mode": "optimise"}, "minimums": "soft"}
    problem = mm.Problem.model_validate(raw)
    model = _model(problem)
    before = (model.indices.copy(), model.coefs.copy(), model.indptr.copy())
    solve_model(problem, model, mm.SolveOptions(workers=1))
    assert np.array_equal(before[0], model.indices)
    assert np.array_equal(before[1], model.coefs)
    assert np.array_equal(before[2], model.indptr)


@pytest.mark.parametrize("example", ["sodertalje", "huddinge-nacka-tyreso"])
def test_examples_by_flow_equal_lp_and_cpsat(example: str) -> None:
    problem = mm.load_problem(EXAMPLES / example / "problem.json")
    by_flow = mm.solve(problem)
    by_lp = mm.solve(problem, mm.SolveOptions(engine="lp"))
    by_cpsat = mm.solve(problem, mm.SolveOptions(engine="cp-sat", workers=2))
    assert by_flow.statistics.engine == "flow"
    assert by_lp.statistics.engine == "lp"
    assert by_flow.decision_json() == by_lp.decision_json() == by_cpsat.decision_json()
    assert mm.check(problem, by_flow).ok


def test_an_infeasible_network_is_proven_infeasible_and_explained() -> None:
    problem = mm.load_problem(EXAMPLES / "nacka-infeasible" / "problem.json")
    result = mm.solve(problem, mm.SolveOptions(workers=1))
    assert result.status is mm.Status.INFEASIBLE
    assert result.decision.message is not None
    assert "cannot all hold together" in result.decision.message


@settings(max_examples=40)
@given(raw=problems(max_applicants=9, max_supervisors=6))
def test_every_engine_returns_the_same_decision(raw: dict[str, Any]) -> None:
    """Random rounds with every objective: auto (flow where the model is a network), the LP and CP-SAT
    agree byte for byte, and the flow runs whenever the model is a network."""
    problem = make_problem(raw)
    auto = mm.solve(problem, mm.SolveOptions(workers=1))
    cpsat = mm.solve(problem, mm.SolveOptions(engine="cp-sat", workers=1))
    assert auto.decision_json() == cpsat.decision_json()
    assert mm.check(problem, auto).ok
    if auto.status is mm.Status.OPTIMAL and network_of(_model(problem)) is not None:
        assert auto.statistics.engine.startswith("flow"), auto.statistics.engine


@pytest.mark.parametrize(
    "objective", ["total_fit", "rank_maximal", "generous", "minimum_regret", "egalitarian", "leximin"]
)
def test_every_objective_runs_on_the_flow(objective: str) -> None:
    """Every objective of the core model (a linear level, a rank profile, a bottleneck searched by
    probes, fit classes) is proven by flow alone, with the LP's and CP-SAT's decision."""
    problem = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    problem = problem.model_copy(update={"policy": problem.policy.model_copy(update={"objective": objective})})
    by_flow = mm.solve(problem)
    assert by_flow.statistics.engine == "flow"
    assert by_flow.decision_json() == mm.solve(problem, mm.SolveOptions(engine="lp")).decision_json()
    if objective in ("rank_maximal", "minimum_regret"):  # CP-SAT proves these quickly on 2 workers
        cpsat = mm.solve(problem, mm.SolveOptions(engine="cp-sat", workers=2))
        assert by_flow.decision_json() == cpsat.decision_json()


def test_a_wide_stage_needs_the_flow_and_is_split_when_the_flow_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stage wider than STAGE_LIMIT is marked flow_only; when the flow cannot solve it, the session
    answers SPLIT_STAGE instead of handing it to the simplex or CP-SAT, and the stage is planned again
    within the limit. The decision is the one of a plain solve."""
    import matchmaker._lexicographic as lex
    import matchmaker._linear as linear
    from matchmaker._engines.base import SPLIT_STAGE
    from matchmaker._engines.lp import LpSession

    problem = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    expected = mm.solve(problem).decision_json()
    model = _model(problem)
    spans = [lv.hi - lv.lo + 1 for lv in model.levels]
    # A STAGE_LIMIT below the first two levels' range product: the flow's one wide stage is flow_only.
    monkeypatch.setattr(linear, "STAGE_LIMIT", spans[0] * spans[1] - 1)
    monkeypatch.setattr(lex, "STAGE_LIMIT", spans[0] * spans[1] - 1)
    wide = plan_stages(model.levels, 2**62)
    assert wide[0].objective.flow_only
    assert len(wide[0].levels) >= 2

    seen: list[str] = []
    wide_now = [False]
    real = LpSession.flow_certificate

    def failing_on_wide(self: LpSession, c: Any, bounds: Any) -> Any:
        if wide_now[0]:
            return "FAILED_FOR_THE_TEST"
        return real(self, c, bounds)

    real_optimise = LpSession.optimise

    def optimise(self: LpSession, objective: Any, time_limit: Any, hint: Any) -> Any:
        wide_now[0] = objective.flow_only
        out = real_optimise(self, objective, time_limit, hint)
        seen.append(out.engine_status)
        return out

    monkeypatch.setattr(LpSession, "flow_certificate", failing_on_wide)
    monkeypatch.setattr(LpSession, "optimise", optimise)
    result = mm.solve(problem)
    assert seen[0] == SPLIT_STAGE
    assert SPLIT_STAGE not in seen[1:]
    assert result.statistics.engine == "flow"
    assert len(result.statistics.stages[0].levels) < len(wide[0].levels)
    assert result.decision_json() == expected
    assert mm.check(problem, result).ok


def test_the_flow_limit_is_strict_where_the_node_count_divides_it() -> None:
    from matchmaker._engines.flow import COST_LIMIT, Network, flow_coef_limit

    for nodes in (2**20 - 2, 2**16 - 2, 1000):
        limit = flow_coef_limit(Network(n_nodes=nodes, tail=np.zeros(0, np.int64), head=np.zeros(0, np.int64)))
        assert limit * (nodes + 2) < COST_LIMIT  # solve_network refuses at COST_LIMIT
        assert (limit + 1) * (nodes + 2) >= COST_LIMIT


def test_a_flow_only_stage_is_never_handed_to_cp_sat_as_a_row() -> None:
    """Holding a flow-proven wide stage must not add its huge coefficients to an open CP-SAT session:
    CP-SAT is reopened from the LP's bounds (which hold the stage's optimal face) when needed."""
    from matchmaker._engines.auto import AutoSession
    from matchmaker._linear import Objective

    problem = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    model = _model(problem)
    session = AutoSession(model, mm.SolveOptions(workers=1))
    assert session.coef_limit is not None
    session._open_cp()  # as if an earlier stage had needed CP-SAT
    n = model.n_pairs
    coef = session.coef_limit // 2
    wide = Objective(np.arange(n, dtype=np.int64), np.full(n, coef, dtype=np.int64), flow_only=True)
    out = session.optimise(wide, None, None)
    assert out.status == "optimal"
    assert out.values is not None
    value = wide.value(out.values)
    session.constrain(wide, value, value)
    fit = Objective(np.arange(n, dtype=np.int64), model.scores.fit_points.astype(np.int64))
    cp = session._open_cp()  # reopened from the LP's bounds
    after = cp.optimise(fit, 60.0, None)
    assert after.status == "optimal"
    assert after.values is not None
    assert wide.value(after.values) == value  # the wide stage's optimum is held
