"""Explanations: pre-solve diagnostics, minimal infeasibility cores with the smallest relaxation, why and
why not for every applicant, and reserve lists. Every claim is checked by re-solving; every text is
rendered in Swedish or English from structured reasons."""

from matchmaker.explanations._alternates import reserve_lists
from matchmaker.explanations._applicant import LOW_FIT, explain, explain_all, what_if
from matchmaker.explanations._diagnose import diagnose
from matchmaker.explanations._infeasible import RELAXATION_BOUNDS, explain_infeasibility
from matchmaker.explanations._types import (
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
from matchmaker.explanations._words import display_names

__all__ = [
    "LOW_FIT",
    "RELAXATION_BOUNDS",
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
