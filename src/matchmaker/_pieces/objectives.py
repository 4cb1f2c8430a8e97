"""Objective pieces: the levels of the objective vector, each at its stated position.

=========  ===========================  ================================================================
position   level name(s)                meaning
=========  ===========================  ================================================================
1          ``placed_tier_<t>``          applicants placed in priority tier t, tier 1 first (max)
2          ``placed``                   applicants placed in total (max)
2.1-2.4    (soft pieces, balance)       see :mod:`matchmaker._pieces.soft`, ``links``, ``balance``
3          the policy's objective       one of the objectives below
4          ``lottery``                  the seeded lottery: breaks every remaining tie (max)
=========  ===========================  ================================================================

Level 3, by ``policy.objective`` (ranks are the applicant's own ranks of the placement, 1 = first
choice; a weight becomes a rank by ordering the applicant's distinct weights, highest first):

* ``total_fit``: ``total_fit``, the sum of the placements' fit points (max);
* ``rank_maximal``: ``placed_at_rank_1``, ``placed_at_rank_2``, ... (each max, in order): the most
  first choices, then the most second choices, ... among the largest plans (a *maximum-cardinality*
  rank-maximal plan);
* ``rank_maximal_irving``: the same counts for every rank 1 .. R, but at position 1.5, before the
  placed count: the signature first, whatever the plan's size (the rank-maximal plan of Irving,
  Kavitha, Mehlhorn, Michail & Paluch 2006, "Rank-maximal matchings", ACM Trans. Algorithms 2(4));
  it may place fewer applicants than ``rank_maximal``;
* ``generous``: ``placed_at_rank_R``, ..., ``placed_at_rank_2`` (each min, worst rank first): the
  fewest applicants at the worst rank, then at the next worst, ... which also minimises the worst rank;
* ``minimum_regret``: ``worst_rank`` (min): the worst rank any placed applicant gets;
* ``egalitarian``: ``rank_sum`` (min): the sum of the placed applicants' ranks;
* ``leximin``: ``placed_at_fit_<points>`` for each distinct fit value, lowest first (each min): as
  few applicants as possible at the lowest fit, then at the next lowest, ... which, with the placed
  count fixed above, is exactly lexicographic maximisation of the sorted vector of fits (the worst-off
  applicant's fit as high as possible, then the next).

Among stable plans only (``policy.stability``), three objectives weigh both sides' ranks: the
applicant's rank of the placement and the unit's rank of the applicant, strict (the lottery's
orders) with ``ties="lottery"`` and as given with ``ties="keep"``, the ranks stability is defined on:

* ``sex_equal``: ``rank_sum_gap`` (min), the two sides' rank sums as close as possible;
* ``egalitarian_two_sided``: ``two_sided_rank_sum`` (min), the sum of both ranks over the placed
  pairs (the egalitarian stable matching, Irving, Leather & Gusfield 1987);
* ``minimum_regret_two_sided``: ``two_sided_worst_rank`` (min), the worst of both ranks over the
  placed pairs (the minimum-regret stable matching, Gusfield 1987).

``egalitarian`` and ``minimum_regret`` stay one-sided (the applicants' ranks only).

The last count of a profile is implied by the placed count and the others, so it is left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchmaker._linear import LazyThresholds, Level, Position, Threshold
from matchmaker._types import IntArray

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder, ObjectivePiece
    from matchmaker._models import Problem

__all__ = [
    "ApplicantRankSum",
    "Egalitarian",
    "Generous",
    "Leximin",
    "Lottery",
    "MinimumRegret",
    "Placed",
    "PriorityTiers",
    "RankMaximal",
    "RankMaximalIrving",
    "SexEqual",
    "TotalFit",
    "TwoSidedEgalitarian",
    "TwoSidedMinimumRegret",
    "objective_pieces",
]


def pair_level(
    builder: ModelBuilder,
    name: str,
    description: str,
    coefs: npt.ArrayLike,
    *,
    sense: str = "max",
    position: Position = 3.0,
) -> None:
    """Add a linear level over the pair variables with the given coefficient per pair."""
    cf = np.asarray(coefs, dtype=np.int64)
    keep = np.flatnonzero(cf)
    lo, hi = builder.pair_level_bounds(cf)
    builder.add_level(
        Level(
            name,
            "max" if sense == "max" else "min",
            description,
            keep.astype(np.int64),
            cf[keep],
            lo,
            hi,
            position=position,
        )
    )


class PriorityTiers:
    """Level 1: applicants placed in each priority tier, tier 1 first (absent if no tiers are given)."""

    name = "priority_tiers"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One level per distinct tier."""
        sc = builder.scores
        tier_of_pair = sc.encoding.applicant_tier[sc.applicant]
        for t in sorted({a.priority_tier for a in problem.applicants if a.priority_tier is not None}):
            pair_level(
                builder,
                f"placed_tier_{t}",
                f"applicants placed in priority tier {t}",
                (tier_of_pair == t).astype(np.int64),
                position=1.0,
            )


