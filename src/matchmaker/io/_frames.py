"""pandas DataFrames: one frame per table, in the layout of :mod:`matchmaker.io._tables`.

Needs pandas (the ``pandas`` extra). Frames are keyed by table name; columns are typed with pandas'
nullable dtypes (``string``, ``Int64``, ``Float64``, ``boolean``), so an empty cell is ``<NA>`` and whole
numbers stay whole. Lists (requirements, qualifications) are text separated by ``;``, as in the other
formats; applicant groups are ``group:<family>`` columns of the applicants frame. Reading accepts the
same English or Swedish names, any dtypes, ``NaN``/``None``/``<NA>`` for empty, and Python lists in
list columns; an error names the frame, the row's index label and the column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from matchmaker._extras import require
from matchmaker._models import Problem
from matchmaker._result import Result
from matchmaker.io._provenance import Source, parse_tables
from matchmaker.io._read_problem import problem_from_parsed
from matchmaker.io._read_result import result_from_parsed
from matchmaker.io._rows import Rows, problem_rows
from matchmaker.io._rows import result_rows as _result_rows
from matchmaker.io._sheet import Cell, Issues, ParsedTable, RawRow, RawSheet
from matchmaker.io._tables import PROBLEM_TABLES, RESULT_TABLES, Kind, Lang, Table

if TYPE_CHECKING:
    import pandas as pd  # the pandas extra

__all__ = ["problem_from_frames", "problem_to_frames", "result_from_frames", "result_to_frames"]

_FEATURE = "Converting to and from pandas DataFrames"
_DTYPES: dict[Kind, Any] = {Kind.INT: "Int64", Kind.FLOAT: "Float64", Kind.BOOL: "boolean"}


def _frames(rows: Rows, lang: Lang) -> dict[str, pd.DataFrame]:
    require("pandas", _FEATURE, "pandas")
    import pandas as pd  # the pandas extra

    out: dict[str, pd.DataFrame] = {}
    for table, table_rows in rows.items():
        columns = {}
        for i, col in enumerate(table.columns):
            values = [row[i] for row in table_rows]
            columns[col.header(lang)] = pd.array(values, dtype=_DTYPES.get(col.kind, "string"))  # nullable dtypes
        out[table.name(lang)] = pd.DataFrame(columns)
    return out


def problem_to_frames(problem: Problem, *, lang: Lang = "en") -> dict[str, pd.DataFrame]:
    """Every table of ``problem`` as a DataFrame, keyed by table name (``"units"`` or ``"Enheter"``).

    Raises:
        MissingExtraError: pandas is not installed (``pip install 'matchmaker[pandas]'``).
    """
    return _frames(problem_rows(problem, lang), lang)


def result_to_frames(result: Result, *, lang: Lang = "en") -> dict[str, pd.DataFrame]:
    """Every table of ``result`` as a DataFrame (``"assignments"``, ``"unplaced"``, ``"objective"``, ...)."""
    return _frames(_result_rows(result, lang), lang)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple, str)):
        return value
    if value is None:
        return None
    item = getattr(value, "item", None)
    if callable(item) and not hasattr(value, "to_pydatetime"):
        value = item()  # numpy scalar -> Python
    if isinstance(value, float) and math.isnan(value):
        return None
    import pandas as pd  # the pandas extra

    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _sheet(name: str, frame: pd.DataFrame) -> RawSheet:
    header = tuple(Cell(str(c)) for c in frame.columns)
    rows = tuple(
        RawRow(f"index {label}", tuple(Cell(_plain(v)) for v in values))
        for label, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True)
    )
    return RawSheet(f"DataFrame {name!r}", rows, header=header)


def _read(
    frames: Mapping[str, pd.DataFrame], tables: tuple[Table, ...], what: str
) -> tuple[dict[str, ParsedTable], Issues]:
    require("pandas", _FEATURE, "pandas")
    issues = Issues()
    sources = [Source(name, repr(name), _loader(name, frame)) for name, frame in frames.items()]
    return parse_tables(sources, tables, "the DataFrames", "DataFrame", what, issues), issues


def _loader(name: str, frame: pd.DataFrame) -> Callable[[], RawSheet]:
    return lambda: _sheet(name, frame)


def problem_from_frames(frames: Mapping[str, pd.DataFrame]) -> Problem:
    """Read and validate a problem from DataFrames keyed by table name (English or Swedish).

    Raises:
        MissingExtraError: pandas is not installed.
        InputFileError: a frame is missing or a cell cannot be read; every problem names its frame, row
            (index label) and column.
        ProblemValidationError: the content breaks a rule; every issue names its frame, row and column.
    """
    parsed, issues = _read(frames, PROBLEM_TABLES, "problem")
    return problem_from_parsed(parsed, issues, "the DataFrames")


def result_from_frames(frames: Mapping[str, pd.DataFrame]) -> Result:
    """Read a result from DataFrames made by :func:`result_to_frames`. Raises :class:`InputFileError`."""
    parsed, issues = _read(frames, RESULT_TABLES, "result")
    return result_from_parsed(parsed, issues, "the DataFrames")
