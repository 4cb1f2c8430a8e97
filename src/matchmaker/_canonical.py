"""Canonical JSON and fingerprints: the same content always gives the same bytes.

Records are sorted by id (pins and adjustments by their fields, interview scores by criterion,
interviewer and unit), mapping keys are sorted, defaults are written out, and the text is compact
UTF-8. Two problems that differ only in record order or file formatting have one fingerprint.

Fields added after schema version 1 first appeared (a round's dates, load limits, commitments, the
step-1 placement, applicant groups, the policy's load and continuity settings, its stable mode, its
pair-weight mode and objective order, its group rules, a commitment's applicant, and the pair weights)
are left out while they hold their default, so a problem that does not use them keeps the fingerprint
it had before they existed.
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matchmaker._models import Applicant, Problem

__all__ = ["canonical_bytes", "canonical_problem", "canonical_problem_bytes", "problem_fingerprint"]


#: One encoder for every call (``json.dumps`` with options builds a new one each time, which costs more
#: than encoding a small record).
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False
)


def canonical_bytes(data: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON of ``data``."""
    return _ENCODER.encode(data).encode("utf-8")


def _sort_key(item: Any) -> str:
    return _ENCODER.encode(item)


def _plain(value: Any) -> bool:
    """Whether ``value`` is a string JSON writes as is (no escapes) and whose every character sorts
    after the closing quote, so that its order as a string is the order of its JSON text."""
    return isinstance(value, str) and (not value or min(value) > '"') and "\\" not in value


def _sorted(items: list[Any]) -> list[Any]:
    """``items`` in the order of their canonical JSON text."""
    return sorted(items, key=_sort_key) if len(items) > 1 else items


def _sort_records(lists: list[list[dict[str, Any]]]) -> None:
    """Sort every list in ``lists`` in place as :func:`_sorted` would; the items are dumps of one
    record type (one key set), such as every applicant's interview scores.

    The text of every item starts ``{"<smallest key>":`` followed by that key's value. Where those
    values are distinct plain strings (:func:`_plain`: the usual case, interview scores for distinct
    criteria), the texts are in the order of those strings: where two differ first, the texts differ
    there too, and a string that is a prefix of another ends with the quote, which sorts before any
    plain character. That costs far less than encoding every item (once most of a fingerprint's time
    at scale); any other list is ordered by its encoded texts."""
    keys: Any = None
    smallest = ""
    plain: dict[str, bool] = {}
    for items in lists:
        if len(items) < 2:
            continue
        if keys is None:
            keys = items[0].keys()
            smallest = min(keys)
        leading = [item[smallest] if item.keys() == keys else None for item in items]
        texts: list[str] = [v for v in leading if type(v) is str]
        fast = len(texts) == len(items) and len(set(texts)) == len(items)
        for v in texts if fast else ():
            ok = plain.get(v)
            if ok is None:
                ok = plain[v] = _plain(v)
            if not ok:
                fast = False
                break
        if not fast:
            items.sort(key=_sort_key)
        elif len(items) == 2:
            if texts[1] < texts[0]:
                items.reverse()
        else:
            order = sorted(range(len(items)), key=texts.__getitem__)
            items[:] = [items[i] for i in order]


#: Fields added after the first release, with their defaults: left out of the canonical form at default.
_LATER_DEFAULTS: dict[str, dict[str, Any]] = {
    "problem": {"round": None, "commitments": [], "pair_weights": None},
    "policy": {
        "load_step_1": 1.0,
        "load_step_2": 0.5,
        "load_step_3": 0.0,
        "continuity_same_supervisor": 0.15,
        "continuity_same_unit": 0.1,
        "stability": None,
        "pair_weights": "replace",
        "order": "placed_first",
        "group_rules": [],
    },
    "supervisors": {"load_limit": None, "unavailable_periods": []},
    "applicants": {"period": None, "previous_unit": None, "previous_supervisor": None, "groups": {}},
    "commitments": {"applicant": None},
}


def _drop_defaults(record: dict[str, Any], kind: str) -> None:
    for key, default in _LATER_DEFAULTS[kind].items():
        if key in record and record[key] == default:
            del record[key]


def _canonical_applicants(applicants: list[dict[str, Any]]) -> None:
    """Put dumped applicant records in their canonical form in place (their order is the caller's)."""
    for applicant in applicants:
        _drop_defaults(applicant, "applicants")
    _sort_records([applicant["interview"] for applicant in applicants])
    for applicant in applicants:  # sorted in place: most of these lists are empty
        applicant["qualifications"].sort()
        conflicts = applicant["conflicts"]
        conflicts["units"].sort()
        conflicts["supervisors"].sort()


