"""The command line: every command, its output and its exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import matchmaker as mm
from conftest import EXAMPLES
from matchmaker._cli import EXIT_BAD_INPUT, EXIT_NO_PLAN, EXIT_OK, cli

SDT = EXAMPLES / "sodertalje" / "problem.json"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_solve_prints_table_and_writes_result(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    code, stdout, _ = run("solve", str(SDT), "-o", str(out))
    assert code == EXIT_OK
    assert "status: optimal" in stdout
    assert "applicant  unit" in stdout
    assert f"result written to {out}" in stdout
    result = mm.load_result(out)
    assert mm.check(mm.load_problem(SDT), result).ok


def test_solve_quiet(tmp_path: Path) -> None:
    code, stdout, _ = run("solve", str(SDT), "-q")
    assert code == EXIT_OK
    assert stdout == ""


def test_solve_seed_overrides_policy(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    code, _, _ = run("solve", str(SDT), "--seed", "5", "-o", str(out), "-q")
    assert code == EXIT_OK
    assert mm.load_result(out).decision.lottery_seed == 5


def test_solve_infeasible_exits_1(tmp_path: Path) -> None:
    data = json.loads(SDT.read_text("utf-8"))
    data["units"][2]["min_places"] = 3
    data["municipalities"][0]["max_places"] = 2
    bad = tmp_path / "infeasible.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    code, stdout, stderr = run("solve", str(bad))
    assert code == EXIT_NO_PLAN
    assert "status: infeasible" in stdout
    assert "cannot all hold together" in stdout
    assert "no plan: the solve ended infeasible" in stderr


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    data = json.loads(SDT.read_text("utf-8"))
    data["supervisors"][0]["capacity"] = -1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    code, _, stderr = run("solve", str(bad))
    assert code == EXIT_BAD_INPUT
    assert "supervisors['H-BOU-1'].capacity: input should be greater than or equal to 0" in stderr
    assert "Traceback" not in stderr


def test_missing_file_exits_2() -> None:
    code, _, stderr = run("validate", "/nonexistent.json")
    assert code == EXIT_BAD_INPUT
    assert "cannot be read" in stderr


def test_output_never_overwrites_input(tmp_path: Path) -> None:
    copy = tmp_path / "p.json"
    copy.write_text(SDT.read_text("utf-8"), encoding="utf-8")
    code, _, stderr = run("solve", str(copy), "-o", str(copy))
    assert code == EXIT_BAD_INPUT
    assert "is also an input file" in stderr
    assert copy.read_text("utf-8") == SDT.read_text("utf-8")


def test_validate() -> None:
    code, stdout, _ = run("validate", str(SDT))
    assert code == EXIT_OK
    assert "valid. 20 applicants, 1 municipality, 3 units, 8 supervisors, 12 places" in stdout


def test_schema() -> None:
    code, stdout, _ = run("schema")
    assert code == EXIT_OK
    assert json.loads(stdout) == mm.problem_json_schema()
    code, stdout, _ = run("schema", "--result")
    assert json.loads(stdout)["$id"] == "matchmaker:result:v1"


def test_usage_error_exits_2() -> None:
    code, _, stderr = run("solve", str(SDT), "--time-limit", "-1")
    assert code == 2
    assert "Invalid value for '--time-limit'" in stderr


@pytest.mark.slow
def test_console_script_runs_in_a_subprocess(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "matchmaker", "solve", str(SDT), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "status: optimal" in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["validate", str(SDT)], EXIT_OK, ""),
        (["solve", "missing.json"], EXIT_BAD_INPUT, "error:"),
        (["solve", str(SDT), "--objective", "nonsense"], EXIT_BAD_INPUT, "Invalid value"),
    ],
)
def test_the_program_ends_with_each_commands_exit_code_and_output(args: list[str], code: int, said: str) -> None:
    """The program ends the process itself when its command ends (no teardown): every exit code and every
    line printed come through."""
    proc = subprocess.run([sys.executable, "-m", "matchmaker", *args], capture_output=True, text=True, check=False)
    assert proc.returncode == code, proc.stderr
    assert said in proc.stderr
    if code == EXIT_OK:
        assert proc.stdout.strip()


def test_the_program_prints_a_whole_large_plan_before_it_ends(tmp_path: Path) -> None:
    """Standard output is flushed before the process ends: the last line of the plan is there."""
    proc = subprocess.run(
        [sys.executable, "-m", "matchmaker", "solve", str(SDT), "-o", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.rstrip().endswith(f"result written to {tmp_path / 'r.json'}")


def test_held_records_are_frozen_only_in_the_program() -> None:
    """A command's records are kept out of later collections only when the command runs as the program:
    called in a longer process (a test's runner) nothing is frozen."""
    import gc

    from matchmaker._cli.common import PROGRAM, held

    before = gc.get_freeze_count()
    with held():
        kept = [[i] for i in range(100)]
    assert gc.get_freeze_count() == before
    token = PROGRAM.set(True)
    try:
        with held():
            kept = [[i] for i in range(100)]
        assert gc.get_freeze_count() >= before + len(kept)
        assert gc.isenabled()
    finally:
        PROGRAM.reset(token)
        gc.unfreeze()


def test_explain_an_applicant_from_a_result(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert run("solve", str(SDT), "-o", str(out), "-q")[0] == EXIT_OK
    code, stdout, _ = run("explain", str(out), "VT26-07", "--lang", "sv")
    assert code == EXIT_OK
    assert "Sökande VT26-07 placeras inte." in stdout
    assert "ett anmält jäv utesluter det" in stdout
    code, stdout, _ = run("explain", str(out), "VT26-07", "--json")
    assert json.loads(stdout)[0]["options"][0]["rule"] == "conflict"
    code, stdout, _ = run("explain", str(out), "--reserves", "1")
    assert "Reserves for" in stdout


def test_explain_needs_the_right_problem(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run("solve", str(SDT), "-o", str(out), "-q")
    other = EXAMPLES / "huddinge-nacka-tyreso" / "problem.json"
    code, _, stderr = run("explain", str(out), "VT26-07", "--problem", str(other))
    assert code == EXIT_BAD_INPUT
    assert "was solved for a different problem" in stderr
    code, _, stderr = run("explain", str(out), "NOBODY")
    assert code == EXIT_BAD_INPUT
    assert "not applicants of the problem: NOBODY" in stderr


def test_explain_an_infeasible_round() -> None:
    problem = EXAMPLES / "nacka-infeasible" / "problem.json"
    code, stdout, _ = run("explain", "--problem", str(problem))
    assert code == EXIT_OK
    assert "These 3 constraints cannot all hold together" in stdout
    assert "raise the maximum of Nacka (nacka) from 8 to 9" in stdout
    code, stdout, _ = run("explain", "--problem", str(SDT))
    assert "The round has a plan." in stdout


def test_policy_flags(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    joint = EXAMPLES / "huddinge-nacka-tyreso" / "problem.json"
    code, _, _ = run("solve", str(joint), "--balance", "maximin", "--objective", "egalitarian", "-q", "-o", str(out))
    assert code == EXIT_OK
    names = [lv.name for lv in mm.load_result(out).decision.objective]
    assert "lowest_fill_rate_ppm" in names
    assert "rank_sum" in names
    code, _, _ = run("solve", str(joint), "--minimums", "soft", "-q", "-o", str(out))
    assert "minimum_shortfall" in mm.load_result(out).objective
    code, _, stderr = run("solve", str(joint), "--balance-ratio", "0.8", "-q")
    assert code == EXIT_BAD_INPUT
    assert "need a balance mode" in stderr
