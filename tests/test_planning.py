"""Supervisor planning: hand-solved rounds, brute force over added supervisors on random tiny rounds,
determinism, the report in both languages and the ``plan-supervisors`` command."""

from __future__ import annotations

import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matchmaker as mm
from brute import brute_force
from conftest import EXAMPLES
from matchmaker.report import planning_html, planning_text
from strategies import problems


def _round(
    apps: list[dict[str, Any]],
    units: list[tuple[str, int]],
    sups: list[tuple[str, str, int]],
    **policy: Any,
) -> mm.Problem:
    """A round in one municipality: units as (id, max_places), supervisors as (id, unit, capacity)."""
    return mm.Problem.model_validate(
        {
            "policy": policy,
            "municipalities": [{"id": "M"}],
            "units": [{"id": u, "municipality": "M", "area": "bou", "max_places": n} for u, n in units],
            "supervisors": [{"id": s, "unit": u, "capacity": c, "training": "completed"} for s, u, c in sups],
            "applicants": apps,
        }
    )


def _wants(ident: str, **units: float) -> dict[str, Any]:
    return {"id": ident, "interests": {"units": units}}


def test_one_unit_with_spare_applicants_gains_exactly_what_it_can_take() -> None:
    # Four applicants want U; its one supervisor takes one. Each new supervisor (with their place) takes
    # one more, so 1 more needs 1 supervisor, 3 more need 3, and 4 more cannot be placed: 4 applicants.
    problem = _round([_wants(f"A{i}", U=1.0) for i in range(4)], [("U", 1)], [("S", "U", 1)])
    plan = mm.plan_supervisors(problem, statuses=["completed"], more=3)
    assert plan.base_placed == 1
    (option,) = plan.options
    assert (option.unit, option.placed, option.placed_gain, len(option.newly_placed)) == ("U", 2, 1, 1)
    assert option.fit_gain == pytest.approx(1.0 * 0.7 + 0.5 * 0.3)  # interest 1, neutral interview
    fewest = plan.fewest
    assert fewest is not None
    assert (fewest.outcome, fewest.total, fewest.placed, fewest.target) == ("found", 3, 4, 4)
    assert [(a.unit, a.count) for a in fewest.additions] == [("U", 3)]
    assert len(fewest.newly_placed) == 3
    none = mm.plan_supervisors(problem, statuses=["completed"], more=4).fewest
    assert none is not None
    assert (none.outcome, none.most_placed, none.without_option) == ("impossible", 4, 0)


def test_with_the_units_places_kept_a_full_unit_gains_nothing() -> None:
    problem = _round([_wants(f"A{i}", U=1.0) for i in range(3)], [("U", 1)], [("S", "U", 1)])
    plan = mm.plan_supervisors(problem, statuses=["completed"], more=1, unit_places="keep")
    assert plan.options[0].placed_gain == 0
    assert plan.fewest is not None
    assert (plan.fewest.outcome, plan.fewest.most_placed) == ("impossible", 1)
    # A cap above the supervisors' capacity: then a new supervisor fills it.
    roomy = _round([_wants(f"A{i}", U=1.0) for i in range(3)], [("U", 3)], [("S", "U", 1)])
    kept = mm.plan_supervisors(roomy, statuses=["completed"], more=2, unit_places="keep")
    assert kept.options[0].placed_gain == 1
    assert kept.fewest is not None
    assert (kept.fewest.outcome, kept.fewest.total) == ("found", 2)


def test_the_fewest_spread_over_units_where_the_applicants_are() -> None:
    # U1 has two applicants it cannot take, U2 one: three more need two supervisors in U1 and one in U2.
    apps = [_wants(f"A{i}", U1=1.0) for i in range(3)] + [_wants(f"B{i}", U2=1.0) for i in range(2)]
    problem = _round(apps, [("U1", 1), ("U2", 1)], [("S1", "U1", 1), ("S2", "U2", 1)])
    plan = mm.plan_supervisors(problem, statuses=["completed"], more=3)
    assert {o.unit: o.placed_gain for o in plan.options} == {"U1": 1, "U2": 1}
    assert plan.fewest is not None
    assert [(a.unit, a.count) for a in plan.fewest.additions] == [("U1", 2), ("U2", 1)]
    assert plan.fewest.placed == 5


