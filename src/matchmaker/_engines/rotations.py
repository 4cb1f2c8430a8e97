"""Every stable plan of a hospitals/residents round: rotations, their poset, and two-sided optima.

For strict preferences (the seeded lottery breaks ties on both sides) a round is a *hospitals/residents*
instance (HR) when each supervisor can be read as a hospital with its own capacity and its unit's
ranking (:func:`reduce_to_hr` says when). Then the stable plans form a distributive lattice, and
everything about them is polynomial:

* Gusfield & Irving (1989), "The Stable Marriage Problem: Structure and Algorithms", MIT Press: a
  hospital of capacity ``c`` becomes ``c`` clones listed consecutively in each applicant's order
  (section 1.6.5); the stable plans of HR and of the cloned one-to-one instance correspond one to one.
  Starting from the applicant-optimal plan ``M0``, eliminating exposed *rotations* until the
  unit-optimal plan ``Mz`` is reached finds every rotation exactly once (section 2.5, 3.2); the
  rotation *poset* comes from the type-1 and type-2 rules of section 3.3.2.
* Irving & Leather (1986), "The complexity of counting stable marriages", SIAM J. Computing 15(3):
  the stable plans are exactly the closed (down-)sets of the rotation poset, so they are counted and
  listed by enumerating closed sets (counting is #P-complete in general, hence the limit).
* Irving, Leather & Gusfield (1987), "An efficient algorithm for the "optimal" stable marriage",
  J. ACM 34(3): a minimum-weight stable plan for any additive pair weight (egalitarian: both sides'
  ranks summed) is a minimum-weight closure of the poset, found with one maximum flow.
* Gusfield (1987), "Three fast algorithms for four problems in stable marriage", SIAM J. Computing
  16(1): minimum regret (the worst rank on either side) by forcing rotations in or out.

Everything works on the arrays of :class:`matchmaker._scoring.Scores`: plans are vectors of pair
indices per applicant (``-1`` for no place).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from ortools.graph.python import max_flow

from matchmaker._engines.deferred_acceptance import pinned_pairs

if TYPE_CHECKING:
    from matchmaker._scoring import Scores
    from matchmaker._types import IntArray

__all__ = [
    "HRInstance",
    "Lattice",
    "RotationMove",
    "closed_sets",
    "lattice",
    "minimum_cost",
    "minimum_regret",
    "plan_of",
    "reduce_to_hr",
    "two_sided_plan",
]


@dataclass(frozen=True)
class HRInstance:
    """A round read as hospitals/residents: the pinned applicants' pairs (fixed, outside the lattice)
    and each supervisor's capacity as a hospital (what pins and the unit's maximum leave)."""

    pinned: dict[int, int]
    capacity: list[int]


def reduce_to_hr(sc: Scores) -> HRInstance | None:
    """The round as a hospitals/residents instance, or ``None`` when it is not one.

    A student-project round (a unit with a capacity over supervisors with capacities, municipality
    caps above) is HR, with each supervisor a hospital ranking applicants as its unit does, when:

    * every pin names a single acceptable pair and the pins alone overfill no capacity (pinned
      applicants are fixed, never displaced and never block, so they only take places);
    * no municipality cap can bind: each capped municipality can hold everything its units can take;
    * in every unit, after the pins, the unit's maximum cannot bind on its own: its supervisors'
      capacities add up to at most the maximum, or it has at most one supervisor with room, or no
      more applicants can go there than the maximum. A supervisor's capacity as a hospital is then
      the smaller of its own and its unit's.

    Then a pair blocks in the round's sense (:mod:`matchmaker._blocking`, strict) exactly when it
    blocks in HR, so the stable plans are the same. Otherwise a unit's maximum couples its
    supervisors, which HR cannot say, and the caller enumerates with the exact model instead.
    """
    enc = sc.encoding
    pins = pinned_pairs(sc)
    if pins is None:
        return None
    n_units = len(enc.unit_ids)
    cs = enc.supervisor_capacity.astype(np.int64).copy()
    cu = enc.unit_max.astype(np.int64).copy()
    for p in pins.values():
        cs[int(sc.supervisor[p])] -= 1
        cu[int(sc.unit[p])] -= 1
    if (cs < 0).any() or (cu < 0).any():
        return None
    sup_total = np.bincount(enc.supervisor_unit, weights=enc.supervisor_capacity, minlength=n_units)
    unit_take = np.minimum(enc.unit_max, sup_total.astype(np.int64))
    muni_take = np.bincount(enc.unit_municipality, weights=unit_take, minlength=len(enc.municipality_ids))
    capped = enc.municipality_max >= 0
    if not bool(np.all(muni_take[capped] <= enc.municipality_max[capped])):
        return None
    free = np.ones(enc.n_applicants, dtype=bool)
    free[list(pins)] = False
    movable = free[sc.applicant]
    with_room = cs > 0
    room_total = np.bincount(enc.supervisor_unit, weights=np.where(with_room, cs, 0), minlength=n_units)
    rooms = np.bincount(enc.supervisor_unit, weights=with_room.astype(np.int64), minlength=n_units)
    unit_pairs = np.unique(np.stack([sc.unit[movable], sc.applicant[movable]]), axis=1)
    applicants_there = np.bincount(unit_pairs[0], minlength=n_units) if unit_pairs.size else np.zeros(n_units)
    slack = (room_total <= cu) | (rooms <= 1) | (applicants_there <= cu)
    if not bool(slack.all()):
        return None
    capacity = np.minimum(cs, cu[enc.supervisor_unit])
    return HRInstance(pinned=pins, capacity=[int(c) for c in capacity.tolist()])


@dataclass(frozen=True)
class RotationMove:
    """One applicant's step in a rotation: from one pair to a pair they like less."""

    applicant: int
    old: int
    new: int


