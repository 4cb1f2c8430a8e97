"""Side constraints through one integer: a model that becomes a network once one variable is fixed.

The municipality rule of ``balance = {"mode": "ratio"}`` (each municipality's fill rate at least a
share of the overall rate) couples every pair through one auxiliary integer, the total placed ``t``:
``q O placed_m - p O_m t >= 0`` and ``sum(x) - t = 0``. For a fixed ``t = P`` each such row is a lower
bound ``placed_m >= ceil(p O_m P / (q O))`` on a municipality's pairs and ``sum(x) = P`` a row over all
pairs: the model is a network again (:mod:`matchmaker._engines.flow`), solved in milliseconds. The same
holds for any model with one auxiliary variable whose rows have one coefficient on all their pairs,
which is what :func:`substitute` checks, from the arrays.

The first stage of the objective vector is ``max c.x`` over the union of these networks. Its LP
relaxation (GLOP) gives duals ``y``; for *any* ``y``, weak duality bounds every plan:
``c.x <= sum_r max(y_r lb_r, y_r ub_r) + sum_j max(d_j lb_j, d_j ub_j)`` with ``d = c - A^T y``,
evaluated here in exact rational arithmetic (:func:`dual_bound`), so floating point can only make the
bound weaker, never wrong. The networks for ``P`` near the LP's ``t`` are then solved; a plan whose
stage value reaches the bound's floor is optimal for the first stage. When the first stage also holds
the placed count (``t`` itself), its value fixes ``P``, and every later stage lives in that one
network. When it leaves ``t`` free (the maximum-weight order), the relaxed networks of
:func:`flow_bounds` must also prove that no other ``P`` reaches the optimum before the later stages are
solved in one network. When the bound is not reached within a few values of ``P``, the caller goes on to CP-SAT,
hinted with the best plan found.

The networks at every ``t`` differ only in their row bounds: :class:`Substitution` builds their arrays,
constraint matrix and network once per model, and each value costs its row bounds and its flow.
"""

from __future__ import annotations

import dataclasses
import heapq
import logging
import weakref
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from matchmaker._engines.flow import Network, network_of, solve_network
from matchmaker._engines.lp import Certificate, LpSession, verify
from matchmaker._linear import Level, LinearModel, plan_stages
from matchmaker._options import SolveOptions
from matchmaker._types import IntArray

__all__ = [
    "ByParameter",
    "Substitution",
    "by_parameter",
    "dual_bound",
    "flow_bounds",
    "is_placed_row",
    "parameter_of",
    "relaxed_range",
    "row_bound",
    "substitute",
    "substitution",
]

logger = logging.getLogger("matchmaker.engines.parametric")

#: Duals are rounded to multiples of 2**-_DUAL_BITS before the exact evaluation.
_DUAL_BITS = 24


def parameter_of(model: LinearModel) -> int | None:
    """The index of the model's one auxiliary variable, if it has exactly one and no level uses it."""
    if model.n_vars != model.n_pairs + 1:
        return None
    t = model.n_pairs
    for level in model.levels:
        if level.kind != "linear" or level.evaluate is not None or (level.indices.size and level.indices.max() >= t):
            return None
    return t


