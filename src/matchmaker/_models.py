"""The input schema: one placement round described as immutable, validated records.

A :class:`Problem` holds municipalities, units, supervisors, applicants, pins, pair adjustments, the
interview criteria and the :class:`Policy`. Every record is a frozen pydantic model that rejects
unknown fields. Constructing a :class:`Problem` (directly, with ``model_validate`` or from JSON) runs
every rule of :mod:`matchmaker._validation`; if anything is wrong, a single
:class:`~matchmaker.errors.ProblemValidationError` lists every issue with its record, field and fix.

A round may say when it runs (:class:`Round`: term, year, step and dated :class:`Period` s, one per
university or per applicant), how much of a supervisor's week each student takes (``Supervisor.load_limit``
and the policy's load per step), which placements of other rounds still run (:class:`Commitment`), and
for a step-2 or step-3 round each applicant's placement in the step before (``Applicant.previous_unit`` and
``previous_supervisor``), which earns a continuity bonus in the fit. Step 3 is employment (anställning):
posts offered to the programme's graduates, a post being a place with a supervisor (a manager's team)
in a unit; by default an employee takes none of a supervisor's student load (``Policy.load_step_3``).

There are deliberately no fields for personal data or protected attributes (gender, age, ethnicity,
religion, disability, sexual orientation, name, personal identity number, citizenship, mother tongue,
address, parental leave, ...). A record that carries one is rejected with a message that says why.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, cast

import numpy as np
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    Strict,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from matchmaker._base import PROTECTED_FIELDS, protected_label
from matchmaker._base import Record as _Record
from matchmaker._canonical import problem_fingerprint
from matchmaker._i18n import msg
from matchmaker._limits import check_record_counts
from matchmaker._pair_columns import PairColumns
from matchmaker._pydantic_errors import RuleError
from matchmaker._validation import problem_issues
from matchmaker._validation.one_pass import cross_record_issues
from matchmaker.errors import ProblemValidationError, ValidationIssue

__all__ = [
    "ORDER_PRESETS",
    "PROTECTED_FIELDS",
    "SCHEMA_VERSION",
    "STABLE_OBJECTIVES",
    "Adjustment",
    "Applicant",
    "Balance",
    "Commitment",
    "Conflicts",
    "GroupRule",
    "Interests",
    "InterviewCriterion",
    "InterviewScore",
    "Link",
    "Municipality",
    "Objective",
    "Order",
    "PairWeight",
    "PairWeights",
    "Period",
    "Pin",
    "Policy",
    "Problem",
    "Ranking",
    "Round",
    "Slot",
    "Stability",
    "Step",
    "Supervisor",
    "TrainingStatus",
    "Unit",
]

#: The version of the problem schema this library writes. Files with a higher number are refused.
SCHEMA_VERSION = 1


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def _no_control_chars(value: str) -> str:
    if _CONTROL.search(value) is not None:
        raise RuleError(msg("contains a control character (a line break or tab)"), msg("use plain text"))
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
#: A load in a supervisor's week (days, or a fraction of a week: one unit used throughout a round).
Load = Annotated[float, Strict(), Field(ge=0.0, le=1e6)]


def _iso_date(value: object) -> object:
    """A date, or its ISO text ``2026-08-31``; a datetime, a number or any other text is refused."""
    if isinstance(value, dt.datetime):
        raise RuleError(msg("is a date and time"), msg("give the date only, as YYYY-MM-DD"))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise _not_a_date() from None
    raise _not_a_date()


def _not_a_date() -> RuleError:
    return RuleError(msg("is not a date"), msg("write it as YYYY-MM-DD, e.g. 2026-08-31"))


#: A calendar date, written ``YYYY-MM-DD``.
Date = Annotated[dt.date, BeforeValidator(_iso_date)]
#: A step of a trainee programme: 1 = VFU (the practice placement), 2 = studentmedarbetare, 3 =
#: employment (anställning) after graduation.
Step = Literal[1, 2, 3]


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

    ``load_limit`` is how much supervision the supervisor can give per week, in the unit the policy's
    ``load_step_1``/``load_step_2``/``load_step_3`` use (days of their week, or a fraction of it); at every date, the
    load of this round's students whose periods run then, plus the round's :class:`Commitment` s, stays
    within it. ``None``: no load limit (``capacity`` alone counts). ``unavailable_periods`` names the
    round's periods in which the supervisor cannot take a student (leave, another assignment). No name
    is stored: a supervisor is known by an opaque id only.
    """

    id: Id
    unit: Id
    capacity: Count = 1
    training: TrainingStatus = TrainingStatus.NONE
    load_limit: Load | None = None
    unavailable_periods: tuple[Id, ...] = ()


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


