"""Parsed tables and where each value came from: every issue traced to its file, sheet, row and column.

Reading assembles the parsed tables into plain data that the models validate; the issues the models
report (``units['bou'].max_places``) are translated back to the place a person can find them
(``units.csv, row 4, column max_places``). Problems found while reading cells and problems found by
validation are reported together, once each.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matchmaker._i18n import Message, msg, msg_n
from matchmaker._pydantic_errors import issues_from_validation_error
from matchmaker._text import fold_field_name
from matchmaker.errors import (
    InputFileError,
    InputWarning,
    ProblemValidationError,
    ValidationIssue,
)
from matchmaker.io._sheet import Issues, ParsedRow, ParsedTable, RawSheet, parse_sheet
from matchmaker.io._tables import (
    README_SHEETS,
    Table,
    find_table,
)

__all__ = [
    "Origin",
    "Provenance",
    "Source",
    "did_you_mean",
    "finish",
    "full_row",
    "named_rows",
    "need_cell",
    "parse_tables",
    "read_head",
    "record_prefixes",
    "row_fields",
    "validate_as",
    "word_message",
]


M = TypeVar("M", bound=BaseModel)


#: The words that callers pass as ``noun`` and ``what`` (and the kinds of a wish), in both languages.
_WORDS: Mapping[str, Message] = {
    "file": msg("file"),
    "sheet": msg("sheet"),
    "DataFrame": msg("DataFrame"),
    "problem": msg("problem"),
    "result": msg("result"),
    "area": msg("area"),
    "unit": msg("unit"),
    "supervisor": msg("supervisor"),
}


def word_message(word: str) -> Message | str:
    return _WORDS.get(word, word)


def did_you_mean(hint: str | None) -> Message | str:
    return msg(" (did you mean {hint!r}?)", hint=hint) if hint else ""


@dataclass(frozen=True)
class Origin:
    table: ParsedTable
    row: str | None
    column: str | None = None
    key_column: str | None = None  # for a mapping entry: the column of the key ("refers to ..." issues)
    aliases: Mapping[str, str] | None = None  # model field -> column key, where they differ


class Provenance:
    """Model locations (``units['bou']``) and where they came from in the files."""

    def __init__(self) -> None:
        self._at: dict[str, Origin] = {}

    def add(self, prefixes: Iterable[str], origin: Origin) -> None:
        for prefix in prefixes:
            self._at.setdefault(prefix, origin)

    def locate(self, issue: ValidationIssue) -> ValidationIssue:
        loc = issue.location
        for end in sorted({len(p) for p in self._at if len(p) <= len(loc)}, reverse=True):
            prefix = loc[:end]
            origin = self._at.get(prefix)
            if origin is None or not (end == len(loc) or loc[end] in ".[ "):
                continue
            rest = loc[end:]
            column = origin.column
            if rest.startswith("."):
                field = rest[1:].split(".")[0].split("[")[0]
                aliases = origin.aliases or {}
                keys = {c.key for c in origin.table.table.columns}
                column = aliases.get(field, field if field in keys else column)
            elif not rest and origin.key_column and issue.message.startswith("refers to"):
                column = origin.key_column
            return dataclasses.replace(issue, location=origin.table.where(origin.row, column), location_key=None)
        return issue


def record_prefixes(kind: str, index: int, ident: object) -> list[str]:
    out = [f"{kind}[{index}]"]
    if isinstance(ident, str) and ident.strip():
        out.insert(0, f"{kind}[{ident.strip()!r}]")
    return out


def finish(issues: Issues, mapped: Sequence[ValidationIssue], source: str, *, validation: bool) -> None:
    """Emit the notices as :class:`InputWarning` s, then raise if any problem was found.

    Problems found in cells come first; a validation issue at a cell that already has one is left out.
    Raises :class:`InputFileError` when a cell or table could not be read, otherwise
    :class:`ProblemValidationError` (for validation issues only).
    """
    for notice in issues.notices:
        warnings.warn(InputWarning(notice), stacklevel=4)
    seen = {i.location for i in issues.problems}
    everything = [*issues.problems, *(i for i in mapped if i.location not in seen)]
    if not everything:
        return
    if issues.problems or not validation:
        raise InputFileError(everything, source=source)
    raise ProblemValidationError(everything, source=source)


@dataclass(frozen=True)
class Source:
    """One named sheet or file of a container: the name to match a table by, its display name and a loader."""

    name: str
    shown: str
    load: Callable[[], RawSheet | None]


def parse_tables(
    sources: Iterable[Source], tables: tuple[Table, ...], container: str, noun: str, what: str, issues: Issues
) -> dict[str, ParsedTable]:
    """Match ``sources`` to ``tables`` by name (English or Swedish) and parse each; report what is amiss.

    Sources that name no table are ignored with a notice (instruction sheets silently); two sources for
    one table and a missing required table are problems. If a required table is missing, raise at once
    (with every problem found so far): nothing can be assembled without it.
    """
    found: dict[Table, str] = {}
    ignored: list[str] = []
    parsed: dict[str, ParsedTable] = {}
    for source in sources:
        table = find_table(source.name, tables)
        if table is None:
            if fold_field_name(source.name) not in README_SHEETS:
                ignored.append(source.shown)
            continue
        if table in found:
            issues.add(
                msg("{container}, {noun} {name}", container=container, noun=word_message(noun), name=source.shown),
                msg(
                    "a second {noun} for the {table!r} table (besides {first})",
                    noun=word_message(noun),
                    table=table.key,
                    first=found[table],
                ),
                msg("keep one {noun} per table (English or Swedish name, not both)", noun=word_message(noun)),
            )
            continue
        found[table] = source.shown
        sheet = source.load()
        if sheet is not None:
            parsed[table.key] = parse_sheet(sheet, table, issues)
    if ignored:
        issues.notices.append(
            msg_n(
                "{container}: ignored {ignored}, which names no {what} table (the tables are {tables})",
                "{container}: ignored {ignored}, which name no {what} table (the tables are {tables})",
                len(ignored),
                container=container,
                ignored=", ".join(ignored),
                what=word_message(what),
                tables=", ".join(t.key for t in tables),
            )
        )
    for table in tables:
        if table.required and table not in found:
            issues.add(
                container,
                msg(
                    "has no {noun} for the {table!r} table (named {table!r} or, in Swedish, {sv!r})",
                    noun=word_message(noun),
                    table=table.key,
                    sv=table.sv,
                ),
                msg("add it; `matchmaker template` writes every {what} table with its header", what=word_message(what)),
            )
    if any(t.required and t.key not in parsed for t in tables):  # missing, or unreadable (already reported)
        finish(issues, [], container, validation=False)
    return parsed


def row_fields(row: ParsedRow, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in row.values.items() if k not in skip}


def need_cell(table: ParsedTable, row: ParsedRow, key: str, issues: Issues, what: Message) -> Any:
    """The row's value for ``key``; reports an empty cell (unless it was already reported as unreadable)."""
    value = row.values.get(key)
    if value is None and key not in row.bad:
        issues.add(table.where(row.label, key), msg("is empty"), msg("give {what}", what=what))
    return value


