"""The review commands: evaluate a spreadsheet plan, two overrides with reasons, approve, reproduce."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import matchmaker as mm
from conftest import EXAMPLES
from matchmaker._cli import EXIT_BAD_INPUT, EXIT_NO_PLAN, EXIT_OK, cli
from matchmaker.review import AuditRecord, verify_approval

SDT = EXAMPLES / "sodertalje"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copy(SDT / "problem.json", tmp_path / "problem.json")
    return tmp_path


def test_evaluate_a_workbook_plan(work: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Plan"
    for line in (SDT / "hand-plan.csv").read_text(encoding="utf-8").splitlines():
        ws.append([cell or None for cell in line.split(",")])
    wb.save(work / "plan.xlsx")
    code, out, _ = run("evaluate", work / "problem.json", work / "plan.xlsx", "--lang", "sv")
    assert code == EXIT_OK
    assert "Planen bryter mot 1 regel:" in out
    assert "I er plan VT26-03 får Vuxenenheten (sdt-vux); optimum placerar inte VT26-03" in out
    code, out, _ = run("evaluate", work / "problem.json", work / "plan.xlsx", "--json", "--no-explain")
    data = json.loads(out)
    assert [v["record"] for v in data["violations"]] == ["VT26-03"]
    assert data["differences"] == []


def test_evaluate_refuses_unknown_ids(work: Path) -> None:
    (work / "plan.csv").write_text("applicant,unit,supervisor\nVT26-99,sdt-bou,\n", encoding="utf-8")
    code, _, err = run("evaluate", work / "problem.json", work / "plan.csv")
    assert code == EXIT_BAD_INPUT
    assert "VT26-99" in err


def test_override_approve_audit_reproduce(work: Path) -> None:
    problem = work / "problem.json"
    overrides = work / "overrides.json"
    code, _, _ = run("solve", problem, "-q", "-o", work / "recommendation.json")
    assert code == EXIT_OK
    for change in (
        ("--pin", "VT26-13", "--unit", "sdt-af", "--reason", "continues as studentmedarbetare"),
        ("--forbid", "VT26-17", "--supervisor", "H-VUX-1", "--reason", "declared relation"),
    ):  # one override added per call; the second call prints the cost of both
        code, out, _ = run("override", overrides, "--problem", problem, *change, "--official", "HR-042")
        assert code == EXIT_OK, out
    assert "Cost of [0]: the total fit 6.5056 -> 6.5016" in out
    assert "Cost of [1]: costs nothing on any level" in out
    saved = json.loads(overrides.read_text(encoding="utf-8"))["overrides"]
    assert [(o["action"], o["reason"], o["official"]) for o in saved] == [
        ("pin", "continues as studentmedarbetare", "HR-042"),
        ("forbid", "declared relation", "HR-042"),
    ]
    # A third override that clashes (VT26-03 lacks the licence Vuxenenheten requires) is not added.
    code, out, err = run(
        "override", overrides, "--problem", problem, "--pin", "VT26-03", "--unit", "sdt-vux",
        "--reason", "r", "--official", "HR-042",
    )  # fmt: skip
    assert code == EXIT_NO_PLAN
    assert "Override [2] cannot hold:" in out
    assert "- [2] pin VT26-03 -> Vuxenenheten (sdt-vux): the unit requires a qualification" in out
    assert "not added" in err
    assert len(json.loads(overrides.read_text(encoding="utf-8"))["overrides"]) == 2

    approved = work / "approved.json"
    code, out, _ = run(
        "approve", problem, work / "recommendation.json", "--official", "HR-007", "--overrides", overrides,
        "-o", approved, "--result-output", work / "approved-result.json",
    )  # fmt: skip
    assert code == EXIT_OK, out
    record = AuditRecord.model_validate_json(approved.read_text(encoding="utf-8"))
    assert record.state == "approved"
    assert record.approval is not None
    assert record.approval.official == "HR-007"
    assert len(record.overrides) == 2
    recommendation = mm.load_result(work / "recommendation.json")
    verify_approval(mm.load_problem(problem), recommendation, record)
    placed = mm.load_result(work / "approved-result.json").placement_of
    assert placed["VT26-13"].unit == "sdt-af"
    assert placed.get("VT26-17") is None or placed["VT26-17"].supervisor != "H-VUX-1"

    code, out, _ = run("reproduce", approved)
    assert code == EXIT_OK, out
    assert "byte-identical" in out

    code, out, _ = run("audit", problem, "-o", work / "audit.json")
    assert code == EXIT_OK
    code, out, _ = run("reproduce", work / "audit.json")
    assert code == EXIT_OK
    data = json.loads(problem.read_text(encoding="utf-8"))
    data["policy"]["lottery_seed"] = 7
    problem.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run("reproduce", work / "audit.json", "--json")
    assert code == EXIT_NO_PLAN
    kinds = [d["kind"] for d in json.loads(out)["differences"]]
    assert kinds[0] == "seed"
    assert "decision" in kinds


def _repaired(work: Path) -> tuple[Path, Path]:
    """Solve the Södertälje round, put supervisor H-BOU-1 on leave, repair: (changed problem, repaired)."""
    code, _, _ = run("solve", work / "problem.json", "-q", "-o", work / "before.json")
    assert code == EXIT_OK
    data = json.loads((work / "problem.json").read_text(encoding="utf-8"))
    next(s for s in data["supervisors"] if s["id"] == "H-BOU-1")["capacity"] = 0
    changed = work / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = run("repair", changed, "--previous", work / "before.json", "-o", work / "repaired.json")
    assert code == EXIT_OK, out
    return changed, work / "repaired.json"


def test_an_approved_repair_reproduces(work: Path) -> None:
    # Regression (guide review): reproduce re-solved the repaired round afresh: "not reproduced", exit 1.
    changed, repaired = _repaired(work)
    code, out, _ = run("approve", changed, repaired, "--official", "HR-007", "-o", work / "approved.json")
    assert code == EXIT_OK, out
    code, out, _ = run("reproduce", work / "approved.json")
    assert code == EXIT_OK, out
    assert "byte-identical" in out


def test_an_override_on_a_repaired_plan_moves_nobody_else(work: Path) -> None:
    # Regression (guide review): approve --overrides re-solved afresh and moved students it did not name.
    changed, repaired = _repaired(work)
    before = mm.load_result(repaired).placement_of
    overrides = work / "overrides.json"
    code, out, _ = run(
        "override", overrides, "--problem", changed, "--result", repaired, "--forbid", "VT26-10",
        "--supervisor", "H-AF-2", "--reason", "declared relation", "--official", "HR-042",
    )  # fmt: skip
    assert code == EXIT_OK, out
    assert "people moved 2 -> 3" in out
    code, out, _ = run(
        "approve", changed, repaired, "--official", "HR-007", "--overrides", overrides,
        "-o", work / "approved.json", "--result-output", work / "approved-result.json",
    )  # fmt: skip
    assert code == EXIT_OK, out
    after = mm.load_result(work / "approved-result.json").placement_of
    assert {a for a in before if a not in after or after[a].supervisor != before[a].supervisor} == {"VT26-10"}
    code, out, _ = run("reproduce", work / "approved.json")
    assert code == EXIT_OK, out


def test_an_infeasible_repair_prints_its_explanation_and_no_diff(work: Path) -> None:
    # Regression (guide review): "9 moved (of whom 9 now unplaced)", a diff against no plan at all.
    changed, _ = _repaired(work)
    code, out, _ = run("repair", changed, "--previous", work / "before.json", "--keep", "VT26-06")
    assert code == EXIT_NO_PLAN
    assert "the repair is infeasible" in out
    assert "applicant 'VT26-06' keeps the place at supervisor 'H-BOU-1'" in out
    assert "moved (of whom" not in out
    assert "now unplaced" not in out
    assert "newly unplaced" not in out


def test_repaired_and_overridden_results_can_be_explained(work: Path) -> None:
    # Regression (guide review): "solved for a different problem" without --problem.
    changed, repaired = _repaired(work)
    code, out, err = run("explain", repaired, "VT26-13")
    assert code == EXIT_OK, err
    assert "Applicant VT26-13" in out
    overrides = work / "overrides.json"
    code, out, _ = run(
        "override", overrides, "--problem", changed, "--result", repaired, "--pin", "VT26-13", "--unit",
        "sdt-af", "--reason", "continues there", "--official", "HR-042",
    )  # fmt: skip
    assert code == EXIT_OK, out
    approved = work / "approved-result.json"
    code, out, _ = run(
        "approve", changed, repaired, "--official", "HR-007", "--overrides", overrides,
        "-o", work / "approved.json", "--result-output", approved,
    )  # fmt: skip
    assert code == EXIT_OK, out
    assert "with 1 override:" in out
    code, out, err = run("explain", approved, "VT26-13")
    assert code == EXIT_BAD_INPUT
    assert "--overrides" in err
    code, out, err = run("explain", approved, "VT26-13", "--overrides", overrides)
    assert code == EXIT_OK, err
    assert "The placement is an override (ändring) that an official decided, with a recorded reason." in out
    code, out, err = run("explain", approved, "VT26-13", "--overrides", overrides, "--lang", "sv")
    assert code == EXIT_OK, err
    assert "Placeringen är en ändring som en tjänsteperson har beslutat, med ett dokumenterat skäl." in out


def test_override_usage_errors(work: Path) -> None:
    problem = work / "problem.json"
    code, _, err = run("override", work / "o.json", "--problem", problem, "--pin", "VT26-13", "--unit", "sdt-af")
    assert code == EXIT_BAD_INPUT
    assert "--reason and --official" in err
    code, _, err = run("override", work / "o.json", "--problem", problem, "--unit", "sdt-af")
    assert code == EXIT_BAD_INPUT
    code, _, err = run("reproduce", work / "missing.json")
    assert code == EXIT_BAD_INPUT
