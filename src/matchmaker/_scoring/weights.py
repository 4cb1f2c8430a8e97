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
    from matchmaker._models import Problem

__all__ = ["pair_weights", "value_points"]


def pair_weights(problem: Problem, enc: Encoding, pa: IntArray, ps: IntArray) -> tuple[IntArray, BoolArray]:
    """Each pair's weight in units of ``1/scale`` (0 without one) and whether it has one."""
    units = np.zeros(pa.shape, dtype=np.int64)
    has = np.zeros(pa.shape, dtype=bool)
    table = problem.pair_weights
    if table is None or not pa.size:
        return units, has
    n_sup, n_unit = max(1, enc.n_supervisors), max(1, len(enc.unit_ids))
    for by_supervisor in (False, True):  # units first, then supervisors, which override them
        keys: list[int] = []
        values: list[int] = []
        for row in table.rows:
            if (row.supervisor is not None) != by_supervisor:
                continue
            ai = enc.applicant_index[row.applicant]
            place = (
                enc.supervisor_index[row.supervisor] if row.supervisor is not None else enc.unit_index[row.unit or ""]
            )
            keys.append(ai * (n_sup if by_supervisor else n_unit) + place)
            values.append(weight_units(row.weight, table.scale) or 0)  # validation refused any other
        if not keys:
            continue
        place_of_pair = ps if by_supervisor else enc.supervisor_unit[ps]
        pair_key = pa.astype(np.int64) * (n_sup if by_supervisor else n_unit) + place_of_pair
        order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
        sorted_keys = np.array(keys, dtype=np.int64)[order]
        at = np.searchsorted(sorted_keys, pair_key)
        hit = at < sorted_keys.size
        hit[hit] = sorted_keys[at[hit]] == pair_key[hit]
        units[hit] = np.array(values, dtype=np.int64)[order][at[hit]]
        has |= hit
    return units, has


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
