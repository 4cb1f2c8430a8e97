"""Input size limits: refuse an input too large for the machine before memory is spent on it.

Every limit is checked at the cheapest point that can see it:

==========================  =====================================================================
``max_file_bytes``          a file's size, from the file system, before it is read
``max_unpacked_bytes``      a workbook's parts once unzipped, from the zip directory, before unzipping
``max_applicants``,         the lengths of the raw lists, before any record is validated (so a
``max_supervisors``         million-row file costs no pydantic objects)
``max_pairs``               (applicant, supervisor) pairs the wishes and pins can make, counted from
                            the records before scoring allocates its arrays
==========================  =====================================================================

The defaults fit a machine with 2 cores and 24 GiB of memory, from the measurements in
``benchmarks/README.md``: a solve takes about 1.1 KiB per acceptable pair on the certified LP and up to
about 12 KiB per pair when CP-SAT must prove a stage, so 2,000,000 pairs stay within about 23 GiB at
worst (the 10,000-applicant benchmark has 1.2 million). Loading and validating take about 8 KiB per
applicant (415 MiB peak at 50,000 applicants), and a JSON file grows about tenfold once parsed, so
256 MiB of file stays within a few GiB.

Raise a limit for a bigger machine, for one block of code, with :func:`use_limits`::

    with mm.use_limits(mm.Limits(max_pairs=5_000_000)):
        problem = mm.load_problem(path)
        result = mm.solve(problem)

The limits in force belong to the current context (thread or task): raising them in one thread of a
web service does not raise them in another.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from itertools import repeat
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, Strict

from matchmaker._base import Record
from matchmaker.errors import InputError, InputFileError, ValidationIssue

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = [
    "MAX_WEIGHT_UNITS",
    "Limits",
    "LimitsExceededError",
    "candidate_pairs",
    "check_problem_size",
    "current_limits",
    "use_limits",
    "weight_units",
]

_Positive = Annotated[int, Strict(), Field(ge=1)]


class Limits(Record):
    """Input size limits (see :mod:`matchmaker._limits` for where each is checked and why the defaults).

    Attributes:
        max_file_bytes: bytes of one input file (a JSON file, a workbook, one CSV file).
        max_unpacked_bytes: bytes of a workbook's parts once unzipped (a workbook is a zip of XML).
        max_applicants: applicants in one problem.
        max_supervisors: supervisors in one problem.
        max_pairs: (applicant, supervisor) pairs the applicants' wishes and the pins can make; the
            acceptable pairs are at most this many.
    """

    max_file_bytes: _Positive = 256 * 1024**2
    max_unpacked_bytes: _Positive = 1024**3
    max_applicants: _Positive = 100_000
    max_supervisors: _Positive = 50_000
    max_pairs: _Positive = 2_000_000


_CURRENT: ContextVar[Limits | None] = ContextVar("matchmaker_limits", default=None)
_DEFAULT = Limits()


def current_limits() -> Limits:
    """The limits in force in this context: the defaults, or those of the innermost :func:`use_limits`."""
    limits = _CURRENT.get()
    return limits if limits is not None else _DEFAULT


@contextmanager
def use_limits(limits: Limits) -> Iterator[Limits]:
    """Apply ``limits`` to every read and solve inside the ``with`` block, in this context only."""
    if not isinstance(limits, Limits):
        raise TypeError(f"use_limits() needs a matchmaker.Limits, not {type(limits).__name__}")
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


class LimitsExceededError(InputError):
    """Carries the issues of an exceeded limit out of a pydantic validator (which wraps ValueErrors; an
    :class:`~matchmaker.InputError` is one).

    Internal: callers see a :class:`~matchmaker.ProblemValidationError` naming the limit.
    """


def _issue(where: str, what: str, count: int, limit: int, name: str) -> ValidationIssue:
    return ValidationIssue(
        where,
        f"has {count:,} {what}, over the limit of {limit:,}",
        f"check that this is the right input, or raise the limit: "
        f"with matchmaker.use_limits(matchmaker.Limits({name}=...))",
    )


def check_record_counts(data: Any, limits: Limits | None = None) -> None:
    """Refuse raw problem data (a mapping, before validation) with too many applicants or supervisors.

    Anything that is not a mapping of lists is left to validation.

    Raises:
        LimitsExceededError: a count is over its limit (a ``ValueError``, for pydantic validators).
    """
    lim = limits if limits is not None else current_limits()
    if not isinstance(data, Mapping):
        return
    issues = []
    for key, what, limit, name in (
        ("applicants", "applicants", lim.max_applicants, "max_applicants"),
        ("supervisors", "supervisors", lim.max_supervisors, "max_supervisors"),
    ):
        value = data.get(key)
        if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and len(value) > limit:
            issues.append(_issue(key, what, len(value), limit, name))
    if issues:
        raise LimitsExceededError(issues)


def candidate_pairs(problem: Problem) -> int:
    """How many (applicant, supervisor) pairs the wishes and pins of ``problem`` can make, counted
    without building them: an upper bound on the acceptable pairs."""
    per_unit: dict[str, int] = {}
    for s in problem.supervisors:
        per_unit[s.unit] = per_unit.get(s.unit, 0) + 1
    per_area: dict[str, int] = {}
    for u in problem.units:
        per_area[u.area] = per_area.get(u.area, 0) + per_unit.get(u.id, 0)
    pinned: dict[str, int] = {}
    for pin in problem.pins:
        n = 1 if pin.supervisor is not None else per_unit.get(pin.unit or "", 0)
        pinned[pin.applicant] = pinned.get(pin.applicant, 0) + n
    n_sup = len(problem.supervisors)
    total = 0
    area_count, unit_count, pin_count = per_area.get, per_unit.get, pinned.get
    for a in problem.applicants:
        prefs = a.interests if a.interests is not None else a.ranking
        n = pin_count(a.id, 0)
        if prefs is not None:
            if prefs.areas:
                n += sum(map(area_count, prefs.areas, repeat(0)))
            if prefs.units:
                n += sum(map(unit_count, prefs.units, repeat(0)))
            n += len(prefs.supervisors)
        total += n if n < n_sup else n_sup
    return total


def check_problem_size(problem: Problem, limits: Limits | None = None) -> None:
    """Refuse ``problem`` before it is scored if it is over the limits in force.

    Raises:
        InputError: too many applicants, supervisors or candidate pairs; the message says which limit.
    """
    lim = limits if limits is not None else current_limits()
    data = {"applicants": problem.applicants, "supervisors": problem.supervisors}
    try:
        check_record_counts(data, lim)
    except LimitsExceededError as exc:
        raise InputError(exc.issues, source="problem") from exc
    pairs = candidate_pairs(problem)
    if pairs > lim.max_pairs:
        raise InputError(
            [_issue("problem", "possible (applicant, supervisor) pairs", pairs, lim.max_pairs, "max_pairs")],
            source="problem",
        )


def check_unpacked_size(path: str | os.PathLike[str], archive: zipfile.ZipFile, limits: Limits | None = None) -> None:
    """Refuse a zip (a workbook) whose parts would unpack to more than ``max_unpacked_bytes``.

    The sizes come from the zip's directory; :mod:`zipfile` never unpacks a part beyond its stated size.

    Raises:
        InputFileError: the parts are too large together.
    """
    lim = limits if limits is not None else current_limits()
    infos: Sequence[zipfile.ZipInfo] = archive.infolist()
    total = sum(info.file_size for info in infos)
    if total > lim.max_unpacked_bytes:
        raise InputFileError(
            [
                ValidationIssue(
                    str(path),
                    f"unpacks to {total:,} bytes, over the limit of {lim.max_unpacked_bytes:,} bytes",
                    "check that this is the right file, or raise the limit: "
                    "with matchmaker.use_limits(matchmaker.Limits(max_unpacked_bytes=...))",
                )
            ],
            source=str(path),
        )


#: The largest weight times scale a pair weight may have: every sum of a round's weights then stays
#: exact in the solver's integers (see ``matchmaker.PairWeights``).
MAX_WEIGHT_UNITS = 10**12


def weight_units(weight: float, scale: int) -> int | None:
    """``weight * scale`` as an exact integer, or ``None`` when the weight has more decimals than
    ``scale`` allows (the weight is an ``int`` or the float of a short decimal, see ``PairWeight``)."""
    if isinstance(weight, int):
        return weight * scale  # the usual case, without a Decimal
    units = Decimal(repr(weight)) * scale
    return int(units) if units == units.to_integral_value() else None
