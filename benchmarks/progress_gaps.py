"""Where the wall time of ``matchmaker solve`` goes, phase by phase, and the longest silence of its progress.

Runs the command in this process as a user runs it (``matchmaker solve PROBLEM -o OUT``), with a
recorder in place of the terminal's live display, and prints for each phase (import, load, validate,
score, build, solve, decode, check, write, and the printing of the plan after it) its seconds and the
longest gap between two progress events the display received in it; then the solve's own reported
``wall_time`` and the whole run beside it::

    python -m benchmarks.progress_gaps benchmarks/data/g1-10000-side-s1.problem.json
    python -m benchmarks.progress_gaps benchmarks/data/g1-50000-side-s1.problem.json --limit max_pairs=20000000

(``python -m benchmarks.generate --sizes 10000,50000 --variants side`` writes the instances.) One run
per process, so that the import is timed as a command's start pays it. The figures are in
``benchmarks/README.md``, "The command line".
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before any import of matchmaker: the import is the command's first phase

import argparse  # noqa: E402 - after the clock starts, on purpose
import contextlib  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

__all__ = ["Recorder", "main"]


class Recorder:
    """A stand-in for the live display: the time of every event and the phase it came in."""

    shown = False

    def __init__(self) -> None:
        self.times: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        with self._lock:
            self.times.append((time.perf_counter(), event.phase or "solve"))

    def note(self, text: str) -> None:
        """Notices are not timed."""

    def close(self) -> None:
        with self._lock:
            self.times.append((time.perf_counter(), "end"))


def _phases(recorder: Recorder, imported: float, ended: float) -> list[tuple[str, float, float]]:
    """(phase, seconds, longest gap between events) in order, from the recorded events."""
    rows: list[tuple[str, float, float]] = [("import", imported - STARTED, imported - STARTED)]
    times = sorted(recorder.times)
    spans: dict[str, list[float]] = {}
    order: list[str] = []
    for (t, phase), (t_next, _) in itertools.pairwise(times):
        if phase not in spans:
            spans[phase] = [t, t, 0.0]
            order.append(phase)
        span = spans[phase]
        span[1] = t_next
        span[2] = max(span[2], t_next - t)
    for phase in order:
        first, last, gap = spans[phase]
        rows.append((phase, last - first, gap))
    if times:
        rows.append(("print", ended - times[-1][0], ended - times[-1][0]))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("problem", type=Path)
    parser.add_argument("--limit", action="append", default=[], help="passed on to matchmaker --limit")
    args = parser.parse_args(argv)

    from matchmaker._cli import cli
    from matchmaker._cli import console as console_module
    from matchmaker._cli.common import PROGRAM

    PROGRAM.set(True)  # as the program holds the round (its end, which skips the teardown, is not timed here)

    imported = time.perf_counter()
    recorder = Recorder()
    console_module.ProgressDisplay.for_terminal = classmethod(lambda cls, **kw: recorder)  # type: ignore[method-assign, assignment]
    out = Path(tempfile.mkdtemp()) / "result.json"
    limits = [f"--limit={value}" for value in args.limit]
    try:
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):  # the plan, printed
            cli.main([*limits, "solve", str(args.problem), "-o", str(out)], standalone_mode=False)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    ended = time.perf_counter()

    import matchmaker as mm

    with mm.use_limits(mm.Limits(max_pairs=20_000_000)):
        result = mm.load_result(out)
    print(f"{'phase':<10} {'seconds':>8} {'longest gap':>12}")
    for phase, seconds, gap in _phases(recorder, imported, ended):
        print(f"{phase:<10} {seconds:8.2f} {gap:12.2f}")
    solve = result.statistics.wall_time
    whole = ended - STARTED
    engine = result.statistics.engine
    print(f"solve reported {solve:.2f} s (engine {engine}); whole run {whole:.2f} s = {whole / solve:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