#: The conflicts of an applicant who declares none: one shared record (records are frozen), so that
#: loading does not build an empty one per applicant.
_NO_CONFLICTS = Conflicts()


def _no_conflicts() -> Conflicts:
    return _NO_CONFLICTS


class Applicant(_Record):
    """An applicant, known to the solver by an opaque id only.

    Give either ``interests`` (weights) or ``ranking`` (ranks), not both. An applicant with neither,
    or whose every option is removed by a rule, is valid input: they stay unplaced, with the reason.
    ``priority_tier`` is an opaque priority ground (förtur): 1 is the highest; no tier is lowest.
    ``period`` names the round's :class:`Period` the applicant is placed for (default: the period of
    their university, else the round's period without a university). ``previous_unit`` and
    ``previous_supervisor`` are the applicant's placement in the step before (for a studentmedarbetare,
    their VFU; for a graduate offered a post, their studentmedarbetare placement): staying there earns the
    policy's continuity bonus. ``groups`` labels the applicant with one group per *family*
    (``{"home_municipality": "Nacka"}``) for the policy's :class:`GroupRule` s; no family or group may
    name a protected attribute or a proxy of one. The families are kept sorted by name.
    """

    id: Id
    university: Label | None = None
    priority_tier: Annotated[int, Strict(), Field(ge=1, le=100)] | None = None
    interests: Interests | None = None
    ranking: Ranking | None = None
    interview: tuple[InterviewScore, ...] = ()
    qualifications: tuple[Label, ...] = ()
    conflicts: Conflicts = Field(default_factory=_no_conflicts)
    period: Id | None = None
    previous_unit: Id | None = None
    previous_supervisor: Id | None = None
    groups: Mapping[Label, Label] = Field(default_factory=dict)

    @field_validator("groups")
    @classmethod
    def _no_protected_groups(cls, value: Mapping[str, str]) -> Mapping[str, str]:
        for family, group in value.items():
            _refuse_protected(family)
            if protected_label(group):  # the value is not echoed: it may be the personal data itself
                raise RuleError(
                    msg(
                        "the group of family {family!r} names personal data or a protected attribute, which "
                        "matchmaker never uses for matching (diskrimineringslagen, GDPR)",
                        family=family,
                    ),
                    msg("group applicants only by attributes such as home municipality, university or step"),
                )
        return dict(sorted(value.items()))  # one order, as the tables write the families: every format is exact


def _refuse_protected(family: str) -> str:
    """``family`` (a family of applicant groups), unless it names a protected attribute or a proxy."""
    if protected_label(family):
        raise RuleError(
            msg(
                "group family {family!r} names personal data or a protected attribute, which matchmaker never "
                "uses for matching (diskrimineringslagen, GDPR)",
                family=family,
            ),
            msg("group applicants only by attributes such as home municipality, university or step"),
        )
    return family


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


