"""Minimal-change re-solves: the best plan under a change that moves the fewest people.

A re-solve takes a *base plan* (applicant id -> supervisor id), a problem (the same round with a forced
placement, or a changed round) and a position for level ``moved`` in the objective vector. Placing
``moved`` after the policy's objective (position 3.5, the default for explanations) picks, among the
optimal plans, the one that moves the fewest people; placing it right after the placed count
(position 2.5, the default for repairs) makes keeping people in place outrank fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matchmaker.build import ConstraintPiece, ObjectivePiece, Position, build_model
from matchmaker.models import Problem
from matchmaker.options import SolveOptions
from matchmaker.pieces import default_constraints, default_objectives
from matchmaker.pieces.change import Disruption
from matchmaker.result import Result
from matchmaker.scoring import score
from matchmaker.solve import solve_model

__all__ = ["EXPLAIN_POSITION", "REPAIR_POSITION", "plan_of", "resolve_near"]

#: Level ``moved`` right after the policy's objective: the fewest moves among optimal plans.
EXPLAIN_POSITION: Position = 3.5
#: Level ``moved`` right after the placed count (and soft levels before 2.5): keep people in place.
REPAIR_POSITION: Position = 2.5


def plan_of(result: Result) -> dict[str, str]:
    """A result's plan as applicant id -> supervisor id."""
    return {a.applicant: a.supervisor for a in result.assignments}


def resolve_near(
    problem: Problem,
    base: Mapping[str, str],
    *,
    position: Position = EXPLAIN_POSITION,
    exclude: frozenset[str] = frozenset(),
    options: SolveOptions | None = None,
    constraints: Sequence[ConstraintPiece] = (),
    explain_infeasibility: bool = False,
) -> Result:
    """Solve ``problem`` with level ``moved`` (relative to ``base``) at ``position``.

    ``exclude`` lists applicants whose moves do not count (one forced elsewhere moves by definition);
    ``constraints`` are added to the problem's own.
    """
    opts = options if options is not None else SolveOptions(workers=1)
    scores = score(problem)
    objectives: list[ObjectivePiece] = [
        *default_objectives(problem),
        Disruption(base, position=position, exclude=exclude),
    ]
    model = build_model(
        problem,
        scores,
        constraints=[*default_constraints(problem), *constraints],
        objectives=objectives,
    )
    return solve_model(problem, model, opts, explain_infeasibility=explain_infeasibility)
