"""Cohort figures across years: step 1 -> step 2 -> employment, retention, continuity, supervisor load.

Computed from plain placement rows (:class:`CohortPlacement`, what :meth:`matchmaker.Archive.cohort_figures`
reads from the archive) and the rounds held, so that every floor above may use them; ids and counts only.

Definitions (the guides say the same in words):

* A student's **cohort** is the term (year, ``VT``/``HT``) of their first step-1 placement; later step-1
  placements of the same pseudonymous id are ignored.
* A cohort member is **in step 2** when they have a step-2 placement in a term from their step-1 term to
  ``to_step_2`` terms after it; the earliest such placement counts. A step-2 member is **employed** when
  they have a step-3 placement from that step-2 term to ``to_step_3`` terms after it.
* A member not (yet) in step 2 is **open** for step 2 while the archive holds no step-2 round in the last
  term of their window or later: they may still come. Likewise for employment. Open members are left out
  of the rates' denominators, never counted as failures; a cohort with no open member is **complete**.
* **Rates**: step 1 -> 2 is ``step_2 / (step_1 - open_2)``; step 2 -> 3 is ``step_3 / (step_2 - open_3)``;
  step 1 -> 3 is ``step_3 / (step_1 - open_2 - open_3)``. ``None`` when the denominator is 0.
* **Continuity**: of the step-2 members, those with the same supervisor as in step 1, and those in the
  same unit as in step 1 (whichever supervisor); likewise from step 2 to employment.
* **Breakdowns**: by the applicant group of the step-1 round (family ``university`` by default), by the
  unit and by the municipality of the step-1 placement.
* **Supervisor load** per year and step: the supervisors with at least one placement starting in a round
  of that year and step, the placements, placements per supervisor (mean and most).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matchmaker._extras import require
from matchmaker._i18n import msg
from matchmaker.errors import InputError, ValidationIssue

__all__ = [
    "CohortFigures",
    "CohortPlacement",
    "CohortRow",
    "SupervisorLoad",
    "cohort_figures",
    "row_dict",
    "term_index",
]

Term = Literal["VT", "HT"]
#: What a row of the figures is broken down by.
Breakdown = Literal["all", "group", "unit", "municipality"]
BREAKDOWNS: tuple[Breakdown, ...] = ("all", "group", "unit", "municipality")


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def term_index(year: int, term: str) -> int:
    """Terms as consecutive whole numbers: ``VT 2018`` is one before ``HT 2018``, two before ``VT 2019``."""
    return year * 2 + (1 if term == "HT" else 0)


class CohortPlacement(_Out):
    """One approved placement as the cohort figures read it: the round's ``year``, ``term`` and ``step``,
    the pseudonymous ``applicant`` id, ``unit``, ``supervisor`` and ``municipality`` ids, and the
    applicant's ``group`` in the chosen family in that round (``None``: none)."""

    year: int
    term: Term
    step: int = Field(ge=1, le=3)
    applicant: str
    unit: str
    supervisor: str
    municipality: str
    group: str | None = None

    @property
    def term_index(self) -> int:
        """The placement's term as a whole number (:func:`term_index`)."""
        return term_index(self.year, self.term)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


class CohortRow(_Out):
    """The figures of one cohort (``year`` and ``term``; both ``None``: every cohort together), broken
    down ``by`` nothing (``"all"``) or by the ``value`` of the step-1 placement's group, unit or
    municipality. Counts: ``step_1`` students, of them ``step_2`` later in step 2, of them ``step_3``
    later employed; ``open_2`` not in step 2 whose window is still open, ``open_3`` in step 2, not
    employed, whose window is still open; continuity counts ``same_supervisor_2`` and ``same_unit_2`` (of
    the step-2 members: the same supervisor, the same unit whichever supervisor) and ``same_supervisor_3``,
    ``same_unit_3`` (of the employed)."""

    year: int | None
    term: Term | None
    by: Breakdown
    value: str
    step_1: int
    step_2: int
    step_3: int
    open_2: int
    open_3: int
    same_supervisor_2: int
    same_unit_2: int
    same_supervisor_3: int
    same_unit_3: int

    @property
    def complete(self) -> bool:
        """Whether every member's figures are final (no one open)."""
        return self.open_2 == 0 and self.open_3 == 0

    @property
    def rate_2(self) -> float | None:
        """Retention step 1 -> 2: ``step_2 / (step_1 - open_2)``."""
        return _rate(self.step_2, self.step_1 - self.open_2)

    @property
    def rate_3(self) -> float | None:
        """Retention step 2 -> employment: ``step_3 / (step_2 - open_3)``."""
        return _rate(self.step_3, self.step_2 - self.open_3)

    @property
    def rate_1_3(self) -> float | None:
        """Step 1 -> employment: ``step_3 / (step_1 - open_2 - open_3)``."""
        return _rate(self.step_3, self.step_1 - self.open_2 - self.open_3)

    @property
    def continuity_2(self) -> float | None:
        """The share of step-2 members with the same supervisor as in step 1."""
        return _rate(self.same_supervisor_2, self.step_2)

    @property
    def continuity_3(self) -> float | None:
        """The share of the employed with the same supervisor as in step 2."""
        return _rate(self.same_supervisor_3, self.step_3)

    def suppressed(self, min_cell: int) -> bool:
        """Whether published output withholds this row's counts: 1 to ``min_cell - 1`` students."""
        return 0 < self.step_1 < min_cell