def _weight_value(value: object) -> object:
    """A weight as an ``int`` when whole, else a ``float``: from an integer, a float, a ``Decimal`` or
    decimal text (``"12.5"``); booleans, NaN and infinities are refused."""
    if type(value) is int:
        return value  # the usual case, without a Decimal
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise RuleError(msg("is not a number"), msg("give the weight as a number, e.g. 12 or 12.5"))
    try:
        number = Decimal(
            value.strip() if isinstance(value, str) else repr(value) if isinstance(value, float) else value
        )
    except InvalidOperation:
        raise RuleError(msg("is not a number"), msg("give the weight as a number, e.g. 12 or 12.5")) from None
    if not number.is_finite():
        raise RuleError(msg("is not a finite number"), msg("give the weight as a number, e.g. 12 or 12.5"))
    if number == number.to_integral_value():
        return int(number)
    return float(number)


class PairWeight(_Record):
    """One row of :class:`PairWeights`: the score another system gave one (applicant, place) pair.

    Give ``supervisor`` or ``unit`` (exactly one). A unit's weight applies to each of its supervisors; a
    supervisor's own weight overrides its unit's for that pair. ``weight`` is an integer or a decimal
    (number or decimal text) with at most as many decimals as the table's ``scale`` allows.
    """

    applicant: Id
    supervisor: Id | None = None
    unit: Id | None = None
    weight: Annotated[int | float, BeforeValidator(_weight_value)]


class PairWeights(_Record):
    """Pair weights from the caller's own system: a score per (applicant, supervisor) or (applicant,
    unit) pair that replaces the computed fit or is added to it (``Policy.pair_weights``).

    ``scale`` is how finely weights are given: 1 (integers), 10 (one decimal), 100, ... up to 10**6;
    each weight enters the solver as the exact integer ``weight * scale``, and a weight with more
    decimals than the scale allows is an error naming its row. ``|weight * scale|`` is at most 10**12.
    Weights say how good a pair is, not which pairs may be used: the applicant's wishes (and the
    acceptability rules) decide that. A weight for a pair the applicant did not wish for is an error
    (``unwished="error"``, the default, naming the row) or left out (``unwished="ignore"``). A pair
    without a weight counts 0 (with ``"replace"``) or its fit alone (with ``"add"``).
    """

    scale: Literal[1, 10, 100, 1_000, 10_000, 100_000, 1_000_000] = 1
    unwished: Literal["error", "ignore"] = "error"
    rows: tuple[PairWeight, ...] = ()
    _columns: PairColumns | None = PrivateAttr(default=None)

    @classmethod
    def _of_columns(cls, settings: Mapping[str, Any], columns: PairColumns) -> PairWeights:
        """A table with ``settings`` (``scale``, ``unwished``; validated here) whose rows are ``columns``,
        plain rows read whole (see :class:`~matchmaker._pair_columns.PairColumns`). The rows' records are
        made when something asks for ``rows``; the problem's rules check the columns themselves."""
        base = cls.model_validate(dict(settings))
        table = cls.model_construct({*base.model_fields_set, "rows"}, scale=base.scale, unwished=base.unwished)
        del table.__dict__["rows"]  # made on demand: see __getattr__
        table._columns = columns
        return table

    @property
    def columns(self) -> PairColumns | None:
        """The rows as columns when the table was read from columns (Arrow, Parquet), else ``None``."""
        return self._columns

    def _made_rows(self) -> tuple[PairWeight, ...]:
        """The rows' records, made once from the columns."""
        found = self.__dict__.get("rows")
        if found is None:
            columns = self._columns
            if columns is None:
                raise AttributeError("rows")
            found = tuple(
                PairWeight.model_construct(set(_ROW_FIELDS[s is not None]), applicant=a, supervisor=s, unit=u, weight=w)
                for a, s, u, w in zip(columns.applicant, columns.supervisor, columns.unit, columns.weight, strict=True)
            )
            self.__dict__["rows"] = found  # the same records every time (the table is frozen)
        return found

    if not TYPE_CHECKING:  # mypy sees the field; at run time a table read from columns makes it here

        def __getattr__(self, name: str) -> Any:
            if name == "rows":
                return self._made_rows()
            return super().__getattr__(name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PairWeights):
            return NotImplemented
        return (
            type(self) is type(other)
            and (self.scale, self.unwished) == (other.scale, other.unwished)
            and (self._made_rows() == other._made_rows())
        )

    def __hash__(self) -> int:
        return hash((self.scale, self.unwished, self._made_rows()))

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # The serializer below only makes the rows first: a dump has the fields' schema, as any record's.
        if handler.mode == "serialization" and "serialization" in core_schema:
            core_schema = cast("CoreSchema", {k: v for k, v in core_schema.items() if k != "serialization"})
        return handler(core_schema)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        # A dump that leaves the rows out (the canonical writer reads the columns) does not make them.
        exclude = info.exclude
        if not (isinstance(exclude, Mapping | set) and "rows" in exclude):
            self._made_rows()
        return handler(self)

    @classmethod
    def from_arrays(
        cls,
        applicants: Sequence[str],
        places: Sequence[str],
        weights: Sequence[int | float | str],
        *,
        place: Literal["supervisor", "unit"] = "supervisor",
        scale: Literal[1, 10, 100, 1_000, 10_000, 100_000, 1_000_000] = 1,
        unwished: Literal["error", "ignore"] = "error",
    ) -> PairWeights:
        """A table from three equally long arrays (lists, tuples or numpy arrays): applicant ids, the
        supervisor (or, with ``place="unit"``, unit) ids, and the weights."""
        apps, where, values = list(applicants), list(places), list(weights)
        if not len(apps) == len(where) == len(values):
            issue = ValidationIssue.of(
                "pair_weights",
                msg(
                    "the arrays differ in length ({applicants} applicants, {places} places, {weights} weights)",
                    applicants=len(apps),
                    places=len(where),
                    weights=len(values),
                ),
                msg("give one applicant, one place and one weight per pair"),
            )
            raise ProblemValidationError([issue])
        columns = _plain_columns(apps, where, values, place)
        if columns is not None:  # held as columns: the problem's rules check them whole
            return cls._of_columns({"scale": scale, "unwished": unwished}, columns)
        rows = [
            {"applicant": _plain_item(a), place: _plain_item(w), "weight": _plain_item(v)}
            for a, w, v in zip(apps, where, values, strict=True)
        ]
        return cls.model_validate({"scale": scale, "unwished": unwished, "rows": rows})


