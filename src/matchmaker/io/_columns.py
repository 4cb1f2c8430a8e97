"""Arrow columns in their plain form read whole, without a cell per value: the fast path of the Arrow reader.

A column is *plain* when its Arrow type is its kind's own (text for ids, words and lists, integers for
whole numbers, numbers for numbers, ``bool`` for yes/no) and every value is what the cell parser of
:mod:`matchmaker.io._sheet` would keep unchanged: no surrounding spaces, no empty text, no NaN, every
word one of the column's words. A table is read this way only when every column is plain and every row
names its record; the applicants, their wishes, interview scores and conflicts, and the pair weights
are then assembled column by column into the same records the cell route builds
(:class:`~matchmaker.io._read_problem.Bulk`). Anything else returns ``None``, and the caller reads the
tables cell by cell, which names every problem with its table, row and column: so this path never
decides what is wrong, only that nothing needs saying.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from matchmaker._base import protected_label
from matchmaker._pair_columns import PairColumns
from matchmaker._plain_records import (
    FINITE,
    ID_LENGTH,
    LABEL_LENGTH,
    RANKS,
    TIERS,
    WEIGHTS,
    applicants_of,
    plain_groups,
    plain_reals,
    plain_texts,
    plain_whole,
)
from matchmaker.io._read_problem import KIND_FIELD, Bulk, wish_mode
from matchmaker.io._sheet import ColumnPos, ParsedRow, ParsedTable, RawSheet
from matchmaker.io._tables import APPLICANT_REF, LIST_SEPARATOR, Column, Kind, Table, group_family

if TYPE_CHECKING:
    import pyarrow as pa  # the arrow extra

__all__ = ["BULK_TABLES", "bulk_records", "plain_columns", "plain_table"]

#: The tables with a row per wish, score or pair, read column by column when plain.
BULK_TABLES = ("applicants", "preferences", "interview_scores", "conflicts", "pairs")

Columns = dict[str, list[Any]]

#: The largest weight held as columns: a larger one is out of range at every scale (validation says so).
_MAX_WHOLE = 10**12


class _NotPlainError(Exception):
    """A column or row the cell route must read (it names the problem, if there is one)."""


def _text_values(array: pa.ChunkedArray) -> list[Any]:
    import pyarrow as pa  # the arrow extra

    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        raise _NotPlainError
    values: list[Any] = array.to_pylist()
    for v in set(values):  # each distinct value once: ids repeat in every row that names them
        if v is not None and (not v or v != v.strip()):
            raise _NotPlainError
    return values


def _column_values(array: pa.ChunkedArray, col: Column) -> list[Any]:
    import pyarrow as pa  # the arrow extra
    import pyarrow.compute as pc  # the arrow extra

    kind = col.kind
    if kind in (Kind.ID, Kind.TEXT):
        return _text_values(array)
    if kind is Kind.ENUM:
        values = _text_values(array)
        words = {v: col.parse_word(v) for v in set(values) if v is not None}
        if any(w is None for w in words.values()):
            raise _NotPlainError
        return [None if v is None else words[v] for v in values]
    if kind is Kind.LIST:
        if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
            lists = array.to_pylist()
            return [None if v is None else tuple(s for s in (str(i).strip() for i in v) if s) or None for v in lists]
        values = _text_values(array)
        return [
            None if v is None else tuple(s for s in (i.strip() for i in v.split(LIST_SEPARATOR)) if s) for v in values
        ]
    if kind is Kind.INT and pa.types.is_integer(array.type):
        return list(array.to_pylist())
    if kind is Kind.FLOAT and pa.types.is_integer(array.type):
        return [None if v is None else float(v) for v in array.to_pylist()]
    if kind is Kind.FLOAT and pa.types.is_floating(array.type):
        if array.null_count < len(array) and not pc.all(pc.is_finite(array)).as_py():
            raise _NotPlainError
        return list(array.to_pylist())
    if kind is Kind.BOOL and pa.types.is_boolean(array.type):
        return list(array.to_pylist())
    raise _NotPlainError


def plain_columns(table: pa.Table, kind: Table) -> Columns | None:
    """``table``'s columns by column key (a group column's key is ``group:<family>``), or ``None`` when a
    header or a column is not plain or a required id is missing."""
    out: Columns = {}
    try:
        for name, array in zip(table.column_names, table.columns, strict=True):
            key = _key(str(name), kind)
            if key is None or key in out:
                raise _NotPlainError
            out[key] = _column_values(array, kind.column(key))
    except _NotPlainError:
        return None
    for col in kind.columns:
        if col.required and (col.key not in out or None in out[col.key]):
            return None  # a missing column or an empty cell: the cell route says which
    return out


def plain_table(table: pa.Table, kind: Table, where: str) -> ParsedTable | None:
    """``table`` as the cell route parses it (rows labelled ``row 1``, ``row 2``, ...), or ``None`` when a
    column is not plain, a row is empty, or a one-row table has more rows."""
    columns = plain_columns(table, kind)
    if columns is None:
        return None
    rows = [
        ParsedRow(f"row {i}", values)
        for i, values in enumerate(_rows(columns) if columns else [{}] * table.num_rows, 1)
    ]
    if any(not row.values for row in rows) or (kind.single_row and len(rows) > 1):
        return None
    positions = {
        key: ColumnPos(str(name), i) for i, (key, name) in enumerate(zip(columns, table.column_names, strict=True))
    }
    return ParsedTable(kind, RawSheet(where, ()), positions, rows)


@functools.lru_cache(maxsize=1024)  # a round's headers repeat in every read: fold each once
def _key(header: str, kind: Table) -> str | None:
    text = header.strip()
    if not text or text.startswith("#"):
        return None
    family = group_family(text) if kind.groups else None
    if family is not None and (not family or protected_label(family)):
        return None
    col = kind.find_column(text)
    return None if col is None else col.key


def _rows(columns: Columns, *skip: str) -> list[dict[str, Any]]:
    """One record per row: the row's filled cells by column key, as the cell route's ``row_fields``.

    The columns without an empty cell make each row's dict at once; the others add their filled cells."""
    keys = [k for k in columns if k not in skip]
    if not keys:
        return []
    full = [k for k in keys if None not in columns[k]]
    rows = [dict(zip(full, values, strict=True)) for values in zip(*(columns[k] for k in full), strict=True)]
    if not full:
        rows = [{} for _ in columns[keys[0]]]
    for key in keys:
        if key not in full:
            for row, value in zip(rows, columns[key], strict=True):
                if value is not None:
                    row[key] = value
    return rows


