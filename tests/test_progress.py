"""Progress events of a solve, the live display on a terminal (a pty) and not when piped, and Ctrl-C."""

from __future__ import annotations

import io
import itertools
import json
import logging
import os
import pty
import select
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

import matchmaker as mm
from matchmaker._progress import ProgressEvent

ROOT = Path(__file__).resolve().parents[1]
JOINT = ROOT / "examples" / "huddinge-nacka-tyreso" / "problem.json"


@pytest.fixture(scope="module")
def joint() -> mm.Problem:
    return mm.load_problem(JOINT)


@pytest.mark.parametrize("engine", ["auto", "cp-sat"])
def test_events_follow_the_stages_and_end_with_the_status(joint: mm.Problem, engine: str) -> None:
    events: list[ProgressEvent] = []
    result = mm.solve(joint, mm.SolveOptions(engine=engine, workers=2), progress=events.append)
    plain = mm.solve(joint, mm.SolveOptions(engine=engine, workers=2))
    assert result.decision_json() == plain.decision_json()  # progress never changes a decision
    kinds = [e.kind for e in events]
    stages = len(result.statistics.stages)
    assert kinds.count("stage") == kinds.count("stage_done") == stages
    assert kinds[-1] == "done"
    assert kinds.count("done") == 1
    assert events[-1].status == result.status.value
    done = [e for e in events if e.kind == "stage_done"]
    assert [e.stage for e in done] == list(range(1, stages + 1))
    assert [e.status for e in done] == [s.status for s in result.statistics.stages]
    assert [None if e.objective is None else int(e.objective) for e in done] == [
        s.value for s in result.statistics.stages
    ]
    assert all(e.elapsed >= 0 for e in events)
    assert all(a.elapsed <= b.elapsed for a, b in itertools.pairwise(events))
    phases = [e.phase for e in events if e.kind == "phase"]
    assert [p for i, p in enumerate(phases) if p not in phases[:i]] == ["score", "build", "solve", "decode"]
    assert events[0].kind == "phase"
    assert all(e.phase == "solve" for e in events if e.kind in ("stage", "engine", "stage_done"))
    if engine == "cp-sat":  # CP-SAT reports its plans, bounds and log lines on the way
        counts = Counter(kinds)
        assert counts["solution"] >= 1
        assert counts["log"] >= 1
        assert all(isinstance(e.line, str) for e in events if e.kind == "log")
        assert any(e.line for e in events if e.kind == "log")
        assert all(e.engine == "cp-sat" for e in events if e.kind in ("solution", "bound"))


def test_event_text_and_gap() -> None:
    event = ProgressEvent("bound", 4.25, 3, 5, ("total_fit",), "cp-sat", 8392.0, 8457.0)
    assert event.gap == pytest.approx(65 / 8457)
    assert event.text() == "4.2 s  stage 3/5 total_fit (cp-sat)  best 8 392  bound 8 457  gap 0.77%"
    assert ProgressEvent("tick", 0.5).gap is None
    assert ProgressEvent("tick", 0.5).text() == "0.5 s"


def test_a_failing_callback_is_switched_off_and_the_solve_goes_on(
    joint: mm.Problem, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def broken(event: ProgressEvent) -> None:
        calls.append(event.kind)
        raise ValueError("boom")

    with caplog.at_level(logging.ERROR, logger="matchmaker.progress"):
        result = mm.solve(joint, progress=broken)
    assert result.is_optimal
    assert calls == ["phase"]  # the first event (scoring starts) failed: none came after it
    assert "progress callback failed" in caplog.text


def _run_in_pty(args: list[str], stdout: Path | None = None) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal (standard output to ``stdout`` if given); the exit code and what
    the terminal showed."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    with open(stdout or os.devnull, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "matchmaker", *args],
            stdin=follower,
            stdout=follower if stdout is None else out,
            stderr=follower,
            env=env,
            cwd=ROOT,
        )
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=120)
    os.close(leader)
    return code, seen.decode("utf-8", "replace")


@pytest.mark.slow
def test_progress_is_drawn_on_a_terminal(tmp_path: Path) -> None:
    pytest.importorskip("rich")
    out = tmp_path / "r.json"
    code, terminal = _run_in_pty(["solve", str(JOINT), "-o", str(out), "--progress-after", "0"])
    assert code == 0, terminal
    assert "solving" in terminal
    assert "stage 1/" in terminal
    assert "Ctrl-C stops the search" in terminal
    assert "status: optimal" in terminal
    assert mm.load_result(out).is_optimal


@pytest.mark.slow
def test_no_progress_when_the_plan_goes_to_a_file(tmp_path: Path) -> None:
    """Standard error on a terminal, standard output redirected (a file, a pager): no display."""
    pytest.importorskip("rich")
    code, terminal = _run_in_pty(["solve", str(JOINT), "--progress-after", "0"], tmp_path / "plan.txt")
    assert code == 0
    assert terminal == ""
    assert "status: optimal" in (tmp_path / "plan.txt").read_text("utf-8")


