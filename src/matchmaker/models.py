"""The input schema: one placement round described as immutable, validated records.

A :class:`Problem` holds municipalities, units, supervisors, applicants, pins, pair adjustments, the
interview criteria and the :class:`Policy`. Every record is a frozen pydantic model that rejects
unknown fields. Constructing a :class:`Problem` (directly, with ``model_validate`` or from JSON) runs
every rule of :mod:`matchmaker.validation`; if anything is wrong, a single
:class:`~matchmaker.errors.ProblemValidationError` lists every issue with its record, field and fix.

There are deliberately no fields for personal data or protected attributes (gender, age, ethnicity,
religion, disability, sexual orientation, name, personal identity number, citizenship, mother tongue,
address, parental leave, ...). A record that carries one is rejected with a message that says why.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, Strict, StringConstraints, field_validator, model_validator

from matchmaker._base import PROTECTED_FIELDS
from matchmaker._base import Record as _Record
from matchmaker.errors import ValidationIssue
from matchmaker.limits import check_record_counts

__all__ = [
    "PROTECTED_FIELDS",
    "SCHEMA_VERSION",
    "Adjustment",
    "Applicant",
    "Balance",
    "Conflicts",
    "Interests",
    "InterviewCriterion",
    "InterviewScore",
    "Link",
    "Municipality",
    "Objective",
    "Pin",
    "Policy",
    "Problem",
    "Ranking",
    "Supervisor",
    "TrainingStatus",
    "Unit",
]

#: The version of the problem schema this library writes. Files with a higher number are refused.
SCHEMA_VERSION = 1


def _no_control_chars(value: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("contains a control character (a line break or tab); use plain text")
    return value


#: An opaque identifier: 1-100 characters of text, surrounding whitespace removed, no control
#: characters. Numbers are refused so that ``001`` and ``1`` cannot silently become the same id.
Id = Annotated[
    str,
    Strict(),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_control_chars),
]
#: A short label such as an area name, a requirement or a qualification.
Label = Annotated[
    str,
    Strict(),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_control_chars),
]
Count = Annotated[int, Strict(), Field(ge=0, le=1_000_000)]
Weight01 = Annotated[float, Strict(), Field(ge=0.0, le=1.0)]
Rank = Annotated[int, Strict(), Field(ge=1, le=10_000)]
Finite = Annotated[float, Strict(), Field(ge=-1e12, le=1e12)]


class TrainingStatus(enum.StrEnum):
    """A supervisor's handledarutbildning (supervisor training)."""

    NONE = "none"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Municipality(_Record):
    """A municipality (kommun) that owns units; ``max_places``/``min_places`` bound its total intake."""

    id: Id
    name: Label | None = None
    max_places: Count | None = None
    min_places: Count = 0


class Unit(_Record):
    """A unit (enhet) in a municipality, in one area, with a cap on places this round.

    ``requirements`` are stated in advance (e.g. ``"körkort"`` for home visits, a language); only
    applicants whose ``qualifications`` include every requirement may be placed here.
    ``target_places`` is how many students the unit would like (a soft goal, or a lower bound when
    ``policy.targets`` is ``"hard"``). ``ranking`` is the unit's own ranking of applicants (1 = most
    preferred, equal ranks tie); when given, applicants it does not list cannot be placed here.
    Without it, ``policy.unit_preferences`` says how the unit ranks applicants.
    """

    id: Id
    name: Label | None = None
    municipality: Id
    area: Label
    max_places: Count
    min_places: Count = 0
    target_places: Count | None = None
    requirements: tuple[Label, ...] = ()
    ranking: Mapping[Id, Rank] | None = None


class Supervisor(_Record):
    """A supervisor (handledare) in a unit who takes up to ``capacity`` students this round.

    No name is stored: a supervisor is known by an opaque id only.
    """

    id: Id
    unit: Id
    capacity: Count = 1
    training: TrainingStatus = TrainingStatus.NONE


class Interests(_Record):
    """Cardinal interests: a weight in [0, 1] per area, unit or supervisor (1 = strongest).

    The most specific entry wins: a supervisor's own entry over its unit's, a unit's over its area's.
    A positive weight makes the option acceptable; 0 makes it unacceptable (useful to exclude one unit
    of an area the applicant otherwise wants).
    """

    areas: Mapping[Label, Weight01] = Field(default_factory=dict)
    units: Mapping[Id, Weight01] = Field(default_factory=dict)
    supervisors: Mapping[Id, Weight01] = Field(default_factory=dict)


class Ranking(_Record):
    """Ordinal preferences: rank 1 is the first choice, equal ranks are ties, unlisted is unacceptable.

    Ranks are dense across all entries of one applicant (1, 1, 2, 3 is fine; 1, 3 has a gap). The
    most specific entry wins, as for :class:`Interests`.
    """

    areas: Mapping[Label, Rank] = Field(default_factory=dict)
    units: Mapping[Id, Rank] = Field(default_factory=dict)
    supervisors: Mapping[Id, Rank] = Field(default_factory=dict)


