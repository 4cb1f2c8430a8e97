"""Arrow tables and Parquet folders: one table per file, in the layout of :mod:`matchmaker.io._tables`.

Needs pyarrow (the ``arrow`` extra). A problem is the same set of tables as a folder of CSV files or a
workbook, with the same English or Swedish table and column names: ``units``, ``applicants``,
``preferences``, ``pairs``, ... On disk each table is one Parquet file ``<table>.parquet`` in a folder
(the folder's name may end in ``.parquet``). Columns are typed: ids and words as text, whole numbers as
``int64``, numbers as ``float64``, yes/no as ``bool``, dates as ``date32``; lists (requirements,
qualifications) are text separated by ``;`` or Arrow lists of text. Reading accepts any Arrow type
that holds such values (``int32``, ``large_string``, dictionary-encoded text, decimals, ...).

Reading takes the plain columns of the large tables (applicants, wishes, interview scores, conflicts,
pair weights) whole (:mod:`matchmaker.io._columns`) and the small ones through the cell parser shared
with the CSV and workbook formats. When anything is amiss, every table is read again cell by cell, so a
cell that cannot be read, a broken rule and its message are exactly those of the CSV and workbook
formats (naming file, row and column). A round read from Parquet or Arrow has the same fingerprint and
decision as from JSON.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matchmaker import _gc
from matchmaker._extras import require
from matchmaker._i18n import msg
from matchmaker._models import Problem
from matchmaker._result import Result
from matchmaker.errors import InputError, InputFileError, ValidationIssue
from matchmaker.io._columns import BULK_TABLES, bulk_records, plain_columns, plain_table
from matchmaker.io._files import read_limited
from matchmaker.io._provenance import Source, parse_tables
from matchmaker.io._read_problem import problem_from_parsed
from matchmaker.io._read_result import result_from_parsed
from matchmaker.io._rows import Rows, problem_rows, result_rows
from matchmaker.io._sheet import Cell, Issues, ParsedTable, RawRow, RawSheet, parse_sheet
from matchmaker.io._tables import PROBLEM_TABLES, RESULT_TABLES, Kind, Lang, Table, find_table

if TYPE_CHECKING:
    import pyarrow as pa  # the arrow extra

__all__ = [
    "PARQUET_SUFFIX",
    "dump_problem_parquet",
    "dump_result_parquet",
    "is_parquet_folder",
    "load_problem_parquet",
    "load_result_parquet",
    "problem_from_arrow",
    "problem_to_arrow",
    "result_from_arrow",
    "result_to_arrow",
]

#: The suffix of a table's Parquet file (and, optionally, of the folder that holds them).
PARQUET_SUFFIX = ".parquet"

_FEATURE = "Reading and writing Arrow tables and Parquet files"


def _require() -> None:
    require("pyarrow", _FEATURE, "arrow")


def is_parquet_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a Parquet folder: its name ends in ``.parquet``, or it holds ``.parquet`` files."""
    p = Path(path)
    if p.suffix.lower() == PARQUET_SUFFIX:
        return True
    return p.is_dir() and any(f.suffix.lower() == PARQUET_SUFFIX for f in p.iterdir())


def _arrow_type(kind: Kind) -> pa.DataType:
    import pyarrow as pa  # the arrow extra

    return {Kind.INT: pa.int64(), Kind.FLOAT: pa.float64(), Kind.BOOL: pa.bool_(), Kind.DATE: pa.date32()}.get(
        kind, pa.string()
    )


def _tables(rows: Rows, lang: Lang) -> dict[str, pa.Table]:
    _require()
    import pyarrow as pa  # the arrow extra

    out: dict[str, pa.Table] = {}
    for table, table_rows in rows.items():
        arrays = []
        for i, col in enumerate(table.columns):
            values: list[Any] = [row[i] for row in table_rows]
            if col.kind is Kind.DATE:
                values = [None if v is None else dt.date.fromisoformat(str(v)) for v in values]
            arrays.append(pa.array(values, type=_arrow_type(col.kind)))
        out[table.name(lang)] = pa.table(arrays, names=[col.header(lang) for col in table.columns])
    return out


def problem_to_arrow(problem: Problem, *, lang: Lang = "en") -> dict[str, pa.Table]:
    """Every table of ``problem`` as an Arrow table, keyed by table name (``"units"`` or ``"Enheter"``).

    Raises:
        MissingExtraError: pyarrow is not installed (``pip install 'matchmaker[arrow]'``).
        InputError: a list item holds the list separator ``;``.
    """
    return _tables(problem_rows(problem, lang), lang)


def result_to_arrow(result: Result, *, lang: Lang = "en") -> dict[str, pa.Table]:
    """Every table of ``result`` as an Arrow table (``"assignments"``, ``"unplaced"``, ``"objective"``, ...)."""
    return _tables(result_rows(result, lang), lang)