class Placed:
    """Level 2: applicants placed in total."""

    name = "placed"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One level counting every placement."""
        pair_level(builder, "placed", "applicants placed", np.ones(builder.scores.n_pairs), position=2.0)


def value_name(problem: Problem) -> str:
    """What the fit levels sum: ``fit``, ``weight`` (pair weights that replace the fit) or
    ``fit_and_weight`` (pair weights added to it)."""
    if problem.pair_weights is None:
        return "fit"
    return "weight" if problem.policy.pair_weights == "replace" else "fit_and_weight"


def placed_counted_first(problem: Problem) -> bool:
    """Whether the placed count comes before the policy's objective (``Policy.order``)."""
    slots = problem.policy.slots
    return "placed" in slots and ("objective" not in slots or slots.index("placed") < slots.index("objective"))


class TotalFit:
    """Level 3 (default objective): total fit of the placed pairs, in points; with pair weights, the
    total weight (``total_weight``) or fit plus weight (``total_fit_and_weight``)."""

    name = "total_fit"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One level summing value points (fit points without pair weights)."""
        what = value_name(problem)
        description = {
            "fit": "total fit of the placements (points)",
            "weight": "total of the scores the caller's system gave the placements",
            "fit_and_weight": "total fit plus the scores the caller's system gave the placements",
        }[what]
        pair_level(builder, f"total_{what}", description, builder.scores.value_points)


def _max_rank(builder: ModelBuilder) -> int:
    return int(builder.scores.rank.max()) if builder.scores.n_pairs else 0


class RankMaximal:
    """Level 3: the most first choices, then the most second choices, ..."""

    name = "rank_maximal"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One maximised count per rank 1 .. R-1 (1 .. R when the placed count does not come first:
        then the last count is not implied)."""
        rank = builder.scores.rank
        last = _max_rank(builder) + (0 if placed_counted_first(problem) else 1)
        for k in range(1, last):
            pair_level(builder, f"placed_at_rank_{k}", f"applicants placed at their rank {k}", rank == k)


class RankMaximalIrving:
    """Position 1.5: the most first choices, then the most second choices, ... before the placed count."""

    name = "rank_maximal_irving"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One maximised count per rank 1 .. R (the last is not implied: the placed count comes later)."""
        rank = builder.scores.rank
        for k in range(1, _max_rank(builder) + 1):
            pair_level(builder, f"placed_at_rank_{k}", f"applicants placed at their rank {k}", rank == k, position=1.5)


class Generous:
    """Level 3: the fewest at the worst rank, then at the next worst, ..."""

    name = "generous"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One minimised count per rank R .. 2."""
        rank = builder.scores.rank
        for k in range(_max_rank(builder), 1, -1):
            pair_level(builder, f"placed_at_rank_{k}", f"applicants placed at their rank {k}", rank == k, sense="min")


