"""Constraint pieces. Each adds one named group per record, so explanations can name it.

Rows that can never bind (a supervisor with fewer acceptable applicants than places) are left out:
they cannot make a plan infeasible or change the optimum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchmaker._text import plural

if TYPE_CHECKING:
    from matchmaker.build import ModelBuilder
    from matchmaker.models import Problem

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
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n)]


class OnePlacePerApplicant:
    """Each applicant is placed at most once."""

    name = "one_place_per_applicant"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One structural row per applicant with two or more acceptable pairs."""
        sc = builder.scores
        enc = sc.encoding
        for a, pairs in enumerate(pairs_by(sc.applicant.astype(np.int64), enc.n_applicants)):
            if pairs.size < 2:
                continue
            ident = enc.applicant_ids[a]
            g = builder.add_group("one_place", ident, f"applicant {ident!r} is placed at most once", structural=True)
            builder.add_row(g, pairs, 1, 0, 1)


class SupervisorCapacity:
    """Each supervisor takes at most their capacity."""

    name = "supervisor_capacity"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One row per supervisor who could otherwise be over-filled."""
        sc = builder.scores
        enc = sc.encoding
        for s, pairs in enumerate(pairs_by(sc.supervisor.astype(np.int64), enc.n_supervisors)):
            cap = int(enc.supervisor_capacity[s])
            if pairs.size <= cap:
                continue
            ident = enc.supervisor_ids[s]
            g = builder.add_group(
                "supervisor_capacity",
                ident,
                f"supervisor {ident!r} takes at most {plural(cap, 'student')}",
            )
            builder.add_row(g, pairs, 1, 0, cap)


def hard_unit_minimum(problem: Problem, unit_id: str) -> int:
    """The lower bound a unit's placements must meet as a constraint under the policy."""
    u = problem.unit_by_id[unit_id]
    lo = u.min_places if problem.policy.minimums == "hard" else 0
    if problem.policy.targets == "hard" and u.target_places is not None:
        lo = max(lo, u.target_places)
    return lo


class UnitCapacity:
    """Each unit takes at most ``max_places`` students, and at least its hard minimum: ``min_places``
    when minimums are hard, and ``target_places`` when targets are hard."""

    name = "unit_capacity"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """A maximum row and a minimum row per unit, where they can bind."""
        sc = builder.scores
        enc = sc.encoding
        for u, pairs in enumerate(pairs_by(sc.unit, len(enc.unit_ids))):
            ident = enc.unit_ids[u]
            hi = int(enc.unit_max[u])
            lo = hard_unit_minimum(problem, ident)
            if pairs.size > hi:
                g = builder.add_group("unit_max", ident, f"unit {ident!r} takes at most {plural(hi, 'student')}")
                builder.add_row(g, pairs, 1, 0, hi)
            if lo > 0:
                g = builder.add_group("unit_min", ident, f"unit {ident!r} takes at least {plural(lo, 'student')}")
                builder.add_row(g, pairs, 1, lo, max(lo, pairs.size))


class MunicipalityCapacity:
    """Each municipality takes at most ``max_places`` students, and at least ``min_places`` when
    minimums are hard."""

    name = "municipality_capacity"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """A maximum row and a minimum row per municipality, where they can bind."""
        sc = builder.scores
        enc = sc.encoding
        for m, pairs in enumerate(pairs_by(sc.municipality, len(enc.municipality_ids))):
            ident = enc.municipality_ids[m]
            hi = int(enc.municipality_max[m])
            lo = int(enc.municipality_min[m]) if problem.policy.minimums == "hard" else 0
            if hi >= 0 and pairs.size > hi:
                g = builder.add_group(
                    "municipality_max",
                    ident,
                    f"municipality {ident!r} takes at most {plural(hi, 'student')}",
                )
                builder.add_row(g, pairs, 1, 0, hi)
            if lo > 0:
                g = builder.add_group(
                    "municipality_min",
                    ident,
                    f"municipality {ident!r} takes at least {plural(lo, 'student')}",
                )
                builder.add_row(g, pairs, 1, lo, max(lo, pairs.size))


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
