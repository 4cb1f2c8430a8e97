"""The engine-neutral linear model: variables, grouped rows and levels, and their exact merge into stages.

The model is arrays, not solver objects, so that every engine (CP-SAT, network flow, LP/MIP) reads
the same thing and the explanations can name what they relax:

* **variables**: ``x[p]`` for each acceptable pair ``p`` of :class:`~matchmaker._scoring.Scores` (0/1,
  the first ``n_pairs`` variables), then any auxiliary integer variables a piece adds;
* **rows**: ``row_lb[r] <= sum(coef * var) <= row_ub[r]`` in compressed sparse row form;
* **groups**: every row belongs to one named group, one per record (``unit_max['U3']``), which is the
  unit an explanation can switch off with an enforcement literal;
* **levels**: the objective vector, maximised lexicographically in order;
* **declared facts** an engine may use without looking past the arrays: the applicant of each pair
  variable (``pair_applicant``), the pairs' value points (``pair_points``: fit, or pair weights), and
  whether every row is expected to be LP-tight (``lp_tight``).

Pieces (:mod:`matchmaker._pieces`) fill a :class:`ModelBuilder`; :func:`matchmaker._build.build_model`
runs the default ones for a policy.

**Stages.** Levels are grouped into *stages*. Within a stage the levels are merged into one weighted
objective, ``sum(M_l * level_l)``, with ``M_last = 1`` and ``M_l = M_(l+1) * (range_(l+1) + 1)``, where a
level's range is ``hi - lo`` over every plan. One unit of a level then outweighs any change of all later
levels in the stage together, so the merge cannot reorder levels. A stage is closed before the product
of ranges would exceed the engine's limit (:data:`STAGE_LIMIT`, 2**52, for the simplex and CP-SAT),
which keeps every objective value exact in both integer and double arithmetic; no big-M is guessed.
The min-cost flow computes in int64 alone: its stages may be wider (up to 2**62, each merged
coefficient within the flow's limit per arc), and such a stage is marked ``flow_only``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal, Protocol, overload, runtime_checkable

import numpy as np
import numpy.typing as npt

from matchmaker._scoring import Scores
from matchmaker._types import IntArray

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = [
    "STAGE_LIMIT",
    "ConstraintPiece",
    "Group",
    "LazyThresholds",
    "Level",
    "LinearModel",
    "ModelBuilder",
    "Objective",
    "ObjectivePiece",
    "Position",
    "SlackRule",
    "Stage",
    "Threshold",
    "plan_stages",
    "reordered",
    "slot_of",
]


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


def slot_of(position: Position) -> str:
    """The part of the objective vector a level's default position belongs to: ``priority_tiers``
    (1), ``objective`` (1.5, the Irving rank profile, and 3), ``placed`` (2), ``soft`` (2.1-2.9, also
    a repair's ``moved`` level there) or ``lottery`` (4)."""
    if position < 1.5:
        return "priority_tiers"
    if position < 2.0 or 3.0 <= position < 4.0:
        return "objective"
    if position < 2.1:
        return "placed"
    return "soft" if position < 3.0 else "lottery"


def reordered(position: Position, slots: Sequence[str]) -> Position | None:
    """A default position moved to where ``slots`` (``Policy.order``, first first) puts its part, or
    ``None`` when the order leaves the part out. Within a part, levels keep their default order; the
    lottery stays last."""
    slot = slot_of(position)
    if slot == "lottery":
        return 10.0 + (position - 4.0)
    if slot not in slots:
        return None
    offset = {"priority_tiers": position - 1.0, "placed": position - 2.0, "soft": position - 2.0}.get(
        slot, position - 3.0 if position >= 3.0 else 0.0
    )
    return slots.index(slot) + 1.0 + offset


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
    """An integer linear model over pair variables and auxiliary variables; see the module docstring.

    ``scores`` is for the floors above the engines (decoding, explanations); an engine reads only the
    arrays and the declared facts (``pair_applicant``, ``pair_points``, ``lp_tight``).
    """

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
    pair_applicant: IntArray
    pair_points: IntArray
    pieces: tuple[str, ...] = field(default=())
    lp_tight: bool = True

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
        # The pair variables' bounds (0 and 1) are made as arrays at build; only the auxiliaries' are listed.
        self._lb: list[int] = []
        self._ub: list[int] = []
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
        self._lp_tight = True
        self._split_at: Position | None = None
        self._placed_total: int | None = None
        self._slots: tuple[str, ...] | None = None

    def reorder(self, slots: Sequence[str]) -> None:
        """Order the parts of the objective vector as ``slots`` says (see :func:`reordered`), at build."""
        self._slots = tuple(slots)

    def add_var(self, lb: int, ub: int, name: str) -> int:
        """A new auxiliary integer variable; returns its index."""
        self._lb.append(lb)
        self._ub.append(ub)
        self._names.append(name)
        return self.scores.n_pairs + len(self._lb) - 1

    def placed_total(self) -> int:
        """The auxiliary variable ``t`` held equal to the placed count (``sum(x) - t = 0``), made on first
        use and shared by every piece whose rule compares with the overall rate (the municipality
        balance's ``ratio``, the group rules), so that the model keeps one auxiliary variable."""
        if self._placed_total is None:
            n = self.scores.n_pairs
            total = self.add_var(0, self.scores.encoding.n_applicants, "placed_total")
            g = self.add_group("balance_total", "all", "the total placed count", structural=True)
            pairs = np.arange(n, dtype=np.int64)
            self.add_row(g, np.r_[pairs, total], np.r_[np.ones(n, np.int64), -1], 0, 0)
            self._placed_total = total
        return self._placed_total

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

    def declare_not_lp_tight(self) -> None:
        """Declare that some rows are far from LP-tight (the engines then favour combinatorial search)."""
        self._lp_tight = False

    def split_levels_at(self, position: Position) -> None:
        """Make every level at or after ``position`` a stage of its own (never merged with the levels
        before it), for rows over which a merged objective is much harder to prove than its parts."""
        self._split_at = position

    def note_piece(self, name: str) -> None:
        """Record that a piece contributed to the model."""
        self._pieces.append(name)

    def build(self) -> LinearModel:
        """Freeze into a :class:`LinearModel`."""
        empty = np.empty(0, dtype=np.int64)

        def joined(parts: list[IntArray]) -> IntArray:
            return np.concatenate(parts) if parts else empty

        levels = self._levels
        if self._slots is not None:
            slots = self._slots
            placed = ((lv, reordered(lv.position, slots)) for lv in levels)
            # A repair's level ``moved`` is never dropped: with its part left out, it comes last but the lottery.
            levels = [
                replace(lv, position=at if at is not None else len(slots) + 1.5)
                for lv, at in placed
                if at is not None or lv.name == "moved"
            ]
        levels = sorted(levels, key=lambda lv: lv.position)
        if self._split_at is not None:
            levels = [replace(lv, alone=True) if lv.position >= self._split_at else lv for lv in levels]
        lengths = joined(self._row_lengths)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return LinearModel(
            scores=self.scores,
            var_lb=np.r_[np.zeros(self.scores.n_pairs, dtype=np.int64), np.array(self._lb, dtype=np.int64)],
            var_ub=np.r_[np.ones(self.scores.n_pairs, dtype=np.int64), np.array(self._ub, dtype=np.int64)],
            aux_names=tuple(self._names),
            indptr=indptr,
            indices=joined(self._row_indices),
            coefs=joined(self._row_coefs),
            row_lb=joined(self._row_lb),
            row_ub=joined(self._row_ub),
            row_group=joined(self._row_group),
            groups=tuple(self._groups),
            levels=tuple(levels),
            pair_applicant=self.scores.applicant.astype(np.int64),
            pair_points=self.scores.value_points.astype(np.int64, copy=False),
            pieces=tuple(self._pieces),
            lp_tight=self._lp_tight,
        )


class ConstraintPiece(Protocol):
    """A named, switchable set of constraint groups."""

    name: str

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """Add this piece's groups and rows."""


@runtime_checkable
class SlackRule(ConstraintPiece, Protocol):
    """A constraint piece that may be left out of a first solve and checked after it (:mod:`matchmaker._lift`).

    ``group_kinds``: the kinds of the groups its rows are in (and only its rows)."""

    group_kinds: frozenset[str]

    def only_rows(self, problem: Problem) -> bool:
        """``True`` when, for ``problem``, the piece adds rows (and the auxiliaries they define) but no
        level: a plan optimal without them that meets them is optimal with them."""


class ObjectivePiece(Protocol):
    """A named contributor of one or more objective levels."""

    name: str

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """Add this piece's levels, in order."""


class LazyThresholds(Sequence[Threshold]):
    """The thresholds of a level, made one at a time on demand: ``make(i)`` is the ``i``-th best.

    A bottleneck level may have many candidate values; a binary search reads only a few of them.
    """

    def __init__(self, count: int, make: Callable[[int], Threshold]) -> None:
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> Threshold: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Threshold]: ...
    def __getitem__(self, i: int | slice) -> Threshold | Sequence[Threshold]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -self._count <= i < self._count:
            raise IndexError(i)
        return self._make(i % self._count)


