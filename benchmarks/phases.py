"""One problem file loaded, solved, checked and written, each phase timed on the wall clock and in CPU.

For the national sizes (issue 23), where a run of :mod:`benchmarks.run` with its repeats would take
long: one run, the phases apart, the CPU time beside the wall time (on a shared machine the wall time
mostly measures the other work on it; matchmaker's deferred acceptance and its flow run on one core,
so on a quiet machine wall and CPU agree), and the peak memory after each phase (``VmHWM``). Run it
under ``/usr/bin/time -v`` for the whole process's figures::

    python -m benchmarks.generate --sizes 500000 --variants national
    /usr/bin/time -v python -m benchmarks.phases benchmarks/data/g1-500000-national-s1.problem.json
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _peak_gib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    """Load, solve, check and write one problem; print each phase's wall and CPU seconds."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.phases", description=__doc__.split("\n\n")[0])
    parser.add_argument("problem", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=900.0)
    args = parser.parse_args(argv)

    import matchmaker as mm

    marks = [(time.perf_counter(), time.process_time())]

    def phase(name: str, extra: str = "") -> None:
        marks.append((time.perf_counter(), time.process_time()))
        (w0, c0), (w1, c1) = marks[-2], marks[-1]
        line = f"{name:<14} wall {w1 - w0:8.2f} s  cpu {c1 - c0:8.2f} s  peak {_peak_gib():5.2f} GiB  {extra}"
        print(line, flush=True)

    # The national instances pass the default safety limits (100,000 applicants, 2 million pairs,
    # 256 MiB files): the benchmark measures what matchmaker can do.
    limits = mm.Limits(max_pairs=50_000_000, max_applicants=1_000_000, max_file_bytes=2**30)
    with mm.use_limits(limits), tempfile.TemporaryDirectory() as tmp:
        problem = mm.load_problem(args.problem)
        phase("load+validate", f"{len(problem.applicants):,} applicants")
        result = mm.solve(problem, mm.SolveOptions(workers=args.workers, time_limit=args.time_limit))
        st = result.statistics
        phase(
            "solve",
            f"{result.status.value}, engine {st.engine}, {st.n_pairs:,} pairs, {len(result.assignments):,} placed",
        )
        report = mm.check(problem, result)
        phase("check", f"ok={report.ok}, {len(report.violations)} violations")
        mm.dump_result(result, Path(tmp) / "result.json")
        phase("write result")
    (w0, c0), (w1, c1) = marks[0], marks[-1]
    print(f"{'all':<14} wall {w1 - w0:8.2f} s  cpu {c1 - c0:8.2f} s  peak {_peak_gib():5.2f} GiB")
    return 0 if report.ok and result.status.is_optimal else 1


if __name__ == "__main__":
    raise SystemExit(main())
