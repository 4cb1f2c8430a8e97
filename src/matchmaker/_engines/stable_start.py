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

from matchmaker._engines.blocking import blocking_cases
from matchmaker._engines.deferred_acceptance import deferred_acceptance

if TYPE_CHECKING:
    from matchmaker._scoring import Scores
    from matchmaker._types import IntArray

__all__ = ["stable_start"]

#: Steps before the walk gives up: a few per blocking pair it starts from, and some more (each step
#: scans every pair, and a walk that cycles should cost little).
_STEPS_PER_BLOCKING_PAIR = 4
_STEPS_MORE = 200


def stable_start(sc: Scores, *, strict: bool, reserve: bool = False) -> IntArray | None:
    """A plan over the pairs of ``sc`` with every cap met and no blocking pair (for the strict ranks, or
    the ranks as given: weakly stable), or ``None`` if the walk did not reach one (or a pin leaves a
    choice). ``reserve`` starts the walk from deferred acceptance that keeps the places units miss of
    their minimums within their municipality's cap (the walk itself does not know minimums)."""
    x = deferred_acceptance(sc, municipality_caps=True, reserve=reserve)
    if x is None or sc.n_pairs == 0:
        return x
    pa = sc.applicant.astype(np.int64)
    ps = sc.supervisor.astype(np.int64)
    pu = sc.unit.astype(np.int64)
    arank = (sc.rank_strict if strict else sc.rank).astype(np.int64)
    ukey = (sc.unit_rank_strict if strict else sc.unit_rank).astype(np.int64)
    pinned = np.zeros(sc.encoding.n_applicants, dtype=bool)
    for a, _ in sc.pins:
        pinned[a] = True
    budget: int | None = None
    while budget is None or budget > 0:
        cases = blocking_cases(sc, x > 0, pinned, strict=strict)
        blocking = np.flatnonzero(cases.any)
        if blocking.size == 0:
            return x
        budget = _STEPS_PER_BLOCKING_PAIR * blocking.size + _STEPS_MORE if budget is None else budget - 1
        # The first applicant's best blocking pair: they will not want to leave it for another one.
        mine = blocking[pa[blocking] == pa[blocking[0]]]
        p = int(mine[np.argmin(arank[mine])])
        a = int(pa[p])
        held, movable = cases.held, cases.movable
        home = pu[held[a]] if held[a] >= 0 else -1
        if held[a] >= 0:
            x[held[a]] = 0
        x[p] = 1
        if cases.supervisor_full[p]:
            dropped = movable[(ps[movable] == ps[p]) & (ukey[movable] == cases.worst_supervisor[ps[p]])]
        elif cases.unit_full[p] and home != pu[p]:
            dropped = movable[(pu[movable] == pu[p]) & (ukey[movable] == cases.worst_unit[pu[p]])]
        else:
            continue
        x[dropped[:1]] = 0  # with ties kept, one of the unit's least liked
    return None
