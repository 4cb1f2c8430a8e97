"""Model building: a scored problem becomes an engine-neutral integer linear model.

The model is arrays, not solver objects, so that every engine (CP-SAT, network flow, LP/MIP) reads
the same thing and the explanations can name what they relax:

* **variables**: ``x[p]`` for each acceptable pair ``p`` of :class:`~matchmaker.scoring.Scores` (0/1,
  the first ``n_pairs`` variables), then any auxiliary integer variables a piece adds;
* **rows**: ``row_lb[r] <= sum(coef * var) <= row_ub[r]`` in compressed sparse row form;
* **groups**: every row belongs to one named group, one per record (``unit_max['U3']``), which is the
  unit an explanation can switch off with an enforcement literal;
* **levels**: the objective vector, maximised lexicographically in order.

The model is assembled by small named pieces (:mod:`matchmaker.pieces`); :func:`build_model` runs the
default ones for a policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import numpy.typing as npt

from matchmaker._gc import pausing
from matchmaker.scoring import Scores

if TYPE_CHECKING:
    from matchmaker.models import Problem

__all__ = [
    "ConstraintPiece",
    "Group",
    "Level",
    "LinearModel",
    "ModelBuilder",
    "ObjectivePiece",
    "Position",
    "Threshold",
    "build_model",
]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Group:
    """A named group of rows, one per record: ``kind`` (``"unit_min"``), ``record`` (``"U3"``), and a
    plain-language ``label``. ``structural`` groups (each applicant placed at most once) are never
    relaxed by explanations."""

    kind: str
    record: str
    label: str
    structural: bool = False


#: Where a level sits in the objective vector: levels are ordered by position, then by insertion.
#: 1 priority tiers, 2 placed, 2.1-2.4 soft minimums, targets, links, balance, 3 the policy's
#: objective, 4 the lottery.
Position = float


@dataclass(frozen=True, eq=False)
class Threshold:
    """One candidate value of a threshold level and what it demands of a plan: the variables it fixes
    to 0 and the row lower bounds it raises. A level's thresholds go from best to worst, and each
    demands no more than the one before it."""

    value: int
    zero_vars: IntArray
    row_lbs: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, eq=False)
class Level:
    """One level of the objective vector, maximised or minimised.

    A ``linear`` level is ``sum(coefs * var[indices])``; ``lo``/``hi`` bound every value it can take
    in a plan and decide when levels can be merged into one weighted objective without reordering
    them. A ``threshold`` level (a bottleneck, such as the worst rank) is optimised by finding the
    best of its ``thresholds`` that still admits a plan. ``evaluate`` computes the level's value from
    a plan (the pair variables) when that differs from the linear form over auxiliary variables;
    ``offset`` is a constant added to the linear form (it never changes which plan is best).
    ``alone`` keeps the level out of merged stages (a level whose rows are not LP-tight is solved
    better on its own).
    """

    name: str
    sense: Literal["max", "min"]
    description: str
    indices: IntArray
    coefs: IntArray
    lo: int
    hi: int
    position: Position = 3.0
    kind: Literal["linear", "threshold"] = "linear"
    thresholds: Sequence[Threshold] = ()
    evaluate: Callable[[IntArray], int] | None = None
    offset: int = 0
    alone: bool = False

    def value(self, values: IntArray) -> int:
        """The level's value for a full vector of variable values (pairs first)."""
        if self.evaluate is not None:
            return self.evaluate(values)
        return int(np.dot(self.coefs, values[self.indices])) + self.offset