def _plain_columns(apps: list[Any], where: list[Any], values: list[Any], place: str) -> PairColumns | None:
    """The arrays as columns when every id is text a record keeps as it is (no surrounding spaces, 1-100
    characters, no control character) and every weight a whole number of at most 10^12 (given as an
    integer or a float, not text); else ``None`` (the rows become records, which name what is wrong)."""
    if not apps:
        return None
    ids: tuple[list[Any], list[Any]] = ([_plain_item(v) for v in apps], [_plain_item(v) for v in where])
    for text in {*ids[0], *ids[1]}:
        if type(text) is not str or not 0 < len(text) <= 100 or text != text.strip() or _CONTROL.search(text):
            return None
    numbers: list[Any] = [_plain_item(v) for v in values]
    if not all(type(v) is int or type(v) is float for v in numbers):
        return None  # text, a Decimal, a boolean: the record's validator reads it exactly
    try:
        array = np.array(numbers, dtype=np.float64)
    except OverflowError:
        return None
    if not (np.all(np.abs(array) <= 10**12) and np.all(array == np.round(array))):
        return None
    none: tuple[None, ...] = (None,) * len(apps)
    places = tuple(ids[1])
    whole = tuple(int(v) for v in numbers)
    if place == "unit":
        return PairColumns(tuple(ids[0]), none, places, whole)
    return PairColumns(tuple(ids[0]), places, none, whole)


#: The fields a row read from a table holds: its applicant, its place (a unit's or a supervisor's) and weight.
_ROW_FIELDS = {
    False: frozenset({"applicant", "unit", "weight"}),
    True: frozenset({"applicant", "supervisor", "weight"}),
}