class SupervisorLoad(_Out):
    """Supervisor load in one ``year`` and ``step``: how many ``supervisors`` had a placement starting in
    a round of that year and step, the ``placements``, and placements per supervisor: ``mean`` and
    ``most``."""

    year: int
    step: int
    supervisors: int
    placements: int
    mean: float
    most: int


class CohortFigures(_Out):
    """Cohort figures of a programme (see :func:`cohort_figures` for every definition): ``rows`` per
    cohort and in total, by nothing, group, unit and municipality; ``load`` per year and step; the group
    ``family`` and the windows ``to_step_2`` and ``to_step_3`` (in terms) they were computed with."""

    family: str
    to_step_2: int
    to_step_3: int
    rows: tuple[CohortRow, ...]
    load: tuple[SupervisorLoad, ...]

    def select(self, by: Breakdown = "all", *, total: bool = False) -> tuple[CohortRow, ...]:
        """The rows broken down ``by``: per cohort, or with ``total`` every cohort together."""
        return tuple(r for r in self.rows if r.by == by and (r.year is None) == total)

    def total(self) -> CohortRow:
        """Every cohort together, broken down by nothing."""
        return self.select("all", total=True)[0]

    def records(self) -> dict[str, list[dict[str, object]]]:
        """The rows and the load as plain mappings (no pandas needed): ``{"cohorts": [...], "load": [...]}``,
        each row with its counts, ``complete`` and rates (exact: nothing withheld)."""
        return {"cohorts": [row_dict(r) for r in self.rows], "load": [s.model_dump() for s in self.load]}

    def to_frames(self) -> dict[str, object]:
        """:meth:`records` as pandas DataFrames (the ``pandas`` extra), one per table."""
        require("pandas", "cohort figures as DataFrames", "pandas")
        import pandas as pd  # the pandas extra

        return {name: pd.DataFrame(rows) for name, rows in self.records().items()}


def row_dict(row: CohortRow) -> dict[str, object]:
    """One row's counts, ``complete`` and rates as a plain mapping (the table's columns, in order)."""
    return {
        **row.model_dump(),
        "complete": row.complete,
        "rate_2": row.rate_2,
        "rate_3": row.rate_3,
        "rate_1_3": row.rate_1_3,
    }


class _Member:
    """One cohort member's path: the step-1 placement, the step-2 and step-3 ones counted, open states."""

    __slots__ = ("first", "open_2", "open_3", "second", "third")

    def __init__(self, first: CohortPlacement) -> None:
        self.first = first
        self.second: CohortPlacement | None = None
        self.third: CohortPlacement | None = None
        self.open_2 = False
        self.open_3 = False


def _order(p: CohortPlacement) -> tuple[int, str, str, str]:
    return (p.term_index, p.unit, p.supervisor, p.municipality)


def _earliest(options: list[CohortPlacement], start: int, window: int) -> CohortPlacement | None:
    inside = [p for p in options if start <= p.term_index <= start + window]
    return min(inside, key=_order) if inside else None


