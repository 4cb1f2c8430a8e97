"""Cohort figures written out: CSV files, a workbook, or the HTML cohort page, with small cells withheld.

:func:`save_cohort_figures` writes :class:`~matchmaker.CohortFigures` by the target's name: a folder
(two CSV files, ``cohorts.csv`` and ``supervisor_load.csv``; ``kullar.csv`` and
``handledarbelastning.csv`` in Swedish), an ``.xlsx`` workbook (the same two sheets after a read-me
sheet that defines every figure), or an ``.html`` page (:func:`matchmaker.report.cohort_html`). A row of
1 to ``min_cell - 1`` students is written with its counts and rates empty and ``suppressed`` true.
Rates and means are rounded to :data:`DECIMALS` decimals.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from matchmaker._cohorts import row_dict
from matchmaker._i18n import msg
from matchmaker.errors import InputError, ValidationIssue
from matchmaker.io._csv import write_tables_csv
from matchmaker.io._excel import write_tables_excel
from matchmaker.io._files import atomic_write_text
from matchmaker.io._tables import COHORT_LOAD, COHORT_ROWS, Table
from matchmaker.report._cohorts import DEFAULT_MIN_CELL, cohort_definitions, cohort_html

if TYPE_CHECKING:
    from matchmaker._cohorts import CohortFigures, CohortRow
    from matchmaker._i18n import Lang
    from matchmaker.io._rows import Value

__all__ = [
    "cohort_table_rows",
    "save_cohort_figures",
    "write_cohort_page",
    "write_cohorts_csv",
    "write_cohorts_excel",
]


#: Rates and means are written with this many decimals: a spreadsheet keeps them as numbers, exactly.
DECIMALS = 4


def _rounded(value: object) -> float | None:
    return round(value, DECIMALS) if isinstance(value, float) else None


def _row(row: CohortRow, lang: Lang, min_cell: int) -> tuple[Value, ...]:
    by = COHORT_ROWS.column("by").word(row.by, lang)
    values: dict[str, object] = {**row_dict(row), "by": by, "value": row.value or None, "suppressed": False}
    values.update({k: _rounded(row_dict(row)[k]) for k in ("rate_2", "rate_3", "rate_1_3")})
    if row.suppressed(min_cell):
        kept = ("year", "term", "by", "value")
        values = {k: (v if k in kept else None) for k, v in values.items()} | {"suppressed": True}
    return tuple(values.get(c.key) for c in COHORT_ROWS.columns)  # type: ignore[misc]


def cohort_table_rows(
    figures: CohortFigures, *, lang: Lang = "en", min_cell: int = DEFAULT_MIN_CELL
) -> dict[Table, list[tuple[Value, ...]]]:
    """The two tables of the figures (cohorts, supervisor load) as rows of values (the breakdown's word
    in ``lang``), small rows withheld."""
    return {
        COHORT_ROWS: [_row(r, lang, min_cell) for r in figures.rows],
        COHORT_LOAD: [(s.year, s.step, s.supervisors, s.placements, _rounded(s.mean), s.most) for s in figures.load],
    }


def write_cohorts_csv(
    figures: CohortFigures, folder: str | os.PathLike[str], *, lang: Lang = "en", min_cell: int = DEFAULT_MIN_CELL
) -> list[Path]:
    """The two tables as CSV files in ``folder`` (created if needed); returns the files."""
    return write_tables_csv(cohort_table_rows(figures, lang=lang, min_cell=min_cell), folder, lang)


def write_cohorts_excel(
    figures: CohortFigures, path: str | os.PathLike[str], *, lang: Lang = "en", min_cell: int = DEFAULT_MIN_CELL
) -> None:
    """The two tables as sheets of a workbook at ``path``, after a read-me sheet defining every figure."""
    readme = cohort_definitions(figures, lang, min_cell)
    write_tables_excel(cohort_table_rows(figures, lang=lang, min_cell=min_cell), path, lang, readme=readme)


def write_cohort_page(
    figures: CohortFigures, path: str | os.PathLike[str], *, lang: Lang = "en", min_cell: int = DEFAULT_MIN_CELL
) -> None:
    """The cohort page (:func:`matchmaker.report.cohort_html`) at ``path``."""
    atomic_write_text(path, cohort_html(figures, lang=lang, min_cell=min_cell))


def save_cohort_figures(
    figures: CohortFigures, path: str | os.PathLike[str], *, lang: Lang = "en", min_cell: int = DEFAULT_MIN_CELL
) -> Path:
    """Write ``figures`` to ``path``: an ``.xlsx`` workbook (the ``excel`` extra), an ``.html`` page, or
    else a folder of CSV files (created if needed); headers, sheet names and words in ``lang``. Rows of
    1 to ``min_cell - 1`` students are withheld (0 or 1: none is). Returns ``path``.

    Raises:
        InputError: ``path`` is a file of another kind (neither ``.xlsx`` nor ``.html``).
        MissingExtraError: ``.xlsx`` without openpyxl, or without Babel (the ``report`` extra) for the page.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        write_cohorts_excel(figures, target, lang=lang, min_cell=min_cell)
    elif suffix in (".html", ".htm"):
        write_cohort_page(figures, target, lang=lang, min_cell=min_cell)
    elif target.is_file() or suffix:
        raise InputError(
            [
                ValidationIssue.of(
                    str(target),
                    msg("is neither a folder, an .xlsx workbook nor an .html page"),
                    msg("give a folder for CSV files, or a file name ending in .xlsx or .html"),
                )
            ]
        )
    else:
        write_cohorts_csv(figures, target, lang=lang, min_cell=min_cell)
    return target