def _plain_item(value: object) -> object:
    """A numpy scalar as the Python value it holds (ids stay text; numbers stay numbers)."""
    item = getattr(value, "item", None)
    # numpy's str_ and float64 are str and float subclasses: as plain values, as the records take them
    return item() if callable(item) and type(value) not in (str, int, float) else value


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


class GroupRule(_Record):
    """A fairness rule over one *family* of applicant groups (the ``family`` key of
    ``Applicant.groups``). A group's *size* is the number of its applicants in the round, its *rate*
    placed / size; the *overall rate* is placed / every applicant of the round. Rules:

    * ``rate``: every group's rate at least ``ratio`` times the overall rate (a constraint);
    * ``band``: every group's rate within ``tolerance`` of the overall rate, above or below (a constraint);
    * ``maximin``: a level of the objective vector after the placed count and the municipality balance
      (position 2.45): the lowest group rate as high as possible;
    * ``count``: each group (each of ``groups``, or every group of the family) places at least
      ``min_count`` and at most ``max_count`` applicants (a constraint).

    ``rate``, ``band`` and ``maximin`` leave out groups with fewer than ``min_size`` applicants.
    ``ratio`` and ``tolerance`` are taken as exact fractions with a denominator of at most 10,000.
    """

    family: Label
    rule: Literal["rate", "band", "maximin", "count"]
    ratio: Annotated[float, Strict(), Field(ge=0.0, le=1.0)] = 0.75
    tolerance: Annotated[float, Strict(), Field(ge=0.0, le=1.0)] = 0.1
    min_size: Annotated[int, Strict(), Field(ge=1, le=1_000_000)] = 1
    min_count: Count | None = None
    max_count: Count | None = None
    groups: tuple[Label, ...] = ()

    @field_validator("family")
    @classmethod
    def _family_not_protected(cls, value: str) -> str:
        return _refuse_protected(value)

    @model_validator(mode="after")
    def _counts_with_count(self) -> Self:
        if self.rule == "count":
            if self.min_count is None and self.max_count is None:
                raise RuleError(
                    msg("a 'count' rule needs min_count, max_count or both"),
                    msg("give the least or the most applicants each group may have placed"),
                )
            if self.min_count is not None and self.max_count is not None and self.min_count > self.max_count:
                raise RuleError(
                    msg(
                        "min_count {low} is above max_count {high}",
                        low=self.min_count,
                        high=self.max_count,
                    ),
                    msg("make min_count at most max_count"),
                )
        elif self.min_count is not None or self.max_count is not None or self.groups:
            raise RuleError(
                msg("min_count, max_count and groups belong to a 'count' rule, not to '{rule}'", rule=self.rule),
                msg("remove them, or make the rule a 'count' rule"),
            )
        return self


class Stability(_Record):
    """Stable plans only: no applicant and unit would both rather be together (no *blocking pair*).

    Units rank applicants by their own ``ranking`` or by ``policy.unit_preferences``; applicants rank
    placements by their wishes. A blocking pair follows the student-project allocation definition of
    Abraham, Irving & Manlove (2007), a unit in the lecturer's role and a supervisor in the project's.

    * ``mode="applicant_optimal"``: the stable plan every applicant likes best (deferred acceptance
      with applicants proposing, when the round has no side constraints);
    * ``mode="unit_optimal"``: the stable plan the units like best, which every applicant likes least
      (deferred acceptance with units proposing, when the round has no side constraints);
    * ``mode="optimise"``: any stable plan, chosen by the objective vector (the placed count first: a
      largest stable plan; then ``policy.objective``, e.g. ``egalitarian`` or ``sex_equal``).

    ``ties``: ``"lottery"`` breaks ties on both sides by the seeded lottery first (then the plan is
    stable for the strict order, hence weakly stable for the original one); ``"keep"`` keeps ties and
    asks for weak stability directly (only with ``mode="optimise"``: finding a largest weakly stable
    plan is NP-hard and done by CP-SAT).
    """

    mode: Literal["applicant_optimal", "unit_optimal", "optimise"] = "applicant_optimal"
    ties: Literal["lottery", "keep"] = "lottery"

    @model_validator(mode="after")
    def _ties_with_mode(self) -> Self:
        if self.ties == "keep" and self.mode != "optimise":
            raise RuleError(
                msg(
                    "ties 'keep' needs mode 'optimise' (an {mode} plan is defined for strict preferences)",
                    mode=self.mode.replace("_", "-"),
                ),
                msg("use ties 'lottery' or mode 'optimise'"),
            )
        return self


