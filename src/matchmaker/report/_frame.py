"""A result as one pandas DataFrame (the ``pandas`` extra): one row per applicant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker._extras import require

if TYPE_CHECKING:
    import pandas as pd  # the pandas extra

    from matchmaker._result import Result

__all__ = ["FRAME_COLUMNS", "result_frame"]

#: The columns of :func:`result_frame`, in order.
FRAME_COLUMNS = ("applicant", "placed", "unit", "supervisor", "municipality", "rank", "fit", "reason", "detail")


def result_frame(result: Result) -> pd.DataFrame:
    """One row per applicant, sorted by id: where they are placed (``unit``, ``supervisor``,
    ``municipality``, ``rank``, ``fit``), or why not (``reason``, ``detail``). Missing values are
    ``<NA>``; ``rank`` is a nullable integer, ``placed`` a boolean.

    Raises:
        MissingExtraError: pandas is not installed.
    """
    require("pandas", "DataFrames", "pandas")
    import pandas as pd  # the pandas extra

    rows: list[dict[str, object]] = [
        {
            "applicant": a.applicant,
            "placed": True,
            "unit": a.unit,
            "supervisor": a.supervisor,
            "municipality": a.municipality,
            "rank": a.rank,
            "fit": a.fit,
            "reason": None,
            "detail": None,
        }
        for a in result.assignments
    ]
    rows += [
        {
            "applicant": u.applicant,
            "placed": False,
            "unit": None,
            "supervisor": None,
            "municipality": None,
            "rank": None,
            "fit": None,
            "reason": u.reason.value,
            "detail": u.detail,
        }
        for u in result.unplaced
    ]
    rows.sort(key=lambda r: str(r["applicant"]))
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    text = ["applicant", "unit", "supervisor", "municipality", "reason", "detail"]
    return frame.astype({**dict.fromkeys(text, "string"), "placed": "bool", "rank": "Int64", "fit": "Float64"})
