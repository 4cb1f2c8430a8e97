"""Objective pieces: the levels of the objective vector, in lexicographic order.

=====  ==================  ======================================================================
level  name                meaning
=====  ==================  ======================================================================
1      ``placed_tier_<t>``  applicants placed in priority tier t, one level per tier, tier 1 first
2      ``placed``           applicants placed in total
3      ``total_fit``        the sum of the placed pairs' fit points (fit x 10,000)
4      ``lottery``          the sum of the placed pairs' lottery draws (breaks every remaining tie)
=====  ==================  ======================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchmaker.build import Level

if TYPE_CHECKING:
    from matchmaker.build import ModelBuilder
    from matchmaker.models import Problem

__all__ = ["Lottery", "Placed", "PriorityTiers", "TotalFit"]


def _pair_level(builder: ModelBuilder, name: str, description: str, coefs: np.ndarray) -> None:
    coefs = np.asarray(coefs, dtype=np.int64)
    keep = np.flatnonzero(coefs)
    lo, hi = builder.pair_level_bounds(coefs)
    builder.add_level(Level(name, "max", description, keep.astype(np.int64), coefs[keep], lo, hi))


class PriorityTiers:
    """Level 1: applicants placed in each priority tier, tier 1 first (absent if no tiers are given)."""

    name = "priority_tiers"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One level per distinct tier."""
        sc = builder.scores
        tier_of_pair = sc.encoding.applicant_tier[sc.applicant]
        for t in sorted({a.priority_tier for a in problem.applicants if a.priority_tier is not None}):
            _pair_level(
                builder,
                f"placed_tier_{t}",
                f"applicants placed in priority tier {t}",
                (tier_of_pair == t).astype(np.int64),
            )


class Placed:
    """Level 2: applicants placed in total."""

    name = "placed"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One level counting every placement."""
        _pair_level(builder, "placed", "applicants placed", np.ones(builder.scores.n_pairs, np.int64))


class TotalFit:
    """Level 3 (default objective): total fit of the placed pairs, in points."""

    name = "total_fit"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One level summing fit points."""
        _pair_level(builder, "total_fit", "total fit of the placements (points)", builder.scores.fit_points)


class Lottery:
    """Level 4: the seeded lottery that makes the optimum unique."""

    name = "lottery"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One level summing the pairs' lottery draws."""
        _pair_level(builder, "lottery", "seeded lottery (tie-break)", builder.scores.lottery)
