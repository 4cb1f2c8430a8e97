"""Deferred acceptance with applicants proposing: the applicant-optimal stable plan, exactly and fast.

This is the SPA-student algorithm of Abraham, Irving & Manlove (2007), "Two algorithms for the
Student-Project Allocation problem", J. Discrete Algorithms 5(1), with a unit in the lecturer's role
and a supervisor in the project's. Preferences must be strict: the applicants' ranks and the units'
rankings with ties broken by the seeded lottery (:func:`matchmaker._scoring.strict_ranks`).

Each free applicant proposes to the best supervisor still on their list. If the supervisor is
over-subscribed, its unit drops the applicant it likes least among the supervisor's; if the unit is
over-subscribed, it drops the applicant it likes least among all of its own. A full supervisor (unit)
deletes from its list every applicant ranked below its least-liked one: those pairs can be in no
stable plan. The deletions only grow, so each is kept as a threshold on the unit's ranking key. The
result is stable, every applicant has their best partner over all stable plans, and (the
"rural hospitals" theorem of the same paper) every stable plan places the same applicants and gives
every unit the same number: so the objective levels above the applicants' own ranks are the same for
every stable plan, and this plan is the lexicographic optimum of the stable mode.

Pinned applicants keep their pinned place, are never displaced and never block, so they simply take
their places out of the capacities first. Municipality caps, links and balance are outside the
theorem: :func:`applies` says when the plan is provably the optimum of the full model.

When in every unit one level of capacity cannot bind (its supervisors together take no more than the
unit, or each of them alone could take all of it: a unit with one supervisor is both), the round is a
hospitals/residents round, a "hospital" being a supervisor or a whole unit, and the same plan comes
from proposals made in rounds over arrays (:func:`_by_rounds`): every free applicant proposes at once,
every hospital keeps its best proposals up to its capacity and rejects the rest. A national round
(hundreds of thousands of applicants) takes a few dozen such rounds; the loop above would touch each
proposal in Python.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matchmaker._models import Problem
    from matchmaker._scoring import Scores
    from matchmaker._types import IntArray

__all__ = ["applies", "deferred_acceptance", "pinned_pairs", "unit_proposing"]


def pinned_pairs(sc: Scores) -> dict[int, int] | None:
    """Applicant -> the single pair its pin allows, or ``None`` if a pin leaves a choice (or none)."""
    out: dict[int, int] = {}
    for a, pairs in sc.pins:
        if pairs.size != 1 or a in out:
            return None
        out[a] = int(pairs[0])
    return out


def _start(
    sc: Scores,
) -> tuple[IntArray, dict[int, int], list[int], list[int], list[int], list[int]] | None:
    """The pinned placements (as a plan), the pins, the supervisors' and units' capacities left, and each
    pair's supervisor and unit (as lists, for the loops); ``None`` if a pin leaves a choice of supervisor
    or the pins alone overfill a capacity."""
    pins = pinned_pairs(sc)
    if pins is None:
        return None
    x = np.zeros(sc.n_pairs, dtype=np.int64)
    cs = sc.encoding.supervisor_capacity.tolist()
    cu = sc.encoding.unit_max.tolist()
    for p in pins.values():
        x[p] = 1
        cs[int(sc.supervisor[p])] -= 1
        cu[int(sc.unit[p])] -= 1
    if min(cs, default=0) < 0 or min(cu, default=0) < 0:
        return None
    return x, pins, cs, cu, sc.supervisor.tolist(), sc.unit.tolist()


def applies(problem: Problem, sc: Scores) -> bool:
    """Whether :func:`deferred_acceptance` gives the lexicographic optimum of the stable model.

    True for ``mode="applicant_optimal"`` (:func:`deferred_acceptance`) or ``mode="unit_optimal"``
    (:func:`unit_proposing`) with ``ties="lottery"``, when no municipality cap can bind
    (each capped municipality can hold everything its units can take), there are no links and no
    municipality balance, and every pin names a single acceptable pair. Minimums and targets do not
    stop it: every stable plan fills each unit alike, so the caller checks the plan against them and
    a plan that fails them proves that no stable plan meets them.
    """
    stability = problem.policy.stability
    if stability is None or stability.mode == "optimise" or stability.ties != "lottery":
        return False
    if problem.links or problem.policy.balance is not None:
        return False
    if pinned_pairs(sc) is None:
        return False
    enc = sc.encoding
    sup_total = np.bincount(enc.supervisor_unit, weights=enc.supervisor_capacity, minlength=len(enc.unit_ids))
    unit_take = np.minimum(enc.unit_max, sup_total.astype(np.int64))
    muni_take = np.bincount(enc.unit_municipality, weights=unit_take, minlength=len(enc.municipality_ids))
    capped = enc.municipality_max >= 0
    return bool(np.all(muni_take[capped] <= enc.municipality_max[capped]))


def _best_first(sc: Scores) -> tuple[list[int], list[int]]:
    """The pairs ordered by applicant, each applicant's best first (strict ranks), and where each
    applicant's run starts (``starts[a]`` to ``starts[a + 1]``)."""
    order = np.lexsort((sc.rank_strict, sc.applicant))
    starts = np.searchsorted(sc.applicant[order], np.arange(sc.encoding.n_applicants + 1)).tolist()
    return order.tolist(), starts