def test_a_new_supervisor_inherits_the_units_wishes_and_conflicts_only() -> None:
    # A0 ranks only supervisor S (not the unit), A1 declared a conflict with the unit, A2 lacks the
    # unit's requirement, A3 wants the unit: only A3 can go to a new supervisor there.
    apps = [
        {"id": "A0", "ranking": {"supervisors": {"S": 1}}},
        {**_wants("A1", U=1.0), "conflicts": {"units": ["U"]}},
        {**_wants("A2", U=1.0)},
        {**_wants("A3", U=0.5), "qualifications": ["licence"]},
        {**_wants("A4", U=1.0), "qualifications": ["licence"]},
    ]
    data = _round(apps, [("U", 1)], [("S", "U", 1)]).model_dump(mode="json")
    data["units"][0]["requirements"] = ["licence"]
    problem = mm.Problem.model_validate(data)
    plan = mm.plan_supervisors(problem, statuses=["completed"], more=2)
    base = mm.solve(problem)
    assert [a.applicant for a in base.assignments] == ["A4"]  # A0 is not qualified either
    assert plan.options[0].newly_placed == ("A3",)
    assert plan.fewest is not None
    assert (plan.fewest.outcome, plan.fewest.most_placed, plan.fewest.without_option) == ("impossible", 2, 3)


def test_training_counts_only_through_the_policy() -> None:
    apps = [_wants(f"A{i}", U=1.0) for i in range(3)]
    problem = _round(apps, [("U", 1)], [("S", "U", 1)], supervisor_training="completed")
    plan = mm.plan_supervisors(problem, more=1)
    gains = {o.training: o.placed_gain for o in plan.options}
    assert gains == {"none": 0, "in_progress": 0, "completed": 1}
    assert plan.fewest is not None
    assert [a.training for a in plan.fewest.additions] == ["completed"]
    untrained = mm.plan_supervisors(problem, statuses=["none", "in_progress"], more=1).fewest
    assert untrained is not None
    assert untrained.outcome == "untrained"


def test_training_a_supervisor_of_the_round_who_falls_short() -> None:
    # U takes two, but of its supervisors only S1 is trained: one placed. Training S2 places a second;
    # S3, untrained too, takes no students at all (capacity 0), so training them is not an option.
    apps = [_wants(f"A{i}", U=1.0) for i in range(3)]
    data = _round(apps, [("U", 2)], [("S1", "U", 1), ("S2", "U", 1), ("S3", "U", 0)]).model_dump(mode="json")
    data["supervisors"][1]["training"] = "none"
    data["supervisors"][2]["training"] = "none"
    data["policy"]["supervisor_training"] = "in_progress"
    problem = mm.Problem.model_validate(data)
    plan = mm.plan_supervisors(problem, statuses=["completed"])
    assert plan.base_placed == 1
    (trained,) = plan.trainings
    assert (trained.supervisor, trained.new, trained.training) == ("S2", False, "in_progress")
    assert (trained.placed, trained.placed_gain, len(trained.newly_placed)) == (2, 1, 1)
    assert all(o.new for o in plan.options)
    en, sv = planning_text(plan, "en"), planning_text(plan, "sv")
    assert "Or train a supervisor of the round who falls short of the training rule (in training or trained)" in en
    assert "Eller utbilda en av omgångens handledare" in sv
    assert "S2" in planning_html(plan, "sv")
    # A policy that accepts any training leaves no one to train.
    data["policy"]["supervisor_training"] = "any"
    assert mm.plan_supervisors(mm.Problem.model_validate(data), statuses=["completed"]).trainings == ()


def test_bad_arguments_are_input_errors(tiny: mm.Problem) -> None:
    with pytest.raises(mm.InputError, match="capacity"):
        mm.plan_supervisors(tiny, capacity=0)
    other = mm.solve(mm.load_problem(EXAMPLES / "sodertalje" / "problem.json"))
    with pytest.raises(mm.InputError, match="different problem"):
        mm.plan_supervisors(tiny, other)


def _with_added(raw: dict[str, Any], counts: dict[str, int], *, grow: bool = True) -> mm.Problem:
    """The raw round with ``counts[unit]`` new supervisors (capacity 1, trained) and, with ``grow``, their
    places."""
    data = json.loads(json.dumps(raw))
    for unit, k in counts.items():
        for j in range(k):
            data["supervisors"].append({"id": f"new{unit}-{j}", "unit": unit, "capacity": 1, "training": "completed"})
        if not grow:
            continue
        record = next(u for u in data["units"] if u["id"] == unit)
        record["max_places"] += k
        muni = next(m for m in data["municipalities"] if m["id"] == record["municipality"])
        if "max_places" in muni:
            muni["max_places"] += k
    return mm.Problem.model_validate(data)


