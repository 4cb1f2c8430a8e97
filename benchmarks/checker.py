"""Times the independent checker (``matchmaker.check``) on solved benchmark rounds, in turns.

Each instance is solved once with the variant's policy (:data:`benchmarks.run.VARIANT_POLICIES`) and
the result cached beside the problem in ``benchmarks/data/``; then ``check`` runs ``--repeats`` times per
instance, the instances taking turns so that the machine's drift falls on all of them. Any violation
found in matchmaker's own plan makes the exit status 1::

    python -m benchmarks.checker --sizes 1000,10000 --variants side,stable --repeats 3

(The plain-Python checker that the vectorised one replaced was timed beside it by a ``--legacy`` option
while both existed; its figures are in ``benchmarks/README.md``.)
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import matchmaker as mm
from benchmarks.generate import DATA_DIR, VARIANTS, Variant, ensure
from benchmarks.run import VARIANT_POLICIES
from matchmaker._checks import Truth

__all__ = ["LARGE", "load_round", "main"]

#: Limits that admit the 50,000-applicant rounds (about 6 million possible pairs).
LARGE = mm.Limits(max_pairs=20_000_000)


def load_round(size: int, variant: Variant, data_dir: Path = DATA_DIR) -> tuple[mm.Problem, mm.Result]:
    """The instance's problem (with the variant's policy) and matchmaker's result, solved once and cached."""
    files = ensure(size, variant, data_dir=data_dir)
    with mm.use_limits(LARGE):
        problem = mm.load_problem(files.problem)
        policy = VARIANT_POLICIES.get(variant)
        if policy:
            merged = {**problem.policy.model_dump(mode="json"), **policy}
            problem = mm.Problem.model_validate({**problem.model_dump(mode="json"), "policy": merged})
        cached = Path(str(files.problem).replace(".problem.json", ".result.json"))
        if cached.exists():
            result = mm.load_result(cached)
            if result.decision.input_fingerprint == problem.fingerprint():
                return problem, result
        result = mm.solve(problem)
        mm.dump_result(result, cached)
    return problem, result


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: solve (or find cached) rounds, then time ``check`` on them in turns."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.checker", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="applicants, comma separated")
    parser.add_argument("--variants", default="side", help=f"from {','.join(VARIANTS)}")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of check per round")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="where instances and results are cached")
    args = parser.parse_args(argv)
    rounds = [
        (size, v, *load_round(size, v, args.data_dir))
        for size in (int(x) for x in args.sizes.split(",") if x)
        for v in (next(x for x in VARIANTS if x == name) for name in args.variants.split(",") if name)
    ]
    checkers: dict[str, Callable[[mm.Problem, mm.Result], mm.CheckReport]] = {"check": mm.check}
    times: dict[tuple[int, str, str], list[float]] = {}
    bad = 0
    for _ in range(args.repeats):
        for size, v, problem, result in rounds:
            reports = []
            for name, checker in checkers.items():
                t0 = time.perf_counter()
                report = checker(problem, result)
                times.setdefault((size, v, name), []).append(time.perf_counter() - t0)
                reports.append([str(x) for x in report])
                if not report.ok:
                    bad += 1
                    print(f"{size} {v} {name}: {report}")
    print("| round | placed | pairs | check (median s) | runs |")
    print("|---|---|---|---|---|")
    for size, v, problem, result in rounds:
        runs = times[(size, v, "check")]
        pairs = len(Truth(problem).table.key)
        print(
            f"| {size:,} {v} | {len(result.decision.assignments):,} | {pairs:,} | {statistics.median(runs):.3f} "
            f"| {', '.join(f'{x:.3f}' for x in runs)} |"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