class InterviewScore(_Record):
    """One interviewer's score of one applicant on one criterion.

    ``unit`` is set when a unit interviewed the applicant itself; the score then counts for that unit
    only. ``scale_min``/``scale_max`` override the criterion's scale for an interviewer who used
    another one; scores are normalised to [0, 1] on their scale before they are combined.
    """

    criterion: Id
    score: Finite
    interviewer: Id | None = None
    unit: Id | None = None
    scale_min: Finite | None = None
    scale_max: Finite | None = None


class Conflicts(_Record):
    """Declared conflicts of interest (jäv): units and supervisors this applicant may not be placed with.

    Only the fact that the pair is forbidden is stored, never the reason.
    """

    units: tuple[Id, ...] = ()
    supervisors: tuple[Id, ...] = ()


class Applicant(_Record):
    """An applicant, known to the solver by an opaque id only.

    Give either ``interests`` (weights) or ``ranking`` (ranks), not both. An applicant with neither,
    or whose every option is removed by a rule, is valid input: they stay unplaced, with the reason.
    ``priority_tier`` is an opaque priority ground (förtur): 1 is the highest; no tier is lowest.
    """

    id: Id
    university: Label | None = None
    priority_tier: Annotated[int, Strict(), Field(ge=1, le=100)] | None = None
    interests: Interests | None = None
    ranking: Ranking | None = None
    interview: tuple[InterviewScore, ...] = ()
    qualifications: tuple[Label, ...] = ()
    conflicts: Conflicts = Field(default_factory=Conflicts)


class InterviewCriterion(_Record):
    """A published interview criterion with its weight and default scale."""

    id: Id
    weight: Annotated[float, Strict(), Field(ge=0.0, le=1e6)] = 1.0
    scale_min: Finite = 1.0
    scale_max: Finite = 5.0


class Pin(_Record):
    """A placement fixed in advance: the applicant must be placed at this supervisor, or in this unit.

    A pin counts as acceptable even without a stated interest (the coordinator agreed it with the
    applicant) but never overrides a conflict, a unit requirement or the training rule.
    """

    applicant: Id
    unit: Id | None = None
    supervisor: Id | None = None


class Adjustment(_Record):
    """A per-pair change to the fit, in [-1, 1]: a supervisor's own assessment or a travel penalty.

    Targets a unit (all its supervisors) or one supervisor; when both apply, both are added.
    """

    applicant: Id
    unit: Id | None = None
    supervisor: Id | None = None
    delta: Annotated[float, Strict(), Field(ge=-1.0, le=1.0)]


class Link(_Record):
    """Two applicants linked by a wish or a rule: ``apart`` (never in the same unit), ``same_unit``
    or ``same_municipality`` (both placed there together, or neither placed). ``hard`` links are
    constraints; soft ones are counted at their level of the objective vector. Only the link is
    stored, never its reason.
    """

    applicants: tuple[Id, Id]
    relation: Literal["apart", "same_unit", "same_municipality"]
    hard: bool = True


class Balance(_Record):
    """Balance between municipalities in a joint programme, on fill rates with fixed denominators.

    A municipality's *offered places* are its ``max_places``, or else the sum of its units'
    ``max_places``; its *fill rate* is placed / offered. Modes:

    * ``within``: every two municipalities' fill rates differ by at most ``tolerance`` (a constraint);
    * ``ratio``: every municipality's fill rate is at least ``ratio`` times the overall fill rate
      (a constraint; 0.75 means "at least three quarters of the overall rate");
    * ``maximin``: two levels of the objective vector, right after the placed count: the lowest fill
      rate as high as possible, then the lowest fit per offered place as high as possible.
    """

    mode: Literal["within", "ratio", "maximin"]
    tolerance: Annotated[float, Strict(), Field(ge=0.0, le=1.0)] = 0.1
    ratio: Annotated[float, Strict(), Field(ge=0.0, le=1.0)] = 0.75


#: The objectives of level 3 (see :class:`Policy`).
Objective = Literal["total_fit", "rank_maximal", "generous", "minimum_regret", "egalitarian", "leximin"]