def bulk_records(tables: Mapping[str, Columns]) -> Bulk | None:
    """The applicants' records and the pair weights' rows from plain columns, as the cell route builds
    them for a round without problems; ``None`` when a row needs the cell route's words."""
    try:
        return _bulk(tables)
    except _NotPlainError:
        return None


def _bulk(tables: Mapping[str, Columns]) -> Bulk:
    columns = tables["applicants"]
    records = _rows(columns, "preferences")
    modes: dict[str, str | None] = {}
    by_id: dict[str, dict[str, Any]] = {}
    for record, mode in zip(records, columns.get("preferences") or [None] * len(records), strict=True):
        ident = record["id"]
        if ident in by_id:
            raise _NotPlainError  # a repeated id: validation names it
        by_id[ident] = record
        modes[ident] = mode
        groups = {k.partition(":")[2]: record.pop(k) for k in [k for k in record if k.startswith("group:")]}
        if any(protected_label(g) for g in set(groups.values())):
            raise _NotPlainError
        if groups:
            record["groups"] = groups
    _preferences(tables.get("preferences"), by_id, modes)
    for row in _rows(tables.get("interview_scores") or {}):
        _record(by_id, row.pop(APPLICANT_REF)).setdefault("interview", []).append(row)
    for row in _rows(tables.get("conflicts") or {}):
        found = _record(by_id, row[APPLICANT_REF]).setdefault("conflicts", {"units": [], "supervisors": []})
        if "unit" not in row and "supervisor" not in row:
            raise _NotPlainError
        for key, field in (("unit", "units"), ("supervisor", "supervisors")):
            if key in row:
                found[field].append(row[key])
    pairs = tables.get("pairs") or {}
    if not by_id.keys() >= set(pairs.get(APPLICANT_REF, ())):
        raise _NotPlainError  # an unknown applicant: the cell route suggests the id meant
    held = _pair_columns(pairs)
    made = applicants_of(records) if _plain_values(tables) else None
    return Bulk(records, [] if held is not None else _rows(pairs), held, made)


