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
    point: the plan of the highest total fit places them less often, and the rule binds on the fit.

Every plan is checked by the independent checker; the rule binds when the plan without it breaks it.
Run from the repository root::

    python -m benchmarks.groups --size 10000 --variant dense --family home --ratio 0.9
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import matchmaker as mm
from benchmarks.generate import SPECS, Variant, ensure

__all__ = ["group_rates", "grouped_problem", "main"]

#: The university whose applicants' interview scores are lowered (family ``university``).
_LOWERED = "Marie Cederschiölds högskola"


def grouped_problem(size: int, variant: Variant, family: str, ratio: float, min_size: int) -> dict[str, Any]:
    """The generated instance with groups of ``family`` and a rate rule with ``ratio`` over them."""
    files = ensure(size, variant)
    data: dict[str, Any] = json.loads(files.problem.read_text(encoding="utf-8"))
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


def _solve(problem: mm.Problem, options: mm.SolveOptions) -> tuple[mm.Result, float]:
    start = time.perf_counter()
    result = mm.solve(problem, options)
    return result, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    """Run the measurement and print one JSON line per run and a summary."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.groups", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--variant", choices=["dense", "sparse"], default="dense")
    parser.add_argument("--family", choices=["home", "university"], default="home")
    parser.add_argument("--ratio", type=float, default=0.9)
    parser.add_argument("--min-size", type=int, default=50)
    parser.add_argument(
        "--rounds", type=int, default=1, help="solve without and with the rule this many times, in turns"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--engine", default="auto")
    args = parser.parse_args(argv)

    data = grouped_problem(args.size, args.variant, args.family, args.ratio, args.min_size)
    ruled = mm.Problem.model_validate(data)
    free = ruled.model_copy(update={"policy": ruled.policy.model_copy(update={"group_rules": ()})})
    options = mm.SolveOptions(workers=args.workers, time_limit=args.time_limit, engine=args.engine)
    times: dict[str, list[float]] = {"without": [], "with": []}
    ok = True
    for _ in range(args.rounds):
        for name, problem in (("without", free), ("with", ruled)):
            result, seconds = _solve(problem, options)
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
    summary = {
        "size": args.size,
        "variant": args.variant,
        "family": args.family,
        "ratio": args.ratio,
        "median_without": round(statistics.median(times["without"]), 2),
        "median_with": round(statistics.median(times["with"]), 2),
        "load_average": os.getloadavg(),
        "ok": ok,
    }
    print(json.dumps(summary), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