class Policy(_Record):
    """How the round is decided. Recorded with every result.

    Attributes:
        interest_weight: weight of the applicant's interest in the fit.
        interview_weight: weight of the interview score in the fit. The two are normalised to sum to 1;
            at least one must be positive.
        supervisor_training: the least training a supervisor needs to take a student: ``"any"``,
            ``"in_progress"`` or ``"completed"``.
        missing_interview: the interview value of an applicant with no score for a unit: ``"neutral"``
            (0.5, the middle of every scale), ``"zero"`` or ``"cohort_mean"`` (the mean of the known
            interview values over the round's acceptable pairs).
        objective: what level 3 of the objective vector optimises: ``"total_fit"`` (the sum of fits),
            ``"rank_maximal"`` (most first choices, then most second choices, ...), ``"generous"``
            (fewest at the worst rank, then at the next worst, ...), ``"minimum_regret"`` (the best
            worst rank), ``"egalitarian"`` (the least sum of ranks) or ``"leximin"`` (the worst-off
            applicant's fit as high as possible, then the next).
        unit_preferences: how a unit without its own ``ranking`` ranks applicants: ``"interview"``
            (by the interview value for that unit, higher first, equal values tied, applicants without
            a score last) or ``"indifferent"`` (all tied).
        minimums: ``"hard"`` (unit and municipality minimums are constraints) or ``"soft"`` (the
            shortfall below them is minimised at its level of the objective vector).
        targets: ``"soft"`` (the shortfall below units' ``target_places`` is minimised) or ``"hard"``
            (a target is a lower bound).
        balance: balance between municipalities (see :class:`Balance`), or ``None``.
        lottery_seed: the seed of the tie-breaking lottery (the last level). Same input, policy and
            seed give the same decision.
    """

    interest_weight: Annotated[float, Strict(), Field(ge=0.0, le=1e6)] = 0.7
    interview_weight: Annotated[float, Strict(), Field(ge=0.0, le=1e6)] = 0.3
    supervisor_training: Literal["any", "in_progress", "completed"] = "any"
    missing_interview: Literal["neutral", "zero", "cohort_mean"] = "neutral"
    objective: Objective = "total_fit"
    unit_preferences: Literal["interview", "indifferent"] = "interview"
    minimums: Literal["hard", "soft"] = "hard"
    targets: Literal["soft", "hard"] = "soft"
    balance: Balance | None = None
    lottery_seed: Annotated[int, Strict(), Field(ge=0, le=2**63 - 1)] = 0

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if self.interest_weight == 0 and self.interview_weight == 0:
            raise ValueError(
                "interest_weight and interview_weight are both 0, so every placement would fit equally; "
                "give at least one a positive weight (the defaults are 0.7 and 0.3)"
            )
        return self


class Problem(_Record):
    """One placement round: everything the solver needs, validated on construction.

    Records may come in any order; the solver sorts them by id, so order never changes a decision.
    """

    schema_version: Annotated[int, Strict(), Field(ge=1)] = SCHEMA_VERSION
    name: Label | None = None
    policy: Policy = Field(default_factory=Policy)
    criteria: tuple[InterviewCriterion, ...] = ()
    municipalities: tuple[Municipality, ...]
    units: tuple[Unit, ...]
    supervisors: tuple[Supervisor, ...]
    applicants: tuple[Applicant, ...]
    pins: tuple[Pin, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    links: tuple[Link, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _within_limits(cls, data: Any) -> Any:
        check_record_counts(data)  # before any record is built: see matchmaker.limits
        return data

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise ValueError(
                f"schema version {value} is newer than this matchmaker knows ({SCHEMA_VERSION}); upgrade matchmaker"
            )
        return value

    @model_validator(mode="after")
    def _cross_record_rules(self) -> Self:
        from matchmaker.validation import problem_issues

        issues = problem_issues(self)
        if issues:
            raise _IssueBundleError(issues)
        return self

    @cached_property
    def municipality_by_id(self) -> Mapping[str, Municipality]:
        """Municipalities by id."""
        return {m.id: m for m in self.municipalities}

    @cached_property
    def unit_by_id(self) -> Mapping[str, Unit]:
        """Units by id."""
        return {u.id: u for u in self.units}

    @cached_property
    def supervisor_by_id(self) -> Mapping[str, Supervisor]:
        """Supervisors by id."""
        return {s.id: s for s in self.supervisors}

    @cached_property
    def applicant_by_id(self) -> Mapping[str, Applicant]:
        """Applicants by id."""
        return {a.id: a for a in self.applicants}

    def fingerprint(self) -> str:
        """A SHA-256 of the problem's canonical JSON: independent of record order and formatting."""
        from matchmaker.canonical import problem_fingerprint

        return problem_fingerprint(self)

    def _repr_html_(self) -> str:
        n_places = sum(u.max_places for u in self.units)
        return (
            "<table><caption>matchmaker Problem</caption>"
            f"<tr><th>applicants</th><td>{len(self.applicants)}</td></tr>"
            f"<tr><th>municipalities</th><td>{len(self.municipalities)}</td></tr>"
            f"<tr><th>units</th><td>{len(self.units)}</td></tr>"
            f"<tr><th>supervisors</th><td>{len(self.supervisors)}</td></tr>"
            f"<tr><th>places (sum of unit caps)</th><td>{n_places}</td></tr>"
            "</table>"
        )


class _IssueBundleError(ValueError):
    """Carries cross-record issues out of a pydantic validator (pydantic wraps ValueErrors)."""

    def __init__(self, issues: list[ValidationIssue]) -> None:
        self.issues = issues
        super().__init__(f"{len(issues)} cross-record issues")
