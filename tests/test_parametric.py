"""The municipality ratio rule through the placed count: substitution, the exact dual bound, and the
same decision as CP-SAT."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import matchmaker as mm
from conftest import EXAMPLES, make_problem
from matchmaker._build import build_model
from matchmaker._engines.flow import network_of
from matchmaker._engines.parametric import by_parameter, dual_bound, parameter_of, substitute
from matchmaker._scoring import score
from strategies import problems


def _with_ratio(raw: dict[str, Any], ratio: float) -> dict[str, Any]:
    return {**raw, "policy": {**raw.get("policy", {}), "balance": {"mode": "ratio", "ratio": ratio}}}


def _remote_round(ratio: float = 0.75) -> mm.Problem:
    """Two municipalities with 4 places each; five applicants want the city, one wants the suburb.
    Without the rule 5 are placed (4 + 1); with ratio 0.75 the suburb's rate 1/4 must reach 0.75 of
    the overall rate P/8, so P <= 2: one in each municipality."""
    return mm.Problem.model_validate(
        {
            "municipalities": [{"id": "city"}, {"id": "suburb"}],
            "units": [
                {"id": "c", "municipality": "city", "area": "A", "max_places": 4},
                {"id": "s", "municipality": "suburb", "area": "A", "max_places": 4},
            ],
            "supervisors": [{"id": "C", "unit": "c", "capacity": 4}, {"id": "S", "unit": "s", "capacity": 4}],
            "applicants": [{"id": f"a{i}", "ranking": {"units": {"c": 1}}} for i in range(5)]
            + [{"id": "b", "ranking": {"units": {"s": 1}}}],
            "policy": {"balance": {"mode": "ratio", "ratio": ratio}},
        }
    )


def test_fixing_the_placed_count_makes_a_network() -> None:
    problem = _remote_round()
    model = build_model(problem, score(problem))
    t = parameter_of(model)
    assert t == model.n_pairs
    assert network_of(model) is None
    sub = substitute(model, 3)
    assert sub is not None
    assert network_of(sub) is not None
    kinds = [sub.groups[g].kind for g in sub.row_group]
    # sum(x) = 3
    total = kinds.index("balance_total")
    assert (sub.row_lb[total], sub.row_ub[total]) == (3, 3)
    # O_m = 4, O = 8, rho = p/q = 3/4: q O placed_m >= p O_m P, i.e. 32 placed_m >= 36: placed_m >= 2
    ratio_rows = [r for r, k in enumerate(kinds) if k == "balance_ratio"]
    assert sorted(int(sub.row_lb[r]) for r in ratio_rows) == [2, 2]


def test_the_rule_binds_and_the_bound_proves_it() -> None:
    problem = _remote_round()
    model = build_model(problem, score(problem))
    found = by_parameter(model, mm.SolveOptions(workers=1))
    assert found is not None
    assert found.proven
    assert found.value == 2  # placed = 2: one in the suburb (all it can get), so one in the city
    result = mm.solve(problem)
    assert result.statistics.engine == "lp-bound+flow"
    placed = {a.applicant: a.municipality for a in result.assignments}
    assert sorted(placed.values()) == ["city", "suburb"]
    assert mm.check(problem, result).ok
    assert result.decision_json() == mm.solve(problem, mm.SolveOptions(engine="cp-sat", workers=1)).decision_json()
    # without the rule five are placed
    free = mm.Problem.model_validate({**problem.model_dump(mode="json"), "policy": {"balance": None}})
    assert len(mm.solve(free).assignments) == 5


def test_the_dual_bound_is_a_bound_for_any_duals() -> None:
    """Weak duality with box constraints: for random duals the bound is never below the brute-force
    optimum, and with the LP's duals it is the LP optimum's floor."""
    rng = np.random.default_rng(7)
    for _ in range(30):
        n, m = 5, 3
        a = rng.integers(-2, 3, size=(m, n))
        c = rng.integers(-5, 6, size=n).astype(np.int64)
        row_lb = rng.integers(-3, 1, size=m).astype(np.int64)
        row_ub = row_lb + rng.integers(0, 4, size=m)
        var_lb = np.zeros(n, dtype=np.int64)
        var_ub = np.ones(n, dtype=np.int64)
        best = None
        for bits in itertools.product((0, 1), repeat=n):
            x = np.array(bits, dtype=np.int64)
            act = a @ x
            if np.all(act >= row_lb) and np.all(act <= row_ub):
                value = int(c @ x)
                best = value if best is None else max(best, value)
        if best is None:
            continue
        for _ in range(5):
            y = rng.normal(size=m) * 3
            bound = dual_bound(sp.csr_matrix(a.astype(np.int64)), c, var_lb, var_ub, row_lb, row_ub, y)
            assert bound is not None
            assert bound >= best


def test_a_dual_on_an_unbounded_side_is_not_used() -> None:
    a = sp.csr_matrix(np.array([[1, 1]], dtype=np.int64))
    c = np.array([1, 1], dtype=np.int64)
    lb = np.zeros(2, dtype=np.int64)
    ub = np.ones(2, dtype=np.int64)
    huge = np.array([2**62], dtype=np.int64)
    # y = +1 meets the unbounded side and is skipped; y = -1 (the other sign) gives 0 + 2 + 2
    assert dual_bound(a, c, lb, ub, np.array([0]), huge, np.array([1.0])) == 4
    assert dual_bound(a, c, lb, ub, np.array([0]), np.array([1]), np.array([1.0])) == 1


@pytest.mark.parametrize("ratio", [0.5, 0.75, 1.0])
def test_the_joint_example_with_the_ratio_rule(ratio: float) -> None:
    # The example fills all its 40 places, so every municipality's rate is 1 and the rule never binds:
    # the plan without it is kept (matchmaker._lift). The rule binding: tests/test_slack_rules.py.
    raw = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json").model_dump(mode="json")
    problem = mm.Problem.model_validate(_with_ratio(raw, ratio))
    result = mm.solve(problem)
    assert result.statistics.engine == "slack-rules+flow"
    assert mm.check(problem, result).ok
    if ratio == 1.0:
        cpsat = mm.solve(problem, mm.SolveOptions(engine="cp-sat", workers=2))
        assert result.decision_json() == cpsat.decision_json()


@settings(max_examples=60)
@given(raw=problems(max_applicants=8, max_supervisors=5), ratio=st.sampled_from([0.5, 0.75, 1.0]))
def test_ratio_rule_same_decision_as_cpsat(raw: dict[str, Any], ratio: float) -> None:
    raw = dict(raw)
    raw["links"] = []
    problem = make_problem(_with_ratio(raw, ratio))
    auto = mm.solve(problem, mm.SolveOptions(workers=1))
    cpsat = mm.solve(problem, mm.SolveOptions(engine="cp-sat", workers=1))
    assert auto.decision_json() == cpsat.decision_json()
    assert mm.check(problem, auto).ok


def test_column_generation_gives_the_same_proof() -> None:
    """The priced LP (a few columns per applicant, then the ones that price out) and the aggregated
    relaxation (supervisor rows out, alike pairs merged) prove the same first stage as the whole LP."""
    raw = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json").model_dump(mode="json")
    raw["units"] = [{**u, "max_places": max(u.get("min_places") or 0, 1, u["max_places"] // 2)} for u in raw["units"]]
    problem = mm.Problem.model_validate(_with_ratio(raw, 1.0))
    model = build_model(problem, score(problem))
    whole = by_parameter(model, mm.SolveOptions(workers=1))
    priced = by_parameter(model, mm.SolveOptions(workers=1), price_above=0, per_applicant=2, aggregate=False)
    merged = by_parameter(model, mm.SolveOptions(workers=1), price_above=0)
    assert whole is not None
    assert priced is not None
    assert merged is not None
    assert whole.proven
    assert priced.proven
    assert merged.proven
    assert (priced.value, priced.stage_value) == (whole.value, whole.stage_value)
    assert (merged.value, merged.stage_value) == (whole.value, whole.stage_value)
    assert priced.bound == whole.bound
