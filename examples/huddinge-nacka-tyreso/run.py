"""Solve the joint Huddinge-Nacka-Tyresö example with the Python API, verify it, and print the plan.

Run: ``python examples/huddinge-nacka-tyreso/run.py``
"""

from __future__ import annotations

from pathlib import Path

import matchmaker as mm
from matchmaker.report import format_result

HERE = Path(__file__).resolve().parent


def main() -> mm.Result:
    """Load, solve, check and print the plan and each municipality's share; returns the result."""
    problem = mm.load_problem(HERE / "problem.json")
    places = sum(m.max_places or 0 for m in problem.municipalities)
    print(f"{problem.name}: {len(problem.applicants)} applicants for {places} places")
    result = mm.solve(problem, mm.SolveOptions(time_limit=60.0))
    mm.check(problem, result).raise_if_invalid()
    print(format_result(result))
    # The joint programme shares its places between three municipalities: show how each one fared.
    metrics = result.decision.metrics
    assert metrics is not None  # set by every solve
    for m in metrics.municipalities:
        print(f"{m.municipality}: {m.placed} of {m.offered} places filled")
    return result


if __name__ == "__main__":
    main()
