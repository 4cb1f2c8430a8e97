"""The ``solve`` command through its phases: progress for each phase in order, and Ctrl-C in each phase:
before a plan exists nothing is written (exit code 130); during the search the best plan is kept,
checked and written; during the check the plan is written marked unchecked (exit code 130), and the
mark shows in the report, survives every file format, is cleared by ``matchmaker check`` and makes an
approval check the plan first."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("click")
from click.testing import CliRunner

import matchmaker as mm
from conftest import EXAMPLES
from matchmaker._cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_NO_PLAN, EXIT_OK, cli
from matchmaker._cli import console as console_module
from matchmaker._cli import solving as solving_module
from matchmaker._progress import PHASES, ProgressEvent
from matchmaker.report import text_report

SODERTALJE = EXAMPLES / "sodertalje" / "problem.json"
NOTHING = "interrupted before a plan was found: nothing written"
STOPPING = "interrupted: stopping the solve, keeping the best plan found so far (Ctrl-C again aborts)"


@pytest.fixture(scope="module")
def problem() -> mm.Problem:
    return mm.load_problem(SODERTALJE)


@pytest.fixture(scope="module")
def solved(problem: mm.Problem) -> mm.Result:
    return mm.solve(problem)


class _Display:
    """A stand-in for the live display: records every event, and with ``press`` set presses Ctrl-C
    (SIGINT to the main thread) at the start of that phase, holding the thread that reported it until
    the main thread has heard it (no race, no sleep)."""

    shown = True  # so that the Ctrl-C notices go through note()

    def __init__(self, press: str | None = None) -> None:
        self.press = press
        self.events: list[ProgressEvent] = []
        self.notes: list[str] = []
        self.heard = threading.Event()
        self.closed = False

    def __call__(self, event: ProgressEvent) -> None:
        self.events.append(event)
        if event.kind == "phase" and event.phase == self.press:
            self.press = None
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            if threading.current_thread() is not threading.main_thread():
                self.heard.wait(60)

    def note(self, text: str) -> None:
        self.notes.append(text)
        self.heard.set()

    def close(self) -> None:
        self.closed = True
        self.heard.set()

    def phases(self) -> list[str | None]:
        """The phases in the order they started (a phase reported twice counts once)."""
        seen: list[str | None] = []
        for e in self.events:
            if e.kind == "phase" and e.phase not in seen:
                seen.append(e.phase)
        return seen


def _solve(monkeypatch: pytest.MonkeyPatch, display: _Display, out: Path, *args: str) -> Any:  # click's Result
    monkeypatch.setattr(console_module.ProgressDisplay, "for_terminal", classmethod(lambda cls, **kw: display))
    return CliRunner().invoke(cli, ["solve", str(SODERTALJE), "-o", str(out), *args], catch_exceptions=False)


def test_progress_goes_through_every_phase_in_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    display = _Display()
    out = tmp_path / "r.json"
    run = _solve(monkeypatch, display, out)
    assert run.exit_code == EXIT_OK, run.output
    assert display.phases() == list(PHASES)
    assert display.closed  # taken away at the end, after the write
    last_phase = max(i for i, e in enumerate(display.events) if e.kind == "phase")
    assert display.events[last_phase].phase == "write"
    assert all(e.phase == "solve" for e in display.events if e.kind in ("stage", "stage_done"))
    assert not mm.load_result(out).unchecked


@pytest.mark.parametrize("phase", ["load", "validate"])
def test_ctrl_c_while_reading_writes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, phase: str) -> None:
    real = console_module.Phases.phase

    def pressed(self: console_module.Phases, name: Any) -> None:
        real(self, name)
        if name == phase:
            raise KeyboardInterrupt  # what Ctrl-C raises in the main thread as the phase starts

    monkeypatch.setattr(console_module.Phases, "phase", pressed)
    out = tmp_path / "r.json"
    run = _solve(monkeypatch, _Display(), out)
    assert run.exit_code == EXIT_INTERRUPTED
    assert NOTHING in run.stderr
    assert not out.exists()


@pytest.mark.parametrize("phase", ["score", "build"])
def test_ctrl_c_while_preparing_aborts_at_once_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, phase: str
) -> None:
    """No plan can exist while scoring or building: Ctrl-C ends the command there and then (through
    ``os._exit``, as the solving thread cannot be stopped; here it raises instead)."""

    def exit_now(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(os, "_exit", exit_now)
    display = _Display(press=phase)
    out = tmp_path / "r.json"
    run = _solve(monkeypatch, display, out)
    assert run.exit_code == EXIT_INTERRUPTED
    assert NOTHING in run.stderr
    assert not out.exists()
    assert display.closed


@pytest.mark.parametrize("phase", ["solve", "decode"])
def test_ctrl_c_in_the_search_keeps_a_checked_plan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, problem: mm.Problem, phase: str
) -> None:
    display = _Display(press=phase)
    out = tmp_path / "r.json"
    run = _solve(monkeypatch, display, out)
    assert display.notes == [STOPPING]
    if run.exit_code == EXIT_OK:  # a plan was found: checked and written
        result = mm.load_result(out)
        assert result.status.has_plan
        assert not result.unchecked
        assert mm.check(problem, result).ok
        assert display.phases()[-2:] == ["check", "write"]
    else:  # stopped before the first plan (possible only as the search starts)
        assert phase == "solve"
        assert run.exit_code == EXIT_INTERRUPTED
        assert NOTHING in run.stderr
        assert not out.exists()


def _interrupted_check(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def check(problem: mm.Problem, result: mm.Result) -> mm.CheckReport:
        calls.append(1)
        raise KeyboardInterrupt  # Ctrl-C while the checker runs

    monkeypatch.setattr(solving_module, "check", check)
    return calls


def test_ctrl_c_during_the_check_writes_the_plan_marked_unchecked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, problem: mm.Problem, solved: mm.Result
) -> None:
    calls = _interrupted_check(monkeypatch)
    display = _Display()
    out = tmp_path / "r.json"
    run = _solve(monkeypatch, display, out)
    assert calls == [1]
    assert run.exit_code == EXIT_INTERRUPTED
    assert f"interrupted during the independent check: the plan was written to {out} marked unchecked" in run.stderr
    assert f"check it with: matchmaker check {SODERTALJE} {out}" in run.stderr
    assert display.phases()[-2:] == ["check", "write"]
    result = mm.load_result(out)
    assert result.unchecked
    assert json.loads(out.read_text("utf-8"))["statistics"]["unchecked"] is True
    assert result.decision_json() == solved.decision_json()  # the mark is outside the decision
    assert mm.check(problem, result).ok

    monkeypatch.undo()
    checked = CliRunner().invoke(cli, ["check", str(SODERTALJE), str(out)])
    assert checked.exit_code == EXIT_OK, checked.output
    assert "passes the independent check; its unchecked mark is removed" in checked.stdout
    assert "unchecked" not in json.loads(out.read_text("utf-8"))["statistics"]
    again = CliRunner().invoke(cli, ["check", str(SODERTALJE), str(out), "--lang", "sv"])
    assert again.exit_code == EXIT_OK
    assert again.stdout.strip() == f"{out} klarar den oberoende kontrollen"


def test_ctrl_c_during_the_check_without_output_prints_the_plan_marked_unchecked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _interrupted_check(monkeypatch)
    monkeypatch.setattr(console_module.ProgressDisplay, "for_terminal", classmethod(lambda cls, **kw: None))
    run = CliRunner().invoke(cli, ["solve", str(SODERTALJE), "--lang", "sv"], catch_exceptions=False)
    assert run.exit_code == EXIT_INTERRUPTED
    assert "avbrutet under den oberoende kontrollen: planen som skrevs ut är okontrollerad" in run.stderr
    assert run.stdout.startswith("OKONTROLLERAD: planen sparades innan den oberoende kontrollen var klar")


def test_ctrl_c_while_writing_finishes_the_file_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, problem: mm.Problem
) -> None:
    real = mm.save_result

    def save(result: mm.Result, path: Path, **kwargs: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C as the file is written: held off until it is
        real(result, path, **kwargs)

    monkeypatch.setattr(solving_module, "save_result", save)
    display = _Display()
    out = tmp_path / "r.json"
    run = _solve(monkeypatch, display, out)
    assert run.exit_code == EXIT_INTERRUPTED
    assert display.notes == ["interrupted: writing the plan first"]
    assert "interrupted: the plan was written first" in run.stderr
    result = mm.load_result(out)
    assert not result.unchecked
    assert mm.check(problem, result).ok


def test_a_checked_result_is_written_as_before(solved: mm.Result) -> None:
    """No mark, no key: a checked result's file has the bytes it had before the mark existed."""
    assert "unchecked" not in json.loads(solved.to_json())["statistics"]
    marked = solved.marked(unchecked=True)
    assert marked.decision is solved.decision
    assert json.loads(marked.to_json())["statistics"]["unchecked"] is True
    assert marked.marked(unchecked=False).to_json() == solved.to_json()


