"""A folder of CSV files: one file per table, in the layout of :mod:`matchmaker.io._tables`.

Files are named by their table in English or Swedish (``units.csv`` or ``enheter.csv``); other files in
the folder are ignored with a notice. Written files are UTF-8 with a byte-order mark, so that Excel
shows å, ä and ö; English files are separated by commas with a decimal point, Swedish ones by
semicolons with a decimal comma, as Excel writes them in each locale.

The reader takes what spreadsheet programs write: UTF-8 with or without a byte-order mark (UTF-16 from
"Unicode text" too), comma, semicolon or tab separators (found from the header line, or Excel's
``sep=;`` first line), Excel's ``="001"`` way of keeping leading zeros, and everything
:mod:`matchmaker.io._sheet` handles. A file in another encoding is refused with the fix.
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from matchmaker._i18n import msg
from matchmaker._models import Problem
from matchmaker._result import Result
from matchmaker.errors import InputError, InputFileError, ValidationIssue
from matchmaker.io._files import atomic_write_text, read_limited
from matchmaker.io._provenance import Source, parse_tables
from matchmaker.io._read_problem import problem_from_parsed
from matchmaker.io._read_result import result_from_parsed
from matchmaker.io._rows import Rows, Value, problem_rows, result_rows
from matchmaker.io._sheet import Cell, Issues, ParsedTable, RawRow, RawSheet
from matchmaker.io._tables import BOOL_WORDS, PROBLEM_TABLES, RESULT_TABLES, Lang, Table, find_table

__all__ = [
    "dump_problem_csv",
    "dump_result_csv",
    "folder_sources",
    "load_problem_csv",
    "load_result_csv",
    "read_csv_sheet",
    "table_csv_text",
    "write_tables_csv",
]

_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)


def _decode(data: bytes, where: str, issues: Issues) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        issues.add(
            where,
            msg("is not UTF-8 text (byte {byte}); it was probably saved in a Windows or Mac encoding", byte=exc.start),
            msg("save it again as 'CSV UTF-8 (comma delimited)' (Excel) or with the encoding UTF-8"),
        )
        return None


def _separator(line: str) -> str:
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def read_csv_sheet(data: bytes, where: str, issues: Issues) -> RawSheet | None:
    """The cells of one CSV file (``None`` if it cannot be decoded or parsed; the problem is in ``issues``)."""
    text = _decode(data, where, issues)
    if text is None:
        return None
    lines = text.splitlines(keepends=True)
    first = 0
    sep: str | None = None
    if lines and (m := re.fullmatch(r"sep=(.)\r?\n?", lines[0])):
        sep, first = m.group(1), 1
    if sep is None:
        header = next((ln for ln in lines if ln.strip()), "")
        sep = _separator(header)
    reader = csv.reader(io.StringIO("".join(lines[first:])), delimiter=sep, strict=True)
    rows: list[RawRow] = []
    line = first
    try:
        for record in reader:
            start = line + 1
            line = first + reader.line_num
            cells = []
            for value in record:
                m = _EXCEL_TEXT.match(value)
                cells.append(Cell(m.group(1).replace('""', '"') if m else value))
            rows.append(RawRow(f"row {start}", tuple(cells)))
    except csv.Error as exc:
        issues.add(
            f"{where}, row {line + 1}",
            msg("is not valid CSV ({reason})", reason=exc),
            msg("check the quotes in that row: a value with a quote must be quoted and the quote doubled"),
        )
        return None
    return RawSheet(where, tuple(rows))


#: How to fix a path that is not a folder, by what the folder should hold.
_FOLDER_FIX = {
    "problem": msg("give the folder that holds the problem's CSV files"),
    "result": msg("give the folder that holds the result's CSV files"),
    "roster": msg("give the folder that holds the roster's CSV files"),
}


def folder_sources(folder: str | os.PathLike[str], what: str, max_bytes: int | None, issues: Issues) -> list[Source]:
    """The CSV files of ``folder`` as named sources (read when loaded; problems go to ``issues``)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputFileError(
            [
                ValidationIssue.of(
                    str(root),
                    msg("is not a folder"),
                    _FOLDER_FIX.get(what, _FOLDER_FIX["problem"]),
                )
            ],
            source=str(root),
        )

    def loader(path: Path) -> Callable[[], RawSheet | None]:
        return lambda: read_csv_sheet(read_limited(path, max_bytes), str(path), issues)

    return [
        Source(path.stem, path.name, loader(path))
        for path in sorted(root.iterdir())
        if path.suffix.lower() == ".csv" and not path.name.startswith(".")
    ]


def _read_folder(
    folder: str | os.PathLike[str], tables: tuple[Table, ...], what: str, max_bytes: int | None
) -> tuple[dict[str, ParsedTable], Issues]:
    issues = Issues()
    sources = folder_sources(folder, what, max_bytes, issues)
    return parse_tables(sources, tables, str(folder), "file", what, issues), issues