def test_no_progress_when_piped(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "matchmaker", "solve", str(JOINT), "--progress-after", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0
    assert "solving" not in done.stderr
    assert "\x1b[" not in done.stderr + done.stdout
    assert "status: optimal" in done.stdout


@pytest.mark.slow
def test_no_progress_with_quiet_on_a_terminal() -> None:
    pytest.importorskip("rich")
    code, terminal = _run_in_pty(["solve", str(JOINT), "-q", "--progress-after", "0"])
    assert code == 0
    assert terminal == ""


def test_display_draws_after_its_delay_only() -> None:
    pytest.importorskip("rich")
    from rich.console import Console

    from matchmaker._cli.console import ProgressDisplay

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    display = ProgressDisplay(console, delay=1.0)
    display(ProgressEvent("stage", 0.2, 1, 3, ("placed",)))
    assert not display.shown
    assert buffer.getvalue() == ""
    display(ProgressEvent("bound", 1.5, 1, 3, ("placed",), "cp-sat", 40.0, 42.0))
    assert display.shown
    display.note("stopping")
    display.close()
    display.close()  # idempotent
    text = buffer.getvalue()
    assert "stage 1/3" in text
    assert "best 40" in text
    assert "bound 42" in text
    assert "gap 4.76%" in text
    assert "stopping" in text


class _InterruptAfterFirstStage:
    """A stand-in for the live display that presses Ctrl-C (SIGINT to the main thread) when the first
    stage ends, and holds the solving thread until the main thread has heard it, so that the next stage
    sees the cancellation (no race, no sleep)."""

    shown = True  # so that the Ctrl-C handler reports through note()

    def __init__(self) -> None:
        self.sent = False
        self.heard = threading.Event()
        self.notes: list[str] = []

    def __call__(self, event: ProgressEvent) -> None:
        if event.kind == "stage_done" and not self.sent:
            self.sent = True
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            self.heard.wait(60)

    def note(self, text: str) -> None:
        self.notes.append(text)
        self.heard.set()

    def close(self) -> None:
        pass


def test_ctrl_c_stops_the_search_and_keeps_the_plan(
    joint: mm.Problem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's solve in the main thread; Ctrl-C arrives after the first stage: the result keeps the
    first stage's plan, status feasible, is checked and written, and the exit code is 0."""
    pytest.importorskip("click")
    from click.testing import CliRunner

    from matchmaker._cli import cli
    from matchmaker._cli import console as _console

    fake = _InterruptAfterFirstStage()
    original = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(_console.ProgressDisplay, "for_terminal", classmethod(lambda cls, **kw: fake))
    out = tmp_path / "r.json"
    run = CliRunner().invoke(cli, ["solve", str(JOINT), "-o", str(out)], catch_exceptions=False)
    assert signal.getsignal(signal.SIGINT) is original  # the handler is restored
    assert fake.sent
    assert run.exit_code == 0, run.output
    assert fake.notes == ["interrupted: stopping the solve, keeping the best plan found so far (Ctrl-C again aborts)"]
    assert "interrupted: the search was stopped; status feasible" in run.output
    result = mm.load_result(out)
    assert result.status == mm.Status.FEASIBLE
    assert mm.check(joint, result).ok
    full = mm.solve(joint)
    assert len(result.statistics.stages) < len(full.statistics.stages)
    first = full.statistics.stages[0]
    assert result.statistics.stages[0].value == first.value  # the first stage's optimum is kept
    assert json.loads(out.read_text("utf-8"))["decision"]["status"] == "feasible"


@pytest.mark.parametrize("engine", ["auto", "cp-sat"])
def test_a_cancel_as_an_engine_takes_up_a_stage_stops_that_stage(joint: mm.Problem, engine: str) -> None:
    """Cancelled just as an engine takes up stage 2 (before its search starts, e.g. while CP-SAT's
    model is built): the stage does not run, and the plan of stage 1 is kept."""
    token = mm.CancelToken()

    def cancel_at_stage_two(event: ProgressEvent) -> None:
        if event.kind == "engine" and event.stage == 2:
            token.cancel()

    result = mm.solve(joint, mm.SolveOptions(engine=engine, workers=2), cancel=token, progress=cancel_at_stage_two)
    assert result.status == mm.Status.FEASIBLE
    assert result.statistics.cancelled
    first = mm.solve(joint, mm.SolveOptions(engine=engine, workers=2)).statistics.stages[0]
    assert result.statistics.stages[0].value == first.value
    assert mm.check(joint, result).ok
    if len(result.statistics.stages) > 1:
        assert result.statistics.stages[1].engine_status == "STOPPED"