def read_head(
    parsed: ParsedTable | None,
    record: str,
    top: tuple[str, ...],
    data: dict[str, Any],
    prov: Provenance,
    issues: Issues,
) -> dict[str, Any] | None:
    """Read a one-row table: the ``top`` fields go into ``data``, the rest is returned as ``record``'s fields.

    A schema version below 1 is refused: the table formats began at version 1.
    """
    if parsed is None or not parsed.rows:
        return None
    row = parsed.rows[0]
    prov.add([record], Origin(parsed, row.label))
    for key in top:
        prov.add([key], Origin(parsed, row.label, key))
    values = full_row(parsed, row)
    version = values.get("schema_version")
    if version is not None and version < 1:
        issues.add(
            parsed.where(row.label, "schema_version"),
            msg("schema version {version} existed only as JSON; tables start at version 1", version=version),
            msg("write 1, or leave the cell empty"),
        )
        values.pop("schema_version")
    data.update({k: values.pop(k) for k in top if k in values and values[k] is not None})
    return {k: v for k, v in values.items() if v is not None or k in row.values}


def validate_as(model: type[M], data: Any, root: str, prov: Provenance) -> tuple[M | None, list[ValidationIssue]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [prov.locate(i) for i in issues_from_validation_error(exc, data, root=root, model=model)]


def named_rows(parsed: ParsedTable | None, issues: Issues, value: Callable[[ParsedRow], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in parsed.rows if parsed else []:
        assert parsed is not None
        name = row.values.get("name")
        if name is None:
            continue
        if name in out:
            issues.add(
                parsed.where(row.label, "name"),
                msg("{name!r} is listed twice", name=name),
                msg("keep one row per name"),
            )
        out[name] = value(row)
    return out


def full_row(parsed: ParsedTable, row: ParsedRow) -> dict[str, Any]:
    """The row's values with an empty optional cell as ``None`` (result records spell out every field)."""
    values = {c.key: None for c in parsed.table.columns if not c.required and c.key not in row.bad}
    values.update(row.values)
    return values