def _members(placements: list[CohortPlacement], last: dict[int, int], to_step_2: int, to_step_3: int) -> list[_Member]:
    by_step: dict[int, dict[str, list[CohortPlacement]]] = {1: {}, 2: {}, 3: {}}
    for p in placements:
        by_step[p.step].setdefault(p.applicant, []).append(p)
    members = []
    for applicant in sorted(by_step[1]):
        m = _Member(min(by_step[1][applicant], key=_order))
        start = m.first.term_index
        m.second = _earliest(by_step[2].get(applicant, []), start, to_step_2)
        if m.second is None:
            m.open_2 = last.get(2, -1) < start + to_step_2
        else:
            m.third = _earliest(by_step[3].get(applicant, []), m.second.term_index, to_step_3)
            m.open_3 = m.third is None and last.get(3, -1) < m.second.term_index + to_step_3
        members.append(m)
    return members


def _row(year: int | None, term: Term | None, by: Breakdown, value: str, group: list[_Member]) -> CohortRow:
    second = [m for m in group if m.second is not None]
    third = [m for m in second if m.third is not None]

    def same(pairs: list[tuple[CohortPlacement, CohortPlacement]], unit: bool) -> int:
        return sum(1 for a, b in pairs if (a.unit if unit else a.supervisor) == (b.unit if unit else b.supervisor))

    pairs_2 = [(m.first, m.second) for m in second if m.second is not None]
    pairs_3 = [(m.second, m.third) for m in third if m.second is not None and m.third is not None]
    return CohortRow(
        year=year,
        term=term,
        by=by,
        value=value,
        step_1=len(group),
        step_2=len(second),
        step_3=len(third),
        open_2=sum(m.open_2 for m in group),
        open_3=sum(m.open_3 for m in group),
        same_supervisor_2=same(pairs_2, unit=False),
        same_unit_2=same(pairs_2, unit=True),
        same_supervisor_3=same(pairs_3, unit=False),
        same_unit_3=same(pairs_3, unit=True),
    )


def _value(m: _Member, by: Breakdown) -> str:
    if by == "group":
        return m.first.group or ""
    if by == "unit":
        return m.first.unit
    if by == "municipality":
        return m.first.municipality
    return ""


def _load(placements: list[CohortPlacement]) -> tuple[SupervisorLoad, ...]:
    counts: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    for p in placements:
        counts[(p.year, p.step)][p.supervisor] += 1
    return tuple(
        SupervisorLoad(
            year=year,
            step=step,
            supervisors=len(c),
            placements=c.total(),
            mean=c.total() / len(c),
            most=max(c.values()),
        )
        for (year, step), c in sorted(counts.items())
    )


def cohort_figures(
    placements: Iterable[CohortPlacement],
    rounds: Iterable[tuple[int, str, int]],
    *,
    family: str = "university",
    to_step_2: int = 2,
    to_step_3: int = 3,
) -> CohortFigures:
    """The cohort figures of ``placements`` (every approved placement of a programme), given the
    ``rounds`` held as ``(year, term, step)`` (a round that placed no one still closes a window).

    ``to_step_2`` and ``to_step_3`` are the windows in terms (0: the same term only); ``family`` names
    the placements' ``group`` in the result. The module's description defines every figure. Rows come
    per cohort in term order, then every cohort together; the breakdowns' values sorted.

    Raises:
        InputError: a window below 0 (a ``ValueError``).
    """
    for name, window in (("to_step_2", to_step_2), ("to_step_3", to_step_3)):
        if window < 0:
            raise InputError(
                [
                    ValidationIssue.of(
                        name,
                        msg("is a number of terms, 0 or more (the windows of the cohort figures)"),
                        msg("give 0 (the same term only) or more"),
                    )
                ]
            )
    rows = sorted(placements, key=lambda p: (p.term_index, p.step, p.applicant, p.unit, p.supervisor))
    last: dict[int, int] = {}
    for held_year, held_term, held_step in rounds:
        last[held_step] = max(last.get(held_step, -1), term_index(held_year, held_term))
    members = _members(rows, last, to_step_2, to_step_3)
    cohorts: dict[int, list[_Member]] = defaultdict(list)
    for m in members:
        cohorts[m.first.term_index].append(m)
    out: list[CohortRow] = []
    for index, group in [*sorted(cohorts.items()), (None, members)]:
        year: int | None = None if index is None else index // 2
        term: Term | None = None if index is None else ("HT" if index % 2 else "VT")
        for by in BREAKDOWNS:
            split: dict[str, list[_Member]] = defaultdict(list)
            for m in group:
                split[_value(m, by)].append(m)
            if by == "all":
                split.setdefault("", [])
            out += [_row(year, term, by, value, split[value]) for value in sorted(split)]
    return CohortFigures(family=family, to_step_2=to_step_2, to_step_3=to_step_3, rows=tuple(out), load=_load(rows))