def deferred_acceptance(sc: Scores, *, municipality_caps: bool = False, reserve: bool = False) -> IntArray | None:
    """The applicant-optimal stable plan as a 0/1 vector over the pairs of ``sc``.

    Uses the strict ranks of both sides and ignores municipality caps (see :func:`applies`). Pinned
    applicants are placed first (see the module docstring). Returns ``None`` if a pin leaves a choice
    of supervisor or the pins alone overfill a capacity.

    With ``municipality_caps=True`` a proposal that would take a capped municipality over its cap is
    refused (the municipality does not choose, so nobody is dropped for it): the plan meets every cap
    but need not be stable, and serves as a start for the search, which checks it. ``reserve`` (with
    ``municipality_caps``) also keeps, within a capped municipality, the places its units still miss
    of their minimums for those units: a proposal elsewhere in the municipality that would leave too
    few is refused the same way.
    """
    start = _start(sc)
    if start is None:
        return None
    x, pins, cs, cu, sl, ul = start
    enc = sc.encoding
    capped = municipality_caps and bool(np.any(enc.municipality_max >= 0))
    # The rounds over arrays know no municipality cap: a capped start takes the loop below.
    hospitals = None if capped else _hospitals(sc, cs, cu)
    if hospitals is not None:
        return _by_rounds(sc, x, pins, *hospitals)
    ml = sc.municipality.tolist()
    cm = enc.municipality_max.tolist() if municipality_caps else [-1] * len(enc.municipality_ids)
    umin = enc.unit_min.tolist() if capped and reserve else [0] * len(enc.unit_ids)
    for p in pins.values():  # a pinned placement counts towards its unit's minimum
        umin[ul[p]] -= 1
    unit_muni = [-1] * len(enc.unit_ids)
    for p, u in zip(ml, sc.unit.tolist(), strict=True):
        unit_muni[u] = p
    # Per municipality, the places its units still miss of their minimums.
    missing = [0] * len(enc.municipality_ids)
    for u, lo in enumerate(umin):
        if lo > 0 and unit_muni[u] >= 0:
            missing[unit_muni[u]] += lo
    count_m = [0] * len(enc.municipality_ids)
    for p in pins.values():
        count_m[ml[p]] += 1
    uk = sc.unit_rank_strict.tolist()
    ordered, starts = _best_first(sc)
    nxt = starts[:-1]
    held = [-1] * enc.n_applicants  # the pair each applicant holds, or -1
    big = np.iinfo(np.int64).max
    thr_s = [big] * enc.n_supervisors  # a pair at s is deleted if its unit key exceeds this
    thr_u = [big] * len(enc.unit_ids)
    count_s = [0] * enc.n_supervisors
    count_u = [0] * len(enc.unit_ids)
    heap_s: list[list[tuple[int, int, int]]] = [[] for _ in range(enc.n_supervisors)]
    heap_u: list[list[tuple[int, int, int]]] = [[] for _ in enc.unit_ids]

    def least_liked(heap: list[tuple[int, int, int]]) -> tuple[int, int]:
        """The (key, applicant) held here that the unit likes least; stale entries are dropped."""
        while True:
            neg, a, p = heap[0]
            if held[a] == p:
                return -neg, a
            heapq.heappop(heap)

    def drop(a: int) -> None:
        p = held[a]
        held[a] = -1
        count_s[sl[p]] -= 1
        count_u[ul[p]] -= 1
        if count_u[ul[p]] < umin[ul[p]]:
            missing[ml[p]] += 1
        free.append(a)

    free = deque(a for a in range(enc.n_applicants) if a not in pins)
    while free:
        a = free.popleft()
        p = -1
        while nxt[a] < starts[a + 1]:
            q = ordered[nxt[a]]
            nxt[a] += 1
            if uk[q] <= thr_s[sl[q]] and uk[q] <= thr_u[ul[q]]:
                p = q
                break
        if p < 0:
            continue  # the list is exhausted: unplaced
        s, u = sl[p], ul[p]
        held[a] = p
        count_s[s] += 1
        count_u[u] += 1
        if count_u[u] <= umin[u]:
            missing[ml[p]] -= 1
        heapq.heappush(heap_s[s], (-uk[p], a, p))
        heapq.heappush(heap_u[u], (-uk[p], a, p))
        if count_s[s] > cs[s]:
            drop(least_liked(heap_s[s])[1])
        elif count_u[u] > cu[u]:
            drop(least_liked(heap_u[u])[1])
        elif 0 <= cm[ml[p]] <= count_m[ml[p]] + missing[ml[p]]:
            drop(a)  # the municipality is full: refused, and nobody is dropped for it
        else:
            count_m[ml[p]] += 1
        if 0 < cs[s] == count_s[s]:
            thr_s[s] = min(thr_s[s], least_liked(heap_s[s])[0])
        if 0 < cu[u] == count_u[u]:
            thr_u[u] = min(thr_u[u], least_liked(heap_u[u])[0])
    for p in held:
        if p >= 0:
            x[p] = 1
    return x