@dataclass(frozen=True)
class Lattice:
    """The stable plans of an HR round, as a poset of rotations.

    ``top`` (applicant-optimal) and ``bottom`` (unit-optimal) give each applicant's pair (``-1``: no
    place; pinned applicants at their pin). ``rotations[r]`` lists the moves of rotation ``r`` between
    different supervisors (a clone step inside one supervisor is no move of a plan); rotations are
    numbered in an order that respects the poset. ``preds[r]`` holds rotations that must be eliminated
    before ``r`` (the poset is their transitive closure). Every stable plan is ``top`` with a closed
    set of rotations applied in order (:func:`plan_of`).
    """

    top: IntArray
    bottom: IntArray
    rotations: tuple[tuple[RotationMove, ...], ...]
    preds: tuple[tuple[int, ...], ...]
    #: per place of a supervisor (a clone): the rotations that gave it a new applicant, in order
    clone_history: tuple[tuple[int, ...], ...]
    #: per clone: the pair of its applicant at first and after each of those rotations (empty: never filled)
    clone_pairs: tuple[tuple[int, ...], ...]


def _gale_shapley(lists: Sequence[Sequence[int]], rank: Sequence[dict[int, int]], n_receivers: int) -> list[int]:
    """Proposer-optimal stable matching of a one-to-one instance with incomplete lists: for each
    proposer, the index in its list of its partner (``-1``: none). ``rank[r][p]`` is receiver ``r``'s
    rank of proposer ``p`` (smaller is better; absent = unacceptable)."""
    nxt = [0] * len(lists)
    held = [-1] * n_receivers
    at = [-1] * len(lists)
    free = list(range(len(lists) - 1, -1, -1))
    while free:
        p = free.pop()
        mine = lists[p]
        while nxt[p] < len(mine):
            i = nxt[p]
            nxt[p] += 1
            r = mine[i]
            key = rank[r].get(p)
            if key is None:
                continue
            q = held[r]
            if q < 0 or key < rank[r][q]:
                held[r] = p
                at[p] = i
                if q >= 0:
                    at[q] = -1
                    free.append(q)
                break
    return at


