"""A batch of 200 what-if scenarios of the joint example: sequential, on a local Dask cluster, on a local Ray.

The batch (:func:`two_hundred`): every supervisor away in turn, a new supervisor in every unit (with a
place, or with two), every unit's places changed by -2 to +3, every municipality's by -3 to +3, the fit's
weights from 0 to 1 in tenths, and pairs of supervisors away until there are 200. Each run is
``compare_scenarios`` with one CP-SAT worker per solve: ``sequential`` in this process; ``dask`` on a
``LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`` through ``client.get_executor()``;
``ray`` on ``ray.init(num_cpus=2)`` through a :class:`matchmaker.RayExecutor`. Each turn runs the three in
a rotated order; a cluster is started afresh in each turn, and its start, its first batch (workers
importing matchmaker) and a second batch on the same cluster are timed apart. Every run's comparison
must equal the sequential one byte for byte. The load average is read before and after each turn.
``--problem`` runs the same on another round (a generated one of ``benchmarks.generate``), ``--count``
keeps the first so many scenarios. ::

    python -m benchmarks.scenarios --turns 3
    python -m benchmarks.generate --sizes 1000 --variants side
    python -m benchmarks.scenarios --turns 3 --problem benchmarks/data/g1-1000-side-s1.problem.json --count 40
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import matchmaker as mm

__all__ = ["JOINT", "main", "two_hundred"]

JOINT = Path(__file__).resolve().parent.parent / "examples" / "huddinge-nacka-tyreso" / "problem.json"
_OPTIONS = mm.SolveOptions(workers=1)


def two_hundred(problem: mm.Problem, count: int = 200) -> list[mm.Scenario]:
    """200 (or ``count``) scenarios of ``problem`` (see the module docstring), in a fixed order."""
    out = [
        mm.Scenario(name=f"{s.id} away", changes=[mm.RemoveSupervisor(supervisor=s.id)]) for s in problem.supervisors
    ]
    for unit in problem.units:
        for capacity in (1, 2):
            new = mm.AddSupervisor(supervisor=f"new-{unit.id}-{capacity}", unit=unit.id, capacity=capacity)
            out.append(
                mm.Scenario(
                    name=f"new in {unit.id} ({capacity})", changes=[new, mm.ChangePlaces(unit=unit.id, places=1)]
                )
            )
    out += [
        mm.Scenario(name=f"{u.id} {places:+d}", changes=[mm.ChangePlaces(unit=u.id, places=places)])
        for u in problem.units
        for places in (-2, -1, 1, 2, 3)
    ]
    out += [
        mm.Scenario(name=f"{m.id} {places:+d}", changes=[mm.ChangePlaces(municipality=m.id, places=places)])
        for m in problem.municipalities
        for places in (-3, -2, -1, 1, 2, 3)
    ]
    out += [
        mm.Scenario(
            name=f"interest {w / 10:.1f}",
            changes=[mm.ChangeWeights(interest_weight=w / 10, interview_weight=1 - w / 10)],
        )
        for w in range(11)
    ]
    pairs = itertools.combinations(problem.supervisors, 2)
    while len(out) < count:
        a, b = next(pairs)
        out.append(
            mm.Scenario(
                name=f"{a.id} and {b.id} away",
                changes=[mm.RemoveSupervisor(supervisor=a.id), mm.RemoveSupervisor(supervisor=b.id)],
            )
        )
    return out[:count]


def _timed(run: Callable[[], mm.ScenarioComparison]) -> tuple[float, bytes]:
    start = time.perf_counter()
    comparison = run()
    return time.perf_counter() - start, comparison.model_dump_json().encode()


def _sequential(problem: mm.Problem, batch: list[mm.Scenario]) -> tuple[dict[str, float], bytes]:
    seconds, out = _timed(lambda: mm.compare_scenarios(problem, batch, options=_OPTIONS))
    return {"batch": seconds}, out


def _dask(problem: mm.Problem, batch: list[mm.Scenario]) -> tuple[dict[str, float], bytes]:
    from dask.distributed import Client, LocalCluster  # the dask extra

    start = time.perf_counter()
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        started = time.perf_counter() - start
        executor = client.get_executor()
        first, out = _timed(lambda: mm.compare_scenarios(problem, batch, executor=executor, options=_OPTIONS))
        second, again = _timed(lambda: mm.compare_scenarios(problem, batch, executor=executor, options=_OPTIONS))
    assert again == out
    return {"start": started, "batch": first, "again": second}, out


def _ray(problem: mm.Problem, batch: list[mm.Scenario]) -> tuple[dict[str, float], bytes]:
    import ray  # the ray extra

    start = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        executor = mm.RayExecutor()
        started = time.perf_counter() - start
        first, out = _timed(lambda: mm.compare_scenarios(problem, batch, executor=executor, options=_OPTIONS))
        second, again = _timed(lambda: mm.compare_scenarios(problem, batch, executor=executor, options=_OPTIONS))
    finally:
        ray.shutdown()
    assert again == out
    return {"start": started, "batch": first, "again": second}, out


_MODES: dict[str, Callable[[mm.Problem, list[mm.Scenario]], tuple[dict[str, float], bytes]]] = {
    "sequential": _sequential,
    "dask": _dask,
    "ray": _ray,
}


def main(argv: list[str] | None = None) -> None:
    """Run the batch in turns and print the figures as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=3, help="turns of the three runs (default 3)")
    parser.add_argument("--problem", type=Path, default=JOINT, help="the base problem (default: the joint example)")
    parser.add_argument("--count", type=int, default=200, help="scenarios in the batch (default 200)")
    args = parser.parse_args(argv)
    logging.getLogger("distributed").setLevel(logging.ERROR)  # a cluster's start and stop, line by line
    problem = mm.load_problem(args.problem)
    batch = two_hundred(problem, args.count)
    assert len({s.name for s in batch}) == args.count
    mm.compare_scenarios(problem, batch[:5], options=_OPTIONS)  # warm this process up: imports, first solve
    times: dict[str, dict[str, list[float]]] = {m: {} for m in _MODES}
    reference: bytes | None = None
    loads: list[tuple[float, float]] = []
    for turn in range(args.turns):
        order = list(_MODES)[turn % 3 :] + list(_MODES)[: turn % 3]
        before = os.getloadavg()[0]
        for mode in order:
            figures, out = _MODES[mode](problem, batch)
            reference = reference or out
            assert out == reference, f"{mode}: the comparison differs from the first run's"
            for key, value in figures.items():
                times[mode].setdefault(key, []).append(value)
            print(f"turn {turn + 1} {mode}: " + ", ".join(f"{k} {v:.2f} s" for k, v in figures.items()), flush=True)
        loads.append((before, os.getloadavg()[0]))
    sequential = times["sequential"]["batch"]
    print()
    print("| run | batch (median) | ratio to the same turn's sequential run: median (range) | cluster start |")
    print("|---|---:|---:|---:|")
    for mode, runs in times.items():
        for key, label in (("batch", mode), ("again", f"{mode}, second batch on the same cluster")):
            if key not in runs:
                continue
            ratios = [run / seq for run, seq in zip(runs[key], sequential, strict=True)]
            started = f"{statistics.median(runs['start']):.2f} s" if "start" in runs and key == "batch" else ""
            print(
                f"| {label} | {statistics.median(runs[key]):.2f} s | {statistics.median(ratios):.2f}x "
                f"({min(ratios):.2f}-{max(ratios):.2f}) | {started} |"
            )
    print()
    print("load average (1 min) before and after each turn: " + "; ".join(f"{a:.2f} -> {b:.2f}" for a, b in loads))
    placed = [s.placed for s in mm.ScenarioComparison.model_validate_json(reference or b"").scenarios]
    print(f"{args.count} scenarios, all identical across runs; placed from {min(placed)} to {max(placed)}")


if __name__ == "__main__":
    main()