@dataclass(frozen=True, eq=False)
class LinearModel:
    """An integer linear model over pair variables and auxiliary variables; see the module docstring."""

    scores: Scores
    var_lb: IntArray
    var_ub: IntArray
    aux_names: tuple[str, ...]
    indptr: IntArray
    indices: IntArray
    coefs: IntArray
    row_lb: IntArray
    row_ub: IntArray
    row_group: IntArray
    groups: tuple[Group, ...]
    levels: tuple[Level, ...]
    pieces: tuple[str, ...] = field(default=())

    @property
    def n_vars(self) -> int:
        """All variables: pairs first, then auxiliaries."""
        return int(self.var_lb.shape[0])

    @property
    def n_pairs(self) -> int:
        """Pair variables ``x[p]``."""
        return self.scores.n_pairs

    @property
    def n_rows(self) -> int:
        """Constraint rows."""
        return int(self.row_lb.shape[0])

    def var_name(self, i: int) -> str:
        """A readable name: ``x[A1,H3]`` for a pair, the piece's name for an auxiliary."""
        if i < self.n_pairs:
            enc = self.scores.encoding
            a = int(self.scores.applicant[i])
            s = int(self.scores.supervisor[i])
            return f"x[{enc.applicant_ids[a]},{enc.supervisor_ids[s]}]"
        return self.aux_names[i - self.n_pairs]

    def row(self, r: int) -> tuple[IntArray, IntArray]:
        """Variable indices and coefficients of row ``r``."""
        lo, hi = int(self.indptr[r]), int(self.indptr[r + 1])
        return self.indices[lo:hi], self.coefs[lo:hi]


