"""A binding group-rate rule at scale: the generated rounds with applicant groups, solved and checked.

The ``dense`` or ``sparse`` instance of :mod:`benchmarks.generate` gets a family of applicant groups
(``Applicant.groups``) and a ``rate`` rule over it (``policy.group_rules``), then is solved twice in one
process per measurement, in turns: without the rule (the same round, for the groups' rates and the time
beside it) and with it. Families:

``home``
    the applicant's home region (the region of the units they wish): demand per region differs, so
    without a rule the regions' placement rates differ, and the rule makes the others give way (it binds
    on the placed count itself);
``university``
    the applicant's university, with the interview scores of one university's applicants lowered by one
    point (in the ``weights`` variant: their pair weights halved): the plan of the highest total fit
    (weight) places them less often, and the rule binds on the fit (weight).

The ``weights`` variant (pair weights from another system that replace the fit, order
``maximum_weight``) takes either family too: then the rule trades total weight for the groups' rates.

With ``--peers highs,cpsat`` the same rows (:mod:`benchmarks.instance` exports matchmaker's own acceptable
pairs, fit or weights, capacities and the rule's groups) go to HiGHS's MIP and a plain CP-SAT model
(:mod:`benchmarks.peers`), each in its own worker process after matchmaker's runs of each round, and
their plans are checked from the arrays (:mod:`benchmarks.verify`, the rule included).

Every plan is checked by the independent checker; the rule binds when the plan without it breaks it.
Run from the repository root::

    python -m benchmarks.groups --size 10000 --variant dense --family home --ratio 0.9
    python -m benchmarks.groups --size 1000 --variant weights --family home --ratio 0.9 --peers highs,cpsat
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import matchmaker as mm
from benchmarks.generate import SPECS, Variant, ensure
from benchmarks.instance import arrays_of, save_arrays
from benchmarks.peers import PEERS

__all__ = ["group_rates", "grouped_problem", "main", "peer_arrays", "run_peer", "with_groups"]

#: The university whose applicants' interview scores are lowered (family ``university``).
_LOWERED = "Marie Cederschiölds högskola"


def grouped_problem(size: int, variant: Variant, family: str, ratio: float, min_size: int) -> dict[str, Any]:
    """The generated instance with groups of ``family`` and a rate rule with ``ratio`` over them."""
    files = ensure(size, variant)
    data: dict[str, Any] = json.loads(files.problem.read_text(encoding="utf-8"))
    return with_groups(data, size, family, ratio, min_size)


def with_groups(data: dict[str, Any], size: int, family: str, ratio: float, min_size: int) -> dict[str, Any]:
    """``data`` (a generated round of ``size`` applicants, changed in place) with groups of ``family`` and
    a rate rule with ``ratio`` over them."""
    region_size = SPECS[size].region_size
    muni_index = {m["id"]: i for i, m in enumerate(data["municipalities"])}
    unit_muni = {u["id"]: u["municipality"] for u in data["units"]}
    for a in data["applicants"]:
        if family == "home":
            first = next(iter(a["interests"]["units"]))
            a["groups"] = {"home": f"region-{muni_index[unit_muni[first]] // region_size + 1}"}
        else:
            a["groups"] = {"university": a["university"]}
            if a["university"] == _LOWERED:
                for score in a.get("interview", []):
                    score["score"] = max(1.0, score["score"] - 1.0)
    if family == "university" and "pair_weights" in data:
        # The weights replace the fit, so the interview scores do not count: the other system's weights
        # of that university's applicants are halved instead.
        lowered = {a["id"] for a in data["applicants"] if a["university"] == _LOWERED}
        for row in data["pair_weights"]["rows"]:
            if row["applicant"] in lowered:
                row["weight"] //= 2
    data["policy"]["group_rules"] = [{"family": family, "rule": "rate", "ratio": ratio, "min_size": min_size}]
    return data


def group_rates(problem: mm.Problem, result: mm.Result, family: str) -> dict[str, float]:
    """Each group's placement rate over the overall rate, from the plan."""
    placed = set(result.placement_of)
    overall = Fraction(len(placed), len(problem.applicants))
    members: dict[str, list[str]] = {}
    for a in problem.applicants:
        members.setdefault(a.groups[family], []).append(a.id)
    return {
        g: float(Fraction(sum(1 for a in ids if a in placed), len(ids)) / overall) for g, ids in sorted(members.items())
    }


def peer_arrays(size: int, variant: Variant, family: str, ratio: float, min_size: int, problem: mm.Problem) -> Path:
    """The peers' arrays of the grouped round, written next to the generated instance."""
    files = ensure(size, variant)
    meta: dict[str, Any] = json.loads(files.meta.read_text(encoding="utf-8"))
    path = files.problem.parent / f"{files.name}-groups-{family}-{ratio}-{min_size}.npz"
    save_arrays(arrays_of(problem, f"{files.name}+{family}", meta), path)
    return path