class Period(_Record):
    """A dated period of placements, first and last day included: a university's VFU dates, or the
    dates of a step-2 employment. ``university`` makes it the period of that university's applicants;
    a period without one is the round's default."""

    id: Id
    start: Date
    end: Date
    university: Label | None = None


class Round(_Record):
    """The intake a problem describes: term (``VT`` spring, ``HT`` autumn), year, step (1 = VFU, 2 =
    studentmedarbetare, 3 = employment: posts offered to graduates) and its dated periods (VFU dates
    differ per university). Without periods every placement of the round is taken to run at the same
    time as every other and every commitment."""

    term: Literal["VT", "HT"]
    year: Annotated[int, Strict(), Field(ge=2000, le=2200)]
    step: Step = 1
    periods: tuple[Period, ...] = ()


class Commitment(_Record):
    """A placement from another round that still runs: it occupies ``supervisor`` from ``start`` to
    ``end`` (both included) with the load of its ``step`` (the policy's ``load_step_1``,
    ``load_step_2`` or ``load_step_3``), or with ``load`` when given. It counts towards the supervisor's
    ``load_limit`` only, not towards this round's capacities.

    ``applicant`` is the opaque id of the student whose placement it is (optional; :func:`next_round`
    fills it). A student cannot be in two places: when that student is an applicant of this round, the
    round decides where they are from the first day of their period in it, so the commitment counts
    only on the days before that day (not at all in a round without dates), whether or not the round
    places them. Without ``applicant`` it counts over all its days."""

    supervisor: Id
    start: Date
    end: Date
    step: Step = 1
    load: Load | None = None
    applicant: Id | None = None


#: The objectives of level 3 (see :class:`Policy`).
Objective = Literal[
    "total_fit",
    "rank_maximal",
    "rank_maximal_irving",
    "generous",
    "minimum_regret",
    "egalitarian",
    "leximin",
    "sex_equal",
    "egalitarian_two_sided",
    "minimum_regret_two_sided",
]
#: The objectives defined among stable plans only (they weigh the units' ranks too).
STABLE_OBJECTIVES = ("sex_equal", "egalitarian_two_sided", "minimum_regret_two_sided")


