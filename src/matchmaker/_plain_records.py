"""Applicants' records from plain values: their field rules checked on whole columns, then made without pydantic.

A reader that holds the applicants' tables as columns (the columnar reader, :mod:`matchmaker.io._columns`)
checks each column whole with :func:`plain_texts`, :func:`plain_whole`, :func:`plain_reals` and
:func:`plain_groups` (each distinct id or label once, the numbers as numpy arrays, against the limits of
the fields of :mod:`matchmaker._models`). When every value is one its field keeps as it is,
:func:`applicants_of` makes the records directly, with exactly the fields, values, types and set fields
that ``Applicant.model_validate`` gives, without validating each value again. Otherwise the caller
validates the mappings as records, which names what is wrong: so this path never decides what is
wrong, only that nothing is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from matchmaker._base import Record, protected_label
from matchmaker._models import Applicant, Conflicts, Interests, InterviewScore, Ranking

__all__ = [
    "FINITE",
    "ID_LENGTH",
    "LABEL_LENGTH",
    "RANKS",
    "TIERS",
    "WEIGHTS",
    "applicants_of",
    "plain_groups",
    "plain_reals",
    "plain_texts",
    "plain_whole",
]

R = TypeVar("R", bound=Record)

#: What the field rules of ``_models`` allow (``Id``, ``Label``, ``Weight01``, ``Rank``, ``Finite``, the tier).
ID_LENGTH, LABEL_LENGTH = 100, 200
RANKS, TIERS, WEIGHTS, FINITE = (1, 10_000), (1, 100), (0.0, 1.0), (-1e12, 1e12)
_CONTROL = re.compile("[\x00-\x1f\x7f]")

_KEYS = {cls: frozenset(cls.model_fields) for cls in (Applicant, Interests, Ranking, InterviewScore, Conflicts)}
_WISHES = frozenset({"areas", "units", "supervisors"})


def _maker(cls: type[R]) -> Callable[[dict[str, Any]], R]:
    """A function that makes a ``cls`` record of valid field values (a subset of its fields, given as set),
    as ``cls.model_construct`` does: the other fields their defaults, in the order of the fields."""
    fields = cls.model_fields
    template = {name: f.get_default(call_default_factory=True) for name, f in fields.items()}
    fresh = {name: f.default_factory for name, f in fields.items() if f.default_factory is not None}
    set_attr = object.__setattr__

    def make(values: dict[str, Any]) -> R:
        data = template.copy()
        data.update(values)
        for name, factory in fresh.items():
            if name not in values:
                data[name] = factory()  # type: ignore[call-arg]  # a new empty mapping, as validation makes
        record = cls.__new__(cls)
        set_attr(record, "__dict__", data)
        set_attr(record, "__pydantic_fields_set__", set(values))
        set_attr(record, "__pydantic_extra__", None)
        set_attr(record, "__pydantic_private__", None)
        return record

    return make


_MAKE_APPLICANT = _maker(Applicant)
_MAKE_INTERESTS = _maker(Interests)
_MAKE_RANKING = _maker(Ranking)
_MAKE_SCORE = _maker(InterviewScore)
_MAKE_CONFLICTS = _maker(Conflicts)


def plain_texts(texts: Iterable[Any], longest: int) -> bool:
    """Whether every one of ``texts`` (``None`` skipped: an empty optional cell) is text that a field of at
    most ``longest`` characters keeps as it is: no surrounding spaces, not empty, no control character."""
    found = set(texts)
    found.discard(None)
    if not all(type(t) is str and 0 < len(t) <= longest and t == t.strip() for t in found):
        return False
    return _CONTROL.search("".join(found)) is None


def plain_whole(values: Sequence[Any], low: int, high: int) -> bool:
    """Whether every one of ``values`` (``None`` skipped) is an integer (not a boolean) in ``[low, high]``."""
    found = [v for v in values if v is not None] if None in values else values
    if not all(type(v) is int for v in set(found)):
        return False
    return not found or (low <= min(found) and max(found) <= high)


def plain_reals(values: Sequence[Any], low: float, high: float) -> bool:
    """Whether every one of ``values`` (``None`` skipped) is a float in ``[low, high]`` (not NaN): what a
    strict float field keeps as it is (an integer would become a float)."""
    found = [v for v in values if v is not None] if None in values else values
    if not all(type(v) is float for v in found):
        return False
    array = np.array(found, dtype=np.float64)
    return not array.size or bool(np.all(array >= low) and np.all(array <= high))


def plain_groups(labels: Iterable[Any]) -> bool:
    """Whether every group family and group in ``labels`` is plain text that names no protected attribute."""
    found = set(labels)
    found.discard(None)  # an applicant without a group of the family
    return plain_texts(found, LABEL_LENGTH) and not any(protected_label(text) for text in found)


def applicants_of(records: Sequence[dict[str, Any]]) -> tuple[Applicant, ...]:
    """The applicants' records made from ``records``, whose every value the caller has found plain (the
    functions above, on the whole columns the values come from): mappings as ``Applicant.model_validate``
    takes them (``interests``/``ranking`` a mapping of mappings, ``interview`` a list of mappings,
    ``conflicts`` a mapping of lists), made equal in every way to the validated ones (the values, their
    types, the fields given). ``records`` are taken over: they are changed in place.

    Raises:
        ValueError: a record holds a field, or a nested record a key, that its class does not have.
    """
    applicant_keys = _KEYS[Applicant]
    for record in records:
        if not applicant_keys.issuperset(record):
            raise ValueError("not a field of Applicant")
        if (interests := record.get("interests")) is not None:
            record["interests"] = _MAKE_INTERESTS(_wishes(interests))
        if (ranking := record.get("ranking")) is not None:
            record["ranking"] = _MAKE_RANKING(_wishes(ranking))
        if (scores := record.get("interview")) is not None:
            record["interview"] = tuple(_score(score) for score in scores)
        if (qualifications := record.get("qualifications")) is not None:
            record["qualifications"] = tuple(qualifications)
        if (conflicts := record.get("conflicts")) is not None:
            if not _KEYS[Conflicts].issuperset(conflicts):
                raise ValueError("not a field of Conflicts")
            record["conflicts"] = _MAKE_CONFLICTS({k: tuple(v) for k, v in conflicts.items()})
        if (groups := record.get("groups")) is not None:
            record["groups"] = dict(sorted(groups.items()))  # as the field's validator keeps them
    return tuple(map(_MAKE_APPLICANT, records))


def _wishes(wishes: Mapping[str, Any]) -> dict[str, Any]:
    if not _WISHES.issuperset(wishes):
        raise ValueError("not a field of Interests or Ranking")
    return {kind: dict(entries) for kind, entries in wishes.items()}


def _score(score: Mapping[str, Any]) -> InterviewScore:
    if not _KEYS[InterviewScore].issuperset(score):
        raise ValueError("not a field of InterviewScore")
    return _MAKE_SCORE(dict(score))
