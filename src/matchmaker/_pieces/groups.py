"""Fairness over applicant groups (``policy.group_rules``): rates, bands, the lowest rate and counts.

A group ``g`` of a family (``Applicant.groups[family]``) has ``n_g`` applicants in the round; ``N`` is
every applicant of the round and ``t`` the placed count (the shared auxiliary variable
:meth:`~matchmaker._linear.ModelBuilder.placed_total`); ``placed_g`` sums the pairs of ``g``'s
applicants. With ``ratio = p / q`` and ``tolerance = p / q`` exact fractions (denominator at most
10,000), every rule is an integer row, exactly (each divided by the gcd of its coefficients):

* ``rate``: ``placed_g / n_g >= ratio * t / N``, written ``q N placed_g - p n_g t >= 0``;
* ``band``: ``|placed_g / n_g - t / N| <= tolerance``, written ``-p n_g N <= q N placed_g - q n_g t <= p n_g N``;
* ``maximin`` (a threshold level at position 2.45): ``lowest_group_rate_ppm[family]``, the lowest
  ``floor(10^6 placed_g / n_g)``, maximised over the candidate rates ``k / n_g``;
* ``count``: ``min_count <= placed_g <= max_count``.

Groups with fewer than ``min_size`` applicants are left out of ``rate``, ``band`` and ``maximin``. Once
``t`` is fixed every row is a bound on one group's count, a sum over whole applicants: the network
engine takes one family's groups as a level of its applicant-side tree (:mod:`matchmaker._engines.flow`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from matchmaker._linear import Level
from matchmaker._pieces.balance import MAX_DENOMINATOR, rate_thresholds

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._models import GroupRule, Problem
    from matchmaker._types import IntArray

__all__ = ["MAXIMIN_POSITION", "GroupRules", "family_groups", "group_level_name"]

_PPM = 1_000_000
#: Where the ``maximin`` levels sit: after the placed count (2), the soft minimums and targets (2.1, 2.2),
#: links (2.3) and the municipality balance (2.4, 2.41); before the policy's objective (3).
MAXIMIN_POSITION = 2.45


def group_level_name(family: str) -> str:
    """The name of the ``maximin`` level of ``family``."""
    return f"lowest_group_rate_ppm[{family}]"


def family_groups(problem: Problem, family: str) -> dict[str, list[str]]:
    """The applicant ids of every group of ``family``, groups sorted by name."""
    out: dict[str, list[str]] = {}
    for a in problem.applicants:
        group = a.groups.get(family)
        if group is not None:
            out.setdefault(group, []).append(a.id)
    return dict(sorted(out.items()))


def _record(family: str, group: str) -> str:
    return f"{family}|{group}"


class GroupRules:
    """The rows and levels of ``policy.group_rules`` (see the module docstring)."""

    name = "group_rules"
    group_kinds = frozenset({"group_rate", "group_band", "group_min", "group_max", "balance_total"})

    def only_rows(self, problem: Problem) -> bool:
        """Rules without ``maximin`` add rows only (and the placed count they read): a
        :class:`~matchmaker._linear.SlackRule`, first left out and then checked."""
        rules = problem.policy.group_rules
        return bool(rules) and all(rule.rule != "maximin" for rule in rules)

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One row per group and rule; a threshold level per ``maximin`` rule."""
        sc = builder.scores
        n_all = sc.encoding.n_applicants
        if not problem.policy.group_rules or n_all == 0:
            return
        index = sc.encoding.applicant_index
        for rule in problem.policy.group_rules:
            members = family_groups(problem, rule.family)
            pairs: dict[str, IntArray] = {}
            for group, ids in members.items():
                mine = np.zeros(n_all, dtype=bool)
                mine[[index[a] for a in ids]] = True
                pairs[group] = np.flatnonzero(mine[sc.applicant]).astype(np.int64)
            sizes = {g: len(ids) for g, ids in members.items()}
            if rule.rule == "count":
                self._counts(builder, rule, pairs, sizes)
                continue
            eligible = [g for g in members if sizes[g] >= rule.min_size]
            if not eligible:
                continue
            if rule.rule == "rate":
                self._rate(builder, rule, eligible, pairs, sizes, n_all)
            elif rule.rule == "band":
                self._band(builder, rule, eligible, pairs, sizes, n_all)
            else:
                self._maximin(builder, rule, eligible, pairs, sizes)

    @staticmethod
    def _rate(
        builder: ModelBuilder,
        rule: GroupRule,
        eligible: list[str],
        pairs: dict[str, IntArray],
        sizes: dict[str, int],
        n_all: int,
    ) -> None:
        ratio = Fraction(rule.ratio).limit_denominator(MAX_DENOMINATOR)
        p, q = ratio.numerator, ratio.denominator
        if p == 0:
            return  # a rate of at least 0: never binds
        t = builder.placed_total()
        for g in eligible:
            a, b = q * n_all, p * sizes[g]
            d = math.gcd(a, b)
            a, b = a // d, b // d
            group = builder.add_group(
                "group_rate",
                _record(rule.family, g),
                f"group {g!r} of {rule.family!r} is placed at least {float(ratio):.0%} as often as everyone",
            )
            pm = pairs[g]
            coefs = np.r_[np.full(pm.size, a, np.int64), -b]
            builder.add_row(group, np.r_[pm, t], coefs, 0, a * pm.size)

    @staticmethod
    def _band(
        builder: ModelBuilder,
        rule: GroupRule,
        eligible: list[str],
        pairs: dict[str, IntArray],
        sizes: dict[str, int],
        n_all: int,
    ) -> None:
        tol = Fraction(rule.tolerance).limit_denominator(MAX_DENOMINATOR)
        p, q = tol.numerator, tol.denominator
        if tol >= 1:
            return  # two rates never differ by more than 1
        t = builder.placed_total()
        for g in eligible:
            n_g = sizes[g]
            a, b, c = q * n_all, q * n_g, p * n_g * n_all
            d = math.gcd(math.gcd(a, b), c)
            a, b, c = a // d, b // d, c // d
            group = builder.add_group(
                "group_band",
                _record(rule.family, g),
                f"group {g!r} of {rule.family!r} is placed within {float(tol):.0%} of everyone's rate",
            )
            pm = pairs[g]
            coefs = np.r_[np.full(pm.size, a, np.int64), -b]
            builder.add_row(group, np.r_[pm, t], coefs, -c, c)

    @staticmethod
    def _counts(builder: ModelBuilder, rule: GroupRule, pairs: dict[str, IntArray], sizes: dict[str, int]) -> None:
        for g in sorted(rule.groups) if rule.groups else sorted(pairs):
            pm = pairs.get(g, np.empty(0, np.int64))
            record = _record(rule.family, g)
            if rule.min_count:
                group = builder.add_group(
                    "group_min", record, f"group {g!r} of {rule.family!r} has at least {rule.min_count} placed"
                )
                builder.add_row(group, pm, 1, rule.min_count, max(pm.size, rule.min_count))
            if rule.max_count is not None and rule.max_count < sizes.get(g, 0):
                group = builder.add_group(
                    "group_max", record, f"group {g!r} of {rule.family!r} has at most {rule.max_count} placed"
                )
                builder.add_row(group, pm, 1, 0, rule.max_count)

    @staticmethod
    def _maximin(
        builder: ModelBuilder, rule: GroupRule, eligible: list[str], pairs: dict[str, IntArray], sizes: dict[str, int]
    ) -> None:
        n = builder.scores.n_pairs
        rows: list[tuple[int, int]] = []
        for g in eligible:
            group = builder.add_group(
                "group_count", _record(rule.family, g), f"placements in group {g!r} of {rule.family!r}", structural=True
            )
            rows.append((builder.add_row(group, pairs[g], 1, 0, pairs[g].size), sizes[g]))
        counted = [(pairs[g], sizes[g]) for g in eligible]

        def lowest_rate(values: IntArray) -> int:
            x = values[:n]
            return min(int(x[pm].sum()) * _PPM // size for pm, size in counted)

        builder.add_level(
            Level(
                group_level_name(rule.family),
                "max",
                f"the lowest placement rate among the groups of {rule.family!r}, in millionths",
                np.empty(0, np.int64),
                np.empty(0, np.int64),
                0,
                _PPM,
                position=MAXIMIN_POSITION,
                kind="threshold",
                thresholds=rate_thresholds(rows),
                evaluate=lowest_rate,
            )
        )
