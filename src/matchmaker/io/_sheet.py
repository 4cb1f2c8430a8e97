"""Raw sheets and their cells, read the same way whatever the file format.

A :class:`RawSheet` is what a CSV file, a worksheet or a DataFrame holds: rows of cells with the
positions a person sees (``row 4``, ``column max_places (D)``). :func:`parse_sheet` finds the header
row, matches the headers in Swedish or English, and converts every cell by its column's kind. Every
problem is collected (never the first only) as a :class:`~matchmaker.errors.ValidationIssue` that names
the file, sheet, row and column, says what is wrong and how to fix it.

The spreadsheet traps handled here:

* a title or blank rows above the header (the header is the first row that holds the table's columns);
* empty rows anywhere (skipped); surrounding spaces, also non-breaking ones (removed);
* ids typed as numbers (``1`` is read as the id ``"1"``; with a zero-padding number format such as
  ``000`` as ``"001"``; a notice says to format the column as Text);
* a number cell formatted as a date, and an id that Excel turned into a date (the message says which
  number the cell holds, or to retype the id as text);
* a decimal comma (``0,5``), Excel's error values (``#N/A``), headers with a comment mark (``#note``:
  the column is ignored).

Cell values of ``personal`` tables are never echoed in a message; ids are.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from matchmaker._base import PROTECTED_FIELDS, protected_label
from matchmaker._i18n import Message, msg, msg_n
from matchmaker._text import fold_field_name, suggest
from matchmaker.errors import Place, ValidationIssue
from matchmaker.io._tables import LIST_SEPARATOR, Column, Kind, Table, group_family

__all__ = [
    "Cell",
    "Issues",
    "ParsedRow",
    "ParsedTable",
    "RawRow",
    "RawSheet",
    "cell_where",
    "column_index",
    "locate_header",
    "parse_sheet",
]

#: An empty cell's value.
EMPTY: None = None

_ZERO_PAD = re.compile(r"^0+$")


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its value, and what a spreadsheet adds (number format, date serial, error flag)."""

    value: Any
    number_format: str | None = None
    serial: float | None = None  # the number behind a date-formatted cell
    error: bool = False  # an Excel error value such as #N/A

    def is_empty(self) -> bool:
        """No value, or only spaces."""
        v = self.value
        return v is None or (isinstance(v, str) and not v.strip())


@dataclass(frozen=True, slots=True)
class RawRow:
    """A row of cells and how a person names it (``"row 4"``)."""

    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class RawSheet:
    """The cells of one CSV file, worksheet or DataFrame.

    ``where`` names it in messages (``"units.csv"``, ``"round.xlsx, sheet Enheter"``). ``header`` is given
    when the format knows it (a DataFrame's columns); otherwise the header row is searched for.
    ``letters`` adds spreadsheet column letters to messages.
    """

    where: str
    rows: tuple[RawRow, ...]
    header: tuple[Cell, ...] | None = None
    letters: bool = False


@dataclass
class Issues:
    """Collected problems and notices of one read."""

    problems: list[ValidationIssue] = field(default_factory=list)
    notices: list[Message] = field(default_factory=list)

    def add(self, location: str | Message, message: Message, fix: Message) -> None:
        """Record one problem."""
        self.problems.append(ValidationIssue.of(location, message, fix))


@dataclass(frozen=True)
class ColumnPos:
    """Where a column stands: its header as written and its position (0-based)."""

    header: str
    index: int


@dataclass
class ParsedRow:
    """One data row: converted values by column key (empty cells left out) and the row's label."""

    label: str
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)  # keys whose cell could not be read (already reported)


@dataclass
class ParsedTable:
    """A table read from a sheet: its rows, and where each column stood (for messages)."""

    table: Table
    sheet: RawSheet
    columns: dict[str, ColumnPos]
    rows: list[ParsedRow]

    def where(self, row: str | None = None, column: str | None = None) -> str:
        """``"units.csv, row 4, column max_places"``; the column by its key, as written in the file."""
        parts = [self.sheet.where]
        if row is not None:
            parts.append(row)
        if column is not None:
            pos = self.columns.get(column)
            header = pos.header if pos else self.table.column(column).key
            letter = f" ({_letter(pos.index)})" if pos and self.sheet.letters else ""
            parts.append(f"column {header}{letter}")
        return ", ".join(parts)


