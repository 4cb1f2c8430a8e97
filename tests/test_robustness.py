"""Robustness: size limits, time limits and cancellation, concurrent solves, what a non-optimal result
promises, results tied to their problem, and the native-library clash with highspy.

No test here asserts a duration. Where a test needs a solve to be stopped at a given point, a
scripted session (a thin subclass of the real :class:`AutoSession`) makes the point deterministic.
"""

from __future__ import annotations

import importlib
import io
import os
import signal
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given

import matchmaker as mm
from conftest import EXAMPLES, make_problem
from matchmaker._cli.interrupt import run_interruptible
from matchmaker._engines.auto import AutoSession
from matchmaker._engines.base import StageOutcome
from matchmaker._limits import candidate_pairs
from matchmaker._linear import Objective
from matchmaker._scoring import score
from matchmaker._types import IntArray
from strategies import problems

solve_module = importlib.import_module("matchmaker._solve")
cli_module = importlib.import_module("matchmaker._cli")
files_module = importlib.import_module("matchmaker.io._files")
SODERTALJE = EXAMPLES / "sodertalje" / "problem.json"
JOINT = EXAMPLES / "huddinge-nacka-tyreso" / "problem.json"


def sodertalje() -> mm.Problem:
    return mm.load_problem(SODERTALJE)


def one_issue(exc: mm.InputError) -> mm.ValidationIssue:
    assert len(exc.issues) == 1, exc.issues
    issue = exc.issues[0]
    assert issue.location
    assert issue.message
    assert issue.fix
    return issue


# --- limits --------------------------------------------------------------------------------------------


def test_default_limits_fit_the_bundled_examples_and_benchmarks() -> None:
    limits = mm.current_limits()
    assert limits == mm.Limits()
    assert limits.max_pairs >= 1_234_931  # the 10,000-applicant dense benchmark
    for path in (SODERTALJE, JOINT):
        mm.solve(mm.load_problem(path), mm.SolveOptions(workers=1))


@pytest.mark.parametrize("bad", [{"max_pairs": 0}, {"max_applicants": -1}, {"max_file_bytes": "5"}, {"max_x": 1}])
def test_limits_are_typed(bad: dict[str, Any]) -> None:
    with pytest.raises(mm.InputError):
        mm.Limits.model_validate(bad)


def test_too_many_applicants_in_a_file(tmp_path: Path) -> None:
    with mm.use_limits(mm.Limits(max_applicants=5)), pytest.raises(mm.ProblemValidationError) as info:
        mm.load_problem(SODERTALJE)
    issue = one_issue(info.value)
    assert issue.location == "applicants"
    assert "20 applicants, over the limit of 5" in issue.message
    assert "max_applicants" in issue.fix
    assert str(SODERTALJE) in str(info.value)


def test_record_counts_are_checked_before_any_record_is_built() -> None:
    # 300,000 references to one empty object: validating them would report 300,000 missing ids.
    data: dict[str, list[Any]] = {"municipalities": [], "units": [], "supervisors": [], "applicants": [{}] * 300_000}
    with pytest.raises(mm.ProblemValidationError) as info:
        mm.Problem.model_validate(data)
    assert "over the limit of 100,000" in one_issue(info.value).message


