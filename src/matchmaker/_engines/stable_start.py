"""A start for the stable search when municipality caps can bind: a plan that meets the caps and has
no blocking pair, found fast when it can be, never proven best.

Deferred acceptance that refuses what would overfill a municipality
(:func:`~matchmaker._engines.deferred_acceptance.deferred_acceptance` with ``municipality_caps=True``)
meets every cap, but a unit that fills up after refusing an applicant for its municipality's cap may
then hold someone it likes less. Such blocking pairs are satisfied one at a time, as in Roth & Vande
Vate, "Random paths to stability in two-sided matching", Econometrica 58(6) (1990): the applicant
moves, and the unit drops whom the blocking case says. With binding caps a stable plan need not exist,
so the walk is cut after a few steps per blocking pair it starts from. The plan is only a hint for the
pair variables: the search completes it, or repairs it where it fails a row (a minimum, say).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchmaker._engines.deferred_acceptance import deferred_acceptance

if TYPE_CHECKING:
    from matchmaker._scoring import Scores
    from matchmaker._types import IntArray

__all__ = ["stable_start"]

#: Steps before the walk gives up: a few per blocking pair it starts from, and some more (each step
#: scans every pair, and a walk that cycles should cost little).
_STEPS_PER_BLOCKING_PAIR = 4
_STEPS_MORE = 200


def stable_start(sc: Scores, *, strict: bool) -> IntArray | None:
    """A plan over the pairs of ``sc`` with every cap met and no blocking pair (for the strict ranks, or
    the ranks as given: weakly stable), or ``None`` if the walk did not reach one (or a pin leaves a
    choice)."""
    x = deferred_acceptance(sc, municipality_caps=True)
    if x is None or sc.n_pairs == 0:
        return x
    enc = sc.encoding
    pa = sc.applicant.astype(np.int64)
    ps = sc.supervisor.astype(np.int64)
    pu = sc.unit.astype(np.int64)
    pm = sc.municipality.astype(np.int64)
    arank = (sc.rank_strict if strict else sc.rank).astype(np.int64)
    ukey = (sc.unit_rank_strict if strict else sc.unit_rank).astype(np.int64)
    n_a, n_s, n_u, n_m = enc.n_applicants, enc.n_supervisors, len(enc.unit_ids), len(enc.municipality_ids)
    pinned = np.zeros(n_a, dtype=bool)
    for a, _ in sc.pins:
        pinned[a] = True
    big = np.iinfo(np.int64).max
    budget: int | None = None
    while budget is None or budget > 0:
        idx = np.flatnonzero(x)
        held = np.full(n_a, -1, dtype=np.int64)
        held[pa[idx]] = idx
        cur = np.where(held >= 0, arank[np.maximum(held, 0)], big)
        count_s = np.bincount(ps[idx], minlength=n_s)
        count_u = np.bincount(pu[idx], minlength=n_u)
        count_m = np.bincount(pm[idx], minlength=n_m)
        s_full = count_s >= enc.supervisor_capacity
        u_full = count_u >= enc.unit_max
        m_full = (enc.municipality_max >= 0) & (count_m >= enc.municipality_max)
        movable = idx[~pinned[pa[idx]]]
        worst_s = np.full(n_s, -1, dtype=np.int64)
        worst_u = np.full(n_u, -1, dtype=np.int64)
        np.maximum.at(worst_s, ps[movable], ukey[movable])
        np.maximum.at(worst_u, pu[movable], ukey[movable])
        home = np.where(held >= 0, pu[np.maximum(held, 0)], -1)[pa]
        home_m = np.where(held >= 0, pm[np.maximum(held, 0)], -1)[pa]
        wants = (arank < cur[pa]) & ~pinned[pa] & (x == 0)
        room_s, room_u = ~s_full[ps], ~u_full[pu]
        case_a = wants & room_s & room_u & (~m_full[pm] | (home_m == pm))
        case_b = wants & room_s & ~room_u & ((home == pu) | (ukey < worst_u[pu]))
        case_c = wants & ~room_s & (ukey < worst_s[ps])
        blocking = np.flatnonzero(case_a | case_b | case_c)
        if blocking.size == 0:
            return x
        budget = _STEPS_PER_BLOCKING_PAIR * blocking.size + _STEPS_MORE if budget is None else budget - 1
        # The first applicant's best blocking pair: they will not want to leave it for another one.
        mine = blocking[pa[blocking] == pa[blocking[0]]]
        p = int(mine[np.argmin(arank[mine])])
        a = int(pa[p])
        if held[a] >= 0:
            x[held[a]] = 0
        x[p] = 1
        if case_c[p]:
            dropped = movable[(ps[movable] == ps[p]) & (ukey[movable] == worst_s[ps[p]])]
        elif case_b[p] and home[p] != pu[p]:
            dropped = movable[(pu[movable] == pu[p]) & (ukey[movable] == worst_u[pu[p]])]
        else:
            continue
        x[dropped[:1]] = 0  # with ties kept, one of the unit's least liked
    return None
