"""Pieces for re-solving against a previous plan: a forced placement, and the number of people moved.

* :class:`Force`: the applicant must be placed at a supervisor, or in a unit (a row ``== 1``); an
  explanation asks "what would it cost to place this applicant here?", and a repair keeps a named
  placement fixed with it (a hard keep).
* :class:`Disruption`: level ``moved`` (minimised) at a stated position: the number of applicants of a
  base plan who do not keep their placement (moved to another supervisor or left unplaced). With
  ``x`` the pair variables, ``moved = |base| - sum(x[a, base(a)])``: a linear level with a constant,
  which keeps the model totally unimodular.
* :class:`MovePenalty`: instead of a level of its own, each move costs a stated number of fit points:
  level 3 becomes ``total_fit_less_moves = total_fit - penalty * moved`` (for ``policy.objective ==
  "total_fit"``). Also linear, also totally unimodular.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from matchmaker._linear import Level

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder, Position
    from matchmaker._models import Problem

__all__ = ["AtLeast", "Disruption", "Force", "MovePenalty", "counted_base"]


class Force:
    """Place ``applicant`` with ``supervisor`` or in ``unit`` (exactly one is given).

    ``kind`` names the group (``"forced"`` for an explanation's what-if, ``"keep"`` for a repair's hard
    keep), so that an infeasibility message says which.
    """

    name = "force"

    def __init__(
        self, applicant: str, *, unit: str | None = None, supervisor: str | None = None, kind: str = "forced"
    ) -> None:
        if (unit is None) == (supervisor is None):
            raise ValueError("give exactly one of unit and supervisor")
        self.applicant = applicant
        self.unit = unit
        self.supervisor = supervisor
        self.kind = kind

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One equality row over the applicant's pairs at the target (empty if none is acceptable)."""
        sc = builder.scores
        enc = sc.encoding
        a = enc.applicant_index[self.applicant]
        mine = sc.applicant == a
        if self.supervisor is not None:
            hit = mine & (sc.supervisor == enc.supervisor_index[self.supervisor])
            target = f"supervisor {self.supervisor!r}"
        else:
            hit = mine & (sc.unit == enc.unit_index[self.unit or ""])
            target = f"unit {self.unit!r}"
        verb = "keeps the place at" if self.kind == "keep" else "is placed at"
        g = builder.add_group(self.kind, self.applicant, f"applicant {self.applicant!r} {verb} {target}")
        builder.add_row(g, np.flatnonzero(hit), 1, 1, 1)


class AtLeast:
    """At least ``count`` students in ``unit`` (used to fill a freed place in that unit)."""

    name = "at_least"

    def __init__(self, unit: str, count: int) -> None:
        self.unit = unit
        self.count = count

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One row over the unit's pairs."""
        sc = builder.scores
        pairs = np.flatnonzero(sc.unit == sc.encoding.unit_index[self.unit])
        g = builder.add_group("at_least", self.unit, f"unit {self.unit!r} takes at least {self.count} students")
        builder.add_row(g, pairs, 1, self.count, max(self.count, pairs.size))


def counted_base(builder: ModelBuilder, base: Mapping[str, str], exclude: frozenset[str]) -> tuple[int, np.ndarray]:
    """How many base-plan applicants count (those still in the round, not excluded), and a 0/1 array
    over the pairs marking each counted applicant's base pair (where it is still acceptable)."""
    sc = builder.scores
    enc = sc.encoding
    counted = {a: s for a, s in base.items() if a not in exclude and a in enc.applicant_index}
    kept = np.zeros(sc.n_pairs, dtype=np.int64)
    for a, s in counted.items():
        if s not in enc.supervisor_index:
            continue  # the supervisor left the round: that applicant moves in every plan
        kept[(sc.applicant == enc.applicant_index[a]) & (sc.supervisor == enc.supervisor_index[s])] = 1
    return len(counted), kept


class Disruption:
    """Level ``moved`` at ``position``: base-plan applicants who lose their placement or move.

    ``base`` maps applicant id -> supervisor id; applicants in ``exclude`` are not counted (an applicant
    forced elsewhere moves by definition). ``level`` names the level (another name lets an explanation
    of a repaired plan count its own moves beside the repair's level ``moved``).
    """

    name = "disruption"

    def __init__(
        self,
        base: Mapping[str, str],
        *,
        position: Position = 3.5,
        exclude: frozenset[str] = frozenset(),
        level: str = "moved",
    ):
        self.base = dict(base)
        self.position = position
        self.exclude = exclude
        self.level = level

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One minimised level with a constant: the count of base placements not kept."""
        offset, kept = counted_base(builder, self.base, self.exclude)
        coefs = -kept
        keep = np.flatnonzero(coefs)
        builder.add_level(
            Level(
                self.level,
                "min",
                "applicants of the previous plan who lose or change their placement",
                keep.astype(np.int64),
                coefs[keep],
                offset - keep.size,
                offset,
                position=self.position,
                offset=offset,
            )
        )


class MovePenalty:
    """Level 3 as ``total_fit_less_moves``: the total fit less ``points`` fit points per applicant of
    ``base`` who loses or changes their placement (replaces :class:`~matchmaker._pieces.TotalFit`)."""

    name = "move_penalty"

    def __init__(self, base: Mapping[str, str], points: int) -> None:
        self.base = dict(base)
        self.points = points

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One maximised level: fit points, plus ``points`` on each kept base pair, less a constant."""
        counted, kept = counted_base(builder, self.base, frozenset())
        coefs = builder.scores.fit_points + self.points * kept
        offset = -self.points * counted
        keep = np.flatnonzero(coefs)
        lo, hi = builder.pair_level_bounds(coefs)
        builder.add_level(
            Level(
                "total_fit_less_moves",
                "max",
                "total fit of the placements less the penalty for each applicant moved (points)",
                keep.astype(np.int64),
                coefs[keep],
                lo + offset,
                hi + offset,
                position=3.0,
                offset=offset,
            )
        )
