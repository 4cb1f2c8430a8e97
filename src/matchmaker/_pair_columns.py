"""The rows of a pair-weights table held as columns: read from Arrow without a record per row.

A :class:`~matchmaker._models.PairWeights` read from plain columns keeps its rows here (one tuple per
column, the weights also as exact integer units) and makes its ``rows`` records only when something
asks for them. Validation, scoring, the canonical writer and the checker read the columns directly.
Only plain rows are held so: every row names exactly one place, and every weight is a whole number
(what :class:`~matchmaker._models.PairWeight` holds as an ``int``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matchmaker._types import IntArray

__all__ = ["PairColumns"]


@dataclass(frozen=True, eq=False)
class PairColumns:
    """Equally long columns, one entry per row: the applicant's id, the supervisor's or unit's id (the
    other ``None``) and the weight, a whole number."""

    applicant: tuple[str, ...]
    supervisor: tuple[str | None, ...]
    unit: tuple[str | None, ...]
    weight: tuple[int, ...]
    _units: dict[int, IntArray] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.applicant)

    def weight_units(self, scale: int) -> IntArray:
        """Each row's ``weight * scale`` as ``int64`` (the weights are whole, at most 10^12 in size)."""
        found = self._units.get(scale)
        if found is None:
            found = np.array(self.weight, dtype=np.int64) * scale
            found.setflags(write=False)
            self._units[scale] = found
        return found

    def dump_rows(self) -> list[dict[str, Any]]:
        """The rows as a record's ``model_dump`` gives them (the same keys, in the same order)."""
        return [
            {"applicant": a, "supervisor": s, "unit": u, "weight": w}
            for a, s, u, w in zip(self.applicant, self.supervisor, self.unit, self.weight, strict=True)
        ]

    def __getstate__(self) -> dict[str, Any]:
        # The cache of units is remade on demand: a copy or a pickle holds the columns only.
        return {"applicant": self.applicant, "supervisor": self.supervisor, "unit": self.unit, "weight": self.weight}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_units", {})
