"""The blocking cases of a plan as masks over the scored pairs: arrays only, for the audit and the walk.

The definitions are those of :mod:`matchmaker._blocking` (Abraham, Irving & Manlove 2007, with a
municipality cap as a third level): a pair blocks when its applicant is not pinned, is not placed on
it, strictly prefers it to their placement (or is unplaced), and the supervisor and unit have room
(``undersubscribed``), or the unit is full and already holds the applicant or holds someone it likes
less (``unit_full``), or the supervisor is full and holds someone the unit likes less
(``supervisor_full``). The stability audit lists them; the stable start (:mod:`.stable_start`) walks
them away one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matchmaker._types import BoolArray, IntArray

if TYPE_CHECKING:
    from matchmaker._scoring import Scores

__all__ = ["Blocking", "blocking_cases"]


@dataclass(frozen=True, eq=False)
class Blocking:
    """The three cases as masks over the pairs, and what a step of the walk needs: each applicant's
    placed pair (``held``, ``-1`` if none), the placed pairs of unpinned applicants (``movable``) and,
    per supervisor and per unit, the largest unit key among them (``worst_supervisor``,
    ``worst_unit``, ``-1`` if none)."""

    undersubscribed: BoolArray
    unit_full: BoolArray
    supervisor_full: BoolArray
    held: IntArray
    movable: IntArray
    worst_supervisor: IntArray
    worst_unit: IntArray

    @property
    def any(self) -> BoolArray:
        """The blocking pairs, whatever their case."""
        return self.undersubscribed | self.unit_full | self.supervisor_full


def blocking_cases(sc: Scores, placed: BoolArray, pinned: BoolArray, *, strict: bool) -> Blocking:
    """The blocking cases of the plan ``placed`` (a mask over the pairs of ``sc``, one per applicant at
    most) with ``pinned`` applicants (a mask over the applicants); ``strict`` reads both sides' ranks
    with ties broken by the seeded lottery, else ties are kept (weak stability)."""
    enc = sc.encoding
    pa = sc.applicant.astype(np.int64)
    ps = sc.supervisor.astype(np.int64)
    pu = sc.unit.astype(np.int64)
    pm = sc.municipality.astype(np.int64)
    arank = (sc.rank_strict if strict else sc.rank).astype(np.int64)
    ukey = (sc.unit_rank_strict if strict else sc.unit_rank).astype(np.int64)
    n_a, n_s, n_u, n_m = enc.n_applicants, enc.n_supervisors, len(enc.unit_ids), len(enc.municipality_ids)
    idx = np.flatnonzero(placed)
    held = np.full(n_a, -1, dtype=np.int64)
    held[pa[idx]] = idx
    has = held >= 0
    cur_rank = np.where(has, arank[np.maximum(held, 0)], np.iinfo(np.int64).max)
    cur_unit = np.where(has, pu[np.maximum(held, 0)], -1)
    cur_muni = np.where(has, pm[np.maximum(held, 0)], -1)
    s_full = np.bincount(ps[idx], minlength=n_s) >= enc.supervisor_capacity
    u_full = np.bincount(pu[idx], minlength=n_u) >= enc.unit_max
    m_full = (enc.municipality_max >= 0) & (np.bincount(pm[idx], minlength=n_m) >= enc.municipality_max)
    # The worst (largest key) displaceable applicant per supervisor and per unit.
    movable = idx[~pinned[pa[idx]]]
    worst_s = np.full(n_s, -1, dtype=np.int64)
    worst_u = np.full(n_u, -1, dtype=np.int64)
    np.maximum.at(worst_s, ps[movable], ukey[movable])
    np.maximum.at(worst_u, pu[movable], ukey[movable])
    wants = (arank < cur_rank[pa]) & ~pinned[pa] & ~placed
    room_s = ~s_full[ps]
    room_u = ~u_full[pu]
    return Blocking(
        undersubscribed=wants & room_s & room_u & (~m_full[pm] | (cur_muni[pa] == pm)),
        unit_full=wants & room_s & ~room_u & ((cur_unit[pa] == pu) | (ukey < worst_u[pu])),
        supervisor_full=wants & ~room_s & (ukey < worst_s[ps]),
        held=held,
        movable=movable,
        worst_supervisor=worst_s,
        worst_unit=worst_u,
    )
