"""Solve the Södertälje example with the Python API, verify it, and print the plan.

Run: ``python examples/sodertalje/run.py``
"""

from __future__ import annotations

from pathlib import Path

import matchmaker as mm
from matchmaker.report import format_result

HERE = Path(__file__).resolve().parent


def main() -> mm.Result:
    """Load, solve, check and print; returns the result."""
    problem = mm.load_problem(HERE / "problem.json")
    result = mm.solve(problem, mm.SolveOptions(time_limit=60.0))
    mm.check(problem, result).raise_if_invalid()
    print(problem.name)
    print(format_result(result))
    return result


if __name__ == "__main__":
    main()