def load_problem_csv(folder: str | os.PathLike[str], *, max_bytes: int | None = None) -> Problem:
    """Read and validate a problem from a folder of CSV files.

    Raises:
        InputFileError: a file is missing or cannot be read, or a cell cannot be read; every problem of
            every file is listed with its file, row and column.
        ProblemValidationError: the content breaks a rule; every issue names its file, row and column.
    """
    return problem_from_parsed(*_read_folder(folder, PROBLEM_TABLES, "problem", max_bytes), str(folder))


def load_result_csv(folder: str | os.PathLike[str], *, max_bytes: int | None = None) -> Result:
    """Read a result written by :func:`dump_result_csv`. Raises :class:`InputFileError`."""
    return result_from_parsed(*_read_folder(folder, RESULT_TABLES, "result", max_bytes), str(folder))


def _cell(value: Value, lang: Lang) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = BOOL_WORDS[lang]
        return yes if value else no
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if lang == "sv" else text
    if isinstance(value, str) and _EXCEL_TEXT.match(value):
        return '="' + value.replace('"', '""') + '"'  # read back through Excel's text wrapper unchanged
    return str(value)


def table_csv_text(table: Table, rows: list[tuple[Value, ...]], lang: Lang) -> str:
    """One table as CSV text: a byte-order mark, the header, the rows (``,`` in English, ``;`` in Swedish)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="," if lang == "en" else ";", lineterminator="\r\n")
    writer.writerow([col.header(lang) for col in table.columns])
    for row in rows:
        writer.writerow([_cell(v, lang) for v in row])
    return "\ufeff" + out.getvalue()


def write_tables_csv(
    rows: Rows, folder: str | os.PathLike[str], lang: Lang, *, protect: tuple[Path, ...] = ()
) -> list[Path]:
    """Write each table of ``rows`` to ``folder`` (created if needed) as ``<table>.csv``; returns the files.

    Refuses a folder that holds a file for one of the tables under its other-language name (the folder
    would then have two files for one table), and a folder that is one of ``protect`` (an input).

    A new folder appears whole or not at all (it is written under a temporary name, then renamed); in
    an existing folder each file is replaced atomically.
    """
    root = Path(folder)
    for other in protect:
        if root.exists() and other.exists() and root.resolve() == other.resolve():
            raise InputFileError(
                [ValidationIssue.of(str(root), msg("is also the input folder"), msg("write to another folder"))]
            )
    texts = {table.file_name(lang): table_csv_text(table, table_rows, lang) for table, table_rows in rows.items()}
    if not root.exists():
        return _write_new_folder(root, texts)
    tables = tuple(rows)
    clashes = []
    for path in root.iterdir():
        table = find_table(path.stem, tables) if path.suffix.lower() == ".csv" else None
        if table is not None and path.name != table.file_name(lang):
            clashes.append(
                ValidationIssue.of(
                    str(path), msg("also holds the {table!r} table", table=table.key), msg("write to an empty folder")
                )
            )
    if clashes:
        raise InputError(clashes, source=str(root))
    written = []
    for name, text in texts.items():
        atomic_write_text(root / name, text, protect=protect)
        written.append(root / name)
    return written


def _write_new_folder(root: Path, texts: dict[str, str]) -> list[Path]:
    """Write ``texts`` (file name -> text) into a temporary folder beside ``root``, then rename it."""
    tmp = root.parent / f".{root.name}.{secrets.token_hex(6)}.tmp"
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    except OSError as exc:
        raise InputFileError(
            [
                ValidationIssue.of(
                    str(root), msg("cannot be created ({reason})", reason=exc.strerror or exc), msg("check the path")
                )
            ]
        ) from exc
    try:
        for name, text in texts.items():
            atomic_write_text(tmp / name, text)
        os.rename(tmp, root)
    except OSError as exc:  # e.g. the folder appeared meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputFileError(
            [
                ValidationIssue.of(
                    str(root), msg("cannot be written ({reason})", reason=exc.strerror or exc), msg("check the folder")
                )
            ]
        ) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [root / name for name in texts]


def dump_problem_csv(problem: Problem, folder: str | os.PathLike[str], *, lang: Lang = "en") -> list[Path]:
    """Write ``problem`` as a folder of CSV files (headers and words in ``lang``); returns the files."""
    return write_tables_csv(problem_rows(problem, lang), folder, lang)


def dump_result_csv(
    result: Result, folder: str | os.PathLike[str], *, lang: Lang = "en", protect: tuple[Path, ...] = ()
) -> list[Path]:
    """Write ``result`` as a folder of CSV files; returns the files written."""
    return write_tables_csv(result_rows(result, lang), folder, lang, protect=protect)
