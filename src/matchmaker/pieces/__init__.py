"""Named model pieces: constraints and objective levels, each switchable and each one file's job.

:func:`default_constraints` and :func:`default_objectives` give the pieces a policy asks for; a caller
may pass its own list to :func:`matchmaker.build.build_model`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker.pieces.constraints import (
    MunicipalityCapacity,
    OnePlacePerApplicant,
    Pins,
    SupervisorCapacity,
    UnitCapacity,
)
from matchmaker.pieces.objectives import Lottery, Placed, PriorityTiers, TotalFit

if TYPE_CHECKING:
    from matchmaker.build import ConstraintPiece, ObjectivePiece
    from matchmaker.models import Problem

__all__ = [
    "Lottery",
    "MunicipalityCapacity",
    "OnePlacePerApplicant",
    "Pins",
    "Placed",
    "PriorityTiers",
    "SupervisorCapacity",
    "TotalFit",
    "UnitCapacity",
    "default_constraints",
    "default_objectives",
]


def default_constraints(problem: Problem) -> list[ConstraintPiece]:
    """The constraints every round has: one place per applicant, capacities at every level, pins."""
    return [
        OnePlacePerApplicant(),
        SupervisorCapacity(),
        UnitCapacity(),
        MunicipalityCapacity(),
        Pins(),
    ]


def default_objectives(problem: Problem) -> list[ObjectivePiece]:
    """The objective vector: (1) placed per priority tier, (2) placed, (3) the policy's objective,
    (4) the lottery."""
    return [PriorityTiers(), Placed(), TotalFit(), Lottery()]
