"""Arrow tables and Parquet folders: one table per file, in the layout of :mod:`matchmaker.io._tables`.

Needs pyarrow (the ``arrow`` extra). A problem is the same set of tables as a folder of CSV files or a
workbook, with the same English or Swedish table and column names: ``units``, ``applicants``,
``preferences``, ``pairs``, ... On disk each table is one Parquet file ``<table>.parquet`` in a folder
(the folder's name may end in ``.parquet``). Columns are typed: ids and words as text, whole numbers as
``int64``, numbers as ``float64``, yes/no as ``bool``, dates as ``date32``; lists (requirements,
qualifications) are text separated by ``;`` or Arrow lists of text. Reading accepts any Arrow type
that holds such values (``int32``, ``large_string``, dictionary-encoded text, decimals, ...).

The tables are read column by column into the shared cell parser, so a cell that cannot be read, a
broken rule and its message are exactly those of the CSV and workbook formats (naming file, row and
column), and a round read from Parquet has the same fingerprint and decision as from JSON.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matchmaker._extras import require
from matchmaker._i18n import msg
from matchmaker._models import Problem
from matchmaker._result import Result
from matchmaker.errors import InputError, InputFileError, ValidationIssue
from matchmaker.io._files import read_limited
from matchmaker.io._provenance import Source, parse_tables
from matchmaker.io._read_problem import problem_from_parsed
from matchmaker.io._read_result import result_from_parsed
from matchmaker.io._rows import Rows, problem_rows, result_rows
from matchmaker.io._sheet import Cell, Issues, ParsedTable, RawRow, RawSheet
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
    """A cell value as the sheet parser takes it: a decimal as its text (kept exact), a time as its date."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value  # the parser says a date and time is not a date
    return value


def _column(array: pa.ChunkedArray) -> list[Any]:
    """A column's values as Python values (text, numbers, booleans, dates, lists; ``None`` when empty)."""
    import pyarrow as pa  # the arrow extra

    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    values = array.to_pylist()
    if pa.types.is_decimal(array.type) or pa.types.is_timestamp(array.type):
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


def _read(
    tables: Mapping[str, pa.Table], kinds: tuple[Table, ...], what: str
) -> tuple[dict[str, ParsedTable], Issues]:
    _require()
    issues = Issues()
    sources = [Source(name, repr(name), _loader(f"Arrow table {name!r}", table)) for name, table in tables.items()]
    return parse_tables(sources, kinds, "the Arrow tables", "table", what, issues), issues


def _loader(where: str, table: pa.Table) -> Callable[[], RawSheet]:
    return lambda: _sheet(where, table)


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
    parsed, issues = _read(_as_tables(tables), PROBLEM_TABLES, "problem")
    return problem_from_parsed(parsed, issues, "the Arrow tables")


def result_from_arrow(tables: Mapping[str, pa.Table]) -> Result:
    """Read a result from Arrow tables made by :func:`result_to_arrow`. Raises :class:`InputFileError`."""
    parsed, issues = _read(_as_tables(tables), RESULT_TABLES, "result")
    return result_from_parsed(parsed, issues, "the Arrow tables")


def _as_tables(tables: Mapping[str, Any]) -> dict[str, pa.Table]:
    _require()
    import pyarrow as pa  # the arrow extra

    return {name: pa.Table.from_batches([t]) if isinstance(t, pa.RecordBatch) else t for name, t in tables.items()}


def _folder_sources(
    folder: str | os.PathLike[str], what: str, max_bytes: int | None, issues: Issues
) -> list[Source]:
    root = Path(folder)
    if not root.is_dir():
        fix = (
            msg("give the folder that holds the problem's Parquet files")
            if what == "problem"
            else msg("give the folder that holds the result's Parquet files")
        )
        raise InputFileError([ValidationIssue.of(str(root), msg("is not a folder"), fix)], source=str(root))

    def loader(path: Path) -> Callable[[], RawSheet | None]:
        return lambda: _parquet_sheet(path, max_bytes, issues)

    return [
        Source(path.stem, path.name, loader(path))
        for path in sorted(root.iterdir())
        if path.suffix.lower() == PARQUET_SUFFIX and not path.name.startswith(".")
    ]


def _parquet_sheet(path: Path, max_bytes: int | None, issues: Issues) -> RawSheet | None:
    """The cells of one Parquet file (``None`` if it cannot be read; the problem is in ``issues``)."""
    import pyarrow as pa  # the arrow extra
    import pyarrow.parquet as pq  # the arrow extra

    data = read_limited(path, max_bytes)
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        issues.add(
            str(path),
            msg("is not a Parquet file matchmaker can read ({reason})", reason=type(exc).__name__),
            msg("write it again with a Parquet writer (e.g. pyarrow.parquet.write_table)"),
        )
        return None
    return _sheet(str(path), table)


def _read_folder(
    folder: str | os.PathLike[str], kinds: tuple[Table, ...], what: str, max_bytes: int | None
) -> tuple[dict[str, ParsedTable], Issues]:
    _require()
    issues = Issues()
    sources = _folder_sources(folder, what, max_bytes, issues)
    return parse_tables(sources, kinds, str(folder), "file", what, issues), issues


def load_problem_parquet(folder: str | os.PathLike[str], *, max_bytes: int | None = None) -> Problem:
    """Read and validate a problem from a folder of Parquet files, one ``<table>.parquet`` per table.

    ``max_bytes`` limits each file's size (default: the limits in force, :func:`matchmaker.use_limits`).

    Raises:
        MissingExtraError: pyarrow is not installed.
        InputFileError: a file is missing or cannot be read, or a cell cannot be read; every problem is
            listed with its file, row and column.
        ProblemValidationError: the content breaks a rule; every issue names its file, row and column.
    """
    return problem_from_parsed(*_read_folder(folder, PROBLEM_TABLES, "problem", max_bytes), str(folder))


def load_result_parquet(folder: str | os.PathLike[str], *, max_bytes: int | None = None) -> Result:
    """Read a result written by :func:`dump_result_parquet`. Raises :class:`InputFileError`."""
    return result_from_parsed(*_read_folder(folder, RESULT_TABLES, "result", max_bytes), str(folder))


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
        ValidationIssue.of(str(path), msg("also holds the {table!r} table", table=table.key), msg("write to an empty folder"))
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
