"""The network-flow engine: OR-Tools' min-cost flow, certified by the LP engine's exact check.

When every row of a model is a ``0 <= lb <= sum(var) <= ub`` over pair variables, and the rows split
into two laminar families, one within each applicant (one place per applicant, pins) and one across
applicants (supervisor capacity within unit within municipality), the model *is* a network: a
circulation through a root node, down the applicant-side tree to the pair arcs and up the other tree
back to the root. Each row is one arc whose flow is the row's activity, each pair variable one arc.
That is the issue's "pure network" (capacities at nested levels, forbidden and pinned pairs, linear
levels such as tiers, placed, total fit and the lottery), found from the model's arrays rather than from
the policy, so every linear objective over such a model qualifies.

One stage is one min-cost circulation (``SimpleMinCostFlow``, costs ``-c``), solved in milliseconds
where the simplex takes tenths of a second. The flow's node potentials are the LP's duals: they are
read off the residual graph by Bellman-Ford shortest paths (no negative cycle exists at an optimum),
and a row's dual is the potential difference across its arc. The primal-dual pair then goes through
the same exact integer check as the LP engine's (:func:`matchmaker._engines.lp.verify`), so a stage
counts as proven only when its Karush-Kuhn-Tucker conditions hold in integers, and the optimal face is
held for the next stage exactly as the LP engine holds it. Anything that is not a network, or a flow
that cannot be certified, goes on to GLOP with the same bounds.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow

from matchmaker._linear import LinearModel
from matchmaker._types import IntArray

__all__ = ["COST_LIMIT", "FLOW_STAGE_LIMIT", "Network", "flow_coef_limit", "network_of", "solve_network"]

logger = logging.getLogger("matchmaker.engines.flow")

#: Every cost times the node count stays below this: OR-Tools' cost scaling multiplies costs by the
#: node count, and a potential is a sum of costs along a residual path; both stay exact in int64.
COST_LIMIT = 2**61


#: The largest range of a merged stage the flow takes: its objective values are int64 sums. Stages
#: wider than ``STAGE_LIMIT`` are marked ``flow_only`` (see :class:`~matchmaker._linear.Objective`).
FLOW_STAGE_LIMIT = 2**62


def flow_coef_limit(net: Network) -> int:
    """The largest merged objective coefficient (:func:`matchmaker._linear.plan_stages`) that
    ``net`` handles exactly: OR-Tools' cost scaling multiplies each arc's cost by the node count. The
    objective's range is bounded separately (by :data:`FLOW_STAGE_LIMIT`), so levels merge into fewer,
    larger stages than the simplex takes."""
    return max(2**31, (COST_LIMIT - 1) // (net.n_nodes + 2))  # coefficient * (nodes + 2) < COST_LIMIT


@dataclass(frozen=True, eq=False)
class Network:
    """A model's rows and pair variables as arcs of a circulation through node 0 (the root).

    Arcs ``0..n_pairs-1`` are the pair variables, arc ``n_pairs + r`` is row ``r``. Nodes are int32,
    as OR-Tools takes them.
    """

    n_nodes: int
    tail: npt.NDArray[np.int32]
    head: npt.NDArray[np.int32]

    @property
    def n_arcs(self) -> int:
        """Pair arcs and row arcs."""
        return int(self.tail.shape[0])


def _laminar(
    rows: IntArray, a_csc_rows: IntArray, a_csc_vars: IntArray, sizes: IntArray, n_rows: int, n_vars: int
) -> tuple[IntArray, IntArray] | None:
    """Parents (``-1``: the root) of a family of rows, and each variable's smallest row (``-1``: none),
    if the family is laminar; else ``None``.

    ``a_csc_rows``/``a_csc_vars`` list the family's (row, variable) incidences, grouped by row in
    ascending row order (as a CSR matrix has them). When no variable is in two of the rows, the rows
    are disjoint: laminar, each a child of the root. Otherwise the rows are visited from the largest
    down (equal sizes: the higher index first), and each variable remembers the last row that held
    it: a row's variables must all remember the same row, its parent (then the row lies inside it,
    or it is the first to hold them), and the family is laminar exactly when that holds for every row.
    """
    parent = np.full(n_rows, -2, dtype=np.int64)
    leaf = np.full(n_vars, -1, dtype=np.int64)
    if a_csc_rows.size == 0:
        parent[rows] = -1
        return parent, leaf
    if int(np.bincount(a_csc_vars, minlength=n_vars).max()) <= 1:  # disjoint rows
        parent[rows] = -1
        leaf[a_csc_vars] = a_csc_rows
        return parent, leaf
    starts = np.searchsorted(a_csc_rows, rows, side="left").tolist()
    ends = np.searchsorted(a_csc_rows, rows, side="right").tolist()
    order = np.lexsort((-rows, -sizes[rows])).tolist()
    row_ids = rows.tolist()
    for k in order:
        held = a_csc_vars[starts[k] : ends[k]]
        seen = leaf[held]
        first = seen[0]
        if np.any(seen != first):
            return None
        parent[row_ids[k]] = first
        leaf[held] = row_ids[k]
    return parent, leaf


#: Each model's network, found once: solve() asks before it opens a session, and the session asks again.
_FOUND: weakref.WeakKeyDictionary[LinearModel, tuple[Network | None]] = weakref.WeakKeyDictionary()


def network_of(model: LinearModel, a_int: sp.csr_matrix | None = None) -> Network | None:
    """The circulation network of ``model`` (see the module docstring), or ``None`` if it is not one."""
    found = _FOUND.get(model)
    if found is None:
        found = _FOUND[model] = (_network_of(model, a_int),)
    return found[0]


def _network_of(model: LinearModel, a_int: sp.csr_matrix | None) -> Network | None:
    direct = _capacity_network(model)
    if direct is not None:
        return direct
    return _searched_network(model, a_int)


#: The row kinds of a pure capacity round, in the order the pieces add them: the applicant side's
#: one row per applicant, then the far side's nested levels from the smallest up.
_CAPACITY_KINDS = ("one_place", "supervisor_capacity", "unit_max", "municipality_max")


def _capacity_network(model: LinearModel) -> Network | None:
    """The network of a pure capacity round read straight off its rows, or ``None`` when the model is
    not one (then :func:`_searched_network` decides).

    A pure capacity round has only 0/1 rows of the kinds :data:`_CAPACITY_KINDS`, in that order: one
    row per applicant (the applicant side, disjoint), and supervisor, unit and municipality maximums,
    each level nested in the next. The general search would find the same circulation (it orders
    rows by size, the higher index first among equals, so the enclosing level is each row's parent),
    but it walks every (row, pair) incidence; here only the pairs of each level are scattered once,
    and the nesting the search would verify is verified per row from those scatters. A far-side row
    whose pairs all belong to one applicant goes to the search, which puts it on the applicant side.
    """
    n_pairs, n_rows = model.n_pairs, model.n_rows
    if model.n_vars != n_pairs or n_pairs == 0 or n_rows == 0:
        return None
    code = {kind: k for k, kind in enumerate(_CAPACITY_KINDS)}
    group_code = np.array([code.get(g.kind, -1) for g in model.groups], dtype=np.int8)
    row_code = group_code[model.row_group]
    if np.any(row_code < 0) or np.any(np.diff(row_code) < 0):
        return None
    indptr, indices = model.indptr, model.indices
    sizes = np.diff(indptr)
    if np.any(sizes == 0) or np.any(model.coefs != 1):
        return None
    # Every row's variables ascending, none twice (the canonical order the search requires too).
    step = np.diff(indices)
    step[indptr[1:-1] - 1] = 1  # the steps between two rows do not count
    if step.size and np.any(step <= 0):
        return None
    first_pair, last_pair = indices[indptr[:-1]], indices[indptr[1:] - 1]
    applicant = model.pair_applicant
    single = applicant[first_pair] == applicant[last_pair]  # pairs are sorted by applicant
    ranges = np.searchsorted(row_code, np.arange(len(_CAPACITY_KINDS) + 1))
    if not np.all(single[: ranges[1]]) or np.any(single[ranges[1] :]):
        return None
    # owner[k][p]: the row of level k holding pair p (-1: none), level 0 the applicant side
    owner: list[npt.NDArray[np.int32]] = []
    for k in range(len(_CAPACITY_KINDS)):
        lo, hi = int(ranges[k]), int(ranges[k + 1])
        got = np.full(n_pairs, -1, dtype=np.int32)
        span = indices[indptr[lo] : indptr[hi]]
        rows = np.repeat(np.arange(lo, hi, dtype=np.int32), sizes[lo:hi])
        got[span] = rows
        if np.any(np.bincount(span, minlength=n_pairs) > 1):
            return None  # two rows of one level share a pair: not the levels of a capacity round
        owner.append(got)
    parent = np.full(n_rows, -1, dtype=np.int64)
    leaf = np.full(n_pairs, -1, dtype=np.int64)
    for k in range(1, len(_CAPACITY_KINDS)):
        lo, hi = int(ranges[k]), int(ranges[k + 1])
        span = indices[indptr[lo] : indptr[hi]]
        above = np.full(n_pairs, -1, dtype=np.int32)  # the nearest enclosing row above level k
        for j in range(len(_CAPACITY_KINDS) - 1, k, -1):
            np.copyto(above, owner[j], where=owner[j] >= 0)
        if hi > lo:
            held = above[span]
            starts = indptr[lo:hi] - indptr[lo]
            if np.any(np.minimum.reduceat(held, starts) != np.maximum.reduceat(held, starts)):
                return None  # a row not nested in the level above it
            parent[lo:hi] = held[starts]
        np.copyto(leaf, owner[k], where=(leaf < 0) & (owner[k] >= 0))
    node = np.arange(1, n_rows + 1, dtype=np.int32)  # row r is node r + 1; the root is node 0
    tail = np.empty(n_pairs + n_rows, dtype=np.int32)
    head = np.empty(n_pairs + n_rows, dtype=np.int32)
    tail[:n_pairs] = owner[0] + 1
    head[:n_pairs] = leaf + 1
    n_app = int(ranges[1])
    tail[n_pairs : n_pairs + n_app] = 0
    head[n_pairs : n_pairs + n_app] = node[:n_app]
    tail[n_pairs + n_app :] = node[n_app:]
    head[n_pairs + n_app :] = parent[n_app:] + 1
    return Network(n_nodes=n_rows + 1, tail=tail, head=head)


def _searched_network(model: LinearModel, a_int: sp.csr_matrix | None) -> Network | None:
    """The circulation network of any model, found by the laminar search over its incidences."""
    n_vars, n_pairs = model.n_vars, model.n_pairs
    a = (
        a_int
        if a_int is not None
        else sp.csr_matrix((model.coefs, model.indices, model.indptr), shape=(model.n_rows, n_vars))
    )
    n_rows = int(a.shape[0])
    if n_vars != n_pairs or n_pairs == 0:
        return None
    if a.nnz and np.any(a.data != 1):
        return None
    if not a.has_canonical_format:  # a variable twice in a row: not a 0/1 row (never sum in place: the
        return None  # matrix shares its arrays with the model)
    sizes = np.diff(a.indptr).astype(np.int64)
    if np.any(sizes == 0):
        return None
    applicant = model.pair_applicant
    row_of = np.repeat(np.arange(n_rows, dtype=np.int64), sizes)
    var_of = a.indices.astype(np.int64)
    app = applicant[var_of]
    starts = a.indptr[:-1]
    single = np.ones(n_rows, dtype=bool)
    if n_rows:
        single = np.minimum.reduceat(app, starts) == np.maximum.reduceat(app, starts)
    net = _circulation(single, row_of, var_of, sizes, n_rows, n_pairs)
    if net is None and n_rows:
        # Rows over whole applicants (a group's count: every pair of each of its applicants) can sit on
        # the applicant side, above the applicants' own rows: root -> group -> applicant -> pair.
        whole = single | _whole_applicant_rows(row_of, app, applicant, n_rows)
        if np.any(whole != single):
            net = _circulation(whole, row_of, var_of, sizes, n_rows, n_pairs)
    return net


def _whole_applicant_rows(row_of: IntArray, app: IntArray, applicant: IntArray, n_rows: int) -> npt.NDArray[np.bool_]:
    """Which rows hold, for each applicant they touch, every pair of that applicant (``row_of``/``app``:
    each incidence's row and applicant, grouped by row with applicants ascending within it)."""
    per_applicant = np.bincount(applicant)
    key = row_of * (int(applicant.max(initial=0)) + 1) + app
    run = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    length = np.diff(np.r_[run, key.size])
    whole = np.ones(n_rows, dtype=bool)
    whole[row_of[run[length != per_applicant[app[run]]]]] = False
    return whole


def _circulation(
    single: npt.NDArray[np.bool_], row_of: IntArray, var_of: IntArray, sizes: IntArray, n_rows: int, n_pairs: int
) -> Network | None:
    """The circulation with the rows marked ``single`` on the applicant side (pointing away from the
    root) and the others on the far side, if each side is a laminar family; else ``None``."""
    side_a = single[row_of]
    fam_a = np.flatnonzero(single)
    fam_b = np.flatnonzero(~single)
    got_a = _laminar(fam_a, row_of[side_a], var_of[side_a], sizes, n_rows, n_pairs)
    got_b = _laminar(fam_b, row_of[~side_a], var_of[~side_a], sizes, n_rows, n_pairs)
    if got_a is None or got_b is None:
        return None
    parent_a, leaf_a = got_a
    parent_b, leaf_b = got_b
    node = np.arange(1, n_rows + 1, dtype=np.int32)  # row r is node r + 1; the root is node 0

    def node_of(rows: IntArray) -> IntArray:
        return np.where(rows < 0, 0, rows + 1)

    tail = np.empty(n_pairs + n_rows, dtype=np.int32)
    head = np.empty(n_pairs + n_rows, dtype=np.int32)
    tail[:n_pairs] = node_of(leaf_a)
    head[:n_pairs] = node_of(leaf_b)
    parent = np.where(single, parent_a, parent_b)
    # applicant-side rows point away from the root, the others towards it
    tail[n_pairs:] = np.where(single, node_of(parent), node)
    head[n_pairs:] = np.where(single, node, node_of(parent))
    return Network(n_nodes=n_rows + 1, tail=tail, head=head)


def solve_network(
    net: Network,
    c: IntArray,
    var_lb: IntArray,
    var_ub: IntArray,
    row_lb: IntArray,
    row_ub: IntArray,
) -> tuple[IntArray, IntArray] | str:
    """Maximise ``c.x`` over the network with the given bounds: the integer plan ``x`` and row duals
    ``y`` (to be verified by the caller), or the reason there are none (``"INFEASIBLE"``, ...)."""
    n_pairs = int(c.shape[0])
    # copy=False: the concatenation is already a new array (the bounds are int64 throughout)
    lo = np.concatenate([var_lb, np.maximum(row_lb, 0)]).astype(np.int64, copy=False)
    cap = np.concatenate([var_ub, row_ub]).astype(np.int64, copy=False)
    cap -= lo
    if np.any(cap < 0):
        return "EMPTY_BOUNDS"
    cost = np.zeros(net.n_arcs, dtype=np.int64)
    np.negative(c, out=cost[:n_pairs])
    if cost.size and int(np.abs(c).max(initial=0)) * (net.n_nodes + 2) >= COST_LIMIT:
        return "COEFFICIENTS_TOO_LARGE"
    supply = np.zeros(net.n_nodes, dtype=np.int64)
    np.subtract.at(supply, net.tail, lo)
    np.add.at(supply, net.head, lo)
    # Arcs fixed by their bounds (a later stage holds the earlier optimal faces by fixing most pairs)
    # carry no choice and no residual arc: the flow is built from the others only.
    live = np.flatnonzero(cap > 0).astype(np.int32)
    mcf = min_cost_flow.SimpleMinCostFlow()
    if live.size == net.n_arcs:  # every arc live (a first stage): no selected copies of the arc arrays
        mcf.add_arcs_with_capacity_and_unit_cost(net.tail, net.head, cap, cost)
    else:
        mcf.add_arcs_with_capacity_and_unit_cost(net.tail[live], net.head[live], cap[live], cost[live])
    mcf.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int32), supply)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        return {mcf.INFEASIBLE: "INFEASIBLE", mcf.BAD_COST_RANGE: "BAD_COST_RANGE"}.get(status, "FLOW_FAILED")
    f = np.zeros(net.n_arcs, dtype=np.int64)
    f[live] = mcf.flows(np.arange(live.size, dtype=np.int32))
    # The solver's graph is freed before the potentials' residual graph is built: the two never need
    # to be in memory at once (with millions of arcs, each is a large part of the solve's peak).
    del mcf
    x = f[:n_pairs] + lo[:n_pairs]
    potential = _potentials(net, cost, f, cap)
    if potential is None:
        return "NO_POTENTIALS"
    y = potential[net.head[n_pairs:]] - potential[net.tail[n_pairs:]]
    return x, y


def _potentials(net: Network, cost: IntArray, flow: IntArray, cap: IntArray) -> IntArray | None:
    """Node potentials ``p`` with ``cost + p[tail] - p[head] >= 0`` on every residual arc: shortest
    distances in the residual graph from a virtual node joined to every node at cost 0, by rounds of
    Bellman-Ford relaxation from the nodes whose distance fell in the round before (exact, in
    integers). ``None`` if a negative cycle shows that the flow is not optimal after all."""
    fwd = flow < cap
    bwd = flow > 0
    src = np.concatenate([net.tail[fwd], net.head[bwd]])
    dst = np.concatenate([net.head[fwd], net.tail[bwd]])
    w = np.concatenate([cost[fwd], -cost[bwd]])
    n = net.n_nodes
    dist = np.zeros(n, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    for _ in range(n + 1):
        sel = np.flatnonzero(active[src])
        if sel.size == 0:
            return dist
        cand = dist[src[sel]] + w[sel]
        to = dst[sel]
        better = cand < dist[to]
        if not np.any(better):
            return dist
        cand, to = cand[better], to[better]
        np.minimum.at(dist, to, cand)
        active[:] = False
        active[to] = True
    return None