def _plain(value: Any) -> Any:
    """A cell value as the sheet parser takes it: a decimal as its text (kept exact)."""
    return str(value) if isinstance(value, decimal.Decimal) else value


def _column(array: pa.ChunkedArray) -> list[Any]:
    """A column's values as Python values (text, numbers, booleans, dates, lists; ``None`` when empty)."""
    import pyarrow as pa  # the arrow extra

    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    values: list[Any] = array.to_pylist()
    if pa.types.is_decimal(array.type):
        return [_plain(v) for v in values]
    if pa.types.is_floating(array.type):
        return [None if v is not None and v != v else v for v in values]  # NaN: an empty cell, as in a frame
    return values


def _sheet(where: str, table: pa.Table) -> RawSheet:
    header = tuple(Cell(str(name)) for name in table.column_names)
    columns = [_column(table.column(i)) for i in range(table.num_columns)]
    rows = tuple(
        RawRow(f"row {i}", tuple(Cell(v) for v in values)) for i, values in enumerate(zip(*columns, strict=True), 1)
    )
    return RawSheet(where, rows, header=header)


def _fast_problem(tables: Mapping[str, pa.Table], where: Mapping[str, str], container: str) -> Problem | None:
    """The problem with its plain columns read whole, or ``None`` when a table is not plain or something
    needs saying (then the cell route reads every table and says it)."""
    columns: dict[str, dict[str, list[Any]]] = {}
    parsed: dict[str, ParsedTable] = {}
    issues = Issues()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name, table in tables.items():
            kind = find_table(name, PROBLEM_TABLES)
            if kind is None or kind.key in columns or kind.key in parsed:
                return None
            if kind.key in BULK_TABLES:
                if (found := plain_columns(table, kind)) is None:
                    return None
                columns[kind.key] = found
            else:
                parsed[kind.key] = plain_table(table, kind, where[name]) or parse_sheet(
                    _sheet(where[name], table), kind, issues
                )
        if any(t.required and t.key not in parsed and t.key not in columns for t in PROBLEM_TABLES):
            return None
        if (bulk := bulk_records(columns)) is None:
            return None
        try:
            problem = problem_from_parsed(parsed, issues, container, bulk)
        except InputError:
            return None
    return None if caught or issues.notices else problem


def _problem(
    tables: Mapping[str, pa.Table], shown: Mapping[str, str], where: Mapping[str, str], container: str, noun: str
) -> Problem:
    def loader(name: str) -> Callable[[], RawSheet]:
        return lambda: _sheet(where[name], tables[name])

    with _gc.paused():  # reading and validating make only live objects (see matchmaker._gc)
        fast = _fast_problem(tables, where, container)
    if fast is not None:
        return fast
    sources = [Source(name, shown[name], loader(name)) for name in tables]
    issues = Issues()
    return problem_from_parsed(
        parse_tables(sources, PROBLEM_TABLES, container, noun, "problem", issues), issues, container
    )


def problem_from_arrow(tables: Mapping[str, pa.Table]) -> Problem:
    """Read and validate a problem from Arrow tables keyed by table name (English or Swedish).

    The tables and columns are those of the CSV and workbook formats (see the input guide); a
    ``pyarrow.RecordBatch`` is taken as a table of one batch.

    Raises:
        MissingExtraError: pyarrow is not installed.
        InputFileError: a table is missing or a cell cannot be read; every problem names its table,
            row (counted from 1) and column.
        ProblemValidationError: the content breaks a rule; every issue names its table, row and column.
    """
    found = _as_tables(tables)
    names = {name: repr(name) for name in found}
    return _problem(found, names, {name: f"Arrow table {name!r}" for name in found}, "the Arrow tables", "table")


def result_from_arrow(tables: Mapping[str, pa.Table]) -> Result:
    """Read a result from Arrow tables made by :func:`result_to_arrow`. Raises :class:`InputFileError`."""
    found = _as_tables(tables)
    issues = Issues()
    sources = [Source(name, repr(name), _loader(f"Arrow table {name!r}", table)) for name, table in found.items()]
    parsed = parse_tables(sources, RESULT_TABLES, "the Arrow tables", "table", "result", issues)
    return result_from_parsed(parsed, issues, "the Arrow tables")


def _loader(where: str, table: pa.Table) -> Callable[[], RawSheet]:
    return lambda: _sheet(where, table)


def _as_tables(tables: Mapping[str, Any]) -> dict[str, pa.Table]:
    _require()
    import pyarrow as pa  # the arrow extra

    return {name: pa.Table.from_batches([t]) if isinstance(t, pa.RecordBatch) else t for name, t in tables.items()}


