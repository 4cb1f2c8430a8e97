"""Run one measurement in this process and print its outcome as one JSON line.

The runner (:mod:`benchmarks.run`) starts one worker process per measurement, so each gets its own peak
memory (``ru_maxrss``) and the HiGHS peer never shares a process with OR-Tools. Only what a task needs
is imported: a ``json-load`` worker imports no numpy, a ``highs`` worker no matchmaker.

A task is a JSON object::

    {"kind": "json-load" | "mm-load" | "mm-e2e" | "mm-build" | "mm-solve" | "peer",
     "problem": "<problem.json>", "arrays": "<arrays.npz>", "repeats": 3,
     "time_limit": 300.0, "workers": 2, "budget": 60.0, "warmup": 0,
     "engine": "auto",              # mm-e2e, mm-solve: a matchmaker engine name
     "policy": {...} | null,        # mm-solve: policy settings merged into the problem's policy
     "relaxed_fairness": false,     # mm-solve: check the plan without the instance's fairness rule
     "peer": "flow"}                # peer: a name in benchmarks.peers.PEERS

A measurement runs ``warmup`` times untimed (default 0: the first, cold run counts), then ``repeats``
times, or fewer once its runs together took ``budget`` seconds.
Everything inside the timed call is what the measurement names: ``mm-e2e`` reads, validates, solves
and writes the result; ``mm-solve`` solves from a validated problem; ``mm-build`` scores and builds the
model; a peer builds its own model from the arrays and solves it. Loading the problem or arrays for the
other measurements happens before the clock starts.

Run by hand: ``python -m benchmarks.worker '{"kind": "peer", "peer": "flow", ...}'``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["DEFAULT_BUDGET", "main", "run_task"]

T = TypeVar("T")


def _rss_now_mib() -> float:
    """Resident memory now (Linux ``/proc``; elsewhere the peak so far)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return _rss_peak_mib()


