"""Loading a large round from Parquet: matchmaker's load and validation against pyarrow's own read.

The generated instance (:mod:`benchmarks.generate`, the ``weights`` variant at 10,000 applicants by
default: 1.2 million acceptable pairs, 76,739 pair-weight rows) is written once as a Parquet folder
(``benchmarks/data/<instance>.parquet/``, one file per table, by :func:`matchmaker.save_problem`).
Then, in turns, each measurement once per round:

``pyarrow``
    ``pyarrow.parquet.read_table`` of every file of the folder (the floor: reading, no checks);
``parquet``
    ``matchmaker.load_problem(folder)``: the same read, then every rule checked and the Problem built;
``arrow``
    ``matchmaker.io.problem_from_arrow(tables)`` on tables already read (matchmaker's part alone);
``json``
    ``matchmaker.load_problem(problem.json)``: the JSON route, for comparison.

Each loaded problem's fingerprint is compared with the JSON route's (they must be equal). The medians
of the wall-clock seconds and of the process's CPU seconds (``time.process_time``: all threads, less
disturbed by other processes on a loaded machine), the ratios to pyarrow's read and the load average
are printed as JSON. ``--breakdown`` adds, per round, where matchmaker's part goes (CPU seconds): the
plain columns read whole, the applicants' records assembled from them (their field rules checked on
the whole columns, the records made without pydantic), and the rules between records
(``problem_issues``). Run from the repository root (``pip install -e '.[arrow]'``)::

    python -m benchmarks.columnar --size 10000 --variant weights --rounds 5 --breakdown
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import matchmaker as mm
from benchmarks.generate import VARIANTS, ensure
from matchmaker import _gc
from matchmaker._validation import problem_issues
from matchmaker.io._columns import BULK_TABLES, bulk_records, plain_columns
from matchmaker.io._tables import PROBLEM_TABLES, find_table

__all__ = ["main", "parquet_folder"]


def parquet_folder(size: int, variant: str) -> tuple[Path, Path]:
    """The instance's JSON file and its Parquet folder (written from the JSON route's problem if absent)."""
    files = ensure(size, variant)  # type: ignore[arg-type]
    folder = files.problem.with_name(f"{files.name}.parquet")
    if not folder.exists():
        mm.save_problem(mm.load_problem(files.problem), folder)
    return files.problem, folder


def _read_all(folder: Path) -> dict[str, Any]:
    return {path.stem: pq.read_table(path) for path in sorted(folder.glob("*.parquet"))}


def _breakdown(tables: dict[str, Any]) -> dict[str, float]:
    """Seconds of each part of matchmaker's load of ``tables`` (see the module's docstring), with the
    garbage collector paused as the readers pause it."""
    with _gc.paused():
        return _parts(tables)


def _parts(tables: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    start = time.process_time()
    columns = {}
    for name, table in tables.items():
        kind = find_table(name, PROBLEM_TABLES)
        if kind is not None and kind.key in BULK_TABLES:
            columns[kind.key] = plain_columns(table, kind)
    out["columns"] = time.process_time() - start
    start = time.process_time()
    bulk = bulk_records(columns)  # type: ignore[arg-type]
    out["records"] = time.process_time() - start
    assert bulk is not None
    assert bulk.records is not None  # the applicants' records made from the plain columns
    problem = mm.io.problem_from_arrow(tables)
    start = time.process_time()
    problem_issues(problem)
    out["cross_record_rules"] = time.process_time() - start
    return {k: round(v, 4) for k, v in out.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the measurement and print one JSON line per round and a summary."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.columnar", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--variant", choices=VARIANTS, default="weights")
    parser.add_argument("--rounds", type=int, default=5, help="each measurement this many times, in turns")
    parser.add_argument("--breakdown", action="store_true", help="also time the parts of matchmaker's load")
    args = parser.parse_args(argv)

    json_path, folder = parquet_folder(args.size, args.variant)
    tables = _read_all(folder)
    expected = mm.load_problem(json_path).fingerprint()
    runs: dict[str, Callable[[], Any]] = {
        "pyarrow": lambda: _read_all(folder),
        "parquet": lambda: mm.load_problem(folder),
        "arrow": lambda: mm.io.problem_from_arrow(tables),
        "json": lambda: mm.load_problem(json_path),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    ok = True
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        line: dict[str, Any] = {}
        for name, run in runs.items():
            start, cpu_start = time.perf_counter(), time.process_time()
            out = run()
            seconds = time.perf_counter() - start
            cpu[name].append(time.process_time() - cpu_start)
            times[name].append(seconds)
            line[name] = round(seconds, 4)
            if isinstance(out, mm.Problem):
                ok &= out.fingerprint() == expected
        if args.breakdown:
            line["breakdown"] = _breakdown(tables)
        loads.append(os.getloadavg()[0])
        print(json.dumps(line), flush=True)
    medians = {name: statistics.median(t) for name, t in times.items()}
    cpu_medians = {name: statistics.median(t) for name, t in cpu.items()}
    summary = {
        "instance": folder.name,
        "applicants": args.size,
        "rounds": args.rounds,
        "medians": {name: round(m, 4) for name, m in medians.items()},
        "cpu_medians": {name: round(m, 4) for name, m in cpu_medians.items()},
        "parquet_over_pyarrow": round(medians["parquet"] / medians["pyarrow"], 1),
        "parquet_over_pyarrow_cpu": round(cpu_medians["parquet"] / cpu_medians["pyarrow"], 1),
        "parquet_over_json": round(medians["parquet"] / medians["json"], 2),
        "load_average": [round(min(loads), 2), round(max(loads), 2)],
        "same_fingerprint": ok,
    }
    print(json.dumps(summary), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