def _folder_tables(folder: str | os.PathLike[str], what: str, max_bytes: int | None) -> dict[Path, pa.Table]:
    """The Parquet files of ``folder`` as Arrow tables, by path; raises when a file cannot be read."""
    _require()
    import pyarrow as pa  # the arrow extra
    import pyarrow.parquet as pq  # the arrow extra

    root = Path(folder)
    if not root.is_dir():
        fix = (
            msg("give the folder that holds the problem's Parquet files")
            if what == "problem"
            else msg("give the folder that holds the result's Parquet files")
        )
        raise InputFileError([ValidationIssue.of(str(root), msg("is not a folder"), fix)], source=str(root))
    out: dict[Path, pa.Table] = {}
    bad: list[ValidationIssue] = []
    for path in sorted(root.iterdir()):
        if path.suffix.lower() != PARQUET_SUFFIX or path.name.startswith("."):
            continue
        data = read_limited(path, max_bytes)
        try:
            out[path] = pq.read_table(pa.BufferReader(data))
        except (pa.ArrowException, OSError, ValueError) as exc:
            bad.append(
                ValidationIssue.of(
                    str(path),
                    msg("is not a Parquet file matchmaker can read ({reason})", reason=type(exc).__name__),
                    msg("write it again with a Parquet writer (e.g. pyarrow.parquet.write_table)"),
                )
            )
    if bad:
        raise InputFileError(bad, source=str(root))
    return out


def load_problem_parquet(folder: str | os.PathLike[str], *, max_bytes: int | None = None) -> Problem:
    """Read and validate a problem from a folder of Parquet files, one ``<table>.parquet`` per table.

    ``max_bytes`` limits each file's size (default: the limits in force, :func:`matchmaker.use_limits`).

    Raises:
        MissingExtraError: pyarrow is not installed.
        InputFileError: a file is missing or cannot be read, or a cell cannot be read; every problem is
            listed with its file, row and column.
        ProblemValidationError: the content breaks a rule; every issue names its file, row and column.
    """
    found = _folder_tables(folder, "problem", max_bytes)
    tables = {path.stem: table for path, table in found.items()}
    shown = {path.stem: path.name for path in found}
    where = {path.stem: str(path) for path in found}
    return _problem(tables, shown, where, str(folder), "file")


def load_result_parquet(folder: str | os.PathLike[str], *, max_bytes: int | None = None) -> Result:
    """Read a result written by :func:`dump_result_parquet`. Raises :class:`InputFileError`."""
    found = _folder_tables(folder, "result", max_bytes)
    issues = Issues()
    sources = [Source(path.stem, path.name, _loader(str(path), table)) for path, table in found.items()]
    return result_from_parsed(
        parse_tables(sources, RESULT_TABLES, str(folder), "file", "result", issues), issues, str(folder)
    )


def _write(
    tables: dict[str, pa.Table], kinds: tuple[Table, ...], folder: str | os.PathLike[str], protect: tuple[Path, ...]
) -> list[Path]:
    import pyarrow.parquet as pq  # the arrow extra

    root = Path(folder)
    for other in protect:
        if root.exists() and other.exists() and root.resolve() == other.resolve():
            raise InputFileError(
                [ValidationIssue.of(str(root), msg("is also the input folder"), msg("write to another folder"))]
            )
    if root.exists() and not root.is_dir():
        raise InputFileError(
            [ValidationIssue.of(str(root), msg("is not a folder"), msg("write to another folder"))], source=str(root)
        )
    names = {name + PARQUET_SUFFIX for name in tables}
    clashes = [
        ValidationIssue.of(
            str(path), msg("also holds the {table!r} table", table=table.key), msg("write to an empty folder")
        )
        for path in (root.iterdir() if root.exists() else ())
        if path.suffix.lower() == PARQUET_SUFFIX
        and path.name not in names
        and (table := find_table(path.stem, kinds)) is not None
    ]
    if clashes:
        raise InputError(clashes, source=str(root))
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = root / (name + PARQUET_SUFFIX)
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)  # each file appears whole
        written.append(path)
    return written


def dump_problem_parquet(problem: Problem, folder: str | os.PathLike[str], *, lang: Lang = "en") -> list[Path]:
    """Write every table of ``problem`` to ``folder`` (created if needed) as ``<table>.parquet``; returns the files.

    Raises:
        MissingExtraError: pyarrow is not installed.
        InputError: the folder holds a file for one of the tables under its other-language name.
    """
    return _write(problem_to_arrow(problem, lang=lang), PROBLEM_TABLES, folder, ())


def dump_result_parquet(
    result: Result, folder: str | os.PathLike[str], *, lang: Lang = "en", protect: tuple[Path, ...] = ()
) -> list[Path]:
    """Write every table of ``result`` to ``folder`` as ``<table>.parquet``, never into one of ``protect``."""
    return _write(result_to_arrow(result, lang=lang), RESULT_TABLES, folder, protect)
