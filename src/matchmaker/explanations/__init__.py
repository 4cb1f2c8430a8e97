"""Explanations: pre-solve diagnostics, minimal infeasibility cores with the smallest relaxation, why and
why not for every applicant, and reserve lists. Every claim is checked by re-solving; every text is
rendered in Swedish or English from structured reasons."""

from matchmaker.explanations.alternates import reserve_lists
from matchmaker.explanations.applicant import explain, explain_all, what_if
from matchmaker.explanations.diagnose import diagnose
from matchmaker.explanations.infeasible import explain_infeasibility
from matchmaker.explanations.render import display_names
from matchmaker.explanations.types import (
    ApplicantExplanation,
    CoreItem,
    Diagnostics,
    Finding,
    InfeasibilityExplanation,
    LevelChange,
    Move,
    OptionReason,
    Relaxation,
    Reserve,
    ReserveList,
    SupplyDemand,
    WhatIf,
)

__all__ = [
    "ApplicantExplanation",
    "CoreItem",
    "Diagnostics",
    "Finding",
    "InfeasibilityExplanation",
    "LevelChange",
    "Move",
    "OptionReason",
    "Relaxation",
    "Reserve",
    "ReserveList",
    "SupplyDemand",
    "WhatIf",
    "diagnose",
    "display_names",
    "explain",
    "explain_all",
    "explain_infeasibility",
    "reserve_lists",
    "what_if",
]