def _hospitals(sc: Scores, cs: list[int], cu: list[int]) -> tuple[IntArray, IntArray] | None:
    """Each pair's hospital and each hospital's places left, when the round is a hospitals/residents
    round (see the module docstring), else ``None``.

    Hospitals ``0 .. S-1`` are the supervisors of units whose supervisors together take no more than
    the unit (the unit's cap cannot bind); hospital ``S + u`` is unit ``u`` when each of its
    supervisors could take all of the unit's places (no supervisor's cap can bind; an applicant then
    holds their best supervisor of the unit, the first they propose to there).
    """
    enc = sc.encoding
    n_units = len(enc.unit_ids)
    caps_s = np.asarray(cs, dtype=np.int64)
    caps_u = np.asarray(cu, dtype=np.int64)
    su = enc.supervisor_unit
    together = np.bincount(su, weights=caps_s, minlength=n_units)
    smallest = np.full(n_units, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, su, caps_s)
    by_supervisor = together <= caps_u
    by_unit = ~by_supervisor & (smallest >= caps_u)
    if not np.all(by_supervisor | by_unit):
        return None
    n_sup = enc.n_supervisors
    hospital_of = np.where(by_supervisor[su], np.arange(n_sup), n_sup + su)
    return hospital_of[sc.supervisor].astype(np.int64), np.concatenate([caps_s, caps_u])