def cell_where(sheet: RawSheet, row: str, header: str, index: int) -> str:
    """``"roster.xlsx, sheet Önskemål, row 4, column sökande (A)"``."""
    letter = f" ({_letter(index)})" if sheet.letters else ""
    return f"{sheet.where}, {row}, column {header}{letter}"


def _letter(index: int) -> str:
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _text_of(cell: Cell) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _known_headers(table: Table) -> set[str]:
    return {name for col in table.columns for name in col.names()}


def column_index(header: tuple[Cell, ...], table: Table, key: str) -> int | None:
    """The position of the column ``key`` of ``table`` in ``header``, or ``None``."""
    for i, cell in enumerate(header):
        col = table.find_column(_text_of(cell))
        if col is not None and col.key == key:
            return i
    return None


def locate_header(sheet: RawSheet, table: Table) -> tuple[int, tuple[Cell, ...]] | None:
    """The index in ``sheet.rows`` of the header row and its cells (-1 for a given header), or ``None``.

    The header is the first of the first ten non-empty rows that holds every required column (or, if
    none does, the first with the most known columns).
    """
    if sheet.header is not None:
        return -1, sheet.header
    known = _known_headers(table)
    required = {col.names() for col in table.columns if col.required}
    best: tuple[int, int] | None = None
    seen = 0
    for i, row in enumerate(sheet.rows):
        if all(c.is_empty() for c in row.cells):
            continue
        names = {fold_field_name(_text_of(c)) for c in row.cells}
        if all(names & set(pair) for pair in required) and names & known:
            return i, row.cells
        hits = len(names & known)
        if hits and (best is None or hits > best[1]):
            best = (i, hits)
        seen += 1
        if seen >= 10:
            break
    if best is None:
        return None
    return best[0], sheet.rows[best[0]].cells


def _map_header(
    sheet: RawSheet, table: Table, cells: tuple[Cell, ...], label: str, issues: Issues
) -> dict[str, ColumnPos]:
    columns: dict[str, ColumnPos] = {}
    known = [name for col in table.columns for name in (col.key, col.sv)]
    for index, cell in enumerate(cells):
        text = _text_of(cell)
        if not text or text.startswith("#"):
            continue
        pos = ColumnPos(text, index)
        where = cell_where(sheet, label, text, index)
        if table.groups and _bad_group_header(text, where, issues):
            continue
        col = table.find_column(text)
        if col is None:
            if fold_field_name(text) in PROTECTED_FIELDS:
                issues.add(
                    where,
                    msg(
                        "the column holds personal data or a protected attribute, which matchmaker never uses for "
                        "matching (diskrimineringslagen, GDPR)"
                    ),
                    msg("remove the column; to keep names for letters, use `matchmaker pseudonymise`"),
                )
            else:
                hint = suggest(text, known)
                did: Message | str = msg(" (did you mean {hint!r}?)", hint=hint) if hint else ""  # as convert.py
                issues.add(
                    where,
                    msg("unknown column{suggestion}", suggestion=did),
                    msg(
                        "use the columns {columns} (or their Swedish names), or start the header with # to keep a "
                        "column of notes",
                        columns=", ".join(c.key for c in table.columns),
                    ),
                )
            continue
        if col.key in columns:
            issues.add(where, msg("a second {column!r} column", column=col.key), msg("keep one column of each kind"))
            continue
        columns[col.key] = pos
    for col in table.columns:
        if col.required and col.key not in columns:
            issues.add(
                f"{sheet.where}, {label}",
                msg("the header has no {column!r} column (Swedish: {sv!r})", column=col.key, sv=col.sv),
                msg("add the column, or correct the spelling of its header"),
            )
    return columns


def _bad_group_header(text: str, where: str, issues: Issues) -> bool:
    """Whether ``text`` is a group column's header with no family or with a protected one (reported)."""
    family = group_family(text)
    if family is None:
        return False
    if not family:
        issues.add(
            where,
            msg("a group column names no family"),
            msg("write the family after the colon, e.g. {example}", example="group:home_municipality"),
        )
        return True
    if protected_label(family):
        issues.add(
            where,
            msg(
                "group family {family!r} names personal data or a protected attribute, which matchmaker never "
                "uses for matching (diskrimineringslagen, GDPR)",
                family=family,
            ),
            msg("remove the column; group applicants only by attributes such as home municipality, university or step"),
        )
        return True
    return False


