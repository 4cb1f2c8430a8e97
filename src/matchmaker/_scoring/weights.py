"""Pair weights on the pair table: each pair's weight in exact integer units, and its value points.

A pair's weight is its supervisor's row of :class:`~matchmaker._models.PairWeights`, else its unit's
row, else none. Its *value* is what the fit levels of the objective vector sum: with
``policy.pair_weights = "replace"`` the weight alone (``weight * scale`` points, 0 without a weight),
with ``"add"`` the fit plus the weight, both at the finer of the two resolutions
(``max(FIT_SCALE, scale)`` points per unit: both scales are powers of ten, so the sum is exact).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchmaker._limits import weight_units
from matchmaker._scoring.encoding import Encoding
from matchmaker._scoring.values import FIT_SCALE, checked_total
from matchmaker._types import BoolArray, IntArray

if TYPE_CHECKING:
    from matchmaker._models import PairWeights, Problem

__all__ = ["pair_weights", "value_points"]


def pair_weights(problem: Problem, enc: Encoding, pa: IntArray, ps: IntArray) -> tuple[IntArray, BoolArray]:
    """Each pair's weight in units of ``1/scale`` (0 without one) and whether it has one."""
    units = np.zeros(pa.shape, dtype=np.int64)
    has = np.zeros(pa.shape, dtype=bool)
    table = problem.pair_weights
    if table is None or not pa.size:
        return units, has
    rows_app, rows_sup, rows_place, rows_units = _rows(table, enc)
    n_sup, n_unit = max(1, enc.n_supervisors), max(1, len(enc.unit_ids))
    for by_supervisor in (False, True):  # units first, then supervisors, which override them
        mine = rows_sup == by_supervisor
        if not mine.any():
            continue
        keys = rows_app[mine] * (n_sup if by_supervisor else n_unit) + rows_place[mine]
        values = rows_units[mine]
        place_of_pair = ps if by_supervisor else enc.supervisor_unit[ps]
        pair_key = pa.astype(np.int64) * (n_sup if by_supervisor else n_unit) + place_of_pair
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        at = np.searchsorted(sorted_keys, pair_key)
        hit = at < sorted_keys.size
        hit[hit] = sorted_keys[at[hit]] == pair_key[hit]
        units[hit] = values[order][at[hit]]
        has |= hit
    return units, has


def _rows(table: PairWeights, enc: Encoding) -> tuple[IntArray, BoolArray, IntArray, IntArray]:
    """The table's rows as arrays: applicant index, whether the place is a supervisor, the place's index
    (supervisor or unit), the weight in units; from the columns when the table holds them."""
    columns = table.columns
    if columns is not None:
        apps, sups, places = columns.applicant, columns.supervisor, columns.unit
        values = columns.weight_units(table.scale)
    else:
        apps = tuple(row.applicant for row in table.rows)
        sups = tuple(row.supervisor for row in table.rows)
        places = tuple(row.unit for row in table.rows)
        # validation refused any weight with more decimals than the scale
        values = np.array([weight_units(row.weight, table.scale) or 0 for row in table.rows], dtype=np.int64)
    n = len(apps)
    app_index, sup_index, unit_index = enc.applicant_index, enc.supervisor_index, enc.unit_index
    app = np.fromiter((app_index[a] for a in apps), dtype=np.int64, count=n)
    by_sup = np.fromiter((s is not None for s in sups), dtype=bool, count=n)
    place = np.fromiter(
        (sup_index[s] if s is not None else unit_index[u or ""] for s, u in zip(sups, places, strict=True)),
        dtype=np.int64,
        count=n,
    )
    return app, by_sup, place, values


def value_points(problem: Problem, fit_points: IntArray, units: IntArray) -> tuple[IntArray, int]:
    """The pairs' values in points, and the points per unit of value (see the module docstring).

    Without pair weights, the fit points themselves at :data:`FIT_SCALE`."""
    table = problem.pair_weights
    if table is None:
        return fit_points, FIT_SCALE
    if problem.policy.pair_weights == "replace":
        return checked_total(units), table.scale
    scale = max(FIT_SCALE, table.scale)
    return checked_total(fit_points * (scale // FIT_SCALE) + units * (scale // table.scale)), scale