def run_peer(peer: str, arrays: Path, time_limit: float, workers: int) -> dict[str, Any]:
    """One peer on ``arrays`` in its own worker process (:mod:`benchmarks.worker`): its outcome."""
    task = {"kind": "peer", "peer": peer, "arrays": str(arrays), "repeats": 1, "budget": 0.0}
    task |= {"time_limit": time_limit, "workers": workers}
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", json.dumps(task)],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=False,
        timeout=2 * time_limit + 600,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"status": "error", "error": proc.stderr.strip()[-500:]}
    out: dict[str, Any] = json.loads(lines[-1])
    return out


#: The 50,000 round has about 6 million pairs, above the default limit.
_LARGE = mm.Limits(max_pairs=20_000_000)


def _solve(problem: mm.Problem, options: mm.SolveOptions) -> tuple[mm.Result, float]:
    with mm.use_limits(_LARGE):
        start = time.perf_counter()
        result = mm.solve(problem, options)
        return result, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    """Run the measurement and print one JSON line per run and a summary."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.groups", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--variant", choices=["dense", "sparse", "weights"], default="dense")
    parser.add_argument("--family", choices=["home", "university"], default="home")
    parser.add_argument("--ratio", type=float, default=0.9)
    parser.add_argument("--min-size", type=int, default=50)
    parser.add_argument(
        "--rounds", type=int, default=1, help="solve without and with the rule this many times, in turns"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--engine", default="auto")
    parser.add_argument(
        "--peers", default="", help="comma-separated peers on the same rows (highs, cpsat), after each round"
    )
    args = parser.parse_args(argv)
    peers = [p for p in args.peers.split(",") if p]
    if unknown := [p for p in peers if p not in PEERS]:
        parser.error(f"unknown peers {unknown}; choose from {sorted(PEERS)}")

    data = grouped_problem(args.size, args.variant, args.family, args.ratio, args.min_size)
    ruled = mm.Problem.model_validate(data)
    free = ruled.model_copy(update={"policy": ruled.policy.model_copy(update={"group_rules": ()})})
    options = mm.SolveOptions(workers=args.workers, time_limit=args.time_limit, engine=args.engine)
    times: dict[str, list[float]] = {"without": [], "with": []} | {p: [] for p in peers}
    arrays = peer_arrays(args.size, args.variant, args.family, args.ratio, args.min_size, ruled) if peers else None
    best: dict[str, int | None] = {}
    ok = True
    for _ in range(args.rounds):
        for name, problem in (("without", free), ("with", ruled)):
            result, seconds = _solve(problem, options)
            with mm.use_limits(_LARGE):
                report = mm.check(problem, result)
            ok &= report.ok if name == "without" else report.ok and result.status is mm.Status.OPTIMAL
            times[name].append(seconds)
            rates = group_rates(ruled, result, args.family) if result.status.has_plan else {}
            line = {
                "rule": name,
                "seconds": round(seconds, 2),
                "status": result.status.value,
                "engine": result.statistics.engine,
                "placed": len(result.assignments),
                "pairs": result.statistics.n_pairs,
                "lowest_rate_vs_overall": round(min(rates.values()), 4) if rates else None,
                "checked": report.ok,
                "objective": dict(result.objective),
            }
            print(json.dumps(line, ensure_ascii=False), flush=True)
            if name == "with":
                best = dict(result.objective)
        for peer in peers:
            assert arrays is not None
            out = run_peer(peer, arrays, args.time_limit, args.workers)
            seconds = min(out.get("times") or [float("nan")])
            times[peer].append(seconds)
            levels = out.get("levels", {})
            # A peer that proves an optimum must agree with matchmaker's on every level it solves.
            agrees = all(levels.get(k) == best.get(k) for k in out.get("levels_solved", []))
            ok &= not out.get("violations") and (out.get("status") != "optimal" or agrees)
            peer_line = {
                "peer": peer,
                "seconds": round(seconds, 2),
                "status": out.get("status"),
                "levels": levels,
                "violations": out.get("violations", []),
                "agrees_with_matchmaker": agrees,
                "peak_rss_mib": out.get("peak_rss_mib"),
                "detail": out.get("detail", out.get("error")),
            }
            print(json.dumps(peer_line, ensure_ascii=False), flush=True)
    summary = {
        "size": args.size,
        "variant": args.variant,
        "family": args.family,
        "ratio": args.ratio,
        "median_without": round(statistics.median(times["without"]), 2),
        "median_with": round(statistics.median(times["with"]), 2),
        **{f"median_{p}": round(statistics.median(times[p]), 2) for p in peers},
        "load_average": os.getloadavg(),
        "ok": ok,
    }
    print(json.dumps(summary), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
