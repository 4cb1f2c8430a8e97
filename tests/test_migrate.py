"""Schema versions: version-0 files (the pre-releases' layout) are migrated with a notice; newer ones refused."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import matchmaker as mm
from conftest import ROOT
from matchmaker._cli import EXIT_OK, cli
from matchmaker.io._json import problem_from_json, result_from_json
from matchmaker.report import format_result

V0 = ROOT / "tests" / "data" / "v0"


def test_version_0_problem_is_migrated_with_a_notice() -> None:
    with pytest.warns(mm.InputWarning) as caught:
        problem = mm.load_problem(V0 / "problem.json")
    (notice,) = [str(w.message) for w in caught]
    assert "problem.json is a version-0 problem file; it was read as version 1" in notice
    for change in (
        "problem.students -> applicants",
        "problem.locks -> pins",
        "units[].places -> max_places",
        "supervisors[].max_students -> capacity",
        "supervisors[].trained -> training",
        "applicants[].preferences -> ranking.units",
        "policy.seed -> lottery_seed",
    ):
        assert change in notice
    assert "Save it again with this matchmaker to upgrade the file" in notice
    current = mm.load_problem(V0 / "problem.v1.json")
    assert problem == current
    assert problem.fingerprint() == current.fingerprint()


def test_saved_again_it_is_current(tmp_path: Path) -> None:
    with pytest.warns(mm.InputWarning):
        problem = mm.load_problem(V0 / "problem.json")
    mm.save_problem(problem, tmp_path / "p.json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mm.load_problem(tmp_path / "p.json") == problem
    assert json.loads((tmp_path / "p.json").read_text("utf-8"))["schema_version"] == 1


def test_version_0_result_is_migrated() -> None:
    with pytest.warns(mm.InputWarning, match="result.json is a version-0 result file; it was read as version 1"):
        result = mm.load_result(V0 / "result.json")
    problem = mm.load_problem(V0 / "problem.v1.json")
    assert result.schema_version == 1
    # Version 0 recorded no metrics, and a result is read without its problem, so they stay absent;
    # everything else of the decision is what a fresh solve decides.
    fresh = mm.solve(problem).decision
    assert fresh.metrics is not None
    assert result.decision.metrics is None
    assert result.decision == fresh.model_copy(update={"metrics": None})
    assert "rank profile" not in format_result(result)  # the plan prints without metrics
    assert [a.fit_points for a in result.assignments] == [8500, 8500, 8500]
    assert result.statistics.stages == ()
    assert mm.check(problem, result).ok


def test_a_migrated_result_keeps_no_metrics_in_every_format(tmp_path: Path) -> None:
    with pytest.warns(mm.InputWarning):
        result = mm.load_result(V0 / "result.json")
    for name in ("r.json", "r.xlsx", "r-csv"):
        mm.save_result(result, tmp_path / name, lang="sv")
        again = mm.load_result(tmp_path / name)
        assert again == result
        assert again.decision.metrics is None
    assert mm.result_from_frames(mm.result_to_frames(result)) == result


def test_mixed_old_and_new_names_are_refused() -> None:
    text = '{"schema_version": 0, "students": [], "applicants": [], "units": [], "municipalities": []}'
    with pytest.raises(mm.InputFileError, match="has both 'students' \\(version 0\\) and 'applicants'"):
        problem_from_json(text, "mixed.json")
    text = '{"schema_version": 0, "supervisors": [{"id": "h", "trained": "yes"}]}'
    with pytest.raises(mm.InputFileError, match=r"'trained' is not true or false\. Fix: write true or false"):
        problem_from_json(text, "bad.json")


def test_newer_versions_are_refused() -> None:
    with pytest.raises(mm.InputFileError, match=r"x.json schema_version: the file uses problem schema 2, newer"):
        problem_from_json('{"schema_version": 2}', "x.json")
    with pytest.raises(mm.InputFileError, match=r"the file uses result schema 9, newer than this matchmaker knows"):
        result_from_json('{"schema_version": 9}', "r.json")
    with pytest.raises(mm.InputFileError, match="is -1, not a schema version"):
        problem_from_json('{"schema_version": -1}', "x.json")


def test_cli_prints_the_notice(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["solve", str(V0 / "problem.json"), "-q", "-o", str(tmp_path / "r.xlsx")])
    assert result.exit_code == EXIT_OK, result.stderr
    assert "notice: " in result.stderr
    assert "is a version-0 problem file" in result.stderr
    assert mm.load_result(tmp_path / "r.xlsx").is_optimal