class Substitution:
    """The models of :func:`substitute` at every value of ``model``'s one auxiliary variable, built once:
    they differ only in their row bounds, so a value costs its row bounds alone, and every value shares
    one constraint matrix and one network (:func:`matchmaker._engines.flow.network_of`)."""

    def __init__(self, model: LinearModel, t: int) -> None:
        # no reference to ``model`` itself: it keys this object's weak cache entry
        self.t = t
        self._t_range = (int(model.var_lb[t]), int(model.var_ub[t]))
        sizes = np.diff(model.indptr)
        row_of = np.repeat(np.arange(model.n_rows, dtype=np.int64), sizes)
        aux = model.indices == t
        b = np.zeros(model.n_rows, dtype=np.int64)
        np.add.at(b, row_of[aux], model.coefs[aux])
        pair_rows = row_of[~aux]
        pair_coefs = model.coefs[~aux]
        lo = np.full(model.n_rows, np.iinfo(np.int64).max, dtype=np.int64)
        hi = np.full(model.n_rows, np.iinfo(np.int64).min, dtype=np.int64)
        np.minimum.at(lo, pair_rows, pair_coefs)
        np.maximum.at(hi, pair_rows, pair_coefs)
        pair_count = np.bincount(pair_rows, minlength=model.n_rows)
        has_pairs = pair_count > 0
        #: Whether every row has one coefficient on all its pairs (else no value gives a network).
        self.valid = not np.any(has_pairs & ((lo != hi) | (lo == 0)))
        # Python integers: a bound minus the parameter's part may leave int64
        self._lb = model.row_lb.tolist()
        self._ub = model.row_ub.tolist()
        self._b = b.tolist()
        self._lone = np.flatnonzero(~has_pairs).tolist()  # rows over t alone
        self._kept = np.flatnonzero(has_pairs)
        kept = self._kept.tolist()
        self._kept_rows = list(zip(kept, lo[self._kept].tolist(), pair_count[self._kept].tolist(), strict=True))
        entry_keep = ~aux & has_pairs[row_of]
        indptr = np.zeros(self._kept.size + 1, dtype=np.int64)
        np.cumsum(pair_count[self._kept], out=indptr[1:])
        self.model = dataclasses.replace(
            model,
            var_lb=model.var_lb[:t].copy(),
            var_ub=model.var_ub[:t].copy(),
            aux_names=(),
            indptr=indptr,
            indices=model.indices[entry_keep].copy(),
            coefs=np.ones(int(entry_keep.sum()), dtype=np.int64),
            row_lb=np.zeros(self._kept.size, dtype=np.int64),
            row_ub=np.zeros(self._kept.size, dtype=np.int64),
            row_group=model.row_group[self._kept].copy(),
        )
        self._a_int: sp.csr_matrix | None = None
        self._network: tuple[Network | None] | None = None

    def bounds(self, value: int) -> tuple[IntArray, IntArray] | None:
        """The row bounds of the model at ``value`` (each row divided by its pair coefficient), or
        ``None`` if ``value`` is outside the variable's bounds or a row without pairs cannot hold."""
        if not self.valid or not self._t_range[0] <= value <= self._t_range[1]:
            return None
        lb, ub, b = self._lb, self._ub, self._b
        for r in self._lone:  # rows over t alone: they hold or the value is out
            if not lb[r] - b[r] * value <= 0 <= ub[r] - b[r] * value:
                return None
        row_lb = np.zeros(len(self._kept_rows), dtype=np.int64)
        row_ub = np.zeros(len(self._kept_rows), dtype=np.int64)
        for k, (r, a, count) in enumerate(self._kept_rows):
            low, high = lb[r] - b[r] * value, ub[r] - b[r] * value
            first, second = (low, high) if a > 0 else (high, low)
            # a row over pairs only counts 0..size: clip before storing in int64
            row_lb[k] = max(-((-first) // a), 0)  # ceil(first / a)
            row_ub[k] = min(second // a, count)  # floor(second / a)
        return row_lb, row_ub

    def relaxed(self, low: int, high: int) -> tuple[IntArray, IntArray] | None:
        """The row bounds of :func:`relaxed_range` from ``low`` to ``high``."""
        at_low, at_high = self.bounds(low), self.bounds(high)
        if at_low is None or at_high is None:
            return None
        return np.minimum(at_low[0], at_high[0]), np.maximum(at_low[1], at_high[1])

    def at(self, value: int) -> LinearModel | None:
        """The model at ``value`` (arrays of its own: a caller may keep it beyond this object)."""
        got = self.bounds(value)
        if got is None:
            return None
        m = self.model
        return dataclasses.replace(
            m,
            var_lb=m.var_lb.copy(),
            var_ub=m.var_ub.copy(),
            indptr=m.indptr.copy(),
            indices=m.indices.copy(),
            coefs=m.coefs.copy(),
            row_lb=got[0],
            row_ub=got[1],
            row_group=m.row_group.copy(),
        )

    def fits_up_to(self, activity: IntArray, value: int) -> int | None:
        """The largest ``t`` at which a plan with these row activities (the source model's, at ``t =
        value``) keeps every limit its inequality rows set on ``t`` from above (``None``: no such row).
        The search splits a range there: a plan of the most placed that breaks a rate rule often shows
        how far the count must fall."""
        top: int | None = None
        lb, ub, b = self._lb, self._ub, self._b
        act = activity.tolist()
        for r in range(len(b)):
            br = b[r]
            if br == 0 or lb[r] == ub[r]:
                continue
            pairs = act[r] - br * value
            low, high = lb[r] - pairs, ub[r] - pairs  # low <= br * t <= high
            limit = high // br if br > 0 else (-low) // (-br)
            top = limit if top is None else min(top, limit)
        return top

    @property
    def a_int(self) -> sp.csr_matrix:
        """The shared constraint matrix (pairs only, 0/1), made when first needed."""
        if self._a_int is None:
            m = self.model
            self._a_int = sp.csr_matrix((m.coefs, m.indices, m.indptr), shape=(m.n_rows, m.n_vars))
        return self._a_int

    @property
    def network(self) -> Network | None:
        """The shared network of every value's model, or ``None`` if they are not networks."""
        if self._network is None:
            self._network = (network_of(self.model, self.a_int),)
        return self._network[0]

    def flow(self, c: IntArray, row_lb: IntArray, row_ub: IntArray) -> Certificate | str:
        """``max c.x`` on the shared network with these row bounds, certified exactly as
        :meth:`matchmaker._engines.lp.LpSession.flow_certificate` does, or why there is no certificate."""
        net = self.network
        if net is None:
            return "NOT_A_NETWORK"
        m = self.model
        got = solve_network(net, c, m.var_lb, m.var_ub, row_lb, row_ub)
        if isinstance(got, str):
            return got
        cert = verify(self.a_int, c, m.var_lb, m.var_ub, row_lb, row_ub, *got)
        return "UNVERIFIED" if cert is None else cert


#: Each model's substitution, built once (the search over ``t`` asks for many values of one model).
_SUBSTITUTIONS: weakref.WeakKeyDictionary[LinearModel, Substitution | None] = weakref.WeakKeyDictionary()


def substitution(model: LinearModel) -> Substitution | None:
    """The :class:`Substitution` of ``model``, or ``None`` without exactly one auxiliary variable."""
    if model not in _SUBSTITUTIONS:
        t = parameter_of(model)
        _SUBSTITUTIONS[model] = None if t is None else Substitution(model, t)
    return _SUBSTITUTIONS[model]


def substitute(model: LinearModel, value: int) -> LinearModel | None:
    """``model`` with its one auxiliary variable fixed to ``value`` and every row divided by its pair
    coefficient: a model over pairs only with 0/1 rows, or ``None`` if some row has two different pair
    coefficients, or a row without pairs cannot hold."""
    sub = substitution(model)
    return None if sub is None else sub.at(value)


def is_placed_row(model: LinearModel) -> bool:
    """Whether a row says ``sum(all pairs) - t = 0``: then ``t`` is the placed count."""
    t = parameter_of(model)
    if t is None:
        return False
    n = model.n_pairs
    for r in range(model.n_rows):
        idx, cf = model.row(r)
        if idx.size != n + 1 or model.row_lb[r] != 0 or model.row_ub[r] != 0:
            continue
        pairs = idx != t
        if np.array_equal(np.sort(idx[pairs]), np.arange(n)) and np.all(cf[pairs] == 1) and np.all(cf[~pairs] == -1):
            return True
    return False


def places_everyone_counted(level: Level, n_pairs: int) -> bool:
    """Whether ``level`` is ``sum(x)`` over every pair (the placed count)."""
    return (
        level.kind == "linear"
        and level.indices.size == n_pairs
        and np.array_equal(np.sort(level.indices), np.arange(n_pairs))
        and bool(np.all(level.coefs == 1))
    )


def dual_bound(
    a_int: sp.csr_matrix,
    c: IntArray,
    var_lb: IntArray,
    var_ub: IntArray,
    row_lb: IntArray,
    row_ub: IntArray,
    y_float: npt.NDArray[np.float64],
) -> int | None:
    """``floor`` of the weak-duality bound on ``max c.x`` given by duals ``y_float`` (either sign
    convention: the better of the two), computed exactly; ``None`` if a dual meets an infinite bound."""
    best: int | None = None
    scale = 1 << _DUAL_BITS
    col_weight = np.bincount(a_int.indices, weights=np.abs(a_int.data), minlength=a_int.shape[1])
    for sign in (1.0, -1.0):
        ys = sign * y_float * scale
        if ys.size and (not np.all(np.isfinite(ys)) or float(np.abs(ys).max()) >= 2.0**62):
            continue
        y = np.rint(ys).astype(np.int64)
        weight = float(col_weight.max(initial=0))
        top = float(np.abs(y).max(initial=0)) * weight + float(np.abs(c).max(initial=0)) * scale
        if top >= 2.0**62:  # d would not fit in int64: give up on this bound
            continue
        d = c * scale - (a_int.T @ y)
        used_rows = np.where(y > 0, row_ub, np.where(y < 0, row_lb, 0)).astype(np.float64)
        used_vars = np.where(d > 0, var_ub, var_lb).astype(np.float64)
        if (
            float(np.abs(y * used_rows).max(initial=0)) >= 2.0**62
            or float(np.abs(d * used_vars).max(initial=0)) >= 2.0**62
        ):
            continue  # a dual on a (practically) unbounded side: no useful finite bound
        row_part = np.where(y > 0, y * row_ub, np.where(y < 0, y * row_lb, 0))
        var_part = np.where(d > 0, d * var_ub, d * var_lb)
        # every term fits in int64; their sum may not: add them as Python integers
        total = sum(row_part.tolist()) + sum(var_part.tolist())
        bound = total // scale  # floor of total / scale
        if best is None or bound < best:
            best = bound
    return best


@dataclasses.dataclass(frozen=True, eq=False)
class ByParameter:
    """What :func:`by_parameter` found: the network ``model`` at ``value`` of the parameter, whether
    its first stage is ``proven`` optimal for the whole model (it reached ``bound``), and the best plan
    of the whole model it saw (pairs and the parameter), for a hint when not proven."""

    model: LinearModel
    value: int
    proven: bool
    bound: int
    stage_value: int
    plan: IntArray
    tried: int
    #: What bounded the search: ``"lp"`` (GLOP's duals, evaluated exactly) or ``"flow"`` (relaxed networks).
    bound_by: str = "lp"


def relaxed_range(model: LinearModel, low: int, high: int) -> LinearModel | None:
    """A network over pairs whose plans include every plan of :func:`substitute` at each ``t`` from ``low``
    to ``high``: each row's bounds the loosest of its bounds at the two ends (a row's bounds are monotone
    in ``t``, each a rounded linear function of it), and the placed row ``low <= sum(x) <= high``. Its
    optimum bounds the first stage over the whole range; at ``low == high`` it is the network at that
    value. ``None`` where :func:`substitute` fails at an end."""
    sub = substitution(model)
    bounds = None if sub is None else sub.relaxed(low, high)
    if sub is None or bounds is None:
        return None
    return dataclasses.replace(sub.model, row_lb=bounds[0], row_ub=bounds[1])


def row_bound(cert: Certificate, bounds: tuple[IntArray, IntArray], tighter: tuple[IntArray, IntArray]) -> int:
    """The weak-duality bound from ``cert``'s duals (optimal within row bounds ``bounds``) on ``max c.x``
    within row bounds ``tighter`` and the same variable bounds, exactly: at an optimum the variables'
    part of the bound is ``cert.value`` less the rows' part, and only the rows' part changes."""

    def rows(lb: IntArray, ub: IntArray) -> int:
        # Python integers: a dual times a bound may leave int64
        return sum(y * (u if y > 0 else lo) for y, lo, u in zip(cert.y.tolist(), lb.tolist(), ub.tolist(), strict=True))

    return cert.value - rows(*bounds) + rows(*tighter)


def flow_bounds(
    model: LinearModel,
    options: SolveOptions,
    c: IntArray,
    low: int,
    high: int,
    *,
    max_nodes: int = 60,
    ties: bool = False,
) -> ByParameter | None:
    """The first stage by branch and bound over ``t`` with min-cost flows alone (no LP): a node is a range
    of ``t``, its bound the certified optimum of :func:`relaxed_range`. A node whose relaxed plan, at its
    own placed count ``P``, keeps the network at ``P`` reaches its bound and is settled; one whose
    relaxation has no plan is closed; else the range splits at ``P`` (or, with ``P`` at the top, in
    halves, or where that plan stops keeping the rules: see below). Each part is bounded by the range's
    duals over the part's own row bounds (:func:`row_bound`), and closed at once if a plan reaches that.
    Nodes are taken best bound first, so the search ends when no open bound beats the best plan.
    ``None`` if a flow cannot be certified or nothing is found within ``max_nodes``; the result is
    ``proven`` only when no open node's bound beats the best plan.

    With ``ties`` (a first stage that does not hold the placed count, such as the maximum-weight
    order's total weight), the later stages may only be solved at one ``t`` if no other ``t`` reaches
    the optimum too: a node is then closed only when its bound is below the best plan, a settled
    range's values other than its ``P`` stay open, and the result is ``proven`` only when exactly one
    ``t`` reaches the optimum."""
    best: ByParameter | None = None
    tied: set[int] = set()  # with ties: every t whose network reaches the best stage value

    def beaten(bound: int) -> bool:
        """Whether a range bounded by ``bound`` can be closed against the best plan."""
        return best is not None and (bound < best.stage_value if ties else bound <= best.stage_value)

    # (-bound of the parent, -high, low, high): the best bound first, and of equal bounds the higher range
    heap: list[tuple[int, int, int, int]] = [(0, -high, low, high)]
    nodes = 0
    a_int = sp.csr_matrix((model.coefs, model.indices, model.indptr), shape=(model.n_rows, model.n_vars))
    sub = substitution(model)
    if sub is None:
        return None

    def push(parent: Certificate, bounds: tuple[IntArray, IntArray], part_low: int, part_high: int) -> None:
        """Open the part ``[part_low, part_high]`` of a solved range, bounded by the range's duals."""
        if part_low > part_high:
            return
        part = sub.relaxed(part_low, part_high)
        bound = parent.value if part is None else min(parent.value, row_bound(parent, bounds, part))
        if not beaten(bound):
            heapq.heappush(heap, (-bound, -part_high, part_low, part_high))

    while heap and nodes < max_nodes:
        entry = heapq.heappop(heap)
        parent, _, a, b = entry
        if beaten(-parent):
            heapq.heappush(heap, entry)
            break  # every open range is bounded by a plan already found
        nodes += 1
        relaxed = sub.relaxed(a, b)
        if relaxed is None:
            return None
        got = sub.flow(c, *relaxed)
        logger.debug(
            "range [%d, %d] (bound %d): %s",
            a,
            b,
            -parent,
            got if isinstance(got, str) else (got.value, int(got.x.sum())),
        )
        if got == "NOT_A_NETWORK":
            return None
        if isinstance(got, str):
            if got == "INFEASIBLE":
                continue  # no plan for any t in the range
            logger.debug("flow bound on [%d, %d]: %s", a, b, got)
            return None
        if beaten(got.value):
            continue
        placed = int(got.x.sum())
        full = np.r_[got.x, placed].astype(np.int64)
        activity = a_int @ full
        if np.all(activity >= model.row_lb) and np.all(activity <= model.row_ub):
            # a plan of the whole model at t = placed, as good as the range's bound: the range is settled
            at = substitute(model, placed)
            if at is None:  # pragma: no cover - the plan keeps every row at this t
                return None
            if best is None or got.value > best.stage_value:
                best = ByParameter(at, placed, False, 0, got.value, full, 0, "flow")
                tied = {placed}
            else:
                tied.add(placed)
            if ties:
                # the range's other values may reach the same value: they stay open, bounded by it
                for part_low, part_high in ((a, placed - 1), (placed + 1, b)):
                    push(got, relaxed, part_low, part_high)
            continue
        if a == b:  # pragma: no cover - at one value the relaxation is the network itself
            return None
        # Split at the relaxed plan's placed count; at an end of the range (where splitting there would
        # peel off one value at a time), in halves.
        split = placed if a < placed < b else (a + b) // 2 + 1
        parts = [(a, split - 1), (split, b)]
        # A first stage that holds the placed count, whose plan at the top breaks a rule that caps t
        # high in the range: the values above where the plan stops keeping the rules often have no
        # plan at all (a cheap flow says so), and the top value alone is tried at once. Otherwise
        # (the limit low in the range, or the value free of the count) that would peel off one value
        # at a time.
        fits = sub.fits_up_to(activity, placed) if placed == b and not ties else None
        if fits is not None and (a + b) // 2 <= fits < b:
            parts = [(a, fits), (fits + 1, b - 1), (b, b)]
        for part_low, part_high in parts:
            push(got, relaxed, part_low, part_high)
    if best is None:
        return None
    bound = max([best.stage_value, *(-entry[0] for entry in heap)])  # open ranges' own bounds
    open_left = any(not beaten(-entry[0]) for entry in heap)
    proven = not open_left and (len(tied) == 1 if ties else True)
    logger.debug(
        "flow bounds: best %d at t=%d after %d nodes (%s; %d values of t reach it)",
        best.stage_value,
        best.value,
        nodes,
        "proven" if proven else "not proven",
        len(tied),
    )
    return dataclasses.replace(best, proven=proven, bound=bound, tried=nodes)


def aggregated_relaxation(
    lp: LpSession, objective: IntArray, drop: npt.NDArray[np.bool_], time_limit: float | None
) -> tuple[float, npt.NDArray[np.float64]] | None:
    """Duals from a smaller LP: the rows marked ``drop`` are left out (a relaxation, so its optimum is
    still an upper bound) and columns that are then alike (the same rows and coefficients, the same
    objective coefficient and bounds) are merged into one with summed bounds. Returns the merged
    LP's value of the last variable (the parameter) and its row duals as duals of the whole model
    (0 on the dropped rows). Whether they bound anything is for :func:`dual_bound` to say, exactly:
    any duals give a valid bound, so neither the relaxation nor a merge can make a bound wrong."""
    keep = np.flatnonzero(~drop)
    a_keep = lp.a_float[keep]
    cols = a_keep.T.tocsr()
    rng = np.random.default_rng(20261123)
    w1 = rng.random(keep.size)
    w2 = rng.random(keep.size)
    var_lb, var_ub = lp.var_lb, lp.var_ub
    key = np.stack(
        [cols @ w1, cols @ w2, objective.astype(np.float64), var_lb.astype(np.float64), var_ub.astype(np.float64)],
        axis=1,
    )
    key[-1, :] = np.nan  # the parameter keeps a column of its own
    _, first, inverse = np.unique(np.nan_to_num(key, nan=-1.0), axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    reps = first.astype(np.int64)
    t_group = int(inverse[-1])
    lb_sum = np.bincount(inverse, weights=var_lb.astype(np.float64), minlength=reps.size)
    ub_sum = np.bincount(inverse, weights=var_ub.astype(np.float64), minlength=reps.size)
    helper = mbh.ModelBuilderHelper()
    fill: Any = helper.fill_model_from_sparse_data
    fill(
        lb_sum,
        ub_sum,
        objective[reps].astype(np.float64),
        lp.row_lb[keep].astype(np.float64),
        lp.row_ub[keep].astype(np.float64),
        a_keep.tocsc()[:, reps].tocsr(),
    )
    helper.set_maximize(True)
    solver = mbh.ModelSolverHelper("glop")
    if time_limit is not None:
        solver.set_time_limit_in_seconds(max(time_limit, 0.001))
    solver.solve(helper)
    if solver.status() != mbh.SolveStatus.OPTIMAL:
        return None
    y = np.zeros(lp.model.n_rows, dtype=np.float64)
    y[keep] = np.asarray(solver.dual_values(), dtype=np.float64)
    centre = float(np.asarray(solver.variable_values(), dtype=np.float64)[t_group])
    return centre, y


def by_parameter(
    model: LinearModel,
    options: SolveOptions,
    *,
    max_nodes: int = 60,
    price_above: int = 20_000,
    per_applicant: int = 10,
    aggregate: bool = True,
    below: int = 8,
    by_flow: bool | None = None,
) -> ByParameter | None:
    """Solve the first stage of ``model`` exactly by branch and bound over its one auxiliary variable
    ``t`` (see the module docstring); ``None`` where the method does not apply.

    A node is a range of ``t``. Its bound is the exact weak-duality bound from GLOP's duals on the
    whole model with ``t`` in the range; a single value is solved exactly as a network. The range
    first shrinks to the LP's own extremes of ``t`` (proven the same way), inside which every node's LP
    is feasible. A node whose bound does not beat the best plan is closed; else the flow solves the
    value nearest the LP's ``t`` (and, while that network has no plan, up to ``below``
    values under it) and the two sides become nodes. The first stage is proven when no node
    is left open; ``max_nodes`` caps the work (the best plan then becomes a hint).

    Above ``price_above`` pairs each LP is solved by column generation
    (:meth:`~matchmaker._engines.lp.LpSession.priced_relaxation`), starting from each applicant's
    ``per_applicant`` best pairs by fit: the bound holds for any duals, so the master's duals suffice
    once no column prices out. Before any of that, with ``aggregate``, a cheaper relaxation is tried
    (:func:`aggregated_relaxation`, supervisor rows left out) at the same size threshold."""
    t = parameter_of(model)
    if t is None or not is_placed_row(model):
        return None
    n = model.n_pairs
    stages = plan_stages(model.levels, LpSession.stage_limit)
    if not stages:
        return None
    first = stages[0]
    fixes = any(places_everyone_counted(model.levels[i], n) for i in first.levels)
    lo, hi = int(model.var_lb[t]), int(model.var_ub[t])
    sub = substitution(model)
    if sub is None or sub.bounds(lo) is None or sub.network is None:
        return None
    c_full = np.zeros(model.n_vars, dtype=np.int64)
    c_full[first.objective.indices] = first.objective.coefs
    c = c_full[:n]
    if not fixes:
        # The first stage leaves the placed count free (the maximum-weight order): the later stages live
        # in one network only if one placed count alone reaches the optimum, which the flows prove.
        return flow_bounds(model, options, c, lo, hi, max_nodes=max_nodes, ties=True)
    lp = LpSession(model, options)
    only_t = np.zeros(model.n_vars, dtype=np.int64)
    only_t[t] = 1
    if by_flow if by_flow is not None else n > price_above:
        # Flows alone first: at scale an LP over every pair costs far more than a few dozen flows.
        flowed = flow_bounds(model, options, c, lo, hi, max_nodes=max_nodes)
        if flowed is not None and flowed.proven:
            return flowed

    start: npt.NDArray[np.bool_] | None = None
    if n > price_above:
        order = np.lexsort((-model.pair_points, model.pair_applicant))  # by applicant, best fit first
        grouped = model.pair_applicant[order]
        first_of = np.r_[0, np.flatnonzero(grouped[1:] != grouped[:-1]) + 1]
        position = np.arange(n) - np.repeat(first_of, np.diff(np.r_[first_of, n]))
        start = np.zeros(model.n_vars, dtype=bool)
        start[order[position < per_applicant]] = True
        start[t] = True

    def relax(objective: IntArray) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
        if start is not None:
            priced = lp.priced_relaxation(objective, options.time_limit, start)
            if priced is not None:
                return priced
        return lp.relaxation(objective, options.time_limit)

    def lp_bound(objective: IntArray, a: int, b: int) -> tuple[int, float] | None:
        lp.var_lb[t], lp.var_ub[t] = a, b
        try:
            relaxed = relax(objective)
        finally:
            lp.var_lb[t], lp.var_ub[t] = int(model.var_lb[t]), int(model.var_ub[t])
        if relaxed is None:
            return None
        lp.var_lb[t], lp.var_ub[t] = a, b
        try:
            bound = dual_bound(lp.a_int, objective, *lp.bounds, relaxed[1])
        finally:
            lp.var_lb[t], lp.var_ub[t] = int(model.var_lb[t]), int(model.var_ub[t])
        return None if bound is None else (bound, float(relaxed[0][t]))

    best: ByParameter | None = None

    def leaf(value: int) -> bool:
        """Solve the network at ``value``; whether it has no plan at all (the flow says infeasible)."""
        nonlocal best
        bounds = sub.bounds(value)
        if bounds is None:
            return True
        got = sub.flow(c, *bounds)
        if not isinstance(got, Certificate):
            logger.debug("parameter %d: %s", value, got)
            return got == "INFEASIBLE"
        at = sub.at(value)
        if at is not None and (best is None or got.value > best.stage_value):
            plan = np.r_[got.x, value].astype(np.int64)
            best = ByParameter(at, value, False, 0, got.value, plan, 0)
        return False

    def descend(value: int, floor: int) -> int:
        """Solve ``value`` and, while the network has no plan, the values below it down to ``floor`` (at
        most ``below`` of them: each a flow, far cheaper than an LP bound); returns the lowest value solved.
        Rounding up a group's least count (a rate rule at the placed count) often leaves the values
        just below the LP's ``t`` without a plan."""
        low = value
        while leaf(low) and low > floor and value - low + 1 < below:
            low -= 1
        return low

    # First a cheap bound: the LP without the supervisor rows, alike pairs merged (a relaxation), and
    # the network at its t. When the supervisors' capacities do not bind, that settles it.
    nodes = 0
    drop = np.array([model.groups[g].kind == "supervisor_capacity" for g in model.row_group.tolist()], dtype=bool)
    if aggregate and drop.any() and n > price_above:
        cheap = aggregated_relaxation(lp, c_full, drop, options.time_limit)
        if cheap is not None:
            bound = dual_bound(lp.a_int, c_full, *lp.bounds, cheap[1])
            nodes = 1
            if bound is not None:
                leaf(min(max(round(cheap[0]), lo), hi))
                if best is not None and best.stage_value >= bound:
                    return _finish(best, True, bound, nodes)
    # The root: one LP over the whole range and the network at its t. Usually that settles it.
    root = lp_bound(c_full, lo, hi)
    if root is None:
        return None
    overall, centre = root
    nodes += 1
    mid = min(max(round(centre), lo), hi)
    low = descend(mid, lo)
    if best is not None and best.stage_value >= overall:
        return _finish(best, True, overall, nodes)
    # Else shrink the range to the LP's own extremes of t (inside them every node's LP is feasible)
    # and branch.
    top = lp_bound(only_t, lo, hi)
    bottom = lp_bound(-only_t, lo, hi)
    if top is None or bottom is None:
        return None if best is None else _finish(best, False, overall, nodes)
    hi, lo = min(hi, top[0]), max(lo, -bottom[0])
    # the root's two sides (its own value is solved)
    open_ranges = [(a, b) for a, b in ((lo, min(hi, low - 1)), (max(lo, mid + 1), hi)) if a <= b]
    while open_ranges and nodes < max_nodes:
        a, b = open_ranges.pop()
        nodes += 1
        if a == b:
            leaf(a)
            continue
        got = lp_bound(c_full, a, b)
        if got is None:
            open_ranges.append((a, b))  # undecided: stop here, not proven
            break
        bound, centre = got
        if best is not None and bound <= best.stage_value:
            continue
        mid = min(max(round(centre), a), b)
        low = descend(mid, a)
        if best is not None and bound <= best.stage_value:
            continue
        if mid + 1 <= b:
            open_ranges.append((mid + 1, b))
        if a <= low - 1:
            open_ranges.append((a, low - 1))
    if best is None:
        return None
    return _finish(best, not open_ranges, overall, nodes)


def _finish(best: ByParameter, proven: bool, bound: int, nodes: int) -> ByParameter:
    logger.debug(
        "by parameter: best %d at t=%d, bound %d, after %d nodes (%s)",
        best.stage_value,
        best.value,
        bound,
        nodes,
        "proven" if proven else "not proven",
    )
    return dataclasses.replace(best, proven=proven, bound=bound, tried=nodes)
