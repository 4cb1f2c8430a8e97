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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = ["canonical_bytes", "canonical_problem", "problem_fingerprint"]


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


def canonical_problem(problem: Problem) -> dict[str, Any]:
    """The problem as plain JSON data in canonical order."""
    data: dict[str, Any] = problem.model_dump(mode="json")
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
    for applicant in data["applicants"]:
        _drop_defaults(applicant, "applicants")
    _drop_defaults(data["policy"], "policy")
    _drop_defaults(data, "problem")
    for key in ("municipalities", "units", "supervisors", "applicants", "criteria"):
        data[key] = sorted(data[key], key=lambda r: r["id"])
    for key in ("pins", "adjustments", "links"):
        data[key] = _sorted(data[key])
    _sort_records([applicant["interview"] for applicant in data["applicants"]])
    for applicant in data["applicants"]:  # sorted in place: most of these lists are empty
        applicant["qualifications"].sort()
        conflicts = applicant["conflicts"]
        conflicts["units"].sort()
        conflicts["supervisors"].sort()
    for unit in data["units"]:
        unit["requirements"].sort()
    return data


def problem_fingerprint(problem: Problem) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``problem``."""
    return "sha256:" + hashlib.sha256(canonical_bytes(canonical_problem(problem))).hexdigest()