def _placed(problem: mm.Problem) -> int | None:
    truth = brute_force(problem)
    return None if truth.vector is None else len(truth.plans[0])


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    raw=problems(max_applicants=4, max_supervisors=3),
    more=st.integers(1, 2),
    places=st.sampled_from(["grow", "grow", "keep"]),
)
def test_fewest_equals_brute_force_over_added_supervisors(raw: dict[str, Any], more: int, places: str) -> None:
    _fewest_against_brute_force(raw, more, places)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    raw=problems(max_applicants=4, max_supervisors=3),
    trainings=st.lists(st.sampled_from(["none", "in_progress", "completed"]), min_size=3, max_size=3),
    rule=st.sampled_from(["in_progress", "completed"]),
)
def test_training_each_supervisor_equals_brute_force(raw: dict[str, Any], trainings: list[str], rule: str) -> None:
    # The supervisors get random training and the policy a rule; training each one who falls short
    # (to the least status the rule accepts) is compared with brute force on the raw round so changed.
    for record, training in zip(raw["supervisors"], trainings, strict=False):
        record["training"] = training
    raw["policy"]["supervisor_training"] = rule
    try:
        problem = mm.Problem.model_validate(raw)
    except mm.ProblemValidationError:
        return
    if _placed(problem) is None:
        return
    plan = mm.plan_supervisors(problem, statuses=["completed"])
    order = ["none", "in_progress", "completed"]
    short = sorted(
        s["id"] for s in raw["supervisors"] if s["capacity"] > 0 and order.index(s["training"]) < order.index(rule)
    )
    assert [o.supervisor for o in plan.trainings] == short
    for option in plan.trainings:
        data = json.loads(json.dumps(raw))
        next(s for s in data["supervisors"] if s["id"] == option.supervisor)["training"] = rule
        after = _placed(mm.Problem.model_validate(data))
        assert (option.training, option.new) == (rule, False)
        assert option.placed == (0 if after is None else after), option.supervisor


def _fewest_against_brute_force(raw: dict[str, Any], more: int, places: str) -> None:
    try:
        problem = mm.Problem.model_validate(raw)
    except mm.ProblemValidationError:
        return
    base = _placed(problem)
    if base is None:
        return
    grow = places == "grow"
    plan = mm.plan_supervisors(problem, statuses=["completed"], more=more, unit_places="grow" if grow else "keep")
    units = sorted(u.id for u in problem.units)
    # Each single new supervisor, against brute force on the round with it.
    for option in plan.options:
        after = _placed(_with_added(raw, {option.unit: 1}, grow=grow))
        assert option.placed == (0 if after is None else after), option.unit
    # The fewest: every count vector of total 0, 1, 2 in turn, brute-forced.
    brute_min = None
    for total in range(3):
        for counts in itertools.product(range(total + 1), repeat=len(units)):
            if sum(counts) != total:
                continue
            placed = _placed(_with_added(raw, dict(zip(units, counts, strict=True)), grow=grow))
            if placed is not None and placed >= base + more:
                brute_min = total
                break
        if brute_min is not None:
            break
    fewest = plan.fewest
    assert fewest is not None
    if brute_min is not None:
        assert (fewest.outcome, fewest.total) == ("found", brute_min)
    else:
        assert fewest.outcome != "found" or (fewest.total or 0) > 2
    if fewest.outcome == "impossible":
        assert fewest.most_placed is not None
        assert fewest.most_placed < base + more


def test_same_input_gives_the_same_planning_however_it_is_run() -> None:
    problem = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json")
    first = mm.plan_supervisors(problem, more=2)
    again = mm.plan_supervisors(problem, more=2)
    with ThreadPoolExecutor(2) as pool:
        pooled = mm.plan_supervisors(problem, more=2, executor=pool)
    assert first.model_dump_json() == again.model_dump_json() == pooled.model_dump_json()
    given_base = mm.plan_supervisors(problem, mm.solve(problem, mm.SolveOptions(workers=1)), more=2)
    assert given_base.model_dump_json() == first.model_dump_json()


