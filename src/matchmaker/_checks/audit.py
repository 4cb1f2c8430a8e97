"""The stability audit over the checker's pair arrays: both sides' orders and every blocking pair at once.

The same definitions as :mod:`matchmaker._checks.stability` states them, evaluated with numpy over
:class:`~matchmaker._checks.arrays.PairTable`: the applicant's order of supervisors (rank, then with
lottery ties the pair's draw, higher first), each unit's order of applicants (its ranking, interview or
indifference; with lottery ties the unit's draw, higher first, then the id), and the three cases of a
blocking pair.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from matchmaker._checks.arrays import IntArray, dense_rank_desc
from matchmaker._checks.truth import UNIT_DRAW_OFFSET, Truth
from matchmaker._lottery import lottery_draws

__all__ = ["CASES", "UnitKeys", "blocking", "draws", "strict_ranks", "unit_keys", "unit_preferences"]

#: The cases of a blocking pair, by the code :func:`blocking` gives them.
CASES = ("undersubscribed", "unit_full", "supervisor_full")

#: A unit's sort key of an applicant as three integer arrays, compared in order (smaller is preferred).
UnitKeys = tuple[IntArray, IntArray, IntArray]

Bools = npt.NDArray[np.bool_]


def unit_preferences(t: Truth) -> tuple[IntArray, IntArray]:
    """Each unit's rank of each applicant acceptable there: keys ``unit * applicants + applicant``
    (sorted) and the ranks (its ranking; 1 when indifferent; else by interview value, equal values
    tied, no value last)."""
    keys, ranks, _ = _unit_preferences(t)
    return keys, ranks


def _unit_preferences(t: Truth) -> tuple[IntArray, IntArray, IntArray]:
    """:func:`unit_preferences`, and for each acceptable pair (in the table's order) the position of
    its unit's rank of the applicant."""
    tb = t.table
    keys, pos = tb.unit_pairs
    units, apps = keys // max(tb.n_app, 1), keys % max(tb.n_app, 1)
    out = np.ones(len(keys), np.int64)
    by_interview = np.zeros(len(keys), bool)
    # The keys are sorted, so each unit's members are one slice (a scan per unit would be quadratic).
    bounds = np.searchsorted(units, np.arange(len(t.p.units) + 1)).tolist()
    for k, u in enumerate(t.p.units):
        members = slice(bounds[k], bounds[k + 1])
        if u.ranking is not None:
            ranking = u.ranking
            out[members] = [ranking[tb.app_ids[i]] for i in apps[members].tolist()]
        elif t.p.policy.unit_preferences != "indifferent":
            by_interview[members] = True
    if by_interview.any():
        at = np.flatnonzero(by_interview)
        values = t.interviews(apps[at], units[at])
        known = ~np.isnan(values)
        ranks, distinct = dense_rank_desc(units[at][known], values[known])
        out[at[known]] = ranks
        # an applicant without a value ranks after every value the unit has
        n_distinct = np.zeros(tb.n_unit, np.int64)
        n_distinct[units[at][known]] = distinct
        out[at[~known]] = n_distinct[units[at][~known]] + 1
    return keys, out, pos


def unit_keys(t: Truth, pref: tuple[IntArray, IntArray], unit: IntArray, app: IntArray, *, strict: bool) -> UnitKeys:
    """The units' sort keys of the given (unit, applicant) pairs: (rank, -draw, id order) with
    ``strict``, else the rank alone (``KeyError`` for a pair the unit does not rank)."""
    tb = t.table
    keys, ranks = pref
    want = unit * tb.n_app + app
    at = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
    if len(want) and (len(keys) == 0 or not bool((keys[at] == want).all())):
        raise KeyError("a pair the unit does not rank")
    return _keys_at(t, ranks, at, unit, app, strict=strict)


def _keys_at(t: Truth, ranks: IntArray, at: IntArray, unit: IntArray, app: IntArray, *, strict: bool) -> UnitKeys:
    """:func:`unit_keys` of the given pairs, whose ranks are ``ranks[at]``."""
    tb = t.table
    first = ranks[at] if len(at) else np.zeros(0, np.int64)
    zero = np.zeros(len(at), np.int64)
    if not strict:
        return first, zero, zero
    seed = (t.p.policy.lottery_seed + UNIT_DRAW_OFFSET) % 2**64
    draws = lottery_draws(seed, tb.app_hashes[app], tb.unit_hashes[unit])
    return first, -draws, tb.app_order[app]


def _greater(a: UnitKeys, b: UnitKeys) -> Bools:
    """Where key ``a`` sorts after key ``b`` (lexicographically)."""
    out: Bools = (a[0] > b[0]) | ((a[0] == b[0]) & ((a[1] > b[1]) | ((a[1] == b[1]) & (a[2] > b[2]))))
    return out


def _worst(group: IntArray, keys: UnitKeys, n: int) -> tuple[Bools, UnitKeys]:
    """Per group (0..n-1): whether it has a member, and the largest key among its members."""
    has = np.zeros(n, bool)
    worst = (np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64))
    if len(group):
        order = np.lexsort((keys[2], keys[1], keys[0], group))
        g = group[order]
        last = np.ones(len(g), bool)
        last[:-1] = g[1:] != g[:-1]
        pick = order[last]
        has[group[pick]] = True
        for k in range(3):
            worst[k][group[pick]] = keys[k][pick]
    return has, worst


def draws(t: Truth, app: IntArray, sup: IntArray) -> IntArray:
    """The lottery draw of each (applicant index, supervisor index) pair."""
    tb = t.table
    return lottery_draws(t.p.policy.lottery_seed, tb.app_hashes[app], tb.sup_hashes[sup])


