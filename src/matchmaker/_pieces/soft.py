"""Soft minimums and targets: the shortfall below them is a level of the objective vector.

* ``minimum_shortfall`` (position 2.1, when ``policy.minimums == "soft"``): the total number of students
  missing below every unit's and municipality's ``min_places``, minimised;
* ``target_shortfall`` (position 2.2, when some unit has ``target_places`` and ``policy.targets ==
  "soft"``): the total number missing below the units' targets, minimised.

Both sit after the placed count, so a soft goal never costs a placement, and before the policy's
objective. Each shortfall is an auxiliary variable in one row with the unit's (or municipality's)
placements, which keeps the model totally unimodular.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchmaker._linear import Level
from matchmaker._pieces.constraints import pairs_by
from matchmaker._text import plural

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._models import Problem
    from matchmaker._types import IntArray

__all__ = ["SoftMinimums", "SoftTargets"]


def _shortfall_level(
    builder: ModelBuilder,
    name: str,
    description: str,
    position: float,
    goals: list[tuple[str, str, np.ndarray, int, np.ndarray]],
) -> None:
    """Add a shortfall variable and row per (kind, record, pairs, goal) and one level summing them."""
    n = builder.scores.n_pairs
    aux: list[int] = []
    for kind, record, pairs, goal, _ in goals:
        var = builder.add_var(0, goal, f"{name}[{record}]")
        aux.append(var)
        g = builder.add_group(kind, record, f"{kind.replace('_', ' ')} of {record!r}: {plural(goal, 'student')}")
        builder.add_row(g, np.r_[pairs, var], 1, goal, goal + pairs.size)
    masks = [(mask, goal) for *_, goal, mask in goals]

    def shortfall(values: IntArray) -> int:
        x = values[:n]
        return sum(max(0, goal - int(x[mask].sum())) for mask, goal in masks)

    builder.add_level(
        Level(
            name,
            "min",
            description,
            np.array(aux, dtype=np.int64),
            np.ones(len(aux), dtype=np.int64),
            0,
            sum(goal for *_, goal, _ in goals),
            position=position,
            evaluate=shortfall,
        )
    )


def _goals(
    kind: str, ids: tuple[str, ...], keys: np.ndarray, amounts: list[int]
) -> list[tuple[str, str, np.ndarray, int, np.ndarray]]:
    """(kind, record, pairs, goal, mask) for each record with a positive goal, in id order."""
    if not any(amount > 0 for amount in amounts):
        return []  # the grouping below sorts every pair: skipped when no record has a goal
    return [
        (kind, ids[i], pairs, int(amounts[i]), keys == i)
        for i, pairs in enumerate(pairs_by(keys, len(ids)))
        if amounts[i] > 0
    ]


class SoftMinimums:
    """Unit and municipality minimums as a minimised shortfall (``policy.minimums == "soft"``)."""

    name = "soft_minimums"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """A shortfall variable per unit or municipality with a minimum, and the level."""
        if problem.policy.minimums != "soft":
            return
        sc = builder.scores
        enc = sc.encoding
        goals = _goals("unit_min", enc.unit_ids, sc.unit, enc.unit_min.tolist())
        goals += _goals("municipality_min", enc.municipality_ids, sc.municipality, enc.municipality_min.tolist())
        if goals:
            _shortfall_level(builder, "minimum_shortfall", "students missing below the minimums (soft)", 2.1, goals)


class SoftTargets:
    """Units' ``target_places`` as a minimised shortfall (``policy.targets == "soft"``)."""

    name = "soft_targets"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """A shortfall variable per unit with a target, and the level."""
        if problem.policy.targets != "soft":
            return
        sc = builder.scores
        ids = sc.encoding.unit_ids
        goals = _goals("unit_target", ids, sc.unit, [problem.unit_by_id[u].target_places or 0 for u in ids])
        if goals:
            _shortfall_level(builder, "target_shortfall", "students missing below the units' targets", 2.2, goals)