#: How the columns of the applicants' tables are checked whole: ids, labels, or numbers in a range.
_CHECKS: dict[str, Callable[[list[Any]], bool]] = {
    "id": lambda values: plain_texts(values, ID_LENGTH),
    "label": lambda values: plain_texts(values, LABEL_LENGTH),
    "tier": lambda values: plain_whole(values, *TIERS),
    "rank": lambda values: plain_whole(values, *RANKS),
    "weight": lambda values: plain_reals(values, *WEIGHTS),
    "finite": lambda values: plain_reals(values, *FINITE),
    "skip": lambda values: True,  # a word read as one of its column's words, or checked elsewhere
}
_COLUMN_CHECKS = {
    "applicants": {
        "id": "id",
        "university": "label",
        "priority_tier": "tier",
        "preferences": "skip",
        "period": "id",
        "previous_unit": "id",
        "previous_supervisor": "id",
    },
    # An area's name may be a label of up to 200 characters; an option longer than an id is left to the records.
    "preferences": {APPLICANT_REF: "skip", "kind": "skip", "option": "id", "rank": "rank", "weight": "weight"},
    "interview_scores": {
        APPLICANT_REF: "skip",
        "criterion": "id",
        "score": "finite",
        "interviewer": "id",
        "unit": "id",
        "scale_min": "finite",
        "scale_max": "finite",
    },
    "conflicts": {APPLICANT_REF: "skip", "unit": "id", "supervisor": "id"},
}


def _plain_values(tables: Mapping[str, Columns]) -> bool:
    """Whether every value of the applicants' tables is one its record's field keeps as it is (checked on
    each column whole), so that the records can be made without validating each value again. The
    applicant references are checked by the assembly (an unknown one is not plain)."""
    for table, checks in _COLUMN_CHECKS.items():
        for key, values in (tables.get(table) or {}).items():
            if table == "applicants" and key.startswith("group:"):
                if not plain_groups([key.partition(":")[2], *values]):
                    return False
            elif key == "qualifications" and table == "applicants":
                if not plain_texts((q for items in values if items is not None for q in items), LABEL_LENGTH):
                    return False
            elif key not in checks or not _CHECKS[checks[key]](values):
                return False
    return True


def _pair_columns(pairs: Columns) -> PairColumns | None:
    """The pairs table as columns when every row names one place and a whole weight of at most 10^12
    (what the records would hold as an ``int``); else ``None`` (the rows become records)."""
    if not pairs or not pairs.keys() <= {APPLICANT_REF, "unit", "supervisor", "weight"}:
        return None
    weights = pairs.get("weight")
    if not weights or None in weights:
        return None
    n = len(weights)
    units: list[str | None] = pairs.get("unit") or [None] * n
    sups: list[str | None] = pairs.get("supervisor") or [None] * n
    if any((s is None) == (u is None) for s, u in zip(sups, units, strict=True)):
        return None
    values = np.array(weights, dtype=np.float64) if weights else np.zeros(0)
    if not (np.all(np.abs(values) <= _MAX_WHOLE) and np.all(values == np.round(values))):
        return None  # a decimal (or a huge) weight: the records keep its exact value
    return PairColumns(tuple(pairs[APPLICANT_REF]), tuple(sups), tuple(units), tuple(values.astype(np.int64).tolist()))


def _record(by_id: Mapping[str, dict[str, Any]], ident: str) -> dict[str, Any]:
    record = by_id.get(ident)
    if record is None:
        raise _NotPlainError  # an unknown applicant: the cell route suggests the id meant
    return record


def _preferences(columns: Columns | None, by_id: Mapping[str, dict[str, Any]], modes: dict[str, str | None]) -> None:
    """Each applicant's wishes into ``interests`` or ``ranking``, as the cell route's ``_preferences``: in one
    pass over the rows, each applicant's kind of wishes fixed by their cell or their first row."""
    found: dict[str, tuple[bool, dict[str, dict[str, Any]]]] = {}
    if columns and len(next(iter(columns.values()))):
        kinds, options = columns.get("kind"), columns.get("option")
        if kinds is None or options is None or None in kinds or None in options:
            raise _NotPlainError
        none = [None] * len(kinds)
        fields = [KIND_FIELD[kind] for kind in kinds]
        rows = zip(
            columns[APPLICANT_REF], fields, options, columns.get("rank", none), columns.get("weight", none), strict=True
        )
        for who, field, option, rank, weight in rows:
            mine = found.get(who)
            if mine is None:
                if who not in by_id:
                    raise _NotPlainError
                mine = found[who] = (wish_mode(modes[who], rank, True) == "ranking", {})
            value = rank if mine[0] else weight
            if value is None or (rank is not None and weight is not None):
                raise _NotPlainError  # no value, two, or the other kind: the cell route names the row
            group = mine[1].get(field)
            if group is None:
                group = mine[1][field] = {}
            elif option in group:
                raise _NotPlainError
            group[option] = value
    for ident, record in by_id.items():
        if ident in found:
            ranked, prefs = found[ident]
            record["ranking" if ranked else "interests"] = prefs
        elif (mode := modes.get(ident)) is not None:
            record["ranking" if mode == "ranking" else "interests"] = {}