class ModelBuilder:
    """Collects variables, grouped rows and levels from pieces, then freezes them into a model."""

    def __init__(self, scores: Scores) -> None:
        self.scores = scores
        n = scores.n_pairs
        self._lb: list[int] = [0] * n
        self._ub: list[int] = [1] * n
        self._names: list[str] = []
        # Rows in blocks (one row from add_row, many from add_rows): lengths, indices, coefficients.
        self._row_lengths: list[IntArray] = []
        self._row_indices: list[IntArray] = []
        self._row_coefs: list[IntArray] = []
        self._row_lb: list[IntArray] = []
        self._row_ub: list[IntArray] = []
        self._row_group: list[IntArray] = []
        self._n_rows = 0
        self._groups: list[Group] = []
        self._levels: list[Level] = []
        self._pieces: list[str] = []

    def add_var(self, lb: int, ub: int, name: str) -> int:
        """A new auxiliary integer variable; returns its index."""
        self._lb.append(lb)
        self._ub.append(ub)
        self._names.append(name)
        return len(self._lb) - 1

    def add_group(self, kind: str, record: str, label: str, *, structural: bool = False) -> int:
        """A new named group; returns its index."""
        self._groups.append(Group(kind, record, label, structural))
        return len(self._groups) - 1

    def add_row(
        self,
        group: int,
        indices: npt.ArrayLike,
        coefs: npt.ArrayLike,
        lb: int,
        ub: int,
    ) -> int:
        """Add ``lb <= sum(coefs * var[indices]) <= ub`` to ``group``; returns the row's index."""
        idx = np.asarray(indices, dtype=np.int64)
        cf = np.broadcast_to(np.asarray(coefs, dtype=np.int64), idx.shape).copy()
        return self.add_rows(
            np.array([group], dtype=np.int64),
            np.array([0, idx.size], dtype=np.int64),
            idx,
            cf,
            np.array([int(lb)], dtype=np.int64),
            np.array([int(ub)], dtype=np.int64),
        ).start

    def add_groups(
        self, kind: str, records: Sequence[str], labels: Sequence[str], *, structural: bool = False
    ) -> IntArray:
        """New named groups, one per record; returns their indices."""
        first = len(self._groups)
        self._groups.extend(Group(kind, r, text, structural) for r, text in zip(records, labels, strict=True))
        return np.arange(first, len(self._groups), dtype=np.int64)

    def add_rows(
        self,
        groups: IntArray,
        indptr: IntArray,
        indices: IntArray,
        coefs: IntArray,
        lb: IntArray,
        ub: IntArray,
    ) -> range:
        """Add many rows at once, in CSR form: row ``k`` is ``lb[k] <= sum(coefs[j] * var[indices[j]]
        for j in indptr[k]:indptr[k + 1]) <= ub[k]``, in group ``groups[k]``; returns the rows' indices."""
        n = int(groups.shape[0])
        ptr = np.asarray(indptr, dtype=np.int64)
        lengths = ptr[1:] - ptr[:-1]
        if lengths.shape[0] != n or lb.shape[0] != n or ub.shape[0] != n:
            raise ValueError("add_rows: groups, indptr, lb and ub must describe the same rows")
        start = int(indptr[0])
        end = int(indptr[-1]) if n else start
        self._row_lengths.append(lengths)
        self._row_indices.append(np.asarray(indices[start:end], dtype=np.int64))
        self._row_coefs.append(np.asarray(coefs[start:end], dtype=np.int64))
        self._row_lb.append(np.asarray(lb, dtype=np.int64))
        self._row_ub.append(np.asarray(ub, dtype=np.int64))
        self._row_group.append(np.asarray(groups, dtype=np.int64))
        first = self._n_rows
        self._n_rows += n
        return range(first, self._n_rows)

    def add_level(self, level: Level) -> None:
        """Append a level to the objective vector."""
        self._levels.append(level)

    def pair_level_bounds(self, coefs: IntArray) -> tuple[int, int]:
        """Bounds of ``sum(coefs[p] * x[p])`` when each applicant holds at most one pair."""
        if coefs.size == 0:
            return 0, 0
        pa = self.scores.applicant
        starts = np.flatnonzero(np.r_[True, pa[1:] != pa[:-1]])
        hi = int(np.maximum(np.maximum.reduceat(coefs, starts), 0).sum())
        lo = int(np.minimum(np.minimum.reduceat(coefs, starts), 0).sum())
        return lo, hi

    def note_piece(self, name: str) -> None:
        """Record that a piece contributed to the model."""
        self._pieces.append(name)

    def build(self) -> LinearModel:
        """Freeze into a :class:`LinearModel`."""
        empty = np.empty(0, dtype=np.int64)

        def joined(parts: list[IntArray]) -> IntArray:
            return np.concatenate(parts) if parts else empty

        lengths = joined(self._row_lengths)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return LinearModel(
            scores=self.scores,
            var_lb=np.array(self._lb, dtype=np.int64),
            var_ub=np.array(self._ub, dtype=np.int64),
            aux_names=tuple(self._names),
            indptr=indptr,
            indices=joined(self._row_indices),
            coefs=joined(self._row_coefs),
            row_lb=joined(self._row_lb),
            row_ub=joined(self._row_ub),
            row_group=joined(self._row_group),
            groups=tuple(self._groups),
            levels=tuple(sorted(self._levels, key=lambda lv: lv.position)),
            pieces=tuple(self._pieces),
        )


class ConstraintPiece(Protocol):
    """A named, switchable set of constraint groups."""

    name: str

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """Add this piece's groups and rows."""


class ObjectivePiece(Protocol):
    """A named contributor of one or more objective levels."""

    name: str

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """Add this piece's levels, in order."""


@pausing
def build_model(
    problem: Problem,
    scores: Scores,
    constraints: Sequence[ConstraintPiece] | None = None,
    objectives: Sequence[ObjectivePiece] | None = None,
) -> LinearModel:
    """Assemble the model of ``problem`` from constraint and objective pieces.

    With no pieces given, the defaults for ``problem.policy`` are used (see
    :func:`matchmaker.pieces.default_constraints` and :func:`matchmaker.pieces.default_objectives`).
    """
    from matchmaker.pieces import default_constraints, default_objectives

    builder = ModelBuilder(scores)
    for c in constraints if constraints is not None else default_constraints(problem):
        c.add(builder, problem)
        builder.note_piece(c.name)
    for o in objectives if objectives is not None else default_objectives(problem):
        o.add(builder, problem)
        builder.note_piece(o.name)
    return builder.build()
