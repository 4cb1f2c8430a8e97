"""A municipality rule that does not bind is checked, not modelled: solve() first solves the round
without it and keeps that plan when it meets the rule (matchmaker._lift); the decision must be the one
the whole model gives, byte for byte, and the shortcut must be taken exactly when it applies."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from hypothesis import assume, given, settings

import matchmaker as mm
from conftest import make_problem
from matchmaker._build import build_model
from matchmaker._direct import direct_round
from matchmaker._engines.auto import AutoSession
from matchmaker._lexicographic import run
from matchmaker._lift import lift
from matchmaker._pieces import default_constraints
from matchmaker._scoring import score
from strategies import problems


def _without_balance(raw: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    data["policy"]["balance"] = None
    return data


def _round(ratio: float, wishes_b: list[str], south: int = 2) -> dict[str, Any]:
    """Municipalities north (two places) and south (``south``); a1, a2 and a3 want north first, then
    south, b wants ``wishes_b``."""
    units = [
        {"id": "n1", "municipality": "north", "area": "Barn och unga", "max_places": 2},
        {"id": "s1", "municipality": "south", "area": "Barn och unga", "max_places": south},
    ]
    sups = [
        {"id": "N", "unit": "n1", "capacity": 2, "training": "completed"},
        {"id": "S", "unit": "s1", "capacity": south, "training": "completed"},
    ]
    apps = [{"id": f"a{i}", "ranking": {"units": {"n1": 1, "s1": 2}}} for i in (1, 2, 3)]
    apps.append({"id": "b", "ranking": {"units": dict.fromkeys(wishes_b, 1)}})
    return {
        "municipalities": [{"id": "north"}, {"id": "south"}],
        "units": units,
        "supervisors": sups,
        "applicants": apps,
        "policy": {"balance": {"mode": "ratio", "ratio": ratio}},
    }


def test_a_slack_rule_is_checked_and_a_binding_one_solved() -> None:
    # Without the rule: two in north (a's), two in south (a third a and b): every fill rate is 1, so
    # any ratio holds and the shortcut is taken.
    slack = mm.solve(make_problem(_round(1.0, ["s1"])))
    assert slack.statistics.engine.startswith("slack-rules+")
    cp = mm.solve(make_problem(_round(1.0, ["s1"])), mm.SolveOptions(engine="cp-sat"))
    assert slack.decision_json() == cp.decision_json()
    # a3 and b wish north only, and south offers four places: without the rule north takes two and
    # south two (rates 1 and 1/2, overall 2/3); a ratio of 1 binds (with it: one in north, two in
    # south), and the round must be solved with it.
    raw = _round(1.0, ["n1"], south=4)
    raw["applicants"][2]["ranking"] = {"units": {"n1": 1}}
    binding = mm.solve(make_problem(raw))
    assert binding.statistics.engine == "lp-bound+flow"  # matchmaker._engines.parametric
    assert binding.decision_json() == mm.solve(make_problem(raw), mm.SolveOptions(engine="cp-sat")).decision_json()
    assert mm.check(make_problem(raw), binding).ok
    assert len(binding.assignments) == 3


def test_lift_refuses_a_plan_that_breaks_the_rule() -> None:
    raw = _round(1.0, ["n1"], south=4)
    raw["applicants"][2]["ranking"] = {"units": {"n1": 1}}
    problem = make_problem(raw)
    scores = score(problem)
    full = build_model(problem, scores)
    kept = [c for c in default_constraints(problem) if c.name != "municipality_balance"]
    part = build_model(problem, scores, constraints=kept)
    outcome = run(part.levels, AutoSession(part, mm.SolveOptions()), time_limit=None)
    assert outcome.values is not None
    assert lift(full, part, outcome.values) is None
    # The plan of the whole model lifts onto itself, its placed_total read off its defining row.
    whole = run(full.levels, AutoSession(full, mm.SolveOptions()), time_limit=None)
    assert whole.values is not None
    lifted = lift(full, part, whole.values[: part.n_vars])
    assert lifted is not None
    total = full.aux_names.index("placed_total") + full.n_pairs
    assert int(lifted[total]) == int(np.sum(whole.values[: full.n_pairs]))


@settings(max_examples=60)
@given(raw=problems())
def test_the_shortcut_gives_the_whole_models_decision(raw: dict[str, Any]) -> None:
    balance = raw["policy"].get("balance")
    assume(balance is not None and balance["mode"] in ("within", "ratio"))
    problem = make_problem(raw)
    auto = mm.solve(problem, mm.SolveOptions(workers=1))
    exact = mm.solve(problem, mm.SolveOptions(engine="cp-sat", workers=1))
    assert mm.check(problem, auto).ok
    assert auto.decision_json() == exact.decision_json()
    # Taken exactly when the plan without the rule meets it (and the rest of the round is a network).
    free = mm.solve(make_problem(_without_balance(raw)), mm.SolveOptions(workers=1))
    if free.status is not mm.Status.OPTIMAL or free.statistics.engine != "flow":
        return
    if direct_round(problem, score(problem), mm.SolveOptions(workers=1)) is not None:
        # The rule adds no row for this round (e.g. one municipality): a pure capacity round, solved
        # straight from its scores (_direct.py) before any shortcut is needed.
        assert auto.statistics.engine == "flow"
        return
    free_plan = {a.applicant: a.supervisor for a in free.assignments}
    meets = mm.evaluate_plan(problem, free_plan).violations == ()
    assert auto.statistics.engine.startswith("slack-rules+") == meets


def test_re_solves_take_the_fast_paths_too() -> None:
    # Explanations, repair and counterfactuals re-solve through solve_model with their own pieces; a
    # slack rule is a check there as well, and a binding one goes through the placed count, not CP-SAT.
    from matchmaker._solve import solve_model

    binding = _round(1.0, ["n1"], south=4)
    binding["applicants"][2]["ranking"] = {"units": {"n1": 1}}
    for raw, engine in ((_round(1.0, ["s1"]), "slack-rules+flow"), (binding, "lp-bound+flow")):
        problem = make_problem(raw)
        result = solve_model(problem, build_model(problem, score(problem)), mm.SolveOptions())
        assert result.statistics.engine == engine
        assert result.decision_json() == mm.solve(problem).decision_json()
