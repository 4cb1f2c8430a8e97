"""A pure capacity round's network and its stages' exact certificate, straight from the scoring arrays.

A round whose only rows are one place per applicant and the supervisor, unit and municipality
maximums is a circulation (:mod:`matchmaker._engines.flow`). The general model
(:mod:`matchmaker._linear`) writes those rows out pair by pair, and the flow engine reads the network
back off them (``_capacity_network``). Here the same network is made from the pairs' applicants and
supervisors and the capacity arrays alone, node for node and arc for arc as the flow engine would read
it, so OR-Tools gets exactly the same input and returns exactly the same flow. Each row is known by
the row each pair falls in at each level (four int32 arrays), which is all the exact certificate
needs: a row's activity and a pair's ``A^T y`` are sums over those four arrays, the same integers the
LP engine's :func:`~matchmaker._engines.lp.verify` computes with a sparse matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchmaker._engines.flow import Network
from matchmaker._engines.lp import Certificate, slack_certificate
from matchmaker._types import IntArray

__all__ = ["CapacityNetwork", "capacity_network", "verify_on_network"]


@dataclass(frozen=True, eq=False)
class CapacityNetwork:
    """The circulation of a pure capacity round and its rows.

    ``pair_rows[k][p]`` is the row of level ``k`` (applicant, supervisor, unit, municipality) that
    holds pair ``p``, ``-1`` for none; rows are numbered as the general model numbers them (the
    applicants' rows, then the supervisors', the units' and the municipalities' maximums, each in
    index order), and every row is ``0 <= sum <= row_ub[r]``.
    """

    network: Network
    row_ub: IntArray
    pair_rows: tuple[npt.NDArray[np.int32], ...]

    @property
    def n_rows(self) -> int:
        """The rows (one node each besides the root)."""
        return int(self.row_ub.shape[0])


def _level_rows(
    keys: npt.NDArray[np.integer], n: int, caps: IntArray, first: int, *, capped_only: bool
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], IntArray, IntArray]:
    """The rows of one level: each entity's row (``-1``: none), each pair's row, the rows' bounds and
    their sizes.

    An entity has a row where its pairs outnumber its capacity (a row that can never bind is left out,
    as the pieces leave it out); with ``capped_only``, only where it has a capacity (``cap >= 0``)."""
    count = np.bincount(keys, minlength=n)
    selected = count > caps
    if capped_only:
        selected &= caps >= 0
    row_of = np.full(n, -1, dtype=np.int32)
    ids = np.flatnonzero(selected)
    row_of[ids] = np.arange(first, first + ids.size, dtype=np.int32)
    return row_of, row_of[keys], caps[ids].astype(np.int64), count[ids]


def _one_applicant_row(
    rows: npt.NDArray[np.int32], applicant: npt.NDArray[np.integer], first: int, sizes: IntArray, most: int
) -> bool:
    """Whether one of a level's rows (numbered from ``first``, of ``sizes`` pairs; ``rows``: each pair's
    row, ``-1`` for none) holds the pairs of one applicant only. Only a row no larger than ``most`` (the
    most pairs any applicant has) can, so the pairs are looked at only when such a row exists."""
    small = np.flatnonzero(sizes <= most)
    if small.size == 0:
        return False
    last = first + sizes.size
    suspect = np.zeros(last + 1, dtype=bool)  # index -1 (no row) reads the False at the end
    suspect[first + small] = True
    held = np.flatnonzero(suspect[rows])
    r = rows[held]
    app = applicant[held]
    some = np.full(last, -1, dtype=np.int64)
    some[r] = app  # one of each row's applicants (whichever write lands)
    multi = np.zeros(last, dtype=bool)
    multi[r[app != some[r]]] = True
    return not bool(np.all(multi[first + small]))


def capacity_network(
    applicant: npt.NDArray[np.integer],
    supervisor: npt.NDArray[np.integer],
    n_applicants: int,
    supervisor_capacity: IntArray,
    supervisor_unit: IntArray,
    unit_max: IntArray,
    unit_municipality: IntArray,
    municipality_max: IntArray,
) -> CapacityNetwork | None:
    """The network of a pure capacity round over the pairs ``(applicant[p], supervisor[p])`` (sorted by
    applicant), or ``None`` where the flow engine would not read it off the rows directly: no row at
    all, or a supervisor, unit or municipality row over one applicant's pairs only (the general search
    then puts that row on the applicant side)."""
    n_pairs = int(applicant.shape[0])
    if n_pairs == 0:
        return None
    n_sup, n_unit, n_muni = supervisor_capacity.shape[0], unit_max.shape[0], municipality_max.shape[0]
    unit = supervisor_unit[supervisor]
    muni = unit_municipality[unit]
    one = np.ones(n_applicants, dtype=np.int64)
    _, a_pair, a_ub, _ = _level_rows(applicant, n_applicants, one, 0, capped_only=False)
    s_row, s_pair, s_ub, s_size = _level_rows(supervisor, n_sup, supervisor_capacity, a_ub.size, capped_only=False)
    first = a_ub.size + s_ub.size
    u_row, u_pair, u_ub, u_size = _level_rows(unit, n_unit, unit_max, first, capped_only=True)
    m_row, m_pair, m_ub, m_size = _level_rows(muni, n_muni, municipality_max, first + u_ub.size, capped_only=True)
    del unit, muni
    row_ub = np.concatenate([a_ub, s_ub, u_ub, m_ub])
    n_rows = int(row_ub.size)
    if n_rows == 0:
        return None
    most = int(np.bincount(applicant).max())
    starts = np.cumsum([a_ub.size, s_ub.size, u_ub.size]).tolist()
    for rows, start, sizes in zip((s_pair, u_pair, m_pair), starts, (s_size, u_size, m_size), strict=True):
        if _one_applicant_row(rows, applicant, start, sizes, most):
            return None
    # Each far-side row's parent: the nearest enclosing row above it (-1: the root).
    m_of_unit = m_row[unit_municipality]
    u_parent = m_of_unit
    u_of_sup = u_row[supervisor_unit]
    s_parent = np.where(u_of_sup >= 0, u_of_sup, m_of_unit[supervisor_unit])
    parent = np.full(n_rows, -1, dtype=np.int64)
    s_ids, u_ids = np.flatnonzero(s_row >= 0), np.flatnonzero(u_row >= 0)
    parent[s_row[s_ids]] = s_parent[s_ids]
    parent[u_row[u_ids]] = u_parent[u_ids]
    # Each pair's arc ends at its smallest far-side row (the root if none).
    leaf = np.where(s_pair >= 0, s_pair, np.where(u_pair >= 0, u_pair, m_pair))
    n_app = int(a_ub.size)
    node = np.arange(1, n_rows + 1, dtype=np.int32)  # row r is node r + 1; the root is node 0
    tail = np.empty(n_pairs + n_rows, dtype=np.int32)
    head = np.empty(n_pairs + n_rows, dtype=np.int32)
    tail[:n_pairs] = a_pair + 1
    head[:n_pairs] = leaf + 1
    tail[n_pairs : n_pairs + n_app] = 0
    head[n_pairs : n_pairs + n_app] = node[:n_app]
    tail[n_pairs + n_app :] = node[n_app:]
    head[n_pairs + n_app :] = parent[n_app:] + 1
    net = Network(n_nodes=n_rows + 1, tail=tail, head=head)
    return CapacityNetwork(net, row_ub, (a_pair, s_pair, u_pair, m_pair))


def verify_on_network(
    cn: CapacityNetwork, c: IntArray, bounds: tuple[IntArray, IntArray, IntArray, IntArray], x: IntArray, y: IntArray
) -> Certificate | None:
    """The exact check of :func:`matchmaker._engines.lp.verify` (``max c.x`` within ``bounds``: the
    variables' and the rows', complementary slackness with ``d = c - A^T y``) on the network's rows,
    without a matrix: the same integers, the same answer."""
    var_lb, var_ub, row_lb, row_ub = bounds
    n_rows = cn.n_rows
    if x.shape[0] != c.shape[0] or y.shape[0] != n_rows or row_lb.shape[0] != n_rows:
        return None
    if np.any(x < var_lb) or np.any(x > var_ub) or np.any(var_lb < 0) or np.any(var_ub > 1):
        return None  # pair variables are 0/1: a row's activity is a count of chosen pairs
    chosen = np.flatnonzero(x)
    activity = np.zeros(n_rows, dtype=np.int64)
    for rows in cn.pair_rows:
        at = rows[chosen]
        activity += np.bincount(at[at >= 0], minlength=n_rows)
    if np.any(activity < row_lb) or np.any(activity > row_ub):
        return None
    if y.size:
        # As verify: |A^T y| <= max|y| * (most rows holding one pair) stays well inside int64.
        held = np.zeros(x.shape[0], dtype=np.int8)
        for rows in cn.pair_rows:
            held += rows >= 0
        if float(np.abs(y).max()) * float(held.max()) + float(np.abs(c).max(initial=0)) >= 2.0**62:
            return None
        del held
    y_or_zero = np.append(y, 0)  # index -1 (no row) reads the 0 at the end
    d = c.astype(np.int64, copy=True)
    for rows in cn.pair_rows:
        d -= y_or_zero[rows]
    return slack_certificate(c, bounds, x, y, activity, d)
