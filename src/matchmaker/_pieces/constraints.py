"""Constraint pieces. Each adds one named group per record, so explanations can name it.

Rows that can never bind (a supervisor with fewer acceptable applicants than places) are left out:
they cannot make a plan infeasible or change the optimum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchmaker._scoring.arrays import stable_order
from matchmaker._text import plural

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._models import Problem

__all__ = [
    "MunicipalityCapacity",
    "OnePlacePerApplicant",
    "Pins",
    "SupervisorCapacity",
    "UnitCapacity",
    "hard_unit_minimum",
    "pairs_by",
]


def pairs_by(keys: np.ndarray, n: int) -> list[np.ndarray]:
    """Pair indices grouped by ``keys`` (values in ``range(n)``)."""
    order = stable_order(keys, n)
    bounds = np.searchsorted(keys[order], np.arange(n + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n)]


def _add_sum_rows(
    builder: ModelBuilder,
    groups: np.ndarray,
    bounds: np.ndarray,
    order: np.ndarray,
    rows: np.ndarray,
    lb: int | np.ndarray,
    ub: int | np.ndarray,
) -> None:
    """Rows ``lb <= sum of x[order[bounds[k]:bounds[k + 1]]] <= ub`` for each ``k`` in ``rows``."""
    lengths = bounds[rows + 1] - bounds[rows]
    indptr = np.zeros(rows.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    starts = np.repeat(bounds[rows] - indptr[:-1], lengths)
    indices = order[np.arange(int(indptr[-1]), dtype=np.int64) + starts]
    builder.add_rows(
        groups,
        indptr,
        indices,
        np.ones(indices.size, dtype=np.int64),
        np.broadcast_to(np.asarray(lb, dtype=np.int64), rows.shape).copy(),
        np.broadcast_to(np.asarray(ub, dtype=np.int64), rows.shape).copy(),
    )


class OnePlacePerApplicant:
    """Each applicant is placed at most once."""

    name = "one_place_per_applicant"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One structural row per applicant with two or more acceptable pairs."""
        sc = builder.scores
        enc = sc.encoding
        # Pairs are sorted by applicant: each applicant's pairs are one contiguous run.
        bounds = np.searchsorted(sc.applicant, np.arange(enc.n_applicants + 1)).astype(np.int64)
        rows = np.flatnonzero(np.diff(bounds) >= 2)
        ids = [enc.applicant_ids[a] for a in rows.tolist()]
        groups = builder.add_groups(
            "one_place", ids, [f"applicant {ident!r} is placed at most once" for ident in ids], structural=True
        )
        _add_sum_rows(builder, groups, bounds, np.arange(sc.n_pairs, dtype=np.int64), rows, 0, 1)


class SupervisorCapacity:
    """Each supervisor takes at most their capacity."""

    name = "supervisor_capacity"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One row per supervisor who could otherwise be over-filled."""
        sc = builder.scores
        enc = sc.encoding
        order = stable_order(sc.supervisor, enc.n_supervisors)
        bounds = np.searchsorted(sc.supervisor[order], np.arange(enc.n_supervisors + 1)).astype(np.int64)
        caps = enc.supervisor_capacity
        rows = np.flatnonzero(np.diff(bounds) > caps)
        ids = [enc.supervisor_ids[r] for r in rows.tolist()]
        labels = [
            f"supervisor {ident!r} takes at most {plural(cap, 'student')}"
            for ident, cap in zip(ids, caps[rows].tolist(), strict=True)
        ]
        groups = builder.add_groups("supervisor_capacity", ids, labels)
        _add_sum_rows(builder, groups, bounds, order, rows, 0, caps[rows])


def hard_unit_minimum(problem: Problem, unit_id: str) -> int:
    """The lower bound a unit's placements must meet as a constraint under the policy."""
    u = problem.unit_by_id[unit_id]
    lo = u.min_places if problem.policy.minimums == "hard" else 0
    if problem.policy.targets == "hard" and u.target_places is not None:
        lo = max(lo, u.target_places)
    return lo


def _count_rows(builder: ModelBuilder, kind: str, ident: str, pairs: np.ndarray, hi: int, lo: int) -> None:
    """The maximum row (``hi`` < 0: none) and the minimum row of one unit or municipality, where they can bind."""
    if hi >= 0 and pairs.size > hi:
        g = builder.add_group(f"{kind}_max", ident, f"{kind} {ident!r} takes at most {plural(hi, 'student')}")
        builder.add_row(g, pairs, 1, 0, hi)
    if lo > 0:
        g = builder.add_group(f"{kind}_min", ident, f"{kind} {ident!r} takes at least {plural(lo, 'student')}")
        builder.add_row(g, pairs, 1, lo, max(lo, pairs.size))


class UnitCapacity:
    """Each unit takes at most ``max_places`` students, and at least its hard minimum: ``min_places``
    when minimums are hard, and ``target_places`` when targets are hard."""

    name = "unit_capacity"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """A maximum row and a minimum row per unit, where they can bind."""
        enc = builder.scores.encoding
        for u, pairs in enumerate(pairs_by(builder.scores.unit, len(enc.unit_ids))):
            ident = enc.unit_ids[u]
            _count_rows(builder, "unit", ident, pairs, int(enc.unit_max[u]), hard_unit_minimum(problem, ident))


class MunicipalityCapacity:
    """Each municipality takes at most ``max_places`` students, and at least ``min_places`` when
    minimums are hard."""

    name = "municipality_capacity"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """A maximum row and a minimum row per municipality, where they can bind."""
        enc = builder.scores.encoding
        hard = problem.policy.minimums == "hard"
        for m, pairs in enumerate(pairs_by(builder.scores.municipality, len(enc.municipality_ids))):
            lo = int(enc.municipality_min[m]) if hard else 0
            _count_rows(builder, "municipality", enc.municipality_ids[m], pairs, int(enc.municipality_max[m]), lo)


class Pins:
    """Each pinned applicant is placed at the pinned supervisor or in the pinned unit."""

    name = "pins"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One equality row per pin (an empty row if no acceptable pair can satisfy it)."""
        sc = builder.scores
        enc = sc.encoding
        for (a, pairs), label in zip(sc.pins, sc.pin_labels, strict=True):
            g = builder.add_group("pin", enc.applicant_ids[a], label)
            builder.add_row(g, pairs, 1, 1, 1)
