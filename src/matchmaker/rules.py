"""The acceptability rules, defined once for validation and scoring.

An applicant may be placed with a supervisor only if all of these hold:

1. **interest**: the applicant finds the option acceptable: its most specific interest weight is
   positive, or it appears in their ranking (or a pin names it);
2. **requirements**: the applicant's qualifications include every requirement of the unit;
3. **conflicts**: no declared conflict names the unit or the supervisor;
4. **training**: the supervisor's training meets the policy (``any``, ``in_progress`` or ``completed``);
5. **capacity**: the supervisor, the unit and the municipality each have a positive capacity;
6. **unit ranking**: if the unit gave its own ranking of applicants, it lists the applicant.

:mod:`matchmaker.checks` re-implements these on purpose, so that it stays independent of the solver.
"""

from __future__ import annotations

from collections.abc import Iterable

from matchmaker._text import norm_key

__all__ = ["REASONS", "meets_requirements", "trained_enough"]

_TRAINING_ORDER = {"none": 0, "in_progress": 1, "completed": 2}
_POLICY_MINIMUM = {"any": 0, "in_progress": 1, "completed": 2}

#: Why an option is not acceptable, as short codes with plain-language text.
REASONS: dict[str, str] = {
    "no_interest": "not among the applicant's wishes",
    "requirement": "the unit requires a qualification the applicant lacks",
    "conflict": "a declared conflict of interest forbids it",
    "training": "the supervisor lacks the training the policy requires",
    "no_capacity": "no capacity this round (supervisor, unit or municipality cap is 0)",
    "unit_ranking": "the unit's own ranking does not list the applicant",
}


def trained_enough(status: str, policy: str) -> bool:
    """Whether a supervisor with training ``status`` may take students under ``policy``."""
    return _TRAINING_ORDER[str(status)] >= _POLICY_MINIMUM[policy]


def meets_requirements(requirements: Iterable[str], qualifications: Iterable[str]) -> bool:
    """Whether ``qualifications`` cover every requirement (compared ignoring case and spacing)."""
    have = {norm_key(q) for q in qualifications}
    return all(norm_key(r) in have for r in requirements)