def parse_sheet(sheet: RawSheet, table: Table, issues: Issues) -> ParsedTable:
    """Read ``sheet`` as ``table``: find the header, convert every cell, collect every problem."""
    found = locate_header(sheet, table)
    if found is None:
        issues.add(
            sheet.where,
            msg("no header row with the columns of {table!r} was found", table=table.key),
            msg("put the column names in the first row: {columns}", columns=", ".join(c.key for c in table.columns)),
        )
        return ParsedTable(table, sheet, {}, [])
    index, header_cells = found
    label = sheet.rows[index].label if index >= 0 else "header"
    columns = _map_header(sheet, table, header_cells, label, issues)
    parsed = ParsedTable(table, sheet, columns, [])
    width = len(header_cells)
    numeric_ids: dict[str, list[str]] = {}
    for raw in sheet.rows[index + 1 :]:
        if all(c.is_empty() for c in raw.cells):
            continue
        values: dict[str, Any] = {}
        bad: set[str] = set()
        for key, pos in columns.items():
            if pos.index >= len(raw.cells):
                continue
            cell = raw.cells[pos.index]
            if cell.is_empty():
                continue
            col = table.column(key)
            where = parsed.where(raw.label, key)
            value = _convert(cell, col, functools.partial(issues.add, where), table.personal)
            if value is _BAD:
                bad.add(key)
                continue
            values[key] = value
            if col.kind is Kind.ID and _typed_as_number(cell):
                numeric_ids.setdefault(key, []).append(raw.label)
        for i, cell in enumerate(raw.cells):
            if i >= width and not cell.is_empty():
                issues.add(
                    f"{sheet.where}, {raw.label}",
                    msg("a value stands right of the last column (an unquoted separator in a value?)"),
                    msg("remove it, or give its column a header (start it with # for notes)"),
                )
                break
        parsed.rows.append(ParsedRow(raw.label, values, bad))
    for key, labels in numeric_ids.items():
        issues.notices.append(
            msg_n(
                "{where}: {n} id was typed as a number and read as text (first at {first}); an id such as 001 "
                "loses its zeros in a number cell: format the column as Text and type the ids again",
                "{where}: {n} ids were typed as a number and read as text (first at {first}); an id such as 001 "
                "loses its zeros in a number cell: format the column as Text and type the ids again",
                len(labels),
                where=Place(parsed.where(None, key)),
                first=Place(labels[0]),
            )
        )
    if table.single_row and len(parsed.rows) > 1:
        issues.add(
            f"{sheet.where}, {parsed.rows[1].label}",
            msg("the {table!r} table has one row, but {count} are filled", table=table.key, count=len(parsed.rows)),
            msg("keep the first row and delete the others"),
        )
    return parsed


class _Bad:
    pass


_BAD: Any = _Bad()

Report = Callable[[Message, Message], None]


def _shown(cell: Cell, personal: bool) -> str:
    if personal:
        return ""
    return f" ({_text_of(cell)!r})"


def _number(text: str) -> float | None:
    s = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if "," in s and "." not in s and s.count(",") == 1:
        s = s.replace(",", ".")  # a decimal comma, as Swedish spreadsheets write
    try:
        value = float(s)
    except ValueError:
        return None
    return value


def _typed_as_number(cell: Cell) -> bool:
    v = cell.value
    is_number = isinstance(v, (int, float)) and not isinstance(v, bool)
    return is_number and not _ZERO_PAD.match(cell.number_format or "")


def _as_id(cell: Cell, col: Column, report: Report, personal: bool) -> Any:
    v = cell.value
    if isinstance(v, bool):
        report(msg("holds TRUE or FALSE, not text"), msg("type the value as text"))
        return _BAD
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not v.is_integer():
            return str(v)
        n = int(v)
        fmt = cell.number_format or ""
        if _ZERO_PAD.match(fmt) and n >= 0:
            return str(n).zfill(len(fmt))
        return str(n)
    return str(v).strip()


