"""Validation in one pass: the cross-record issues of a problem whose records do not all validate.

pydantic runs a problem's cross-record rules only when every record's own fields validate, so a file with
a field error and a duplicate id used to show the duplicate only once the field was fixed. Here the broken
records are left out, the rest is validated again, and every cross-record issue that a broken record could
have caused or changed is dropped, so that no issue shown would vanish when the broken record is fixed:

* an issue that names a broken record, or a record it names (its id, ``unit``, ``municipality``,
  ``supervisor``, ``applicant``, ``applicants`` or ``area``), compared as the rules write them (quoted);
* when such a naming field is itself broken (which record it names is unknown): with the id, every
  reference to that kind of record and every duplicate id of its table; with a field that counts in
  another table's rules (a supervisor's unit in the unit's minimum), every issue of that table; in a
  table of records named by position (pins, links, the pair-weight rows, ...), every issue of that table;
* a rule over a whole table with a broken record (every criterion weighing 0);
* with a broken ``policy``, every issue about the policy, training or loads (the rules that read it);
* with a broken ``round``, every issue about periods.

Positions in locations (``pins[3]``) are those of the input, not of the records that were kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from matchmaker._i18n import Message
from matchmaker.errors import InputError, ValidationIssue

__all__ = ["cross_record_issues"]

#: The problem's tables of records.
_TABLES = (
    "criteria",
    "municipalities",
    "units",
    "supervisors",
    "applicants",
    "pins",
    "adjustments",
    "links",
    "commitments",
)
#: A record's fields that name it or another record (compared as the rules quote them).
_NAMING = ("id", "unit", "municipality", "supervisor", "applicant", "applicants", "area")
#: Tables whose records are named by their position: a broken naming field unsettles the whole table
#: (which applicant is pinned twice, and by which earlier pin).
_BY_POSITION = ("pins", "adjustments", "links", "commitments", "pair_weights.rows")
#: The rows of the pair-weight table: records inside a record, named by position like the pins.
_PAIR_ROWS = "pair_weights.rows"
#: A naming field that counts in the rules of other tables, and those tables: with the field broken (the
#: record it names unknown) none of their issues is reliable.
_FEEDS: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("supervisors", "unit"): ("units", "pins"),  # a unit's minimum; the supervisors who can take a pin
    ("units", "municipality"): ("municipalities",),  # a municipality's minimum
    ("units", "area"): ("units.area",),  # one area spelled one way
    ("commitments", "supervisor"): ("supervisors",),  # a supervisor's load
}
#: Rules over a whole table, by the location of their issue: any broken record of the table unsettles them.
_WHOLE_TABLE: Mapping[str, str] = {
    "criteria": "criteria.weight",  # every criterion weighing 0
    "applicants": "policy.group_rules",  # a family or group that only a broken applicant carries
}
#: The word for a record of each table, as reference issues write it ("refers to unit ...").
_NOUNS: Mapping[str, str] = {
    "criteria": "criterion",
    "municipalities": "municipality",
    "units": "unit",
    "supervisors": "supervisor",
    "applicants": "applicant",
}
#: Words of the issues of rules that read the policy, or the round's periods.
_POLICY_WORDS = ("policy", "training", "load")
_PERIOD_WORDS = ("period",)
_POSITION = re.compile(r"^(pins|adjustments|links|commitments|pair_weights\.rows)\[(\d+)\]")

#: Set while the kept records are validated again: a field error then means the salvage failed.
_SALVAGING: ContextVar[bool] = ContextVar("matchmaker_salvaging", default=False)


class _StillBrokenError(Exception):
    """The kept records still break a field rule (a rule of the problem itself): nothing to add."""


def _tokens(value: Any) -> tuple[set[str], bool]:
    """The names a naming field holds (one, or two for a link), and whether it is usable text."""
    values = value if isinstance(value, list | tuple) else [value]
    names = {v.strip() for v in values if isinstance(v, str) and v.strip()}
    return names, len(names) == len(values) and bool(values)


class _Broken:
    """What the broken records make unreliable, and the test of an issue against it."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.tables: set[str] = set()  # every issue located in these tables is dropped
        self.duplicates: set[str] = set()  # every duplicate id of these tables is dropped
        self.nouns: set[str] = set()  # every reference to these kinds of record is dropped
        self.words: set[str] = set()  # every issue with one of these words is dropped

    def record(self, table: str, item: Any, broken_fields: set[str]) -> None:
        fields = item if isinstance(item, Mapping) else {}
        for field in _NAMING:
            if field not in fields and field not in broken_fields:
                continue
            names, usable = _tokens(fields.get(field))
            self.names |= names
            if usable and field not in broken_fields:
                continue
            # Which record the field names is unknown: what depends on it is left out.
            if field == "id":
                self.nouns.add(_NOUNS.get(table, ""))
                self.duplicates.add(table)
            elif field == "area":
                self.nouns.add("area")
            if table in _BY_POSITION:
                self.tables.add(table)
            self.tables.update(_FEEDS.get((table, field), ()))

    def hides(self, issue: ValidationIssue) -> bool:
        text = f"{issue.location} {issue.message} {issue.fix}"
        lowered = text.casefold()
        if any(word in lowered for word in self.words):
            return True
        location = issue.location
        if any(location == t or location.startswith((f"{t}[", f"{t}.")) for t in self.tables):
            return True
        if any(location.startswith(f"{t}[") and "share the id" in issue.message for t in self.duplicates):
            return True
        if any(issue.message.startswith(f"refers to {noun} ") for noun in self.nouns if noun):
            return True
        return any(repr(name) in text for name in self.names)