def _bottleneck_level(builder: ModelBuilder, name: str, description: str, rank: IntArray) -> None:
    """A minimised threshold level: the largest ``rank`` of a placed pair, found over the thresholds
    "every placed pair has rank <= k" for the distinct ranks k, best first."""
    n = builder.scores.n_pairs
    ks = np.unique(rank).tolist()

    def make(i: int) -> Threshold:
        k = int(ks[i])
        return Threshold(k, np.flatnonzero(rank > k).astype(np.int64))

    def worst(values: IntArray) -> int:
        used = values[:n] == 1
        return int(rank[used].max()) if used.any() else 0

    builder.add_level(
        Level(
            name,
            "min",
            description,
            np.empty(0, np.int64),
            np.empty(0, np.int64),
            0,
            int(rank.max()) if n else 0,
            kind="threshold",
            thresholds=LazyThresholds(len(ks), make),
            evaluate=worst,
        )
    )


class MinimumRegret:
    """Level 3: the best worst rank (a bottleneck level)."""

    name = "minimum_regret"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One threshold level over the pairs' ranks."""
        rank = builder.scores.rank.astype(np.int64)
        _bottleneck_level(builder, "worst_rank", "the worst rank any placed applicant gets", rank)


class Egalitarian:
    """Level 3: the least sum of ranks."""

    name = "egalitarian"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One minimised level weighting each placement by its rank."""
        pair_level(builder, "rank_sum", "the sum of the placed applicants' ranks", builder.scores.rank, sense="min")


class Leximin:
    """Level 3: lexicographically the fewest applicants at the lowest fits (leximin over fits; with
    pair weights, over the pairs' values: ``placed_at_weight_<points>``)."""

    name = "leximin"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One minimised count per distinct value, lowest first (the highest is implied)."""
        sc = builder.scores
        points, what = sc.value_points, value_name(problem)
        values = np.unique(points)
        for v in values[:-1].tolist():
            pair_level(
                builder,
                f"placed_at_{what}_{v}",
                f"applicants placed with fit {v / 10_000:.4f}"
                if what == "fit"
                else f"applicants placed with {what.replace('_', ' ')} {v / sc.value_scale}",
                points == v,
                sense="min",
            )


class ApplicantRankSum:
    """Level 3 in stable mode: the applicants' (strict) rank sum, minimised for the applicant-optimal
    stable plan and maximised for the unit-optimal one (which every applicant likes least)."""

    name = "applicant_rank_sum"

    def __init__(self, *, sense: str, strict: bool) -> None:
        self.sense = sense
        self.strict = strict

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One level weighting each placement by the applicant's rank of it."""
        ranks = builder.scores.rank_strict if self.strict else builder.scores.rank
        pair_level(builder, "applicant_rank_sum", "the applicants' rank sum", ranks, sense=self.sense)


class SexEqual:
    """Level 3 (stable mode): the applicants' and the units' rank sums as close as possible."""

    name = "sex_equal"

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """An auxiliary ``gap >= |applicants' rank sum - units' rank sum|``, minimised."""
        sc = builder.scores
        arank = (sc.rank_strict if self.strict else sc.rank).astype(np.int64)
        ukey = (sc.unit_rank_strict if self.strict else sc.unit_rank).astype(np.int64)
        diff = arank - ukey
        bound = int(np.abs(diff).sum()) if sc.n_pairs else 0
        gap = builder.add_var(0, bound, "rank_sum_gap")
        g = builder.add_group("sex_equal", "gap", "the rank-sum gap", structural=True)
        pairs = np.arange(sc.n_pairs, dtype=np.int64)
        builder.add_row(g, np.r_[pairs, gap], np.r_[diff, 1], 0, 2 * bound)
        builder.add_row(g, np.r_[pairs, gap], np.r_[-diff, 1], 0, 2 * bound)
        n = sc.n_pairs

        def gap_of(values: IntArray) -> int:
            x = values[:n]
            return abs(int(np.dot(diff, x)))

        builder.add_level(
            Level(
                "rank_sum_gap",
                "min",
                "the gap between the applicants' and the units' rank sums",
                np.array([gap], dtype=np.int64),
                np.ones(1, dtype=np.int64),
                0,
                bound,
                evaluate=gap_of,
                alone=True,
            )
        )


def _both_ranks(builder: ModelBuilder, *, strict: bool) -> tuple[IntArray, IntArray]:
    """Per pair: the applicant's rank of the placement and the unit's rank of the applicant, strict
    (the lottery's orders) or as given (ties kept): the ranks stability is defined on."""
    sc = builder.scores
    arank = (sc.rank_strict if strict else sc.rank).astype(np.int64)
    urank = (sc.unit_rank_strict if strict else sc.unit_rank).astype(np.int64)
    return arank, urank


class _TwoSided:
    """A level over both sides' ranks, strict (``ties="lottery"``) or as given (``ties="keep"``)."""

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict


class TwoSidedEgalitarian(_TwoSided):
    """Level 3 (stable mode): the least sum of both sides' ranks over the placed pairs (the
    egalitarian stable matching of Irving, Leather & Gusfield 1987)."""

    name = "egalitarian_two_sided"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One minimised level weighting each placement by its two ranks."""
        arank, urank = _both_ranks(builder, strict=self.strict)
        pair_level(
            builder,
            "two_sided_rank_sum",
            "the sum of the applicants' and the units' ranks over the placed pairs",
            arank + urank,
            sense="min",
        )


class TwoSidedMinimumRegret(_TwoSided):
    """Level 3 (stable mode): the best worst rank on either side over the placed pairs (the
    minimum-regret stable matching of Gusfield 1987)."""

    name = "minimum_regret_two_sided"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One threshold level over each pair's worse rank of the two."""
        arank, urank = _both_ranks(builder, strict=self.strict)
        _bottleneck_level(
            builder,
            "two_sided_worst_rank",
            "the worst rank on either side over the placed pairs",
            np.maximum(arank, urank),
        )


class Lottery:
    """Level 4: the seeded lottery that makes the optimum unique."""

    name = "lottery"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One level summing the pairs' lottery draws."""
        pair_level(builder, "lottery", "seeded lottery (tie-break)", builder.scores.lottery, position=4.0)


_BY_OBJECTIVE: dict[str, type[ObjectivePiece] | None] = {
    "total_fit": TotalFit,
    "rank_maximal": RankMaximal,
    "rank_maximal_irving": RankMaximalIrving,
    "generous": Generous,
    "minimum_regret": MinimumRegret,
    "egalitarian": Egalitarian,
    "leximin": Leximin,
    "sex_equal": None,
    "egalitarian_two_sided": None,
    "minimum_regret_two_sided": None,
}


def objective_pieces(problem: Problem) -> list[ObjectivePiece]:
    """The level-3 piece for the policy: the stable mode's own level for the applicant- and
    unit-optimal stable plans, else ``policy.objective``."""
    policy = problem.policy
    stability = policy.stability
    strict = stability is not None and stability.ties == "lottery"
    if stability is not None and stability.mode == "applicant_optimal":
        return [ApplicantRankSum(sense="min", strict=strict)]
    if stability is not None and stability.mode == "unit_optimal":
        return [ApplicantRankSum(sense="max", strict=strict)]
    if policy.objective == "sex_equal":
        return [SexEqual(strict=strict)]
    if policy.objective == "egalitarian_two_sided":
        return [TwoSidedEgalitarian(strict=strict)]
    if policy.objective == "minimum_regret_two_sided":
        return [TwoSidedMinimumRegret(strict=strict)]
    piece = _BY_OBJECTIVE[policy.objective]
    assert piece is not None
    return [piece()]