def canonical_problem(problem: Problem) -> dict[str, Any]:
    """The problem as plain JSON data in canonical order."""
    return _canonical_data(_dump(problem, {}))


def _dump(problem: Problem, exclude: dict[str, Any]) -> dict[str, Any]:
    """``problem.model_dump(mode="json", exclude=exclude)``; pair weights held as columns are written from
    the columns (the same dicts), without a record per row."""
    table = problem.pair_weights
    columns = None if table is None else table.columns
    if columns is None:
        return problem.model_dump(mode="json", exclude=set(exclude) or None)
    data: dict[str, Any] = problem.model_dump(mode="json", exclude={**exclude, "pair_weights": {"rows": True}})
    data["pair_weights"]["rows"] = columns.dump_rows()
    return data


def _canonical_data(data: dict[str, Any]) -> dict[str, Any]:
    """A problem's dump (``model_dump(mode="json")``) in canonical form, changed in place."""
    if data["round"] is not None:
        data["round"]["periods"] = sorted(data["round"]["periods"], key=lambda r: r["id"])
    for commitment in data["commitments"]:
        _drop_defaults(commitment, "commitments")
    data["commitments"] = _sorted(data["commitments"])
    if data["pair_weights"] is not None:
        data["pair_weights"]["rows"] = _sorted(data["pair_weights"]["rows"])
    for supervisor in data["supervisors"]:
        supervisor["unavailable_periods"].sort()
        _drop_defaults(supervisor, "supervisors")
    _canonical_applicants(data["applicants"])
    _drop_defaults(data["policy"], "policy")
    _drop_defaults(data, "problem")
    for key in ("municipalities", "units", "supervisors", "applicants", "criteria"):
        data[key] = sorted(data[key], key=lambda r: r["id"])
    for key in ("pins", "adjustments", "links"):
        data[key] = _sorted(data[key])
    for unit in data["units"]:
        unit["requirements"].sort()
    return data


# The applicants, most of a problem's bytes, are written straight from their records (no dump to dicts
# and no general encoder): each value is written as the encoder writes it (strings by the encoder's own
# ``encode_basestring``, floats and ints by their ``repr``, which is what ``json`` writes), keys in
# sorted order, and any record holding a value of another type (or a model with fields this writer does
# not know) goes through the general path. tests/test_canonical.py holds both paths to the same bytes.

#: The fields each record type has, as this writer knows them; another set sends every applicant to the
#: general path (a new field must be added here, with its default in ``_LATER_DEFAULTS`` if it has one).
_APPLICANT_FIELDS = frozenset(
    {
        "id",
        "university",
        "priority_tier",
        "interests",
        "ranking",
        "interview",
        "qualifications",
        "conflicts",
        "period",
        "previous_unit",
        "previous_supervisor",
        "groups",
    }
)
_CHOICE_FIELDS = frozenset({"areas", "units", "supervisors"})  # Interests and Ranking
_INTERVIEW_FIELDS = frozenset({"criterion", "score", "interviewer", "unit", "scale_min", "scale_max"})
_CONFLICT_FIELDS = frozenset({"units", "supervisors"})


class _GeneralPathError(Exception):
    """A value the direct writer does not write: the record goes through the general path."""


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _GeneralPathError
    return encode_basestring(value)


def _text_or_null(value: Any) -> str:
    return "null" if value is None else _text(value)


def _number(value: Any, kind: type) -> str:
    if type(value) is not kind:  # exactly float or int (not bool): then repr is what json writes
        raise _GeneralPathError
    return repr(value)


def _float_or_null(value: Any) -> str:
    return "null" if value is None else _number(value, float)


def _texts(values: Any) -> str:
    """A list of strings sorted as strings (not as their escaped texts), as the general path sorts it."""
    if not values:
        return "[]"
    items = list(values)
    for v in items:
        if type(v) is not str:
            raise _GeneralPathError
    items.sort()
    return "[" + ",".join(map(encode_basestring, items)) + "]"


def _mapping(values: Any, kind: type) -> str:
    if not values:
        if type(values) is not dict:
            raise _GeneralPathError
        return "{}"
    if type(values) is not dict:
        raise _GeneralPathError
    for k in values:
        if type(k) is not str:
            raise _GeneralPathError
    return "{" + ",".join(encode_basestring(k) + ":" + _number(v, kind) for k, v in sorted(values.items())) + "}"