def _rss_peak_mib() -> float:
    """Peak resident memory of this process.

    Linux: ``VmHWM`` from ``/proc/self/status``, the high-water mark of this program's own memory
    (``ru_maxrss`` would also count the parent's memory at the fork, which Linux carries across exec).
    Elsewhere ``ru_maxrss`` (KiB on Linux, bytes on macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


#: Default of a task's ``budget``: stop repeating once the runs together took this many seconds.
DEFAULT_BUDGET = 60.0


def _timed(
    fn: Callable[[], T], task: dict[str, Any], before: Callable[[], None] | None = None
) -> tuple[list[float], T]:
    """Run ``fn`` up to the task's ``repeats`` times (at least once, fewer once its ``budget`` is spent).

    ``before`` runs untimed before each run (e.g. to hand every run a fresh problem object, so that
    nothing a problem caches, such as its fingerprint, carries over from one run to the next).
    """
    budget = float(task.get("budget", DEFAULT_BUDGET))
    times: list[float] = []
    out: T | None = None
    for _ in range(int(task.get("warmup", 0))):
        if before is not None:
            before()
        fn()
    for _ in range(max(1, int(task["repeats"]))):
        if before is not None:
            before()
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
        if sum(times) >= budget:
            break
    assert out is not None
    return times, out


def _json_load(task: dict[str, Any]) -> dict[str, Any]:
    def load() -> object:
        with open(task["problem"], "rb") as fh:
            return json.load(fh)

    base = _rss_now_mib()
    times, _ = _timed(load, task)
    return {"times": times, "base_rss_mib": base, "status": "ok"}


def _mm_task(task: dict[str, Any]) -> dict[str, Any]:
    import matchmaker as mm
    from matchmaker._build import build_model
    from matchmaker._scoring import score

    kind = task["kind"]
    path = task["problem"]
    if kind == "mm-load":
        base = _rss_now_mib()
        times, _ = _timed(lambda: mm.load_problem(path), task)
        return {"times": times, "base_rss_mib": base, "status": "ok"}

    options = mm.SolveOptions(
        time_limit=float(task["time_limit"]), workers=int(task["workers"]), engine=task.get("engine", "auto")
    )
    if kind == "mm-e2e":
        out_dir = tempfile.mkdtemp(prefix="mm-bench-")
        out = Path(out_dir) / "result.json"

        def end_to_end() -> mm.Result:
            result = mm.solve(mm.load_problem(path), options)
            mm.dump_result(result, out)
            return result

        base = _rss_now_mib()
        times, result = _timed(end_to_end, task)
        out.unlink(missing_ok=True)
        os.rmdir(out_dir)
        return {"times": times, "base_rss_mib": base, **_mm_outcome(task, result)}

    def load() -> mm.Problem:
        loaded = mm.load_problem(path)
        if task.get("policy"):
            merged = {**loaded.policy.model_dump(mode="json"), **task["policy"]}
            loaded = mm.Problem.model_validate({**loaded.model_dump(mode="json"), "policy": merged})
        return loaded

    problem = load()
    base = _rss_now_mib()
    if kind == "mm-build":
        parts: dict[str, list[float]] = {"score": [], "build": []}

        from matchmaker._engines.deferred_acceptance import applies
        from matchmaker._pieces import default_constraints

        skipped: list[str] = []

        def build() -> int:
            t0 = time.perf_counter()
            scores = score(problem)
            t1 = time.perf_counter()
            # the model solve() builds: without the stability rows when deferred acceptance answers
            constraints = None
            if problem.policy.stability is not None and applies(problem, scores):
                constraints = [c for c in default_constraints(problem) if c.name != "stability"]
                skipped[:] = ["stability"]
            model = build_model(problem, scores, constraints=constraints)
            parts["score"].append(t1 - t0)
            parts["build"].append(time.perf_counter() - t1)
            return model.n_rows

        times, n_rows = _timed(build, task)
        detail: dict[str, Any] = {f"{k}_median": statistics.median(v) for k, v in parts.items()} | {"rows": n_rows}
        if skipped:
            detail["without"] = skipped
        return {"times": times, "base_rss_mib": base, "status": "ok", "detail": detail}
    if kind == "mm-solve":
        fresh = [problem]

        def reload() -> None:
            fresh[0] = load()

        if task.get("check"):
            # A checked result: the solve, then the independent checker on it (a broken rule fails the run).
            def solve_and_check() -> mm.Result:
                result = mm.solve(fresh[0], options)
                mm.check(fresh[0], result).raise_if_invalid()
                return result

            times, result = _timed(solve_and_check, task, before=reload)
            return {"times": times, "base_rss_mib": base, **_mm_outcome(task, result)}
        # Each run solves a problem object of its own: a fresh validated problem, as a caller has it.
        times, result = _timed(lambda: mm.solve(fresh[0], options), task, before=reload)
        return {"times": times, "base_rss_mib": base, **_mm_outcome(task, result)}
    raise ValueError(f"unknown task kind {kind!r}")


def _mm_outcome(task: dict[str, Any], result: Any) -> dict[str, Any]:
    """Status, chosen pairs, levels and statistics of a matchmaker result."""
    from benchmarks.instance import load_arrays
    from benchmarks.verify import evaluate, pairs_of

    stats = result.statistics
    detail = {
        "engine": stats.engine,
        "score_time": stats.score_time,
        "build_time": stats.build_time,
        "solve_time": stats.solve_time,
        "n_pairs": stats.n_pairs,
        "n_rows": stats.n_rows,
        "stages": [
            {"levels": list(s.levels), "status": s.status, "engine_status": s.engine_status, "wall_time": s.wall_time}
            for s in stats.stages
        ],
        "reported_levels": dict(result.objective),
    }
    out: dict[str, Any] = {"status": result.status.value, "detail": detail}
    if result.status.has_plan and task.get("arrays"):
        arrays = load_arrays(Path(task["arrays"]))
        if task.get("relaxed_fairness"):
            # Solved without the fairness rule (an upper bound): check it without that rule too.
            arrays = dataclasses.replace(arrays, fairness=None)
        chosen = pairs_of(arrays, ((a.applicant, a.supervisor) for a in result.assignments))
        ev = evaluate(arrays, chosen)
        violations = list(ev.violations)
        differ = {k: v for k, v in result.objective.items() if ev.levels.get(k) != v}
        if differ:
            violations.append(f"matchmaker's reported levels differ from the recomputed ones: {differ}")
        out |= {
            "chosen": chosen.tolist(),
            "levels": ev.levels,
            "levels_solved": list(result.objective),
            "violations": violations,
            "blocking_pairs": ev.blocking,
        }
    return out


def _peer_task(task: dict[str, Any]) -> dict[str, Any]:
    from benchmarks.instance import load_arrays
    from benchmarks.peers import PEERS, PeerOptions
    from benchmarks.verify import evaluate

    peer = PEERS[task["peer"]]
    peer.load()
    arrays = load_arrays(Path(task["arrays"]))
    options = PeerOptions(time_limit=float(task["time_limit"]), workers=int(task["workers"]))
    base = _rss_now_mib()
    times, outcome = _timed(lambda: peer.solve(arrays, options), task)
    out: dict[str, Any] = {
        "times": times,
        "base_rss_mib": base,
        "status": outcome.status,
        "levels_solved": list(outcome.levels),
        "detail": outcome.detail | {"version": peer.version()},
    }
    if outcome.chosen is not None:
        ev = evaluate(arrays, outcome.chosen)
        out |= {
            "chosen": outcome.chosen.tolist(),
            "levels": ev.levels,
            "violations": list(ev.violations),
            "blocking_pairs": ev.blocking,
        }
    return out


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one task (see the module docstring) and return its outcome with times and memory."""
    kind = task["kind"]
    if kind == "json-load":
        out = _json_load(task)
    elif kind == "peer":
        out = _peer_task(task)
    else:
        import matchmaker as mm

        # The benchmark measures what matchmaker can do, not the safety limits a deployment keeps
        # (2,000,000 pairs, 100,000 applicants and 256 MiB files by default): the national instances
        # have 10 million pairs (100,000 applicants) and 500,000 applicants.
        limits = mm.Limits(max_pairs=50_000_000, max_applicants=1_000_000, max_file_bytes=2**30)
        with mm.use_limits(limits):
            out = _mm_task(task)
    out["peak_rss_mib"] = _rss_peak_mib()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the task given as the only argument (JSON) and print the outcome as one JSON line."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m benchmarks.worker TASK_JSON", file=sys.stderr)
        return 2
    task = json.loads(args[0])
    try:
        out = run_task(task)
    except Exception as exc:  # noqa: BLE001 - the runner reports any failure of a measurement as its outcome
        out = {"status": "error", "error": f"{type(exc).__name__}: {exc}", "peak_rss_mib": _rss_peak_mib()}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
