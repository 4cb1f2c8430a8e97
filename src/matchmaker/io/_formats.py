"""Read and write problems and results in the format their path names.

=========================  ======================================
path                       format
=========================  ======================================
``*.json``                 JSON (:mod:`matchmaker.io._json`)
``*.xlsx``, ``*.xlsm``     Excel workbook (:mod:`matchmaker.io._excel`)
``*.parquet`` (a folder),  Parquet files, one per table (:mod:`matchmaker.io._arrow`,
or a folder that holds     the ``arrow`` extra)
``.parquet`` files
a folder (or, to write,    CSV files (:mod:`matchmaker.io._csv`)
a path without suffix)
=========================  ======================================
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from matchmaker._i18n import msg
from matchmaker._models import Problem
from matchmaker._result import Result
from matchmaker.errors import InputFileError, ValidationIssue
from matchmaker.io import _arrow, _csv, _excel, _json
from matchmaker.io._files import atomic_write_text
from matchmaker.io._tables import Lang

__all__ = ["Format", "format_of", "load_problem", "load_result", "save_problem", "save_result"]

Format = Literal["json", "excel", "csv", "parquet"]

_OTHER_SPREADSHEETS = {".xls", ".ods", ".numbers", ".xlsb"}


def format_of(path: str | os.PathLike[str], *, writing: bool = False) -> Format:
    """The format ``path`` names: its suffix, or a folder of Parquet or CSV files.

    Raises:
        InputFileError: the suffix names no format matchmaker reads (the message says what to do).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".xlsx", ".xlsm"):
        return "excel"
    if suffix == ".parquet" or (p.is_dir() and _arrow.is_parquet_folder(p)):
        return "parquet"
    if p.is_dir() or (not suffix and (writing or not p.exists())):
        return "csv"
    if suffix == ".csv":
        fix = msg("give the folder that holds the CSV files (one file per table), not one file")
    elif suffix in _OTHER_SPREADSHEETS:
        fix = msg("save the workbook as 'Excel Workbook (.xlsx)' and give that file")
    else:
        fix = msg("give a .json file, an .xlsx workbook, or a folder of CSV or Parquet files")
    issue = ValidationIssue.of(str(p), msg("is not a format matchmaker reads or writes"), fix)
    raise InputFileError([issue], source=str(p))


def load_problem(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Problem:
    """Read and validate a problem from a JSON file, an Excel workbook, or a folder of CSV or Parquet files.

    The format follows from the path (see :func:`format_of`). An older schema version is migrated with
    an :class:`~matchmaker.errors.InputWarning`; so is a spreadsheet repair worth knowing about.

    Raises:
        InputFileError: a file cannot be read; every problem is listed with its file, sheet, row and column.
        ProblemValidationError: the content breaks a rule; every issue is listed with where it is.
        MissingExtraError: the format needs an optional package that is not installed.
    """
    return _LOAD_PROBLEM[format_of(path)](path, max_bytes=max_bytes)


def load_result(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Result:
    """Read a result from a JSON file, a workbook, or a folder of CSV or Parquet files (see :func:`load_problem`)."""
    return _LOAD_RESULT[format_of(path)](path, max_bytes=max_bytes)


_LOAD_PROBLEM = {
    "json": _json.load_problem,
    "excel": _excel.load_problem_excel,
    "csv": _csv.load_problem_csv,
    "parquet": _arrow.load_problem_parquet,
}
_LOAD_RESULT = {
    "json": _json.load_result,
    "excel": _excel.load_result_excel,
    "csv": _csv.load_result_csv,
    "parquet": _arrow.load_result_parquet,
}


def save_problem(problem: Problem, path: str | os.PathLike[str], *, lang: Lang = "en") -> None:
    """Write ``problem`` to ``path`` in the format the path names; table headers in ``lang`` (``"en"``, ``"sv"``)."""
    fmt = format_of(path, writing=True)
    if fmt == "json":
        atomic_write_text(path, _json.dump_problem(problem))
    elif fmt == "excel":
        _excel.dump_problem_excel(problem, path, lang=lang)
    elif fmt == "parquet":
        _arrow.dump_problem_parquet(problem, path, lang=lang)
    else:
        _csv.dump_problem_csv(problem, path, lang=lang)


def save_result(
    result: Result, path: str | os.PathLike[str], *, lang: Lang = "en", protect: tuple[Path, ...] = ()
) -> None:
    """Write ``result`` to ``path`` in the format the path names, never over one of ``protect`` (the inputs)."""
    fmt = format_of(path, writing=True)
    if fmt == "json":
        atomic_write_text(path, _json.dump_result(result), protect=protect)
    elif fmt == "excel":
        _excel.dump_result_excel(result, path, lang=lang, protect=protect)
    elif fmt == "parquet":
        _arrow.dump_result_parquet(result, path, lang=lang, protect=protect)
    else:
        _csv.dump_result_csv(result, path, lang=lang, protect=protect)