def _choices(record: Any, kind: type) -> str:
    if record is None:
        return "null"
    _known(record, _CHOICE_FIELDS)
    return (
        '{"areas":'
        + _mapping(record.areas, kind)
        + ',"supervisors":'
        + _mapping(record.supervisors, kind)
        + ',"units":'
        + _mapping(record.units, kind)
        + "}"
    )


def _interview(scores: Any) -> str:
    if not scores:
        if type(scores) is not tuple:
            raise _GeneralPathError
        return "[]"
    for s in scores:
        _known(s, _INTERVIEW_FIELDS)
    texts = [
        '{"criterion":'
        + _text(s.criterion)
        + ',"interviewer":'
        + _text_or_null(s.interviewer)
        + ',"scale_max":'
        + _float_or_null(s.scale_max)
        + ',"scale_min":'
        + _float_or_null(s.scale_min)
        + ',"score":'
        + _number(s.score, float)
        + ',"unit":'
        + _text_or_null(s.unit)
        + "}"
        for s in scores
    ]
    texts.sort()  # the order of the items' encoded texts, as _sorted gives it
    return "[" + ",".join(texts) + "]"


def _applicant_text(a: Applicant) -> str:
    """The canonical JSON text of one applicant record (raises :class:`_GeneralPathError` when it cannot)."""
    _known(a, _APPLICANT_FIELDS)
    conflicts = a.conflicts
    _known(conflicts, _CONFLICT_FIELDS)
    groups = a.groups
    tier = a.priority_tier
    parts = [
        '{"conflicts":{"supervisors":' + _texts(conflicts.supervisors) + ',"units":' + _texts(conflicts.units) + "}"
    ]
    if groups:  # left out at its default, {}
        if type(groups) is not dict or any(type(k) is not str for k in groups):
            raise _GeneralPathError
        parts.append('"groups":{' + ",".join(_text(k) + ":" + _text(v) for k, v in sorted(groups.items())) + "}")
    parts.append('"id":' + _text(a.id))
    parts.append('"interests":' + _choices(a.interests, float))
    parts.append('"interview":' + _interview(a.interview))
    for key, value in (
        ("period", a.period),
        ("previous_supervisor", a.previous_supervisor),
        ("previous_unit", a.previous_unit),
    ):
        if value is not None:  # left out at its default, None
            parts.append(f'"{key}":' + _text(value))
    parts.append('"priority_tier":' + ("null" if tier is None else _number(tier, int)))
    parts.append('"qualifications":' + _texts(a.qualifications))
    parts.append('"ranking":' + _choices(a.ranking, int))
    parts.append('"university":' + _text_or_null(a.university) + "}")
    return ",".join(parts)


#: The record types found to have exactly the fields the direct writer knows, by field set.
_KNOWN: dict[frozenset[str], set[type]] = {
    fields: set() for fields in (_APPLICANT_FIELDS, _CHOICE_FIELDS, _INTERVIEW_FIELDS, _CONFLICT_FIELDS)
}


def _known(record: Any, fields: frozenset[str]) -> None:
    known = _KNOWN[fields]
    kind = type(record)
    if kind not in known:
        model_fields = getattr(kind, "model_fields", None)
        if model_fields is None or model_fields.keys() != fields:
            raise _GeneralPathError
        known.add(kind)


def _applicants_text(problem: Problem) -> str:
    """The canonical JSON text of the problem's applicants (sorted by id)."""
    texts: list[str] = []
    for a in sorted(problem.applicants, key=lambda r: r.id):
        try:
            texts.append(_applicant_text(a))
        except _GeneralPathError:
            data = [a.model_dump(mode="json")]
            _canonical_applicants(data)
            texts.append(_ENCODER.encode(data[0]))
    return "[" + ",".join(texts) + "]"


def canonical_problem_bytes(problem: Problem) -> bytes:
    """``canonical_bytes(canonical_problem(problem))``, written faster (the same bytes)."""
    data = _dump(problem, {"applicants": True})
    data["applicants"] = []
    rest = _canonical_data(data)
    applicants = _applicants_text(problem)
    # The top level as the key-sorted encoder writes it, with the applicants' text in its place.
    items = [
        _ENCODER.encode(key) + ":" + (applicants if key == "applicants" else _ENCODER.encode(rest[key]))
        for key in sorted(rest)
    ]
    return ("{" + ",".join(items) + "}").encode("utf-8")


def problem_fingerprint(problem: Problem) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``problem``."""
    return "sha256:" + hashlib.sha256(canonical_problem_bytes(problem)).hexdigest()
