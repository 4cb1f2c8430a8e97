"""Named model pieces: constraints and objective levels, each switchable and each one file's job.

:func:`default_constraints` and :func:`default_objectives` give the pieces a policy asks for; a caller
may pass its own list to :func:`matchmaker._build.build_model`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker._pieces.balance import MunicipalityBalance
from matchmaker._pieces.constraints import (
    MunicipalityCapacity,
    OnePlacePerApplicant,
    Pins,
    SupervisorCapacity,
    UnitCapacity,
)
from matchmaker._pieces.groups import GroupRules
from matchmaker._pieces.links import Links
from matchmaker._pieces.load import SupervisorLoad
from matchmaker._pieces.objectives import (
    Egalitarian,
    Generous,
    Leximin,
    Lottery,
    MinimumRegret,
    Placed,
    PriorityTiers,
    RankMaximal,
    RankMaximalIrving,
    TotalFit,
    objective_pieces,
)
from matchmaker._pieces.soft import SoftMinimums, SoftTargets
from matchmaker._pieces.stability import Stable

if TYPE_CHECKING:
    from matchmaker._linear import ConstraintPiece, ObjectivePiece
    from matchmaker._models import Problem

__all__ = [
    "Egalitarian",
    "Generous",
    "GroupRules",
    "Leximin",
    "Links",
    "Lottery",
    "MinimumRegret",
    "MunicipalityBalance",
    "MunicipalityCapacity",
    "OnePlacePerApplicant",
    "Pins",
    "Placed",
    "PriorityTiers",
    "RankMaximal",
    "RankMaximalIrving",
    "SoftMinimums",
    "SoftTargets",
    "Stable",
    "SupervisorCapacity",
    "SupervisorLoad",
    "TotalFit",
    "UnitCapacity",
    "default_constraints",
    "default_objectives",
]


def default_constraints(problem: Problem) -> list[ConstraintPiece]:
    """The constraints of a round: one place per applicant, capacities at every level, supervisor load
    over time, pins, links and municipality balance (the soft parts of links and balance add their own
    levels)."""
    return [
        OnePlacePerApplicant(),
        SupervisorCapacity(),
        SupervisorLoad(),
        UnitCapacity(),
        MunicipalityCapacity(),
        Pins(),
        Links(),
        MunicipalityBalance(),
        GroupRules(),
        *([Stable(strict=problem.policy.stability.ties == "lottery")] if problem.policy.stability else []),
    ]


def default_objectives(problem: Problem) -> list[ObjectivePiece]:
    """The objective vector: (1) placed per priority tier, (2) placed, (2.1-2.2) soft minimums and
    targets, (3) the policy's objective, (4) the lottery. Links and balance levels come from their
    constraint pieces at positions 2.3, 2.4 and 2.45."""
    return [
        PriorityTiers(),
        Placed(),
        SoftMinimums(),
        SoftTargets(),
        *objective_pieces(problem),
        Lottery(),
    ]
