"""The programme archive at a programme's scale: a synthetic history of many years, then ``verify`` timed.

:func:`build_round` makes one seeded round of a fixed programme (municipalities, units and supervisors
that stay from year to year) with ``per_round`` new applicants, each ranking two to four units of the
programme; every round is solved with :func:`matchmaker.solve`, checked by the independent checker,
approved with :func:`matchmaker.approve` and added to one archive. Two terms a year (VT and HT), so the
default 20 years of 250 applicants a round hold 10,000 applicants overall. Then :meth:`Archive.verify`
runs ``--repeats`` times (the median is reported, with every run), and the archive's size is measured
after a WAL checkpoint. Data are synthetic: opaque ids, no persons. ::

    python -m benchmarks.archive --years 20 --per-round 250
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

import matchmaker as mm

__all__ = ["build_round", "main", "run"]

_AREAS = ("Barn och ungdom", "Vuxenenhet", "Arbete och försörjning")


def build_round(
    year: int, term: Literal["VT", "HT"], per_round: int, seed: int, *, programme_seed: int = 0
) -> mm.Problem:
    """One round of the programme: its fixed units and supervisors (about 0.6 places per applicant of
    a round), and ``per_round`` new applicants with ranked wishes over two to four units."""
    places = max(2, round(0.6 * per_round))
    fixed = np.random.default_rng(programme_seed)
    n_units = max(2, places // 5)
    municipalities = [{"id": f"M{m}"} for m in range(max(1, n_units // 6))]
    units, supervisors = [], []
    left = places
    for u in range(n_units):
        capacity = left // (n_units - u)
        left -= capacity
        unit = f"U{u:03d}"
        units.append(
            {
                "id": unit,
                "municipality": municipalities[u % len(municipalities)]["id"],
                "area": _AREAS[u % len(_AREAS)],
                "max_places": capacity,
            }
        )
        for s in range(capacity):
            supervisors.append({"id": f"S{u:03d}-{s}", "unit": unit, "capacity": 1, "training": "completed"})
    fixed.shuffle(units)
    rng = np.random.default_rng([seed, year, 0 if term == "VT" else 1])
    unit_ids = [u["id"] for u in units]
    applicants = []
    for i in range(per_round):
        wished = rng.choice(len(unit_ids), size=min(len(unit_ids), int(rng.integers(2, 5))), replace=False)
        ranking = {unit_ids[int(w)]: rank for rank, w in enumerate(wished, start=1)}
        applicants.append({"id": f"P{year}{term}{i:04d}", "ranking": {"units": ranking}})
    return mm.Problem.model_validate(
        {
            "name": f"Programme {year} {term}",
            "round": {"term": term, "year": year, "step": 1},
            "policy": {"lottery_seed": seed * 10_000 + year},
            "municipalities": municipalities,
            "units": units,
            "supervisors": supervisors,
            "applicants": applicants,
        }
    )


def _size(path: Path) -> int:
    """The archive's bytes on disk, its write-ahead log checkpointed into the file (``-shm``, an index
    SQLite rebuilds, does not count)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def run(
    path: Path, *, years: int, per_round: int, seed: int = 1, first_year: int = 2007, repeats: int = 3
) -> dict[str, Any]:
    """Build the history into a new archive at ``path`` and time ``verify``; returns every figure."""
    build_start = time.perf_counter()
    solve_time = 0.0
    with mm.Archive(path) as archive:
        for year in range(first_year, first_year + years):
            for term in ("VT", "HT"):
                problem = build_round(year, term, per_round, seed)
                t = time.perf_counter()
                result = mm.solve(problem, mm.SolveOptions(workers=1))
                solve_time += time.perf_counter() - t
                report = mm.check(problem, result)
                if not report.ok:
                    raise SystemExit(f"the plan of {year} {term} failed its check:\n{report}")
                record = mm.approve(problem, result, "official-1", approved_at=f"{year}-06-01")
                archive.add(problem, result, record)
        build_time = time.perf_counter() - build_start
        runs = []
        verification = None
        for _ in range(repeats):
            t = time.perf_counter()
            verification = archive.verify()
            runs.append(time.perf_counter() - t)
        assert verification is not None
        if not verification.ok:
            raise SystemExit(verification.text())
        t = time.perf_counter()
        rows = len(archive.placement_rows())
        list_time = time.perf_counter() - t
        t = time.perf_counter()
        archive.rounds()
        rounds_time = time.perf_counter() - t
    return {
        "years": years,
        "rounds": verification.rounds,
        "applicants": verification.rounds * per_round,
        "placements": rows,
        "archive_bytes": _size(path),
        "build_seconds": build_time,
        "solve_seconds": solve_time,
        "verify_seconds_median": statistics.median(runs),
        "verify_seconds": runs,
        "placement_rows_seconds": list_time,
        "rounds_seconds": rounds_time,
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Build the history, time ``verify``, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=20, help="years of history, two rounds each (default 20)")
    parser.add_argument("--per-round", type=int, default=250, help="new applicants a round (default 250)")
    parser.add_argument("--first-year", type=int, default=2007, help="the first year (default 2007)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="verify runs; the median is reported (default 3)")
    parser.add_argument("--archive", type=Path, help="where to build it (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.archive or Path(tmp) / "history.sqlite"
        if path.exists():
            parser.error(f"{path} exists: give a new file")
        figures = run(
            path,
            years=args.years,
            per_round=args.per_round,
            seed=args.seed,
            first_year=args.first_year,
            repeats=args.repeats,
        )
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