def _as_number(cell: Cell, col: Column, report: Report, personal: bool) -> Any:
    whole = col.kind is Kind.INT
    noun, example = (msg("a whole number"), "3") if whole else (msg("a number"), msg("0.5 (or 0,5)"))
    write = msg("write {noun} such as {example}", noun=noun, example=example)
    v = cell.value
    if isinstance(v, bool):
        report(msg("holds TRUE or FALSE, not {noun}", noun=noun), msg("write {noun}", noun=noun))
        return _BAD
    if isinstance(v, str):
        s = v.replace(" ", "").replace("\u00a0", "")
        if whole and re.fullmatch(r"[+-]?\d+", s):
            return int(s)  # exact, however large
        number = _number(s)
        if number is None:
            report(msg("is not {noun}{shown}", noun=noun, shown=_shown(cell, personal)), write)
            return _BAD
        v = number
    if isinstance(v, int):
        return v if whole else float(v)
    if isinstance(v, float) and not math.isfinite(v):
        report(msg("is not a finite number"), write)
        return _BAD
    if isinstance(v, float) and (not whole or v.is_integer()):
        return int(v) if whole else v
    report(msg("is not {noun}{shown}", noun=noun, shown=_shown(cell, personal)), write)
    return _BAD


def _as_enum(cell: Cell, col: Column, report: Report, personal: bool) -> Any:
    value = col.parse_word(_text_of(cell))
    if value is None:
        report(
            msg("is not one of the allowed values{shown}", shown=_shown(cell, personal)),
            msg(
                "use one of {allowed} (Swedish: {allowed_sv})",
                allowed=", ".join(col.vocabulary("en")),
                allowed_sv=", ".join(col.vocabulary("sv")),
            ),
        )
        return _BAD
    return value


def _as_list(cell: Cell, col: Column, report: Report, personal: bool) -> Any:
    v = cell.value
    if isinstance(v, (list, tuple)):
        items: Iterable[Any] = v
    else:
        items = _text_of(cell).split(LIST_SEPARATOR)
    return tuple(s for s in (str(item).strip() for item in items) if s)


def _as_bool(cell: Cell, col: Column, report: Report, personal: bool) -> Any:
    v = cell.value
    if isinstance(v, bool):
        return v
    folded = fold_field_name(_text_of(cell))
    if folded in {"true", "ja", "yes", "1", "sant"}:
        return True
    if folded in {"false", "nej", "no", "0", "falskt"}:
        return False
    report(msg("is not true or false{shown}", shown=_shown(cell, personal)), msg("write true or false (ja or nej)"))
    return _BAD


def _as_json(cell: Cell, col: Column, report: Report, personal: bool) -> Any:
    try:
        return json.loads(_text_of(cell))
    except ValueError:
        report(msg("is not a JSON value"), msg("write JSON, e.g. {examples}", examples='8, "text" or true'))
        return _BAD


def _as_date(cell: Cell, col: Column, report: Report, personal: bool) -> Any:
    v = cell.value
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        report(msg("is a number, not a date"), msg("write the date as YYYY-MM-DD, e.g. 2026-08-31"))
        return _BAD
    return str(v).strip()  # the model checks the text is a date


_CONVERTERS: Mapping[Kind, Callable[[Cell, Column, Report, bool], Any]] = {
    Kind.DATE: _as_date,
    Kind.ID: _as_id,
    Kind.TEXT: _as_id,
    Kind.INT: _as_number,
    Kind.FLOAT: _as_number,
    Kind.ENUM: _as_enum,
    Kind.LIST: _as_list,
    Kind.BOOL: _as_bool,
    Kind.JSON: _as_json,
}


def _convert(cell: Cell, col: Column, report: Report, personal: bool) -> Any:
    if cell.error:
        report(
            msg("shows a spreadsheet error ({error})", error=_text_of(cell)),
            msg("correct the formula, or type the value itself"),
        )
        return _BAD
    if col.kind is Kind.DATE and isinstance(cell.value, (dt.datetime, dt.date)):
        day = cell.value
        if isinstance(day, dt.datetime):
            if day.time() != dt.time():
                report(msg("holds a date and a time"), msg("give the date only, as YYYY-MM-DD"))
                return _BAD
            day = day.date()
        return day.isoformat()
    if isinstance(cell.value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        if col.kind in (Kind.INT, Kind.FLOAT) and cell.serial is not None:
            serial = int(cell.serial) if float(cell.serial).is_integer() else cell.serial
            holds = msg("a number") if personal else msg("the number {serial}", serial=serial)
            report(
                msg("is formatted as a date, so it shows a date although it holds {holds}", holds=holds),
                msg("format the cell as a number (or General) and check the value"),
            )
        else:
            report(
                msg("holds a date: the spreadsheet turned what was typed into a date"),
                msg("format the column as Text, then retype the value"),
            )
        return _BAD
    if isinstance(cell.value, str):
        cell = Cell(cell.value.strip(), cell.number_format, cell.serial, cell.error)
    return _CONVERTERS[col.kind](cell, col, report, personal)
