"""Solve the over-committed round, explain why it has no plan, and solve it again relaxed.

Run: ``python examples/nacka-infeasible/run.py``
"""

from __future__ import annotations

from pathlib import Path

import matchmaker as mm
from matchmaker.explanations import display_names

HERE = Path(__file__).resolve().parent


def main() -> mm.InfeasibilityExplanation:
    """Print the core and the relaxation in English and Swedish; returns the explanation."""
    problem = mm.load_problem(HERE / "problem.json")
    result = mm.solve(problem)
    print(f"status: {result.status.value}")
    explanation = mm.explain_infeasibility(problem)
    assert explanation is not None
    names = display_names(problem)
    print(explanation.text("en", names))
    print()
    print(explanation.text("sv", names))
    return explanation


if __name__ == "__main__":
    main()