@pytest.mark.parametrize("name", ["r.json", "r.xlsx", "folder"])
def test_the_mark_survives_every_file_format(solved: mm.Result, tmp_path: Path, name: str) -> None:
    if name.endswith(".xlsx"):
        pytest.importorskip("openpyxl")
    for marked in (True, False):
        path = tmp_path / str(marked) / name
        path.parent.mkdir()
        mm.save_result(solved.marked(unchecked=marked), path, lang="sv")
        assert mm.load_result(path).unchecked is marked


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "UNCHECKED: this plan was saved before the independent check finished"), ("sv", "OKONTROLLERAD: planen")],
)
def test_the_report_says_a_plan_is_unchecked(problem: mm.Problem, solved: mm.Result, lang: str, words: str) -> None:
    from matchmaker.report import html_report
    from matchmaker.report._text import format_result

    marked = solved.marked(unchecked=True)
    for shown in (
        text_report(marked, problem, lang=lang),  # type: ignore[arg-type]
        format_result(marked, lang=lang, problem=problem),  # type: ignore[arg-type]
        html_report(marked, problem, lang=lang),  # type: ignore[arg-type]
    ):
        assert words in shown
    assert words not in text_report(solved, problem, lang=lang)  # type: ignore[arg-type]
    assert 'id="unchecked"' not in html_report(solved, problem, lang=lang)  # type: ignore[arg-type]


