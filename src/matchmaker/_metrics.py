"""Metrics of a plan, in every result: the rank profile, fit percentiles, and fill per unit and
municipality. They are part of the decision (they follow from the plan) and computed from integers,
so they are reproducible byte for byte.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from matchmaker._models import Problem

__all__ = ["PERCENTILES", "Metrics", "MunicipalityMetrics", "UnitMetrics", "compute_metrics", "offered_places"]

#: The fit percentiles reported (nearest-rank method; 0 is the minimum, 100 the maximum).
PERCENTILES = (0, 10, 25, 50, 75, 90, 100)
_SCALE = 10_000


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class UnitMetrics(_Out):
    """One unit: placed, its caps, fill rate (placed / max_places) and mean fit of its placements."""

    unit: str
    municipality: str
    placed: int
    max_places: int
    min_places: int
    fill_rate: float | None
    mean_fit: float | None


class MunicipalityMetrics(_Out):
    """One municipality: placed, offered places (``max_places``, else its units' total), fill rate,
    mean fit, and fit per offered place (total fit / offered)."""

    municipality: str
    placed: int
    offered: int
    fill_rate: float | None
    mean_fit: float | None
    fit_per_offered_place: float | None


class Metrics(_Out):
    """Summary figures of a plan.

    ``rank_profile[k - 1]`` is the number of applicants placed at their rank ``k`` (1 = first choice);
    ``fit_percentiles`` maps each of :data:`PERCENTILES` (as text) to a fit. ``blocking_pairs``
    counts the plan's blocking pairs (see :func:`matchmaker.blocking_pairs`; with a stable mode
    that breaks ties by lottery, for the lottery's strict preferences), or is ``None`` if not audited.
    """

    rank_profile: tuple[int, ...]
    worst_rank: int | None
    mean_rank: float | None
    fit_percentiles: dict[str, float]
    units: tuple[UnitMetrics, ...]
    municipalities: tuple[MunicipalityMetrics, ...]
    blocking_pairs: int | None = None


def offered_places(problem: Problem) -> dict[str, int]:
    """Each municipality's offered places: its ``max_places``, or else the sum of its units' maximums
    (never more than that sum)."""
    out: dict[str, int] = {}
    for m in problem.municipalities:
        units = sum(u.max_places for u in problem.units if u.municipality == m.id)
        out[m.id] = units if m.max_places is None else min(m.max_places, units)
    return out


def _percentile(sorted_points: Sequence[int], q: int) -> float:
    k = max(1, math.ceil(q / 100 * len(sorted_points)))
    return sorted_points[k - 1] / _SCALE


def _mean(total: int, n: int) -> float | None:
    return None if n == 0 else total / n / _SCALE


def _sums(keys: Sequence[str], values: Sequence[int]) -> dict[str, int]:
    """The sum of ``values`` per key: the keys numbered in order of first appearance, one weighted
    count in numpy (every partial sum of fit points stays far below 2**53, so the float sums are exact)."""
    number: dict[str, int] = {}
    codes = np.fromiter((number.setdefault(k, len(number)) for k in keys), dtype=np.int64, count=len(keys))
    totals = np.bincount(codes, weights=np.asarray(values, dtype=np.float64), minlength=len(number))
    return {k: int(totals[i]) for k, i in number.items()}


def compute_metrics(problem: Problem, placements: Sequence[tuple[str, str, str, int, int]]) -> Metrics:
    """Metrics of a plan given as (unit, municipality, supervisor, fit points, rank) per placement."""
    units_of, munis_of, _, points_of, ranks_of = zip(*placements, strict=True) if placements else ((),) * 5
    ranks = Counter(ranks_of)
    worst = max(ranks) if ranks else None
    profile = tuple(ranks.get(k, 0) for k in range(1, (worst or 0) + 1))
    points = sorted(points_of)
    percentiles = {str(q): _percentile(points, q) for q in PERCENTILES} if points else {}
    per_unit = Counter(units_of)
    per_muni = Counter(munis_of)
    fit_unit = _sums(units_of, points_of)
    fit_muni = _sums(munis_of, points_of)
    units = tuple(
        UnitMetrics(
            unit=u.id,
            municipality=u.municipality,
            placed=per_unit[u.id],
            max_places=u.max_places,
            min_places=u.min_places,
            fill_rate=None if u.max_places == 0 else per_unit[u.id] / u.max_places,
            mean_fit=_mean(fit_unit.get(u.id, 0), per_unit[u.id]),
        )
        for u in sorted(problem.units, key=lambda u: u.id)
    )
    offered = offered_places(problem)
    municipalities = tuple(
        MunicipalityMetrics(
            municipality=m.id,
            placed=per_muni[m.id],
            offered=offered[m.id],
            fill_rate=None if offered[m.id] == 0 else per_muni[m.id] / offered[m.id],
            mean_fit=_mean(fit_muni.get(m.id, 0), per_muni[m.id]),
            fit_per_offered_place=_mean(fit_muni.get(m.id, 0), offered[m.id]),
        )
        for m in sorted(problem.municipalities, key=lambda m: m.id)
    )
    n = sum(ranks.values())
    return Metrics(
        rank_profile=profile,
        worst_rank=worst,
        mean_rank=None if n == 0 else sum(k * c for k, c in ranks.items()) / n,
        fit_percentiles=percentiles,
        units=units,
        municipalities=municipalities,
    )
