"""The acceptability rules, defined once for validation and scoring.

An applicant may be placed with a supervisor only if all of these hold:

1. **interest**: the applicant finds the option acceptable: its most specific interest weight is
   positive, or it appears in their ranking (or a pin names it);
2. **requirements**: the applicant's qualifications include every requirement of the unit;
3. **conflicts**: no declared conflict names the unit or the supervisor;
4. **training**: the supervisor's training meets the policy (``any``, ``in_progress`` or ``completed``);
5. **capacity**: the supervisor, the unit and the municipality each have a positive capacity;
6. **unit ranking**: if the unit gave its own ranking of applicants, it lists the applicant;
7. **availability**: the supervisor is not unavailable in the applicant's period.

:mod:`matchmaker._checks` re-implements these on purpose, so that it stays independent of the solver.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from matchmaker._text import norm_key

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = ["REASONS", "REMOVAL_ORDER", "available", "meets_requirements", "refusal", "trained_enough"]

_TRAINING_ORDER = {"none": 0, "in_progress": 1, "completed": 2}
_POLICY_MINIMUM = {"any": 0, "in_progress": 1, "completed": 2}

#: The order in which rules 2-6 are applied (a pair is charged to the first rule it fails).
REMOVAL_ORDER: tuple[str, ...] = ("requirement", "conflict", "training", "no_capacity", "unit_ranking", "availability")

#: Why an option is not acceptable, as short codes with plain-language text.
REASONS: dict[str, str] = {
    "no_interest": "not among the applicant's wishes",
    "requirement": "the unit requires a qualification the applicant lacks",
    "conflict": "a declared conflict of interest forbids it",
    "training": "the supervisor lacks the training the policy requires",
    "no_capacity": "no capacity this round (supervisor, unit or municipality cap is 0)",
    "unit_ranking": "the unit's own ranking does not list the applicant",
    "availability": "the supervisor is unavailable in the applicant's period",
}


def refusal(problem: Problem, applicant_id: str, supervisor_id: str) -> str | None:
    """The first rule (2-7) that makes the pair unacceptable, as a :data:`REASONS` code, or ``None``.

    Rule 1 (the applicant's wish) is not checked here: callers ask about options the applicant wished.
    """
    a = problem.applicant_by_id[applicant_id]
    s = problem.supervisor_by_id[supervisor_id]
    u = problem.unit_by_id[s.unit]
    m = problem.municipality_by_id[u.municipality]
    if not meets_requirements(u.requirements, a.qualifications):
        return "requirement"
    if u.id in a.conflicts.units or s.id in a.conflicts.supervisors:
        return "conflict"
    if not trained_enough(s.training, problem.policy.supervisor_training):
        return "training"
    if s.capacity <= 0 or u.max_places <= 0 or m.max_places == 0:
        return "no_capacity"
    if u.ranking is not None and a.id not in u.ranking:
        return "unit_ranking"
    if not available(problem, applicant_id, supervisor_id):
        return "availability"
    return None


def available(problem: Problem, applicant_id: str, supervisor_id: str) -> bool:
    """Whether the supervisor can take students in the applicant's period (rule 7)."""
    unavailable = problem.supervisor_by_id[supervisor_id].unavailable_periods
    if not unavailable:
        return True
    period = problem.period_of[applicant_id]
    return period is None or period.id not in unavailable


def trained_enough(status: str, policy: str) -> bool:
    """Whether a supervisor with training ``status`` may take students under ``policy``."""
    return _TRAINING_ORDER[str(status)] >= _POLICY_MINIMUM[policy]


def meets_requirements(requirements: Iterable[str], qualifications: Iterable[str]) -> bool:
    """Whether ``qualifications`` cover every requirement (compared ignoring case and spacing)."""
    have = {norm_key(q) for q in qualifications}
    return all(norm_key(r) in have for r in requirements)
