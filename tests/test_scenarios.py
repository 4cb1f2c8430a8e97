"""What-if scenarios: each change, a batch on a process pool equal to the sequential runs, and the
`repair`, `diff` and `scenarios` commands."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

import matchmaker as mm
from conftest import EXAMPLES

SCENARIOS = [
    mm.Scenario(name="bou+1", changes=[mm.ChangePlaces(unit="BoU", places=1)]),
    mm.Scenario(name="H1 away", changes=[mm.RemoveSupervisor(supervisor="H1")]),
    mm.Scenario(name="interviews", changes=[mm.ChangeWeights(interest_weight=0.2, interview_weight=0.8)]),
    mm.Scenario(
        name="new supervisor",
        changes=[
            mm.AddSupervisor(supervisor="H9", unit="Vux"),
            mm.ChangePlaces(unit="Vux", places=1),
            mm.ChangePlaces(municipality="M", places=1),
        ],
    ),
    mm.Scenario(name="forbid", changes=[mm.ForbidPair(applicant="A1", unit="BoU")]),
]


def test_each_change_is_applied(tiny: mm.Problem) -> None:
    bou = mm.apply_scenario(tiny, SCENARIOS[0])
    assert bou.unit_by_id["BoU"].max_places == tiny.unit_by_id["BoU"].max_places + 1
    assert mm.apply_scenario(tiny, SCENARIOS[1]).supervisor_by_id["H1"].capacity == 0
    assert mm.apply_scenario(tiny, SCENARIOS[2]).policy.interview_weight == 0.8
    added = mm.apply_scenario(tiny, SCENARIOS[3])
    assert added.supervisor_by_id["H9"].unit == "Vux"
    assert "BoU" in mm.apply_scenario(tiny, SCENARIOS[4]).applicant_by_id["A1"].conflicts.units
    with pytest.raises(mm.InputError, match="there is no supervisor 'nobody'"):
        mm.apply_scenario(tiny, mm.Scenario(name="x", changes=[mm.RemoveSupervisor(supervisor="nobody")]))
    with pytest.raises(mm.InputError, match="both or neither"):
        mm.apply_scenario(tiny, mm.Scenario(name="x", changes=[mm.ChangePlaces(places=1)]))


def test_comparison_reports_levels_fill_and_who_changes(tiny: mm.Problem) -> None:
    comparison = mm.compare_scenarios(tiny, SCENARIOS)
    base = mm.solve(tiny, mm.SolveOptions(workers=1))
    assert comparison.base.objective == base.decision.objective
    assert comparison.base.changes is None
    by_name = {o.name: o for o in comparison.scenarios}
    assert by_name["bou+1"].placed >= comparison.base.placed
    away = by_name["H1 away"]
    assert away.changes is not None
    was_with_h1 = [a.applicant for a in base.assignments if a.supervisor == "H1"]
    touched = {m.applicant for m in (*away.changes.moved, *away.changes.newly_unplaced)}
    assert set(was_with_h1) <= touched
    assert sum(comparison.base.fill.values()) == comparison.base.placed
    table = comparison.table()
    assert "H1 away" in table
    assert "total_fit" in table


def test_an_invalid_scenario_is_reported_not_raised(tiny: mm.Problem) -> None:
    data = tiny.model_dump(mode="json")
    data["units"][0]["min_places"] = 1
    with_minimum = mm.Problem.model_validate(data)
    unit = data["units"][0]["id"]
    gone = [s["id"] for s in data["supervisors"] if s["unit"] == unit]
    scenario = mm.Scenario(name="empty unit", changes=[mm.RemoveSupervisor(supervisor=s) for s in gone])
    (outcome,) = mm.compare_scenarios(with_minimum, [scenario]).scenarios
    assert outcome.status is None
    assert outcome.message
    assert "invalid" in mm.compare_scenarios(with_minimum, [scenario]).table()


def test_names_must_be_unique(tiny: mm.Problem) -> None:
    with pytest.raises(mm.InputError, match="not unique"):
        mm.compare_scenarios(tiny, [SCENARIOS[0], SCENARIOS[0]])


@pytest.mark.slow
def test_batch_on_a_process_pool_equals_the_sequential_runs(tiny: mm.Problem) -> None:
    sequential = mm.compare_scenarios(tiny, SCENARIOS)
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = mm.compare_scenarios(tiny, SCENARIOS, executor=pool)
    assert pooled == sequential
    with ThreadPoolExecutor(max_workers=2) as threads:
        assert mm.compare_scenarios(tiny, SCENARIOS, executor=threads) == sequential


def test_scenarios_file(tmp_path: Path) -> None:
    loaded = mm.load_scenarios(EXAMPLES / "year-huddinge-nacka-tyreso" / "scenarios.json")
    assert [s.name for s in loaded][:2] == ["tyreso+2", "h1-on-leave"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"name": "x", "changes": [{"kind": "teleport"}]}]), encoding="utf-8")
    with pytest.raises(mm.InputFileError):
        mm.load_scenarios(bad)
    with pytest.raises(mm.InputFileError) as missing:
        mm.load_scenarios(tmp_path / "none.json")
    assert "kan inte läsas" in missing.value.text("sv")


def test_a_change_naming_nothing_is_an_error_in_both_languages(tiny: mm.Problem) -> None:
    gone = mm.Scenario(name="gone", changes=(mm.ChangePlaces(unit="nowhere", places=1),))
    with pytest.raises(mm.InputError) as err:
        mm.apply_scenario(tiny, gone)
    assert "there is no unit 'nowhere'" in str(err.value)
    assert "det finns ingen enhet 'nowhere'" in err.value.text("sv")
    twice = [mm.Scenario(name="a"), mm.Scenario(name="a")]
    with pytest.raises(mm.InputError) as dupes:
        mm.compare_scenarios(tiny, twice)
    assert "scenariernas namn är inte unika: a" in dupes.value.text("sv")


# --- the commands ---------------------------------------------------------------------------------------


def test_repair_diff_and_scenarios_commands(tmp_path: Path) -> None:
    pytest.importorskip("click")
    from click.testing import CliRunner

    from matchmaker._cli import cli

    runner = CliRunner()
    problem = EXAMPLES / "sodertalje" / "problem.json"
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    assert runner.invoke(cli, ["solve", str(problem), "-q", "-o", str(before)]).exit_code == 0
    data = json.loads(problem.read_text(encoding="utf-8"))
    previous = mm.load_result(before)
    leaving = previous.assignments[0].supervisor
    for sup in data["supervisors"]:
        if sup["id"] == leaving:
            sup["capacity"] = 0
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    run = runner.invoke(cli, ["repair", str(changed), "--previous", str(before), "-o", str(after)])
    assert run.exit_code == 0, run.output
    assert "moved" in run.output
    repaired = mm.load_result(after)
    assert repaired.decision.repair is not None
    assert mm.check(mm.load_problem(changed), repaired, previous=previous).ok
    run = runner.invoke(cli, ["diff", str(before), str(after), "--json"])
    assert run.exit_code == 0
    assert json.loads(run.output)["unchanged"] == repaired.decision.repair.diff.unchanged
    # A keep of someone the previous plan did not place is bad input.
    run = runner.invoke(cli, ["repair", str(changed), "--previous", str(before), "--keep", "nobody"])
    assert run.exit_code == 2
    scenarios = EXAMPLES / "sodertalje" / "scenarios.json"
    run = runner.invoke(cli, ["scenarios", str(problem), str(scenarios)])
    assert run.exit_code == 0, run.output
    assert "H-VUX-1 away" in run.output
    run = runner.invoke(cli, ["scenarios", str(problem), str(scenarios), "--json"])
    assert [s["name"] for s in json.loads(run.output)["scenarios"]] == ["bou+1", "H-VUX-1 away"]
