"""An Excel workbook (``.xlsx``): one sheet per table, in the layout of :mod:`matchmaker.io._tables`.

Needs the ``excel`` extra (openpyxl). Sheets are named by their table in English or Swedish; other
sheets are ignored with a notice (an instructions sheet named "Read me" or "Läs mig" silently).

Written workbooks are made for editing: a bold, frozen header with a note on every column, text
format on id and text columns (so that ``001`` keeps its zeros), drop-down lists for every
enumeration, for yes/no cells (written as the words ``yes``/``no`` or ``ja``/``nej``) and for references
to other sheets' ids, and whole-number checks on counts. A number is
written as a number cell when Excel keeps it exactly (15 significant digits); otherwise, and for
every text, as a text cell, so that nothing is rounded and no text is taken for a formula.

The reader takes workbooks as people leave them (see :mod:`matchmaker.io._sheet` for the traps), and
reads merged cells as Excel shows them: a value merged over several rows counts for each of those rows
(in the range's first column).
"""

from __future__ import annotations

import io
import math
import os
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from matchmaker._extras import require
from matchmaker._i18n import msg, tr
from matchmaker._limits import check_unpacked_size
from matchmaker._models import Problem
from matchmaker._result import Result
from matchmaker.errors import InputFileError, ValidationIssue
from matchmaker.io._files import atomic_write_bytes, read_limited
from matchmaker.io._provenance import Source, parse_tables
from matchmaker.io._read_problem import problem_from_parsed
from matchmaker.io._read_result import result_from_parsed
from matchmaker.io._rows import Rows, Value, problem_rows, result_rows
from matchmaker.io._sheet import Cell, Issues, ParsedTable, RawRow, RawSheet
from matchmaker.io._tables import BOOL_WORDS, PROBLEM_TABLES, RESULT_TABLES, Column, Kind, Lang, Table

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook  # the excel extra
    from openpyxl.worksheet.worksheet import Worksheet  # the excel extra

__all__ = [
    "dump_problem_excel",
    "dump_result_excel",
    "given",
    "load_problem_excel",
    "load_result_excel",
    "read_workbook",
    "workbook_sources",
    "write_tables_excel",
]

_FEATURE = "Reading and writing Excel workbooks"
#: The last row that drop-downs and checks cover.
_LAST_ROW = 5000
#: Integers up to this size are written as numbers; Excel keeps 15 significant digits.
_EXACT_INT = 10**15


#: What openpyxl and the libraries under it (zipfile, zlib, the XML parser) raise on a damaged workbook.
#: A workbook is a zip of XML documents written by many programs; any of these means "cannot be read".
_UNREADABLE: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
    LookupError,  # KeyError, IndexError: a part or an attribute that is missing
    ValueError,  # also UnicodeDecodeError, openpyxl's InvalidFileException
    TypeError,
    AttributeError,
    ArithmeticError,  # a date serial out of range
    NotImplementedError,  # an unsupported compression method
    RuntimeError,  # an encrypted member; also RecursionError
    struct.error,
)


def _cannot_read(path: str | os.PathLike[str]) -> InputFileError:
    return InputFileError(
        [
            ValidationIssue.of(
                str(path),
                msg("is not an Excel workbook (.xlsx) that can be read"),
                msg("save it from the spreadsheet program as 'Excel Workbook (.xlsx)'"),
            )
        ],
        source=str(path),
    )


def _open(path: str | os.PathLike[str], max_bytes: int | None) -> Workbook:
    require("openpyxl", _FEATURE, "excel")
    import openpyxl  # the excel extra

    data = read_limited(path, max_bytes)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _UNREADABLE as exc:
        raise _cannot_read(path) from exc
    check_unpacked_size(path, archive)  # before anything is unzipped: a small file can unpack to gigabytes
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (extensions, styles); the cells are read.
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except _UNREADABLE as exc:
        raise _cannot_read(path) from exc