#: A part of the objective vector a caller can move (``Policy.order``); the lottery is always last.
Slot = Literal["priority_tiers", "placed", "soft", "objective"]
#: A named order of the parts (see ``ORDER_PRESETS``) or the parts themselves, first first.
Order = Literal["placed_first", "objective_first", "maximum_weight"] | tuple[Slot, ...]
#: The named orders of ``Policy.order``: ``placed_first`` is the default and the order of every
#: earlier release; ``maximum_weight`` is the plain maximum-weight (or maximum-fit) plan.
ORDER_PRESETS: Mapping[str, tuple[str, ...]] = {
    "placed_first": ("priority_tiers", "placed", "soft", "objective"),
    "objective_first": ("objective", "priority_tiers", "placed", "soft"),
    "maximum_weight": ("objective",),
}
#: Objectives that may come before the placed count (or go without it): the others minimise, and
#: without the placed count above them the empty plan would be best.
UNCOUNTED_OBJECTIVES = ("total_fit", "rank_maximal", "rank_maximal_irving")


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
            ``"rank_maximal"`` (after the placed count: most first choices, then most second
            choices, ...), ``"rank_maximal_irving"`` (Irving et al. 2006: most first choices, then
            most second choices, ... before the placed count, so it may place fewer), ``"generous"``
            (fewest at the worst rank, then at the next worst, ...), ``"minimum_regret"`` (the best
            worst rank), ``"egalitarian"`` (the least sum of ranks), ``"leximin"`` (the worst-off
            applicant's fit as high as possible, then the next), and with stability only
            ``"sex_equal"`` (the applicants' and the units' rank sums as close as possible),
            ``"egalitarian_two_sided"`` (the least sum of both sides' ranks) or
            ``"minimum_regret_two_sided"`` (the best worst rank on either side).
        unit_preferences: how a unit without its own ``ranking`` ranks applicants: ``"interview"``
            (by the interview value for that unit, higher first, equal values tied, applicants without
            a score last) or ``"indifferent"`` (all tied).
        minimums: ``"hard"`` (unit and municipality minimums are constraints) or ``"soft"`` (the
            shortfall below them is minimised at its level of the objective vector).
        targets: ``"soft"`` (the shortfall below units' ``target_places`` is minimised) or ``"hard"``
            (a target is a lower bound).
        balance: balance between municipalities (see :class:`Balance`), or ``None``.
        stability: stable plans only (see :class:`Stability`), or ``None``.
        load_step_1: how much of a supervisor's week one step-1 (VFU) student takes, in the unit of
            ``Supervisor.load_limit`` (1.0: a day a week, if limits are in days). Not the student's own
            days on site.
        load_step_2: the same for one step-2 student (studentmedarbetare).
        load_step_3: the same for one step-3 employee (a graduate in a post). 0 by default: an
            employed social worker has a manager, not a student supervisor, so a post takes a place
            (``capacity``) but none of the supervision in ``load_limit``.
        continuity_same_supervisor: the fit bonus for placing an applicant with their
            ``previous_supervisor`` again.
        continuity_same_unit: the fit bonus for placing an applicant in their ``previous_unit`` with
            another supervisor.
        lottery_seed: the seed of the tie-breaking lottery (the last level). Same input, policy and
            seed give the same decision.
        pair_weights: what a problem's :class:`PairWeights` do: ``"replace"`` (the weight stands in for
            the computed fit in the fit levels: ``total_weight`` instead of ``total_fit``, and leximin)
            or ``"add"`` (the weight is added to the fit: ``total_fit_and_weight``).
        order: the parts of the objective vector, first first: a preset of :data:`ORDER_PRESETS`
            (``"placed_first"``, the default: priority tiers, placed, soft levels, the objective;
            ``"objective_first"``; ``"maximum_weight"``: the objective alone) or a tuple of
            ``"priority_tiers"``, ``"placed"``, ``"soft"`` and ``"objective"``. A part left out is not
            optimised; the lottery is always last. See the objectives guide for what moving each means.
        group_rules: fairness rules over applicant groups (see :class:`GroupRule`), beside the
            municipality balance.
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
    stability: Stability | None = None
    load_step_1: Load = 1.0
    load_step_2: Load = 0.5
    load_step_3: Load = 0.0
    continuity_same_supervisor: Weight01 = 0.15
    continuity_same_unit: Weight01 = 0.1
    lottery_seed: Annotated[int, Strict(), Field(ge=0, le=2**63 - 1)] = 0
    pair_weights: Literal["replace", "add"] = "replace"
    order: Order = "placed_first"
    group_rules: tuple[GroupRule, ...] = ()

    @property
    def slots(self) -> tuple[str, ...]:
        """The parts of the objective vector in order (a preset resolved)."""
        return ORDER_PRESETS[self.order] if isinstance(self.order, str) else self.order

    @model_validator(mode="after")
    def _order_makes_sense(self) -> Self:
        slots = self.slots
        if not slots or len(set(slots)) != len(slots):
            raise RuleError(
                msg("order must name each part at most once and at least one part"),
                msg("e.g. {example}", example='["objective", "placed"]'),
            )
        if self.order == "placed_first":
            return self
        if self.stability is not None:
            raise RuleError(
                msg("a stable plan is chosen with the placed count first; order cannot be changed with stability"),
                msg("leave order at 'placed_first' or drop policy.stability"),
            )
        counted = "objective" not in slots or ("placed" in slots and slots.index("placed") < slots.index("objective"))
        if self.objective not in UNCOUNTED_OBJECTIVES and not counted:
            raise RuleError(
                msg(
                    "objective '{objective}' minimises, so it needs the placed count before it in the order",
                    objective=self.objective,
                ),
                msg("put 'placed' before 'objective', or choose total_fit or rank_maximal"),
            )
        return self

    def load_of(self, step: int) -> float:
        """The load of one student of ``step`` (1, 2 or 3)."""
        if step == 1:
            return self.load_step_1
        return self.load_step_2 if step == 2 else self.load_step_3

    @model_validator(mode="after")
    def _sex_equal_needs_stability(self) -> Self:
        if self.objective not in STABLE_OBJECTIVES or self.stability is not None:
            return self
        what = (
            msg("objective 'sex_equal' balances applicants' and units' rank sums among stable plans")
            if self.objective == "sex_equal"
            else msg(
                "objective '{objective}' weighs the units' ranks too and is defined among stable plans only",
                objective=self.objective,
            )
        )
        raise RuleError(
            what,
            msg("set policy.stability (e.g. {example}) or choose another objective", example='{"mode": "optimise"}'),
        )

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if self.interest_weight == 0 and self.interview_weight == 0:
            raise RuleError(
                msg("interest_weight and interview_weight are both 0, so every placement would fit equally"),
                msg("give at least one a positive weight (the defaults are 0.7 and 0.3)"),
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
    round: Round | None = None
    commitments: tuple[Commitment, ...] = ()
    pair_weights: PairWeights | None = None

    @model_validator(mode="before")
    @classmethod
    def _within_limits(cls, data: Any) -> Any:
        check_record_counts(data)  # before any record is built: see matchmaker._limits
        return data

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise RuleError(
                msg(
                    "schema version {value} is newer than this matchmaker knows ({known})",
                    value=value,
                    known=SCHEMA_VERSION,
                ),
                msg("upgrade matchmaker"),
            )
        return value

    @classmethod
    def _issues_beside(cls, data: Any, errors: list[Any]) -> list[ValidationIssue]:
        # Validation in one pass: the cross-record issues of the records that validate (see one_pass).
        return cross_record_issues(data, errors, cls.model_validate)

    @model_validator(mode="after")
    def _cross_record_rules(self) -> Self:
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

    @property
    def step(self) -> int:
        """The round's step (1 without a :class:`Round`)."""
        return 1 if self.round is None else self.round.step

    @cached_property
    def period_by_id(self) -> Mapping[str, Period]:
        """The round's periods by id."""
        return {} if self.round is None else {p.id: p for p in self.round.periods}

    @cached_property
    def period_of(self) -> Mapping[str, Period | None]:
        """Each applicant's period: their own ``period``, else their university's, else the round's
        default period (one without a university); ``None`` when the round has no periods."""
        periods = self.round.periods if self.round is not None else ()
        by_university = {p.university: p for p in periods if p.university is not None}
        default = next((p for p in periods if p.university is None), None)
        out: dict[str, Period | None] = {}
        for a in self.applicants:
            if a.period is not None:
                out[a.id] = self.period_by_id.get(a.period)
            else:
                own = by_university.get(a.university) if a.university is not None else None
                out[a.id] = own if own is not None else default
        return out

    def fingerprint(self) -> str:
        """A SHA-256 of the problem's canonical JSON: independent of record order and formatting."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        # Computed once per problem: records are frozen, and a copy with changes is a new problem.
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