def lattice(sc: Scores, hr: HRInstance) -> Lattice:
    """Every rotation of the HR round ``hr`` of ``sc`` and their order (see the module docstring)."""
    enc = sc.encoding
    n_a = enc.n_applicants
    cap = hr.capacity
    first_clone = np.concatenate([[0], np.cumsum(cap)]).astype(np.int64).tolist()
    n_clones = first_clone[-1]
    # Each applicant's pairs, best first (strict), cloned; pinned applicants are not in the instance.
    order = np.lexsort((sc.rank_strict, sc.applicant)).tolist()
    sup_of = sc.supervisor.tolist()
    app_of = sc.applicant.tolist()
    uk = sc.unit_rank_strict.tolist()
    men: list[list[int]] = [[] for _ in range(n_a)]  # clone indices
    men_pair: list[list[int]] = [[] for _ in range(n_a)]  # the pair of each entry
    for p in order:
        a, s = app_of[p], sup_of[p]
        if a in hr.pinned:
            continue
        for k in range(cap[s]):
            men[a].append(first_clone[s] + k)
            men_pair[a].append(p)
    wrank: list[dict[int, int]] = [{} for _ in range(n_clones)]
    for a in range(n_a):
        for c, p in zip(men[a], men_pair[a], strict=True):
            wrank[c][a] = uk[p]
    # Receiver-proposing for the bottom: each clone's list is its supervisor's order of applicants.
    women_lists: list[list[int]] = [sorted(wrank[c], key=wrank[c].__getitem__) for c in range(n_clones)]
    mrank = [{c: i for i, c in enumerate(men[a])} for a in range(n_a)]
    top_pos = _gale_shapley(men, wrank, n_clones)
    bottom_at = _gale_shapley(women_lists, mrank, n_a)
    bottom_pos = [-1] * n_a
    for c, i in enumerate(bottom_at):
        if i >= 0:
            a = women_lists[c][i]
            bottom_pos[a] = mrank[a][c]

    pos = list(top_pos)
    wpart = [-1] * n_clones
    for a in range(n_a):
        if pos[a] >= 0:
            wpart[men[a][pos[a]]] = a
    ptr = [p + 1 for p in pos]
    history: list[list[int]] = [[] for _ in range(n_clones)]  # rotations that changed clone c's partner
    partners: list[list[int]] = [[wpart[c]] for c in range(n_clones)]  # its partners, worst first

    def s_of(m: int) -> int:
        """The index in m's list of the first clone after his partner that prefers him to its own."""
        i = max(ptr[m], pos[m] + 1)
        mine = men[m]
        while True:
            c = mine[i]
            q = wpart[c]
            if q >= 0 and wrank[c][m] < wrank[c][q]:
                break
            i += 1
        ptr[m] = i
        return i

    rot_moves: list[list[tuple[int, int, int]]] = []
    active = sorted(a for a in range(n_a) if pos[a] != bottom_pos[a])
    live = set(active)
    while live:
        m = min(live)
        path: list[int] = []
        seen: dict[int, int] = {}
        while m not in seen:
            seen[m] = len(path)
            path.append(m)
            m = wpart[men[m][s_of(m)]]
        cycle = path[seen[m] :]
        moves = [(x, pos[x], s_of(x)) for x in cycle]
        r = len(rot_moves)
        rot_moves.append(moves)
        for x, _, new in moves:
            pos[x] = new
            c = men[x][new]
            wpart[c] = x
            history[c].append(r)
            partners[c].append(x)
            if pos[x] == bottom_pos[x]:
                live.discard(x)

    # cross[c]: the keys of clone c's partners over time (decreasing), to find the rotation that moved
    # it from below an applicant to that applicant or above.
    keys = [[wrank[c][x] for x in partners[c]] if partners[c][0] >= 0 else [] for c in range(n_clones)]

    def cross(c: int, m: int) -> int:
        ks = keys[c]
        if not ks:
            return -1
        km = wrank[c][m]
        if ks[0] <= km:
            return -1  # already at m or above in the top plan
        # keys fall: the first step j with ks[j + 1] <= km
        neg = [-k for k in ks]
        j = bisect_left(neg, -km) - 1
        return history[c][j] if 0 <= j < len(history[c]) else -1

    preds: list[set[int]] = [set() for _ in rot_moves]
    for r, moves in enumerate(rot_moves):
        for x, old, new in moves:
            for t in range(old, new):
                q = cross(men[x][t], x)
                if q >= 0 and q != r:
                    preds[r].add(q)

    def pair_at(a: int, i: int) -> int:
        return men_pair[a][i] if i >= 0 else -1

    top = np.full(n_a, -1, dtype=np.int64)
    bottom = np.full(n_a, -1, dtype=np.int64)
    for a in range(n_a):
        top[a] = pair_at(a, top_pos[a])
        bottom[a] = pair_at(a, bottom_pos[a])
    for a, p in hr.pinned.items():
        top[a] = bottom[a] = p
    rotations = tuple(
        tuple(
            RotationMove(x, men_pair[x][old], men_pair[x][new])
            for x, old, new in moves
            if sup_of[men_pair[x][old]] != sup_of[men_pair[x][new]]
        )
        for moves in rot_moves
    )
    clone_pairs = tuple(
        tuple(men_pair[x][mrank[x][c]] for x in partners[c]) if partners[c][0] >= 0 else () for c in range(n_clones)
    )
    return Lattice(
        top=top,
        bottom=bottom,
        rotations=rotations,
        preds=tuple(tuple(sorted(p)) for p in preds),
        clone_history=tuple(tuple(h) for h in history),
        clone_pairs=clone_pairs,
    )


