"""Structured explanations: every reason is data first (codes, ids, numbers), rendered to Swedish or
English text second (:mod:`matchmaker.report._explanations`). No names or personal data, only ids."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from matchmaker._result import Assignment, Move, Status, Unplaced

__all__ = [
    "ApplicantExplanation",
    "CoreItem",
    "Diagnostics",
    "Finding",
    "InfeasibilityExplanation",
    "Lang",
    "LevelChange",
    "Move",
    "OptionReason",
    "Relaxation",
    "Reserve",
    "ReserveList",
    "SupplyDemand",
    "WhatIf",
]

#: The languages explanations are rendered in.
Lang = Literal["en", "sv"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class LevelChange(_Out):
    """One objective level before and after a change (``after - before``; mind the level's sense)."""

    name: str
    sense: Literal["max", "min"]
    before: int
    after: int

    @property
    def delta(self) -> int:
        """``after - before``."""
        return self.after - self.before

    @property
    def worse(self) -> bool:
        """Whether the change makes this level worse."""
        return self.after < self.before if self.sense == "max" else self.after > self.before


class WhatIf(_Out):
    """The best plan in which ``applicant`` is placed in ``unit``, found by a minimal-change re-solve:
    among the optimal plans with that placement, the one that moves the fewest people.

    ``first_worse`` is the first level (above the lottery) that gets worse, or ``None`` when the plan
    is as good on every level (only the lottery separated them). ``changes`` lists every level above
    the lottery; ``moves`` the other applicants whose placement changes.
    """

    applicant: str
    unit: str
    status: Status
    first_worse: str | None
    changes: tuple[LevelChange, ...]
    moves: tuple[Move, ...]


class OptionReason(_Out):
    """Why the applicant did not get ``unit``.

    ``outcome``:

    * ``rule``: the unit is not acceptable for them, by ``rule`` (``requirement``, ``conflict``,
      ``training``, ``no_capacity`` or ``unit_ranking``);
    * ``full``: the unit (or its supervisors, or its municipality: see ``full``) was full, and placing
      them there makes the plan worse at level ``what_if.first_worse``; ``full == ("balance",)``: the
      unit had a free place, but taking it would break the municipality balance rule
      (``policy.balance``, mode ``within`` or ``ratio``), which keeps it closed; ``full ==
      ("group_rule",)``: the applicant is unplaced and the unit had a free place, but one more placed
      would break a group rule (``policy.group_rules``: a rate, a band or a maximum count);
    * ``lottery``: placing them there is as good on every level; the seeded lottery decided;
    * ``infeasible``: no plan can place them there (pins, minimums or capacities forbid it).
    """

    unit: str
    municipality: str
    area: str
    rank: int | None
    outcome: Literal["rule", "full", "lottery", "infeasible"]
    rule: str | None = None
    full: tuple[str, ...] = ()
    what_if: WhatIf | None = None


class ApplicantExplanation(_Out):
    """Why an applicant got what they got: the placement (or the unplaced reason), and a reason for
    every unit they wanted more (placed) or wanted at all (unplaced). For an unplaced applicant,
    ``cheapest`` is the option whose what-if costs least. ``kept``: a repair holds the placement from
    the previous plan (a hard keep), so no other option is explained.

    The facts that make a placement unusual: ``low_fit`` (the fit is below
    :data:`~matchmaker.explanations._applicant.LOW_FIT`), ``tier`` (the applicant's priority tier, which
    is placed before any fit counts), ``pinned`` (by the round or by an override: ``override``). For an
    applicant not selected, ``acceptable_supervisors`` and ``acceptable_units`` count the places the
    rules allowed them. ``weight`` is the score the caller's system gave the placement (the problem's
    pair weights; ``None`` without one).
    """

    applicant: str
    placed: Assignment | None
    unplaced: Unplaced | None
    pinned: bool
    kept: bool = False
    options: tuple[OptionReason, ...]
    cheapest: OptionReason | None = None
    tier: int | None = None
    low_fit: bool = False
    override: bool = False
    acceptable_supervisors: int = 0
    acceptable_units: int = 0
    weight: int | float | None = None

    def text(self, lang: Lang = "en", unit_names: dict[str, str] | None = None) -> str:
        """The explanation in full sentences (``lang`` ``"en"`` or ``"sv"``)."""
        from matchmaker.report._explanations import (
            render_applicant,  # on use: sentences are written on the report floor
        )

        return render_applicant(self, lang, unit_names or {})


class CoreItem(_Out):
    """One constraint of an infeasibility core: ``kind`` (``unit_min``, ``supervisor_capacity``,
    ``pin``, ``conflict``, ...), the ``record`` it belongs to, and the numbers that matter."""

    kind: str
    record: str
    params: dict[str, int | str]


class Relaxation(_Out):
    """One change of the smallest relaxation: ``kind`` and ``record`` of a constraint, and its bound
    ``before`` and ``after`` (``after`` is ``None`` when the constraint is dropped, e.g. a pin)."""

    kind: str
    record: str
    before: int | None
    after: int | None


class InfeasibilityExplanation(_Out):
    """Why no plan exists: a minimal core (constraints that cannot hold together, each needed) and the
    smallest relaxation that restores feasibility (``slack``: places of capacity or minimum changed
    plus constraints dropped, minimised).

    ``search`` says how the search for the relaxation ended: ``found`` (``relaxation`` is a smallest
    one), ``none_within_bounds`` (no relaxation within
    :data:`~matchmaker.explanations._infeasible.RELAXATION_BOUNDS` restores feasibility) or
    ``not_proven`` (the time limit ran out first).
    """

    core: tuple[CoreItem, ...]
    relaxation: tuple[Relaxation, ...]
    slack: int | None
    search: Literal["found", "none_within_bounds", "not_proven"] = "found"

    def text(self, lang: Lang = "en", unit_names: dict[str, str] | None = None) -> str:
        """The explanation in full sentences."""
        from matchmaker.report._explanations import (
            render_infeasibility,  # on use: sentences are written on the report floor
        )

        return render_infeasibility(self, lang, unit_names or {})


class SupplyDemand(_Out):
    """Places against wishes in one area or municipality, before solving."""

    scope: Literal["area", "municipality"]
    name: str
    places: int
    supervisor_capacity: int
    wishing: int
    acceptable: int


class Finding(_Out):
    """A pre-solve observation: ``code``, ``severity``, the records concerned and its numbers."""

    code: str
    severity: Literal["error", "warning", "info"]
    records: tuple[str, ...]
    params: dict[str, int | str]


class Diagnostics(_Out):
    """Everything :func:`matchmaker.diagnose` finds before solving."""

    supply: tuple[SupplyDemand, ...]
    findings: tuple[Finding, ...]

    def text(self, lang: Lang = "en", unit_names: dict[str, str] | None = None) -> str:
        """The diagnostics in full sentences."""
        from matchmaker.report._explanations import (
            render_diagnostics,  # on use: sentences are written on the report floor
        )

        return render_diagnostics(self, lang, unit_names or {})


class Reserve(_Out):
    """Who would take a place that frees up: the ``position``-th applicant to enter, and where."""

    position: int
    applicant: str
    supervisor: str
    unit: str
    moves: tuple[Move, ...]


class ReserveList(_Out):
    """The ranked reserve list of one unit."""

    unit: str
    reserves: tuple[Reserve, ...]