@dataclass(frozen=True, eq=False)
class Objective:
    """``sum(coefs * var[indices])``, always maximised.

    ``flow_only`` marks a merged stage whose range is beyond what the simplex and CP-SAT take exactly
    (:data:`STAGE_LIMIT`): only the min-cost flow may solve it, and a session
    that cannot answers :data:`SPLIT_STAGE` so that the stage is planned again in smaller parts.
    """

    indices: IntArray
    coefs: IntArray
    flow_only: bool = False

    def value(self, values: IntArray) -> int:
        """The objective's value for a full vector of variable values."""
        return int(np.dot(self.coefs, values[self.indices]))


#: The largest combined range of one stage's merged objective.
STAGE_LIMIT = 2**52


@dataclass(frozen=True, eq=False)
class Stage:
    """Consecutive levels merged into one maximised objective with the given multipliers."""

    levels: tuple[int, ...]
    multipliers: tuple[int, ...]
    objective: Objective


def _ascending(indices: IntArray) -> bool:
    """Whether ``indices`` are strictly ascending (so each variable appears once)."""
    return indices.size < 2 or bool(np.all(indices[1:] > indices[:-1]))


def _merge(levels: tuple[Level, ...], members: list[int], mults: list[int], *, flow_only: bool = False) -> Objective:
    idx_parts = []
    coef_parts = []
    for li, m in zip(members, mults, strict=True):
        lv = levels[li]
        sign = 1 if lv.sense == "max" else -1
        idx_parts.append(lv.indices)
        coef_parts.append(lv.coefs * np.int64(sign * m))
    if not idx_parts:
        return Objective(np.empty(0, np.int64), np.empty(0, np.int64), flow_only)
    total = sum(part.size for part in idx_parts)
    width = max((int(part[-1]) + 1 for part in idx_parts if part.size), default=0)
    if len(idx_parts) > 1 and width <= 4 * total and all(_ascending(part) for part in idx_parts):
        # Each level's indices strictly ascending (as pair levels are): the terms summed in place over
        # the variables, without sorting the concatenation. The same sums (int64 addition commutes
        # even where it wraps), the same ascending indices, the same zeros dropped.
        acc = np.zeros(width, dtype=np.int64)
        for part, cf_part in zip(idx_parts, coef_parts, strict=True):
            acc[part] += cf_part
        kept = np.flatnonzero(acc)
        return Objective(kept.astype(np.int64), acc[kept], flow_only)
    idx = np.concatenate(idx_parts)
    cf = np.concatenate(coef_parts)
    order = np.argsort(idx, kind="stable")
    idx, cf = idx[order], cf[order]
    if idx.size == 0:
        return Objective(idx, cf, flow_only)
    starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
    summed = np.add.reduceat(cf, starts)
    keep = summed != 0
    return Objective(idx[starts][keep].astype(np.int64), summed[keep].astype(np.int64), flow_only)