def closed_sets(preds: Sequence[Sequence[int]], limit: int) -> Iterator[list[bool]]:
    """The closed sets of the poset (each rotation with all its predecessors), at most ``limit + 1``
    of them, as membership lists, the empty set (the top plan) first. Rotations must be numbered in
    an order that respects ``preds``.

    Depth first: a rotation whose predecessors are all in may be out or in, otherwise it is out; so
    every leaf is a closed set and none is visited twice."""
    n = len(preds)
    inside = [False] * n
    branch: list[int] = []  # rotations left out on the current path, whose "in" branch is still to do
    i = 0
    found = 0
    while True:
        while i < n:
            inside[i] = False
            if all(inside[q] for q in preds[i]):
                branch.append(i)
            i += 1
        yield list(inside)
        found += 1
        if found > limit or not branch:
            return
        j = branch.pop()
        inside[j] = True
        i = j + 1


def plan_of(lat: Lattice, inside: Sequence[bool]) -> IntArray:
    """The stable plan of a closed set: ``top`` with the set's rotations applied in order."""
    plan = lat.top.copy()
    for r, moves in enumerate(lat.rotations):
        if inside[r]:
            for mv in moves:
                plan[mv.applicant] = mv.new
    return plan


def _weights(lat: Lattice, cost: IntArray) -> list[int]:
    """The change of the total pair cost (or any value per pair) when each rotation is eliminated (a
    closed set's plan costs the top plan's cost plus the sum over its rotations)."""
    return [int(sum(int(cost[mv.new]) - int(cost[mv.old]) for mv in moves)) for moves in lat.rotations]


def _max_closure(
    n: int, gain: Sequence[int], arcs: Sequence[tuple[int, int]], forced_in: set[int], forced_out: set[int]
) -> tuple[list[bool] | None, max_flow.SimpleMaxFlow]:
    """A set of the nodes ``0 .. n-1`` of greatest total ``gain`` that is closed under ``arcs`` (with
    ``u`` in, ``v`` is in), contains ``forced_in`` and avoids ``forced_out``: the smallest such set
    among the optima, or ``None`` if no closed set meets the forcing; and the solved flow.

    Maximum-weight closure by a minimum cut (Picard 1976): source -> u with capacity gain(u) > 0,
    u -> sink with -gain(u) > 0, u -> v with infinite capacity; forced nodes get an infinite arc from
    the source or to the sink. The source's side of the cut the flow leaves is the set."""
    big = sum(abs(g) for g in gain) + 1
    source, sink = n, n + 1
    flow = max_flow.SimpleMaxFlow()
    # Without an arc at the sink the solver knows no sink and reports an empty cut: one empty arc.
    flow.add_arc_with_capacity(source, sink, 0)
    for u, g in enumerate(gain):
        if g > 0:
            flow.add_arc_with_capacity(source, u, g)
        elif g < 0:
            flow.add_arc_with_capacity(u, sink, -g)
    for u, v in arcs:
        flow.add_arc_with_capacity(u, v, big)
    for u in sorted(forced_in):
        flow.add_arc_with_capacity(source, u, big)
    for u in sorted(forced_out):
        flow.add_arc_with_capacity(u, sink, big)
    if flow.solve(source, sink) != flow.OPTIMAL:  # pragma: no cover - capacities are finite and valid
        raise RuntimeError("maximum flow failed")
    if flow.optimal_flow() >= big:
        return None, flow
    side = set(flow.get_source_side_min_cut())
    return [u in side for u in range(n)], flow


def _closure(
    lat: Lattice,
    delta: Sequence[int],
    forced_in: set[int],
    forced_out: set[int],
    tie: Sequence[int] | None = None,
) -> list[bool] | None:
    """The closed set of least total ``delta`` containing ``forced_in`` and avoiding ``forced_out``, or
    ``None`` if no closed set does (Irving, Leather & Gusfield 1987). Among the optima, the one of
    greatest total ``tie`` if given, else the smallest.

    The optimal sets are exactly the source sides of minimum cuts, that is the sets that hold the
    source, not the sink, and are closed under the arcs of the residual graph of any maximum flow
    (Picard & Queyranne 1980): so the tie-break is one more maximum-weight closure, over that graph."""
    n = len(delta)
    arcs = [(r, q) for r in range(n) for q in lat.preds[r]]
    inside, flow = _max_closure(n, [-d for d in delta], arcs, forced_in, forced_out)
    if inside is None or tie is None:
        return inside
    residual = []
    for i in range(flow.num_arcs()):
        u, v = flow.tail(i), flow.head(i)
        if flow.flow(i) < flow.capacity(i):
            residual.append((u, v))
        if flow.flow(i) > 0:
            residual.append((v, u))
    source, sink = n, n + 1
    best, _ = _max_closure(n + 2, [*tie, 0, 0], residual, {source}, {sink})
    assert best is not None  # the first cut's own side is one such set
    return best[:n]