def test_too_many_supervisors_in_a_csv_folder(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    mm.save_problem(sodertalje(), folder)
    with mm.use_limits(mm.Limits(max_supervisors=3)), pytest.raises(mm.ProblemValidationError) as info:
        mm.load_problem(folder)
    assert "max_supervisors" in one_issue(info.value).fix


def test_limits_apply_to_their_block_only() -> None:
    four: dict[str, list[Any]] = {"municipalities": [], "units": [], "supervisors": [], "applicants": [{}] * 4}
    with mm.use_limits(mm.Limits(max_applicants=3)), pytest.raises(mm.ProblemValidationError, match="limit of 3"):
        mm.Problem.model_validate(four)
    with pytest.raises(mm.ProblemValidationError) as info:
        mm.Problem.model_validate(four)
    assert "over the limit" not in str(info.value)  # the records themselves were validated (ids missing)


def test_limits_belong_to_one_thread() -> None:
    seen: list[mm.Limits] = []
    with mm.use_limits(mm.Limits(max_pairs=7)):
        worker = threading.Thread(target=lambda: seen.append(mm.current_limits()))
        worker.start()
        worker.join()
        assert mm.current_limits().max_pairs == 7
    assert seen == [mm.Limits()]


def test_use_limits_needs_limits() -> None:
    with pytest.raises(TypeError, match="Limits"), mm.use_limits({"max_pairs": 5}):  # type: ignore[arg-type]
        pass


def test_file_bytes_limit(tmp_path: Path) -> None:
    with mm.use_limits(mm.Limits(max_file_bytes=100)), pytest.raises(mm.InputFileError) as info:
        mm.load_problem(SODERTALJE)
    assert "over the limit of 100 bytes" in one_issue(info.value).message
    assert mm.load_problem(SODERTALJE, max_bytes=10**6).applicants  # the explicit argument wins


def test_workbook_unpacked_size_is_checked_before_unzipping(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "round.xlsx"
    mm.save_problem(sodertalje(), path)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    with mm.use_limits(mm.Limits(max_unpacked_bytes=unpacked - 1)), pytest.raises(mm.InputFileError) as info:
        mm.load_problem(path)
    assert f"unpacks to {unpacked:,} bytes" in one_issue(info.value).message
    with mm.use_limits(mm.Limits(max_unpacked_bytes=unpacked)):
        assert mm.load_problem(path) == sodertalje()


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 16 * 1024**2)  # 16 MiB of zeros: 16 KiB packed
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(out.getvalue())
    assert path.stat().st_size < 10**5
    with mm.use_limits(mm.Limits(max_unpacked_bytes=1024**2)), pytest.raises(mm.InputFileError, match="unpacks to"):
        mm.load_problem(path)


def test_pairs_are_counted_before_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = mm.load_problem(JOINT)
    pairs = candidate_pairs(problem)

    def no_scoring(_: mm.Problem) -> None:
        raise AssertionError("scored a problem over the limit")

    with monkeypatch.context() as m, mm.use_limits(mm.Limits(max_pairs=pairs - 1)):
        m.setattr(solve_module, "score", no_scoring)
        with pytest.raises(mm.InputError) as info:
            mm.solve(problem)
    issue = one_issue(info.value)
    assert f"{pairs:,} possible (applicant, supervisor) pairs, over the limit of {pairs - 1:,}" in issue.message
    assert "max_pairs" in issue.fix
    with mm.use_limits(mm.Limits(max_pairs=pairs)):
        assert mm.solve(problem, mm.SolveOptions(workers=1)).is_optimal


def test_applicants_are_counted_again_when_solving() -> None:
    with mm.use_limits(mm.Limits(max_applicants=19)), pytest.raises(mm.InputError, match="max_applicants"):
        mm.solve(sodertalje())


@given(problems())
def test_candidate_pairs_bound_the_acceptable_pairs(raw: dict[str, Any]) -> None:
    problem = make_problem(raw)
    assert score(problem).n_pairs <= candidate_pairs(problem)


# --- time limits and cancellation ----------------------------------------------------------------------


def scripted(
    monkeypatch: pytest.MonkeyPatch,
    stage: Callable[[AutoSession, int, Objective, IntArray | None], StageOutcome],
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Make ``solve`` use a session whose k-th optimisation is ``stage(session, k, objective, hint)``
    and whose ``stop`` (what a cancel token calls) also calls ``on_stop``."""

    class Scripted(AutoSession):
        calls = 0  # per session: each solve counts its own stages

        def optimise(self, objective: Objective, time_limit: float | None, hint: IntArray | None) -> StageOutcome:
            k = self.calls
            self.calls += 1
            return stage(self, k, objective, hint)

        def stop(self) -> None:
            if on_stop is not None:
                on_stop()
            super().stop()

    monkeypatch.setattr(solve_module, "AutoSession", Scripted)


def real(session: AutoSession, objective: Objective, hint: IntArray | None) -> StageOutcome:
    return AutoSession.optimise(session, objective, None, hint)


@pytest.mark.parametrize(("engine", "cut"), [("auto", 1), ("cp-sat", 0), ("cp-sat", 1)])
def test_time_limit_hit_returns_the_plan_with_its_bound_and_gap(
    engine: str, cut: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stage ``cut`` ends as when the time runs out with a plan and no proof: ``feasible``, a bound."""

    def stage(session: AutoSession, k: int, objective: Objective, hint: IntArray | None) -> StageOutcome:
        out = real(session, objective, hint)
        if k != cut:
            return out
        assert out.objective is not None
        return StageOutcome("feasible", out.values, out.objective, out.objective + 5, 0.0, "FEASIBLE")

    # The flow merges Södertälje's whole objective into one stage: the joint example has two.
    problem = (
        sodertalje() if engine == "cp-sat" else mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    )
    options = mm.SolveOptions.model_validate({"engine": engine, "workers": 1, "time_limit": 10.0})
    optimum = mm.solve(problem, options)
    assert len(optimum.statistics.stages) > cut
    scripted(monkeypatch, stage)
    result = mm.solve(problem, options)
    assert result.status is mm.Status.FEASIBLE
    assert result.assignments
    assert mm.check(problem, result).ok
    cut_stage = result.statistics.stages[cut]
    assert cut_stage.value is not None
    assert cut_stage.bound == cut_stage.value + 5
    assert result.gap == pytest.approx(5 / cut_stage.bound)
    # Every stage before the cut was proven: its levels keep their optimal values.
    values = {lv.name: lv.value for lv in result.decision.objective}
    best = {lv.name: lv.value for lv in optimum.decision.objective}
    for proven in result.statistics.stages[:cut]:
        assert [values[name] for name in proven.levels] == [best[name] for name in proven.levels]
    # Every later stage held the cut stage at least at its value.
    if cut == 0 and len(result.statistics.stages) > 1:
        assert result.statistics.stages[1].status in {"optimal", "feasible"}


def test_time_limit_hit_without_a_plan_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def stage(session: AutoSession, k: int, objective: Objective, hint: IntArray | None) -> StageOutcome:
        return StageOutcome("unknown", None, None, None, 0.0, "UNKNOWN")

    problem = sodertalje()
    scripted(monkeypatch, stage)
    result = mm.solve(problem, mm.SolveOptions(workers=1, time_limit=10.0))
    assert result.status is mm.Status.UNKNOWN
    assert not result.assignments
    assert result.gap is None
    assert {u.reason for u in result.unplaced} == {mm.UnplacedReason.NO_PLAN}
    assert result.decision.message
    assert "allow more time" in result.decision.message
    with pytest.raises(mm.ResultStatusError):
        result.raise_for_status()
    assert mm.check(problem, result).ok


@pytest.mark.parametrize("engine", ["auto", "cp-sat"])
def test_a_real_time_limit_keeps_every_promise(engine: str) -> None:
    """Whatever a tiny time limit stops: a plan passes the check, and a non-optimal one says how far off."""
    problem = mm.load_problem(JOINT)
    result = mm.solve(problem, mm.SolveOptions.model_validate({"engine": engine, "workers": 1, "time_limit": 0.05}))
    assert mm.check(problem, result).ok
    if result.status is mm.Status.FEASIBLE:
        assert result.gap is not None
        assert result.gap >= 0
    if result.status is mm.Status.UNKNOWN:
        assert not result.assignments


def test_cancel_from_another_thread_returns_the_best_plan_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stage 2 runs until it is stopped; another thread cancels; the plan of stage 1 comes back."""
    started = threading.Event()
    stopped = threading.Event()

    def stage(session: AutoSession, k: int, objective: Objective, hint: IntArray | None) -> StageOutcome:
        if k == 0:
            return real(session, objective, hint)
        started.set()
        stopped.wait(timeout=300)  # an engine searching until the token stops it
        return StageOutcome("unknown", None, None, None, 0.0, "STOPPED")

    problem = mm.load_problem(JOINT)  # two stages (Södertälje's whole objective is one flow stage)
    optimum = mm.solve(problem, mm.SolveOptions(workers=1))
    assert len(optimum.statistics.stages) >= 2
    scripted(monkeypatch, stage, on_stop=stopped.set)
    token = mm.CancelToken()

    def cancel_when_started() -> None:
        started.wait(timeout=300)  # never hang the suite if stage 2 does not come
        token.cancel()

    canceller = threading.Thread(target=cancel_when_started)
    canceller.start()
    result = mm.solve(problem, mm.SolveOptions(workers=1), cancel=token)
    canceller.join()
    assert token.cancelled
    assert result.statistics.cancelled
    assert result.status is mm.Status.FEASIBLE
    assert mm.check(problem, result).ok
    # The first stage was proven: its levels hold their optimal values (the promise for a stopped solve).
    proven = result.statistics.stages[0].levels
    assert [lv for lv in result.decision.objective if lv.name in proven] == [
        lv for lv in optimum.decision.objective if lv.name in proven
    ]


@pytest.mark.parametrize("engine", ["auto", "cp-sat"])
def test_cancel_a_real_engine_from_another_thread(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The token stops the real engine mid-stage; any outcome is a checked result, never an error."""
    token = mm.CancelToken()

    def stage(session: AutoSession, k: int, objective: Objective, hint: IntArray | None) -> StageOutcome:
        if k != 1:
            return real(session, objective, hint)
        canceller = threading.Thread(target=token.cancel)
        canceller.start()  # races with the engine, on purpose
        out = real(session, objective, hint)
        canceller.join()
        return out

    problem = mm.load_problem(JOINT)
    scripted(monkeypatch, stage)
    result = mm.solve(problem, mm.SolveOptions.model_validate({"engine": engine, "workers": 2}), cancel=token)
    assert result.statistics.cancelled
    assert result.status.has_plan  # stage 1 finished before the cancel
    assert mm.check(problem, result).ok


def test_cp_sat_never_takes_over_ctrl_c() -> None:
    with pytest.raises(mm.InputError, match="Ctrl-C"):
        mm.SolveOptions(cpsat_parameters={"catch_sigint_signal": True})
    before = signal.getsignal(signal.SIGINT)
    mm.solve(mm.load_problem(JOINT), mm.SolveOptions(engine="cp-sat", workers=1))
    assert signal.getsignal(signal.SIGINT) is before


# --- non-optimal results and determinism ---------------------------------------------------------------


@pytest.mark.parametrize("engine", ["auto", "cp-sat"])
def test_what_a_stopped_solve_promises_across_runs(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The promise for a non-optimal result, stopped after the same proven stages with any worker
    count: the same status, the optimal values on every proven level, a plan that passes the check.
    The plan itself may differ (several plans can share those values)."""

    def stage(session: AutoSession, k: int, objective: Objective, hint: IntArray | None) -> StageOutcome:
        if k == 0:
            return real(session, objective, hint)
        return StageOutcome("unknown", None, None, None, 0.0, "UNKNOWN")

    problem = mm.load_problem(JOINT)
    optimum = mm.solve(problem, mm.SolveOptions(workers=1))
    scripted(monkeypatch, stage)
    for workers in (1, 2, 4):
        result = mm.solve(problem, mm.SolveOptions.model_validate({"engine": engine, "workers": workers}))
        assert result.status is mm.Status.FEASIBLE
        assert mm.check(problem, result).ok
        proven = result.statistics.stages[0].levels
        assert [lv for lv in result.decision.objective if lv.name in proven] == [
            lv for lv in optimum.decision.objective if lv.name in proven
        ]


def test_a_result_cannot_be_used_with_another_problem() -> None:
    problem = sodertalje()
    result = mm.solve(problem, mm.SolveOptions(workers=1))
    data = problem.model_dump(mode="json")
    data["units"][0]["max_places"] += 1
    other = mm.Problem.model_validate(data)
    assert result.decision.input_fingerprint == problem.fingerprint() != other.fingerprint()
    report = mm.check(other, result)
    assert not report.ok
    assert "different problem" in str(report)
    with pytest.raises(mm.CheckFailedError):
        report.raise_if_invalid()
    applicant = problem.applicants[0].id
    with pytest.raises(mm.ResultMismatchError):
        mm.explain(other, result, applicant)
    with pytest.raises(mm.ResultMismatchError):
        mm.reserve_lists(other, result)
    with pytest.warns(DeprecationWarning, match="matchmaker.explain"), pytest.raises(mm.ResultMismatchError):
        result.explain(other, applicant)


# --- concurrency -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_solves_give_the_sequential_decisions() -> None:
    jobs: list[tuple[mm.Problem, mm.SolveOptions]] = []
    for path in (SODERTALJE, JOINT):
        problem = mm.load_problem(path)
        for engine, workers, seed in (("auto", 1, 0), ("auto", 2, 3), ("cp-sat", 2, 0)):
            data = problem.model_dump(mode="json")
            data["policy"]["lottery_seed"] = seed
            options = mm.SolveOptions.model_validate({"engine": engine, "workers": workers})
            jobs.append((mm.Problem.model_validate(data), options))
    expected = [mm.solve(p, o).decision_json() for p, o in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda job: mm.solve(*job).decision_json(), jobs + jobs))
    assert got == expected + expected


def test_concurrent_solves_with_cancellation_and_limits() -> None:
    """Threads that cancel, limit and solve at once do not disturb each other."""
    problem = sodertalje()
    expected = mm.solve(problem, mm.SolveOptions(workers=1)).decision_json()

    def plain(_: int) -> bytes:
        return mm.solve(problem, mm.SolveOptions(workers=1)).decision_json()

    def limited(_: int) -> str:
        with mm.use_limits(mm.Limits(max_applicants=1)):
            try:
                mm.solve(problem)
            except mm.InputError:
                return "refused"
        return "solved"

    def cancelled(_: int) -> bool:
        token = mm.CancelToken()
        token.cancel()
        result = mm.solve(problem, mm.SolveOptions(workers=1), cancel=token)
        return mm.check(problem, result).ok

    with ThreadPoolExecutor(max_workers=6) as pool:
        plains = [pool.submit(plain, i) for i in range(4)]
        limits = [pool.submit(limited, i) for i in range(4)]
        cancels = [pool.submit(cancelled, i) for i in range(4)]
        assert [f.result() for f in plains] == [expected] * 4
        assert [f.result() for f in limits] == ["refused"] * 4
        assert all(f.result() for f in cancels)


# --- the HiGHS clash ---------------------------------------------------------------------------------------

CLASH = r"""
import importlib.abc, sys, types
sys.modules["highspy"] = types.ModuleType("highspy")  # as if highspy had been imported first

class Clash(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.startswith("ortools."):  # whichever OR-Tools module matchmaker loads first
            raise ImportError("libortools.so.9: undefined symbol: _Z19setLocalOptionValueRK15HighsLogOptions")
        return None

sys.meta_path.insert(0, Clash())
try:
    import matchmaker
except ImportError as exc:
    print(exc)
"""


def test_highspy_clash_is_explained() -> None:
    """Simulated, so that it runs without highspy: the clash becomes a message that says what to do."""
    proc = subprocess.run([sys.executable, "-c", CLASH], capture_output=True, text=True, check=True)
    assert "highspy bundle different builds of the HiGHS solver" in proc.stdout
    assert "Run HiGHS in its own process" in proc.stdout


def test_other_import_errors_are_not_blamed_on_highspy() -> None:
    from matchmaker._native import highs_clash_message

    assert highs_clash_message(ImportError("No module named 'ortools'")) is None
    assert highs_clash_message(ImportError("x.so: undefined symbol: _ZN5Highs13releaseMemoryEv")) is not None


def test_highspy_clash_for_real() -> None:
    """With highspy installed (the benchmarks' group), the real clash gives the same message."""
    probe = subprocess.run([sys.executable, "-c", "import highspy"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("highspy is not installed")
    code = "import highspy\ntry:\n    import matchmaker\nexcept ImportError as exc:\n    print(exc)\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout == "" or "Run HiGHS in its own process" in proc.stdout


# --- Ctrl-C and safe output on the command line ----------------------------------------------------------------


def _interrupt_main_thread() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_cancels_and_a_second_one_aborts() -> None:
    cancelled = threading.Event()
    release = threading.Event()
    told: list[str] = []

    def work(token: mm.CancelToken) -> str:
        token._register(cancelled.set)
        _interrupt_main_thread()
        cancelled.wait()
        return "best plan so far"

    assert run_interruptible(work, lambda: told.append("told")) == "best plan so far"
    assert told == ["told"]

    cancelled.clear()

    def stubborn(token: mm.CancelToken) -> str:
        token._register(cancelled.set)
        _interrupt_main_thread()
        cancelled.wait()
        _interrupt_main_thread()  # the user insists
        release.wait()
        return "never seen"

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        run_interruptible(stubborn)
    release.set()
    assert signal.getsignal(signal.SIGINT) is before


def test_run_interruptible_outside_the_main_thread_runs_directly() -> None:
    seen: list[bool] = []
    worker = threading.Thread(target=lambda: seen.append(run_interruptible(lambda token: not token.cancelled)))
    worker.start()
    worker.join()
    assert seen == [True]


def test_run_interruptible_raises_what_the_work_raised() -> None:
    def work(token: mm.CancelToken) -> None:
        raise mm.SolverError("engine broke")

    with pytest.raises(mm.SolverError, match="engine broke"):
        run_interruptible(work)


def test_ctrl_c_in_the_cli_writes_the_best_plan_so_far(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the solve runs: the command stops the solve, checks and writes the plan it has."""
    real_solve = mm.solve

    def interrupted_solve(
        problem: mm.Problem,
        options: mm.SolveOptions,
        *,
        cancel: mm.CancelToken | None = None,
        progress: object = None,
    ) -> mm.Result:
        assert cancel is not None
        stopped = threading.Event()
        cancel._register(stopped.set)

        def after_first_stage(event: mm.ProgressEvent) -> None:
            if event.kind == "stage_done" and not stopped.is_set():
                _interrupt_main_thread()
                stopped.wait()  # the handler in the main thread cancelled the token

        return real_solve(problem, options, cancel=cancel, progress=after_first_stage)

    from matchmaker._cli import console as _console

    monkeypatch.setattr(_console, "solve", interrupted_solve)
    out = tmp_path / "result.json"
    res = CliRunner().invoke(cli_module.cli, ["solve", str(SODERTALJE), "-o", str(out)])
    assert res.exit_code == cli_module.EXIT_OK, res.output
    assert "interrupted: stopping the solve, keeping the best plan found so far" in res.stderr
    result = mm.load_result(out)
    assert result.statistics.cancelled
    assert result.status.has_plan
    assert mm.check(sodertalje(), result).ok


@pytest.mark.slow
def test_ctrl_c_in_a_real_command(tmp_path: Path) -> None:
    """A real process, interrupted once the solve has started: a plan or none, never a traceback."""
    out = tmp_path / "result.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "matchmaker", "solve", str(JOINT), "-o", str(out), "-vv", "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "solving:" in line:
            proc.send_signal(signal.SIGINT)
            break
    _, stderr = proc.communicate()
    assert proc.returncode in (cli_module.EXIT_OK, cli_module.EXIT_INTERRUPTED), stderr
    assert "Traceback" not in stderr
    if proc.returncode == cli_module.EXIT_OK:
        assert mm.check(mm.load_problem(JOINT), mm.load_result(out)).ok
    else:  # stopped before the search had a plan: nothing is written
        assert "interrupted before a plan was found: nothing written" in stderr
        assert not out.exists()


def test_a_failed_write_leaves_the_old_output_and_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "result.json"
    out.write_text("the previous result\n", encoding="utf-8")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "fsync", disk_full)
    res = CliRunner().invoke(cli_module.cli, ["solve", str(SODERTALJE), "-o", str(out), "-q"])
    assert res.exit_code == cli_module.EXIT_BAD_INPUT
    assert "cannot be written (No space left on device)" in res.stderr
    assert "Traceback" not in res.output
    assert out.read_text("utf-8") == "the previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


@pytest.mark.parametrize("suffix", [".xlsx", ""])
def test_a_failed_write_of_a_new_output_leaves_nothing(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workbook, or a new folder of CSV files (written under a temporary name, then renamed)."""
    pytest.importorskip("openpyxl")
    calls: list[int] = []

    def disk_full_on_the_second_file(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2 or suffix:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "fsync", disk_full_on_the_second_file)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / f"result{suffix}"
    res = CliRunner().invoke(cli_module.cli, ["solve", str(SODERTALJE), "-o", str(out), "-q"])
    assert res.exit_code == cli_module.EXIT_BAD_INPUT, res.output
    assert "No space left on device" in res.stderr
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("suffix", [".xlsx", ""])
def test_the_cli_never_writes_over_a_table_input(suffix: str, tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    source = tmp_path / f"round{suffix}"
    mm.save_problem(sodertalje(), source)
    before = {p: p.read_bytes() for p in ([source] if suffix else sorted(source.iterdir()))}
    res = CliRunner().invoke(cli_module.cli, ["solve", str(source), "-o", str(source), "-q"])
    assert res.exit_code == cli_module.EXIT_BAD_INPUT
    assert "input" in res.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_no_pickle_eval_or_exec_in_the_library() -> None:
    """ruff's S301/S307/S102 rules forbid them; this checks the source as well, for any new module."""
    src = Path(mm.__file__).parent
    banned = ("import pickle", "pickle.load", "eval(", "exec(", "marshal.load", "shelve.open", "yaml.load(")
    for path in src.rglob("*.py"):
        text = path.read_text("utf-8")
        assert not [b for b in banned if b in text], path


def test_the_cli_changes_a_limit_for_one_command() -> None:
    runner = CliRunner()
    res = runner.invoke(cli_module.cli, ["--limit", "max_applicants=10", "validate", str(SODERTALJE)])
    assert res.exit_code == cli_module.EXIT_BAD_INPUT
    assert "has 20 applicants, over the limit of 10" in res.stderr
    res = runner.invoke(cli_module.cli, ["--limit", "max_applicants=20", "validate", str(SODERTALJE)])
    assert res.exit_code == cli_module.EXIT_OK, res.output
    assert mm.current_limits() == mm.Limits()  # the command's limits ended with it
    for bad in ("max_pairs", "max_pairs=lots", "max_pears=5", "max_pairs=0"):
        res = runner.invoke(cli_module.cli, ["--limit", bad, "validate", str(SODERTALJE)])
        assert res.exit_code == cli_module.EXIT_BAD_INPUT, bad
        assert res.stderr.startswith("error: ")


FIRST_USE = r"""
import sys
import matchmaker
from matchmaker._native import cp_model
print("cp_model" if "ortools.sat.python.cp_model" in sys.modules else "-", "pandas" if "pandas" in sys.modules else "-")
print(cp_model.__name__, "ortools.sat.python.cp_model" in sys.modules)  # a dunder name imports nothing
model = cp_model.CpModel()
import ortools.sat.python.cp_model as real
print(type(model) is real.CpModel, cp_model.OPTIMAL == real.OPTIMAL)
"""


def test_cp_sat_is_imported_on_first_use() -> None:
    """``import matchmaker`` leaves OR-Tools' CP-SAT module (which imports pandas) until a name of it is read."""
    proc = subprocess.run([sys.executable, "-c", FIRST_USE], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["- -", "ortools.sat.python.cp_model False", "True True"]


def test_a_cp_sat_solve_loads_cp_sat() -> None:
    code = (
        "import sys, matchmaker as mm\n"
        f"problem = mm.load_problem({str(EXAMPLES / 'sodertalje' / 'problem.json')!r})\n"
        "result = mm.solve(problem, mm.SolveOptions(engine='cp-sat', workers=1))\n"
        "print(result.status.value, 'ortools.sat.python.cp_model' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["optimal", "True"]