def _renumber(issue: ValidationIssue, kept: Mapping[str, Sequence[int]]) -> ValidationIssue:
    """The issue with positions of kept records turned back into positions of the input."""
    found = _POSITION.match(issue.location)
    if found is None:
        return issue
    table, position = found.group(1), int(found.group(2))
    positions = kept.get(table)
    if positions is None:
        return issue
    location = f"{table}[{positions[position]}]{issue.location[found.end() :]}"
    message = issue.message_key
    index = message.params.get("index") if message is not None else None
    if message is not None and isinstance(index, int):
        params = {**message.params, "index": positions[index]}
        message = Message(message.msgid, params, message.plural, message.n)
    if message is None or issue.fix_key is None:
        return ValidationIssue(location, issue.message, issue.fix, None, issue.fix_key)
    return ValidationIssue.of(location, message, issue.fix_key)


def _split(errors: Iterable[Mapping[str, Any]]) -> dict[str, dict[int | None, set[str]]] | None:
    """The broken fields by table (or ``policy``, ``round``...) and position; ``None`` when the problem
    itself is broken (not a mapping, a table that is not a list, a record count over a limit)."""
    broken: dict[str, dict[int | None, set[str]]] = {}
    for err in errors:
        loc = tuple(err.get("loc", ()))
        if not loc or not isinstance(loc[0], str):
            return None
        head = loc[0]
        if head == "pair_weights" and len(loc) > 2 and loc[1] == "rows" and isinstance(loc[2], int):
            field = loc[3] if len(loc) > 3 and isinstance(loc[3], str) else ""
            broken.setdefault(_PAIR_ROWS, {}).setdefault(loc[2], set()).add(field)
        elif head in _TABLES:
            if len(loc) < 2 or not isinstance(loc[1], int):
                return None
            field = loc[2] if len(loc) > 2 and isinstance(loc[2], str) else ""
            broken.setdefault(head, {}).setdefault(loc[1], set()).add(field)
        else:
            field = loc[1] if len(loc) > 1 and isinstance(loc[1], str) else ""
            broken.setdefault(head, {}).setdefault(None, set()).add(field)
    return broken


def _salvage(
    data: Mapping[str, Any], broken: Mapping[str, Mapping[int | None, set[str]]]
) -> tuple[dict[str, Any], _Broken, dict[str, list[int]]]:
    """The problem's data without its broken records, what they make unreliable, and the positions kept."""
    kept_data = dict(data)
    unreliable = _Broken()
    kept: dict[str, list[int]] = {}
    for head, where in broken.items():
        if head in _TABLES:
            items = list(data.get(head) or ())
            for position, fields in where.items():
                if position is not None and position < len(items):
                    unreliable.record(head, items[position], fields)
            if head in _WHOLE_TABLE:
                unreliable.tables.add(_WHOLE_TABLE[head])
            kept[head] = [i for i in range(len(items)) if i not in where]
            kept_data[head] = [items[i] for i in kept[head]]
        elif head == _PAIR_ROWS:
            table = data.get("pair_weights")
            rows = list(table.get("rows") or ()) if isinstance(table, Mapping) else []
            for position, fields in where.items():
                if position is not None and position < len(rows):
                    unreliable.record(head, rows[position], fields)
            kept[head] = [i for i in range(len(rows)) if i not in where]
            kept_data["pair_weights"] = {**(table or {}), "rows": [rows[i] for i in kept[head]]}
        elif head == "policy":
            unreliable.words.update(_POLICY_WORDS)
            policy = data.get("policy")
            fields = where.get(None, set())
            if isinstance(policy, Mapping) and "" not in fields:
                kept_data["policy"] = {k: v for k, v in policy.items() if k not in fields}
            else:
                kept_data.pop("policy", None)
        elif head == "round":
            unreliable.words.update(_PERIOD_WORDS)
            round_ = data.get("round")
            periods = round_.get("periods") if isinstance(round_, Mapping) else None
            if isinstance(periods, list | tuple):
                for period in periods:
                    unreliable.names |= _tokens(period.get("id") if isinstance(period, Mapping) else None)[0]
            kept_data.pop("round", None)
        else:  # the problem's own fields: its name, its schema version
            kept_data.pop(head, None)
    return kept_data, unreliable, kept


def cross_record_issues(
    data: Any, errors: Sequence[Mapping[str, Any]], validate: Callable[[dict[str, Any]], object]
) -> list[ValidationIssue]:
    """The cross-record issues of ``data`` (a problem's fields) beside the field ``errors`` (pydantic's),
    found by ``validate`` (the problem's) on the records that validate; none that a broken record could
    have caused or changed."""
    broken = _split(errors) if isinstance(data, Mapping) else None
    if not broken:  # only the cross-record issues themselves, or the problem as a whole is broken
        return []
    if _SALVAGING.get():
        raise _StillBrokenError
    assert isinstance(data, Mapping)
    kept_data, unreliable, kept = _salvage(data, broken)
    token = _SALVAGING.set(True)
    try:
        validate(kept_data)
    except InputError as exc:
        found = list(exc.issues)
    except _StillBrokenError:
        return []
    else:
        return []
    finally:
        _SALVAGING.reset(token)
    return [_renumber(issue, kept) for issue in found if not unreliable.hides(issue)]