def _sheet_cells(ws: Worksheet, where: str, epoch: Any) -> RawSheet:
    from openpyxl.utils.datetime import to_excel  # the excel extra

    merged: dict[tuple[int, int], Any] = {}
    for rng in ws.merged_cells.ranges:
        top = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row + 1, rng.max_row + 1):
            merged[(r, rng.min_col)] = top
    rows: list[RawRow] = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        cells: list[Cell] = []
        for c, cell in enumerate(row, start=1):
            value = merged.get((r, c), cell.value)
            serial = None
            if getattr(cell, "is_date", False) and value is not None:
                try:
                    serial = float(cast("Callable[[Any, Any], float]", to_excel)(value, epoch))
                except (TypeError, ValueError):
                    serial = None
            error = getattr(cell, "data_type", None) == "e"
            cells.append(Cell(value, getattr(cell, "number_format", None), serial, error))
        rows.append(RawRow(f"row {r}", tuple(cells)))
    return RawSheet(where, tuple(rows), letters=True)


def read_workbook(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> dict[str, RawSheet]:
    """The cells of every worksheet of the workbook at ``path``, by sheet name.

    Raises:
        MissingExtraError: openpyxl is not installed.
        InputFileError: the file is missing, too large or not an ``.xlsx`` workbook.
    """
    wb = _open(path, max_bytes)
    return {ws.title: _sheet_cells(ws, f"{path}, sheet {ws.title}", wb.epoch) for ws in wb.worksheets}


def given(sheet: RawSheet) -> Callable[[], RawSheet]:
    """A loader that returns ``sheet``."""
    return lambda: sheet


def workbook_sources(path: str | os.PathLike[str], max_bytes: int | None = None) -> list[Source]:
    """The worksheets of the workbook at ``path`` as named sources."""
    return [Source(name, name, given(sheet)) for name, sheet in read_workbook(path, max_bytes=max_bytes).items()]


def _read(
    path: str | os.PathLike[str], tables: tuple[Table, ...], what: str, max_bytes: int | None
) -> tuple[dict[str, ParsedTable], Issues]:
    issues = Issues()
    return parse_tables(workbook_sources(path, max_bytes), tables, str(path), "sheet", what, issues), issues


def load_problem_excel(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Problem:
    """Read and validate a problem from an Excel workbook (one sheet per table).

    Raises:
        MissingExtraError: openpyxl is not installed (``pip install 'matchmaker[excel]'``).
        InputFileError: the workbook, a sheet or a cell cannot be read; every problem is listed with its
            sheet, row and column.
        ProblemValidationError: the content breaks a rule; every issue names its sheet, row and column.
    """
    return problem_from_parsed(*_read(path, PROBLEM_TABLES, "problem", max_bytes), str(path))


def load_result_excel(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Result:
    """Read a result written by :func:`dump_result_excel`. Raises :class:`InputFileError`."""
    return result_from_parsed(*_read(path, RESULT_TABLES, "result", max_bytes), str(path))


def _exact_in_excel(value: float) -> bool:
    return math.isfinite(value) and float(f"{value:.15g}") == value and not (value == 0 and math.copysign(1, value) < 0)


def _as_number(value: Value) -> bool:
    if isinstance(value, int):
        return abs(value) < _EXACT_INT
    return isinstance(value, float) and _exact_in_excel(value)


def _put(ws: Worksheet, row: int, column: int, value: Value, lang: Lang) -> None:
    if value is None:
        return
    cell = ws.cell(row, column)
    if isinstance(value, bool):
        cell.value = BOOL_WORDS[lang][0 if value else 1]  # a word, as the drop-down offers
        cell.data_type = "s"
    elif _as_number(value):
        cell.value = value
    else:
        cell.value = value if isinstance(value, str) else repr(value)
        cell.data_type = "s"  # never a formula, even if the text starts with '='


_TEXT_KINDS = frozenset({Kind.ID, Kind.TEXT, Kind.LIST, Kind.ENUM, Kind.BOOL, Kind.JSON, Kind.DATE})


def _validations(ws: Worksheet, table: Table, lang: Lang, sheet_names: dict[str, str]) -> None:
    from openpyxl.utils import get_column_letter  # the excel extra
    from openpyxl.worksheet.datavalidation import DataValidation  # the excel extra

    for index, col in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}2:{letter}{_LAST_ROW}"
        dv: DataValidation | None = None
        if col.kind in (Kind.ENUM, Kind.BOOL):
            dv = DataValidation(type="list", formula1='"' + ",".join(col.vocabulary(lang)) + '"', allow_blank=True)
            dv.error = tr("Choose one of: {values}", lang, values=", ".join(col.vocabulary(lang)))
        elif col.kind is Kind.INT and col.minimum is not None:
            dv = DataValidation(
                type="whole", operator="greaterThanOrEqual", formula1=str(col.minimum), allow_blank=True
            )
            dv.error = tr("Write a whole number of at least {minimum}", lang, minimum=col.minimum)
        elif col.refers_to in sheet_names:
            target = sheet_names[col.refers_to].replace("'", "''")
            dv = DataValidation(type="list", formula1=f"'{target}'!$A$2:$A${_LAST_ROW}", allow_blank=True)
            dv.errorStyle = "warning"
            dv.error = tr("The id is not on the sheet {sheet}", lang, sheet=sheet_names[col.refers_to])
        if dv is None:
            continue
        dv.showErrorMessage = True
        dv.errorTitle = col.header(lang)
        dv.add(cells)
        ws.add_data_validation(dv)


def _header(ws: Worksheet, table: Table, lang: Lang) -> None:
    from openpyxl.comments import Comment  # the excel extra
    from openpyxl.styles import Font  # the excel extra
    from openpyxl.utils import get_column_letter  # the excel extra

    for index, col in enumerate(table.columns, start=1):
        cell = ws.cell(1, index)
        cell.value = col.header(lang)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        note = _note(col, lang)
        if note:
            cell.comment = Comment(note, "matchmaker", width=260, height=90)
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(12, len(col.header(lang)) + 4)
        if col.kind in _TEXT_KINDS:
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"


def _note(col: Column, lang: Lang) -> str:
    text = col.help_en if lang == "en" else col.help_sv
    if col.kind in (Kind.ENUM, Kind.BOOL) and text:
        text += " " + " / ".join(col.vocabulary(lang))
    return text


def write_tables_excel(
    rows: Rows,
    path: str | os.PathLike[str],
    lang: Lang,
    *,
    readme: Sequence[str] = (),
    protect: tuple[Path, ...] = (),
    private: bool = False,
) -> None:
    """Write each table of ``rows`` as a sheet of a new workbook at ``path`` (atomically).

    ``readme`` lines, if any, go on a first sheet named "Read me" ("Läs mig"), which readers skip.
    ``private`` makes the file readable by its owner only.
    """
    require("openpyxl", _FEATURE, "excel")
    from openpyxl import Workbook  # the excel extra

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    if readme:
        ws = wb.create_sheet("Read me" if lang == "en" else "Läs mig")
        for i, line in enumerate(readme, start=1):
            ws.cell(i, 1).value = line
            ws.cell(i, 1).data_type = "s"
        ws.column_dimensions["A"].width = 110
    sheet_names = {table.key: table.name(lang) for table in rows}
    for table, table_rows in rows.items():
        ws = wb.create_sheet(table.name(lang))
        _header(ws, table, lang)
        for r, values in enumerate(table_rows, start=2):
            for c, value in enumerate(values, start=1):
                _put(ws, r, c, value, lang)
        _validations(ws, table, lang, sheet_names)
    out = io.BytesIO()
    wb.save(out)
    atomic_write_bytes(path, out.getvalue(), protect=protect, private=private)


def dump_problem_excel(
    problem: Problem, path: str | os.PathLike[str], *, lang: Lang = "en", readme: Sequence[str] = ()
) -> None:
    """Write ``problem`` as an Excel workbook, one sheet per table (headers and words in ``lang``).

    Raises:
        MissingExtraError: openpyxl is not installed (``pip install 'matchmaker[excel]'``).
    """
    write_tables_excel(problem_rows(problem, lang), path, lang, readme=readme)


def dump_result_excel(
    result: Result, path: str | os.PathLike[str], *, lang: Lang = "en", protect: tuple[Path, ...] = ()
) -> None:
    """Write ``result`` as an Excel workbook, one sheet per table. Needs the ``excel`` extra."""
    write_tables_excel(result_rows(result, lang, plain=True), path, lang, protect=protect)
