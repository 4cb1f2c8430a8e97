"""Model building: a scored problem becomes a linear model through its pieces (the defaults of its policy).

The model itself (:mod:`matchmaker._linear`) knows nothing of pieces; this module, one floor above the
pieces, assembles the ones a policy asks for (:func:`matchmaker._pieces.default_constraints`,
:func:`matchmaker._pieces.default_objectives`) or the ones a caller gives.
"""

from __future__ import annotations

from collections.abc import Sequence

from matchmaker._gc import pausing
from matchmaker._linear import ConstraintPiece, LinearModel, ModelBuilder, ObjectivePiece
from matchmaker._models import Problem
from matchmaker._pieces import default_constraints, default_objectives
from matchmaker._scoring import Scores

__all__ = ["build_model"]


@pausing
def build_model(
    problem: Problem,
    scores: Scores,
    constraints: Sequence[ConstraintPiece] | None = None,
    objectives: Sequence[ObjectivePiece] | None = None,
) -> LinearModel:
    """Assemble the model of ``problem`` from constraint and objective pieces.

    With no pieces given, the defaults for ``problem.policy`` are used (see
    :func:`matchmaker._pieces.default_constraints` and :func:`matchmaker._pieces.default_objectives`).
    The levels are ordered as ``problem.policy.order`` says (the default order keeps every position).
    """
    builder = ModelBuilder(scores)
    if problem.policy.order != "placed_first":
        builder.reorder(problem.policy.slots)
    for c in constraints if constraints is not None else default_constraints(problem):
        c.add(builder, problem)
        builder.note_piece(c.name)
    for o in objectives if objectives is not None else default_objectives(problem):
        o.add(builder, problem)
        builder.note_piece(o.name)
    return builder.build()