def plan_stages(
    levels: tuple[Level, ...], limit: int = STAGE_LIMIT, coef_limit: int | None = None, start: int = 0
) -> list[Stage]:
    """Group ``levels[start:]`` into as few stages as the exactness limits allow; a threshold level,
    and a level marked ``alone``, is a stage of its own.

    ``limit`` bounds the product of a stage's level ranges (so its objective values stay exact);
    ``coef_limit``, when given, also bounds the largest coefficient of the merged objective (the
    network-flow engine's limit, which is per arc: far below the range product at scale). A stage
    wider than :data:`STAGE_LIMIT` is marked ``flow_only`` (see :class:`Objective`)."""
    groups: list[list[int]] = []
    current: list[int] = []
    product = 1
    largest = 0  # a bound on the merged objective's largest absolute coefficient
    for i in range(start, len(levels)):
        lv = levels[i]
        if lv.kind == "threshold" or lv.alone:
            if current:
                groups.append(current)
            groups.append([i])
            current, product, largest = [], 1, 0
            continue
        span = lv.hi - lv.lo + 1
        own = int(np.abs(lv.coefs).max(initial=0))
        if current and (product * span > limit or (coef_limit is not None and largest * span + own > coef_limit)):
            groups.append(current)
            current, product, largest = [], 1, 0
        current.append(i)
        product *= span
        largest = largest * span + own
    if current:
        groups.append(current)
    stages: list[Stage] = []
    for members in groups:
        mults = [1] * len(members)
        for k in range(len(members) - 2, -1, -1):
            nxt = levels[members[k + 1]]
            mults[k] = mults[k + 1] * (nxt.hi - nxt.lo + 1)
        wide = len(members) > 1 and mults[0] * (levels[members[0]].hi - levels[members[0]].lo + 1) > STAGE_LIMIT
        stages.append(Stage(tuple(members), tuple(mults), _merge(levels, members, mults, flow_only=wide)))
    return stages
