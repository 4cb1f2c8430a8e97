"""Balance between municipalities in a joint programme (``policy.balance``).

A municipality's *offered places* ``O_m`` are its ``max_places``, or else the sum of its units'
``max_places``: a fixed denominator, so every rule stays linear. Municipalities offering no place are
left out. Fill rate = placed / offered.

* ``within`` (constraints): for every two municipalities, ``placed_m / O_m - placed_k / O_k <= tol``,
  written ``q O_k placed_m - q O_m placed_k <= p O_m O_k`` with ``tol = p / q`` exactly;
* ``ratio`` (constraints): ``placed_m / O_m >= rho * placed / O`` for every municipality, written
  ``q O placed_m - p O_m placed >= 0`` with ``rho = p / q`` and ``O`` the total offered;
* ``maximin`` (two levels at positions 2.4 and 2.41): ``lowest_fill_rate_ppm``, the lowest fill rate in
  millionths (rounded down), maximised exactly as a threshold level over the rates ``k / O_m``; then
  ``lowest_fit_per_place``, the lowest ``floor(fit points of municipality m / O_m)``, maximised.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from matchmaker._linear import LazyThresholds, Level, Threshold
from matchmaker._metrics import offered_places
from matchmaker._pieces.constraints import pairs_by

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._models import Problem
    from matchmaker._types import IntArray

__all__ = ["MAX_DENOMINATOR", "MunicipalityBalance", "offered_places", "rate_thresholds"]

_PPM = 1_000_000
#: Tolerances and ratios become exact fractions with at most this denominator.
MAX_DENOMINATOR = 10_000


def rate_thresholds(rows: list[tuple[int, int]]) -> LazyThresholds:
    """ "Every count row reaches at least rate r of its size", for the candidate rates r = k / O_m, best
    first; ``rows`` holds (row index, size O_m) per municipality (or per group of applicants)."""
    rates = sorted({Fraction(k, o) for _, o in rows for k in range(o + 1)}, reverse=True)

    def make(i: int) -> Threshold:
        r = rates[i]
        lbs = tuple((row, math.ceil(r * o)) for row, o in rows)
        return Threshold(math.floor(r * _PPM), np.empty(0, np.int64), lbs)

    return LazyThresholds(len(rates), make)


class MunicipalityBalance:
    """Fill-rate balance between municipalities (see the module docstring)."""

    name = "municipality_balance"
    group_kinds = frozenset({"balance_within", "balance_total", "balance_ratio"})

    def only_rows(self, problem: Problem) -> bool:
        """``within`` and ``ratio`` add rows only (``maximin`` adds levels): a
        :class:`~matchmaker._linear.SlackRule`."""
        balance = problem.policy.balance
        return balance is not None and balance.mode != "maximin"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """Rows for ``within`` and ``ratio``; count rows and two levels for ``maximin``."""
        balance = problem.policy.balance
        if balance is None:
            return
        sc = builder.scores
        enc = sc.encoding
        offered = offered_places(problem)
        munis = [
            (m, enc.municipality_ids[m], pairs, offered[enc.municipality_ids[m]])
            for m, pairs in enumerate(pairs_by(sc.municipality, len(enc.municipality_ids)))
            if offered[enc.municipality_ids[m]] > 0
        ]
        if len(munis) < 2:
            return
        if balance.mode == "within":
            tol = Fraction(balance.tolerance).limit_denominator(MAX_DENOMINATOR)
            p, q = tol.numerator, tol.denominator
            for _, mid, pm, om in munis:
                for _, kid, pk, ok in munis:
                    if mid == kid:
                        continue
                    g = builder.add_group(
                        "balance_within",
                        f"{mid}/{kid}",
                        f"the fill rates of municipalities {mid!r} and {kid!r} differ by at most {float(tol):.2%}",
                    )
                    coefs = np.r_[np.full(pm.size, q * ok, np.int64), np.full(pk.size, -q * om, np.int64)]
                    builder.add_row(g, np.r_[pm, pk], coefs, -(q * ok * pm.size + q * om * pk.size), p * om * ok)
        elif balance.mode == "ratio":
            rho = Fraction(balance.ratio).limit_denominator(MAX_DENOMINATOR)
            p, q = rho.numerator, rho.denominator
            total_offered = sum(o for *_, o in munis)
            total = builder.placed_total()
            for _, mid, pm, om in munis:
                g = builder.add_group(
                    "balance_ratio",
                    mid,
                    f"municipality {mid!r} fills at least {float(rho):.0%} of the overall fill rate",
                )
                coefs = np.r_[np.full(pm.size, q * total_offered, np.int64), -p * om]
                builder.add_row(g, np.r_[pm, total], coefs, 0, q * total_offered * pm.size)
        else:
            self._maximin(builder, munis)

    def _maximin(self, builder: ModelBuilder, munis: list[tuple[int, str, np.ndarray, int]]) -> None:
        sc = builder.scores
        n = sc.n_pairs
        rows: list[tuple[int, int]] = []
        for _, mid, pm, om in munis:
            g = builder.add_group("balance_count", mid, f"placements in municipality {mid!r}", structural=True)
            rows.append((builder.add_row(g, pm, 1, 0, pm.size), om))
        masks = [(sc.municipality == m, om) for m, _, _, om in munis]

        def lowest_rate(values: IntArray) -> int:
            x = values[:n]
            return min(int(x[mask].sum()) * _PPM // om for mask, om in masks)

        builder.add_level(
            Level(
                "lowest_fill_rate_ppm",
                "max",
                "the lowest municipality fill rate, in millionths",
                np.empty(0, np.int64),
                np.empty(0, np.int64),
                0,
                _PPM,
                position=2.4,
                kind="threshold",
                thresholds=rate_thresholds(rows),
                evaluate=lowest_rate,
            )
        )
        points = sc.fit_points
        lo = int(min(0, points.min())) if n else 0
        hi = int(max(0, points.max())) if n else 0
        t = builder.add_var(lo, hi, "lowest_fit_per_place")
        for _, mid, pm, om in munis:
            g = builder.add_group("balance_fit", mid, f"fit per offered place in {mid!r}", structural=True)
            # fit_m - O_m * t >= 0, i.e. t <= fit_m / O_m; the upper end never binds.
            coefs = np.r_[points[pm], -om]
            top = int(np.maximum(points[pm], 0).sum()) + om * max(0, -lo)
            builder.add_row(g, np.r_[pm, t], coefs, 0, top)

        def lowest_fit(values: IntArray) -> int:
            x = values[:n]
            return min(int(np.dot(points[mask], x[mask])) // om for mask, om in masks)

        builder.add_level(
            Level(
                "lowest_fit_per_place",
                "max",
                "the lowest fit points per offered place among municipalities (rounded down)",
                np.array([t], dtype=np.int64),
                np.ones(1, dtype=np.int64),
                lo,
                hi,
                position=2.41,
                evaluate=lowest_fit,
                alone=True,
            )
        )