def minimum_cost(lat: Lattice, cost: IntArray, tie: IntArray | None = None) -> IntArray:
    """The stable plan of least total ``cost`` (an integer per pair), e.g. both sides' ranks summed for
    the egalitarian plan; among several, the one of greatest total ``tie`` (an integer per pair, e.g.
    the lottery's draws, as the solver's last level does) if given, else the one closest to ``top``."""
    inside = _closure(lat, _weights(lat, cost), set(), set(), None if tie is None else _weights(lat, tie))
    assert inside is not None
    return plan_of(lat, inside)


def minimum_regret(
    lat: Lattice, applicant_rank: IntArray, unit_rank: IntArray, cost: IntArray, tie: IntArray | None = None
) -> tuple[int, IntArray]:
    """The least worst rank on either side over the stable plans (``applicant_rank``, ``unit_rank``:
    per pair; pinned pairs count too) and, among the plans that reach it, one of least ``cost``, then
    of greatest ``tie`` as in :func:`minimum_cost`.

    Gusfield (1987): applicants only lose along rotations and units only gain, so "every rank at most
    k" forbids each rotation that moves an applicant past rank k (and all after it) and requires, for
    each supervisor's clone, the rotation that brings its partner to rank k or better (and all
    before it); k is feasible when some closed set meets both, found by one cut per candidate k."""
    delta = _weights(lat, cost)
    gains = None if tie is None else _weights(lat, tie)
    top = [int(p) for p in lat.top.tolist() if p >= 0]
    if not top:
        return 0, lat.top.copy()
    bottom = [int(p) for p in lat.bottom.tolist() if p >= 0]
    # Applicants only lose along rotations and units only gain: no plan beats the top's worst
    # applicant rank or the bottom's worst unit rank.
    lo = max(int(applicant_rank[top].max()), int(unit_rank[bottom].max()))
    ranks = sorted({int(k) for k in np.concatenate([applicant_rank, unit_rank]).tolist() if k >= lo})
    for k in ranks:
        forced_out = {r for r, moves in enumerate(lat.rotations) if any(applicant_rank[mv.new] > k for mv in moves)}
        forced_in: set[int] = set()
        for hist, pairs in zip(lat.clone_history, lat.clone_pairs, strict=True):
            if not pairs:
                continue
            if unit_rank[pairs[0]] <= k:
                continue
            for j, r in enumerate(hist):
                if unit_rank[pairs[j + 1]] <= k:
                    forced_in.add(r)
                    break
            else:  # pragma: no cover - the bottom plan meets k, so some rotation gets there
                break
        inside = _closure(lat, delta, forced_in, forced_out, gains)
        if inside is not None:
            return k, plan_of(lat, inside)
    raise AssertionError("the unit-optimal plan meets the worst rank of every plan")  # pragma: no cover


def two_sided_plan(
    sc: Scores, objective: Literal["egalitarian", "minimum_regret"], *, levels: bool = False
) -> IntArray | None:
    """The two-sided optimum as a 0/1 vector over the pairs of ``sc``, or ``None`` when the round is
    not HR (:func:`reduce_to_hr`; the caller also checks that there are no links, no balance and no
    hard minimums or targets, which the arrays do not show).

    ``"egalitarian"``: least sum of both sides' ranks (``rank + unit_rank``, ties kept); then the
    greatest lottery total. ``"minimum_regret"``: least worst rank on either side, then least rank sum,
    then the lottery. With ``levels`` the plan is the one the solver's levels choose for
    ``egalitarian_two_sided`` and ``minimum_regret_two_sided``: both sides' strict ranks (ties broken by
    the lottery, as the stability rows use them), and minimum regret goes from the worst rank straight to
    the lottery (placed, which every stable plan shares, comes first in both)."""
    hr = reduce_to_hr(sc)
    if hr is None:
        return None
    lat = lattice(sc, hr)
    arank = (sc.rank_strict if levels else sc.rank).astype(np.int64)
    urank = (sc.unit_rank_strict if levels else sc.unit_rank).astype(np.int64)
    if objective == "egalitarian":
        plan = minimum_cost(lat, arank + urank, sc.lottery)
    else:
        second = np.zeros(sc.n_pairs, dtype=np.int64) if levels else arank + urank
        plan = minimum_regret(lat, arank, urank, second, sc.lottery)[1]
    x = np.zeros(sc.n_pairs, dtype=np.int64)
    x[plan[plan >= 0]] = 1
    return x