def _by_rounds(sc: Scores, x: IntArray, pins: dict[int, int], pair_h: IntArray, cap: IntArray) -> IntArray:
    """Deferred acceptance in rounds over arrays on a hospitals/residents round (:func:`_hospitals`).

    In each round every free applicant proposes to their next pair; each hospital that received a
    proposal keeps, among the applicants it holds and the new ones, the best up to its capacity (by
    the unit's strict order) and rejects the others, who propose again in the next round. Any order of
    proposals gives the applicant-optimal plan (Gale & Shapley), so rounds give the plan the loop of
    :func:`deferred_acceptance` gives. ``x`` holds the pins, whose places ``cap`` already leaves out.
    """
    n_apps = sc.encoding.n_applicants
    n_h = cap.size
    key = sc.unit_rank_strict.astype(np.int64)
    span = int(key.max(initial=0)) + 1
    order = np.lexsort((sc.rank_strict, sc.applicant))
    starts = np.searchsorted(sc.applicant[order], np.arange(n_apps + 1))
    nxt = starts[:-1].copy()
    end = starts[1:]
    held = np.full(n_apps, -1, dtype=np.int64)  # the pair each applicant holds
    held_h = np.full(n_apps, n_h, dtype=np.int64)  # its hospital (n_h: none)
    free = np.flatnonzero(nxt < end)
    if pins:
        free = free[~np.isin(free, np.fromiter(pins, dtype=np.int64, count=len(pins)))]
    load = np.zeros(n_h, dtype=np.int64)  # applicants each hospital holds
    over = np.zeros(n_h + 1, dtype=bool)  # hospitals that must choose this round (n_h: none)
    while free.size:
        proposed = order[nxt[free]]
        nxt[free] += 1
        ph = pair_h[proposed]
        incoming = np.bincount(ph, minlength=n_h)
        over[:n_h] = load + incoming > cap
        # A hospital with room for everyone who proposed keeps them all.
        easy = ~over[ph]
        held[free[easy]] = proposed[easy]
        held_h[free[easy]] = ph[easy]
        load += np.where(over[:n_h], 0, incoming)
        if easy.all():
            break
        # The others choose among the applicants they hold and the new ones: the best, up to capacity.
        holders = np.flatnonzero(over[held_h])
        who = np.concatenate([holders, free[~easy]])
        pair = np.concatenate([held[holders], proposed[~easy]])
        h = pair_h[pair]
        ranked = np.argsort(h * span + key[pair])  # by hospital, then the unit's order: one int64 key
        h_sorted = h[ranked]
        first = np.flatnonzero(np.r_[True, h_sorted[1:] != h_sorted[:-1]])
        position = np.arange(ranked.size) - np.repeat(first, np.diff(np.r_[first, ranked.size]))
        keep = position < cap[h_sorted]
        kept, dropped = ranked[keep], ranked[~keep]
        held[who[kept]] = pair[kept]
        held_h[who[kept]] = h[kept]
        load[over[:n_h]] = cap[over[:n_h]]
        out = who[dropped]
        held[out] = -1
        held_h[out] = n_h
        free = out[nxt[out] < end[out]]
    x[held[held >= 0]] = 1
    return x


def unit_proposing(sc: Scores) -> IntArray | None:
    """The unit-optimal stable plan (every applicant's worst over all stable plans) as a 0/1 vector.

    The SPA-lecturer algorithm of the same paper: while some unit has room and can offer a place, the
    unit offers it to the applicant it ranks highest among those it can offer one to: the applicant's
    best supervisor of that unit with room, if the applicant has not deleted it. The applicant accepts
    (leaving a place they hold, if any) and deletes every supervisor they rank below the new one, so
    they only ever trade up. Strict ranks, pins and the limits as in :func:`deferred_acceptance`.
    """
    enc = sc.encoding
    start = _start(sc)
    if start is None:
        return None
    x, pins, cs, cu, sl, ul = start
    al = sc.applicant.tolist()
    n_units = len(enc.unit_ids)
    # Each applicant's pairs, best first; each unit's applicants, most preferred first.
    ordered, starts = _best_first(sc)
    lists = [ordered[starts[a] : starts[a + 1]] for a in range(enc.n_applicants)]
    uk = sc.unit_rank_strict.tolist()
    members: list[list[int]] = [[] for _ in range(n_units)]
    seen: set[tuple[int, int]] = set()
    for p in sorted(range(sc.n_pairs), key=lambda q: (ul[q], uk[q])):
        if al[p] not in pins and (ul[p], al[p]) not in seen:
            seen.add((ul[p], al[p]))
            members[ul[p]].append(al[p])
    alive = [len(lst) for lst in lists]  # a's pairs beyond this position are deleted
    held = [-1] * enc.n_applicants
    count_s = [0] * enc.n_supervisors
    count_u = [0] * n_units

    def offer(u: int) -> bool:
        """Unit ``u`` makes its best possible offer; returns whether it could make one."""
        for a in members[u]:
            mine = lists[a]
            for i in range(alive[a]):
                p = mine[i]
                if ul[p] == u and count_s[sl[p]] < cs[sl[p]] and held[a] != p:
                    if held[a] >= 0:
                        q = held[a]
                        count_s[sl[q]] -= 1
                        count_u[ul[q]] -= 1
                    held[a] = p
                    count_s[sl[p]] += 1
                    count_u[u] += 1
                    alive[a] = i + 1  # delete every pair the applicant ranks below this one
                    return True
                if held[a] == p:
                    break  # the applicant holds a place in u already, and nothing in u above it is open
        return False

    progress = True
    while progress:
        progress = False
        for u in range(n_units):
            while count_u[u] < cu[u] and offer(u):
                progress = True
    for p in held:
        if p >= 0:
            x[p] = 1
    return x