def test_an_unchecked_recommendation_is_checked_before_approval(problem: mm.Problem, solved: mm.Result) -> None:
    marked = solved.marked(unchecked=True)
    record = mm.approve(problem, marked, "O-7")
    assert record.state == "approved"
    first = solved.decision.assignments[0]
    other = next(a for a in solved.decision.assignments if a.unit != first.unit)
    moved = first.model_copy(update={"supervisor": other.supervisor, "unit": other.unit})
    broken = marked.model_copy(
        update={"decision": marked.decision.model_copy(update={"assignments": (moved, *marked.assignments[1:])})}
    )
    with pytest.raises(mm.errors.ApprovalError, match="unchecked recommendation failed its independent check"):
        mm.approve(problem, broken, "O-7")
    mm.approve(problem, broken.marked(unchecked=False), "O-7")  # a checked one is trusted as it is


def test_check_command_names_a_failing_plan(tmp_path: Path, problem: mm.Problem, solved: mm.Result) -> None:
    d = solved.decision
    broken = solved.model_copy(update={"decision": d.model_copy(update={"assignments": d.assignments[1:]})})
    path = tmp_path / "r.json"
    mm.save_result(broken.marked(unchecked=True), path)
    run = CliRunner().invoke(cli, ["check", str(SODERTALJE), str(path)])
    assert run.exit_code == EXIT_NO_PLAN
    assert "fails the independent check" in run.stderr
    assert mm.load_result(path).unchecked  # still marked


def test_the_commands_limits_hold_in_the_solving_thread(tmp_path: Path) -> None:
    """``--limit`` is a context variable; the solve runs in a worker thread, which must see it too."""
    out = tmp_path / "r.json"
    run = CliRunner().invoke(cli, ["--limit", "max_pairs=10", "solve", str(SODERTALJE), "-o", str(out)])
    assert run.exit_code == EXIT_BAD_INPUT, run.output
    assert "over the limit of 10" in run.stderr
    assert "Traceback" not in run.output
    assert not out.exists()
