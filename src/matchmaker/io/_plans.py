"""Read and write plans made by hand: JSON, a CSV file, or a workbook with a ``plan`` sheet.

=========================  ==========================================================================
path                       read as
=========================  ==========================================================================
``*.json``                 a plan (``{"entries": [{"applicant": ..., "unit": ..., "supervisor": ...}]}``)
                           or a result file (its placements)
``*.csv``                  one table with the columns ``applicant``, ``unit``, ``supervisor``
                           (Swedish: ``sökande``, ``enhet``, ``handledare``)
``*.xlsx``, ``*.xlsm``     the sheet named ``plan`` (or ``Plan``; the only sheet, if there is one), with
                           the same columns
a folder                   its file ``plan.csv``
=========================  ==========================================================================

Empty ``unit`` and ``supervisor`` cells leave the applicant unplaced; a ``unit`` without a
``supervisor`` lets matchmaker choose the supervisor (see :func:`matchmaker.evaluate_plan`).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from matchmaker._i18n import Message, msg
from matchmaker._text import fold_field_name
from matchmaker.errors import InputFileError, ValidationIssue
from matchmaker.io._csv import read_csv_sheet
from matchmaker.io._excel import read_workbook
from matchmaker.io._files import DEFAULT_MAX_BYTES, atomic_write_text, read_limited
from matchmaker.io._json import parse_json, result_from_json
from matchmaker.io._sheet import Issues, RawSheet, parse_sheet
from matchmaker.io._tables import PINS, README_SHEETS, Table
from matchmaker.review._plan import Plan

__all__ = ["PLAN_TABLE", "dump_plan", "load_plan"]

#: The plan table of the CSV and Excel formats: applicant, unit, supervisor.
PLAN_TABLE = Table("plan", "Plan", PINS.columns, personal=True)


def _from_sheet(sheet: RawSheet, source: str, name: str) -> Plan:
    issues = Issues()
    parsed = parse_sheet(sheet, PLAN_TABLE, issues)
    if issues.problems:
        raise InputFileError(issues.problems, source=source)
    entries: list[dict[str, Any]] = [
        {k: row.values[k] for k in ("applicant", "unit", "supervisor") if k in row.values}
        for row in parsed.rows
        if not row.bad
    ]
    return Plan.model_validate({"name": name, "entries": entries})


def _bad(path: Path, message: Message, fix: Message) -> InputFileError:
    return InputFileError([ValidationIssue.of(str(path), message, fix)], source=str(path))


def load_plan(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Plan:
    """Read a plan made by hand from JSON, a CSV file, a workbook or a folder (see the module docstring).

    The plan is named after the file (its stem) unless the JSON names it.

    Raises:
        InputFileError: the file cannot be read, a column or sheet is missing, or a cell cannot be read.
        ProblemValidationError: an applicant has two entries, or an id is not text.
        MissingExtraError: a workbook needs the ``excel`` extra.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if p.is_dir():
        return load_plan(p / "plan.csv", max_bytes=max_bytes)
    if suffix == ".json":
        data = read_limited(p, max_bytes)
        parsed = parse_json(data, str(p))
        if isinstance(parsed, dict) and parsed.get("kind") == "matchmaker.result":
            return Plan.from_result(result_from_json(data, str(p)), name=p.stem)
        if isinstance(parsed, dict) and "name" not in parsed:
            parsed = {**parsed, "name": p.stem}
        return Plan.model_validate(parsed)
    if suffix == ".csv":
        issues = Issues()
        sheet = read_csv_sheet(read_limited(p, max_bytes), str(p), issues)
        if sheet is None:
            raise InputFileError(issues.problems, source=str(p))
        return _from_sheet(sheet, str(p), p.stem)
    if suffix in (".xlsx", ".xlsm"):
        sheets = {
            k: v for k, v in read_workbook(p, max_bytes=max_bytes).items() if fold_field_name(k) not in README_SHEETS
        }
        named = [v for k, v in sheets.items() if fold_field_name(k) in PLAN_TABLE.names()]
        if named:
            return _from_sheet(named[0], str(p), p.stem)
        if len(sheets) == 1:
            return _from_sheet(next(iter(sheets.values())), str(p), p.stem)
        raise _bad(p, msg("has no sheet named 'plan'"), msg("name the sheet with the plan 'plan' (or 'Plan')"))
    raise _bad(p, msg("is not a plan format matchmaker reads"), msg("give a .json, .csv or .xlsx file"))


def dump_plan(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write ``plan`` as JSON (``*.json``) or as one CSV table (``*.csv``), atomically."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        atomic_write_text(p, plan.model_dump_json(indent=2, exclude_none=True) + "\n")
        return
    if p.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["applicant", "unit", "supervisor"])
        writer.writerows([e.applicant, e.unit or "", e.supervisor or ""] for e in plan.entries)
        atomic_write_text(p, buffer.getvalue())
        return
    raise _bad(p, msg("is not a plan format matchmaker writes"), msg("give a .json or .csv file"))