def test_the_report_in_both_languages() -> None:
    problem = _round([_wants(f"A{i}", U=1.0) for i in range(4)], [("U", 1)], [("S", "U", 1)])
    plan = mm.plan_supervisors(problem, statuses=["completed", "none"], more=2)
    en, sv = planning_text(plan, "en"), planning_text(plan, "sv")
    assert "Supervisor planning" in en
    assert "+0.85" in en
    assert "trained" in en
    assert "Handledarplanering" in sv
    assert "+0,85" in sv
    assert "utbildad" in sv
    assert "add at least 2 supervisors" in en
    assert "minst 2 nya handledare" in sv
    impossible = planning_text(mm.plan_supervisors(problem, statuses=["completed"], more=9), "sv")
    assert "kan inte placeras" in impossible
    page = planning_html(plan, "sv")
    assert page.startswith("<!DOCTYPE html>")
    assert 'lang="sv"' in page
    assert "http" not in page


def test_the_plan_supervisors_command(tmp_path: Path) -> None:
    from click.testing import CliRunner  # the cli extra

    from matchmaker._cli import cli

    problem = EXAMPLES / "sodertalje" / "problem.json"
    out = tmp_path / "plan.json"
    runner = CliRunner()
    done = runner.invoke(cli, ["plan-supervisors", str(problem), "--more", "2", "-o", str(out), "--lang", "sv"])
    assert done.exit_code == 0, done.output
    assert "Handledarplanering" in done.output
    assert "enhet" in done.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["fewest"]["outcome"] == "found"
    assert data["fewest"]["placed"] >= data["base_placed"] + 2
    page = tmp_path / "plan.html"
    done = runner.invoke(cli, ["plan-supervisors", str(problem), "--training", "completed", "-o", str(page)])
    assert done.exit_code == 0, done.output
    assert "Supervisor planning" in page.read_text(encoding="utf-8")
    bad = runner.invoke(cli, ["plan-supervisors", str(problem), "--training", "expert"])
    assert bad.exit_code == 2


def test_the_group_rate_of_the_families_the_group_rules_name() -> None:
    # A0 (group x) and A1 (group y) both want U, which takes one: one group's rate is 0 now, and one more
    # supervisor places both, so the lowest group rate goes from 0 to 1.
    apps = [{**_wants("A0", U=1.0), "groups": {"home": "x"}}, {**_wants("A1", U=1.0), "groups": {"home": "y"}}]
    rules = [{"family": "home", "rule": "count", "max_count": 5}]
    problem = _round(apps, [("U", 1)], [("S", "U", 1)], group_rules=rules)
    plan = mm.plan_supervisors(problem, statuses=["completed"])
    assert plan.base_lowest_group_rate == 0.0
    (option,) = plan.options
    assert (option.lowest_group_rate, option.group_rate_change) == (1.0, 1.0)
    assert "+100 pp" in planning_text(plan, "en")
    assert "lägsta gruppandel" in planning_text(plan, "sv")
    assert mm.plan_supervisors(_round(apps, [("U", 1)], [("S", "U", 1)])).base_lowest_group_rate is None


def test_when_the_policys_rules_stop_every_count_the_answer_is_blocked() -> None:
    # A0 and A1 (both group x) want U, which takes one; a rule lets group x place at most one. New
    # supervisors give room (1, then 2, are tried), but the rule keeps the plan at one.
    apps = [{**_wants(f"A{i}", U=1.0), "groups": {"home": "x"}} for i in range(2)]
    rules = [{"family": "home", "rule": "count", "max_count": 1}]
    problem = _round(apps, [("U", 1)], [("S", "U", 1)], group_rules=rules)
    plan = mm.plan_supervisors(problem, statuses=["completed"], more=1)
    assert plan.options[0].placed_gain == 0
    assert plan.fewest is not None
    assert (plan.fewest.outcome, plan.fewest.tried) == ("blocked", 2)
    assert "keep the plan below it" in planning_text(plan, "en")
    stopped = mm.plan_supervisors(problem, statuses=["completed"], more=1, max_tries=1).fewest
    assert stopped is not None
    assert (stopped.outcome, stopped.tried) == ("unproven", 1)
    assert "allow more tries" in planning_text(mm.plan_supervisors(problem, more=1, max_tries=1), "en")


def test_an_unknown_training_status_is_named_in_both_languages(tiny: mm.Problem) -> None:
    with pytest.raises(mm.InputError, match="'expert' is not a training status") as caught:
        mm.plan_supervisors(tiny, statuses=["completed", "expert"])
    assert "'expert' är ingen utbildningsstatus" in caught.value.text("sv")
    with pytest.raises(mm.InputError, match="grow"):
        mm.plan_supervisors(tiny, unit_places="more")  # type: ignore[arg-type]