def strict_ranks(t: Truth, app: IntArray, sup: IntArray) -> IntArray:
    """Each applicant's rank of the given supervisor with ties broken by the pair's lottery draw
    (higher first): 1 + how many of the applicant's acceptable supervisors come before it."""
    tb = t.table
    own = tb.rank_of(app, sup)
    lo, hi = tb.start[app], tb.start[app + 1]
    counts = hi - lo
    who = np.repeat(np.arange(len(app)), counts)
    pos = np.arange(len(who)) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo, counts)
    ok = tb.ok[pos]
    who, pos = who[ok], pos[ok]
    r = tb.rank[pos]
    before = r < own[who]
    tie = np.flatnonzero(r == own[who])
    if len(tie):
        mine = draws(t, app[who[tie]], sup[who[tie]])
        other = draws(t, tb.app[pos[tie]], tb.sup[pos[tie]])
        before[tie] = other > mine
    return 1 + np.bincount(who[before], minlength=len(app)).astype(np.int64)


def blocking(t: Truth, plan: Mapping[str, str], *, strict: bool) -> tuple[IntArray, IntArray, IntArray]:
    """Every blocking pair of ``plan`` (applicant id -> supervisor id) as arrays: applicant index,
    supervisor index and case (an index into :data:`CASES`), sorted by applicant id then supervisor id."""
    tb = t.table
    p = t.p
    n_a, n_s, n_u = tb.n_app, tb.n_sup, tb.n_unit
    n_m = len(p.municipalities)
    pa, ps = tb.indices(list(plan.items()))
    cur = np.full(n_a, -1, np.int64)
    cur[pa] = ps
    per_sup = np.bincount(ps, minlength=n_s)
    per_unit = np.bincount(tb.sup_unit[ps], minlength=n_u)
    per_muni = np.bincount(tb.unit_muni[tb.sup_unit[ps]], minlength=n_m)
    pinned = np.zeros(n_a, bool)
    pinned[[tb.app_index[x.applicant] for x in p.pins if x.applicant in tb.app_index]] = True

    idx = np.flatnonzero(tb.ok)
    a, s = tb.app[idx], tb.sup[idx]
    c = cur[a]
    # Each pair's place among the acceptable ones: where the units' ranks of it are.
    pref_keys, pref_ranks, pref_pos = _unit_preferences(t)
    keep = ~pinned[a] & (c != s)
    # A placed applicant blocks only with a supervisor they prefer to their own.
    placed = np.flatnonzero(keep & (c >= 0))
    own_rank = np.zeros(n_a, np.int64)
    own_rank[pa] = tb.rank_of(pa, ps)
    rank_s, rank_c = tb.rank[idx[placed]], own_rank[a[placed]]
    better = rank_s < rank_c
    if strict:
        own_draw = np.zeros(n_a, np.int64)
        own_draw[pa] = draws(t, pa, ps)
        tie = np.flatnonzero(rank_s == rank_c)
        better[tie] = draws(t, a[placed[tie]], s[placed[tie]]) > own_draw[a[placed[tie]]]
    keep[placed[~better]] = False
    a, s, c, pref_pos = a[keep], s[keep], c[keep], pref_pos[keep]

    # Room per record first, then one look-up per pair.
    sup_muni = tb.unit_muni[tb.sup_unit]
    unit_room = per_unit < np.array([x.max_places for x in p.units], np.int64)
    muni_room = np.array(
        [x.max_places is None or n < x.max_places for x, n in zip(p.municipalities, per_muni.tolist(), strict=True)],
        bool,
    )
    sup_room = per_sup < np.array([x.capacity for x in p.supervisors], np.int64)
    s_room = sup_room[s]
    u_room = unit_room[tb.sup_unit][s]
    u = tb.sup_unit[s]
    cur_unit = np.where(c >= 0, tb.sup_unit[np.maximum(c, 0)], -1)
    cur_muni = np.where(c >= 0, sup_muni[np.maximum(c, 0)], -1)
    undersubscribed = s_room & u_room & (muni_room[sup_muni][s] | (cur_muni == sup_muni[s]))

    # The applicant each unit (each supervisor) likes least among its placed, movable applicants.
    pref = pref_keys, pref_ranks
    movable = ~pinned[pa]
    b, bs = pa[movable], ps[movable]
    b_keys = unit_keys(t, pref, tb.sup_unit[bs], b, strict=strict)
    has_u, worst_u = _worst(tb.sup_unit[bs], b_keys, n_u)
    has_s, worst_s = _worst(bs, b_keys, n_s)
    rest = np.flatnonzero(~undersubscribed & ~(s_room & u_room))
    mine = _keys_at(t, pref_ranks, pref_pos[rest], u[rest], a[rest], strict=strict)
    ur, sr = u[rest], s[rest]
    unit_full = np.zeros(len(s), bool)
    sup_full = np.zeros(len(s), bool)
    unit_full[rest] = (
        s_room[rest]
        & ~u_room[rest]
        & ((cur_unit[rest] == ur) | (has_u[ur] & _greater((worst_u[0][ur], worst_u[1][ur], worst_u[2][ur]), mine)))
    )
    sup_full[rest] = ~s_room[rest] & has_s[sr] & _greater((worst_s[0][sr], worst_s[1][sr], worst_s[2][sr]), mine)

    case = np.full(len(s), -1, np.int64)
    case[sup_full] = 2
    case[unit_full] = 1
    case[undersubscribed] = 0
    found = case >= 0
    a, s, case = a[found], s[found], case[found]
    order = np.lexsort((tb.sup_order[s], tb.app_order[a]))
    return a[order], s[order], case[order]
