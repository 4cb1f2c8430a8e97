"""The round's candidate pairs as numpy arrays, read from the raw records: wishes, ranks, acceptability.

The checker's own reading, sharing no code with scoring or model building: every pair an applicant's
wishes name (an area, a unit or a supervisor, the most specific entry winning) or a pin names, with the
applicant's rank of it and whether every rule allows it. Any other pair is not acceptable (no interest).
The rules are those of :meth:`matchmaker._checks.truth.Truth.refusal`, evaluated for all pairs at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from itertools import chain, repeat
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from matchmaker._lottery import id_hashes
from matchmaker._models import Problem

__all__ = ["IntArray", "PairTable", "dense_rank_desc", "id_order", "sorted_unique"]

#: An array of indices or integer values.
IntArray = npt.NDArray[np.int64]

#: The units' (unit, applicant) keys are marked in a table of all of them when it is at most this many
#: times the acceptable pairs; else they are sorted.
_DENSE_KEYS = 8


def dense_rank_desc(group: IntArray, value: npt.NDArray[np.float64]) -> tuple[IntArray, IntArray]:
    """Each element's rank within its group by value, largest first, equal values sharing a rank
    (1 + how many distinct larger values the group holds); and per element, its group's count of
    distinct values."""
    size = len(group)
    if size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # Code the values by their order (largest first, equal values one code): one integer sort of
    # (group, code) then orders every group.
    distinct = sorted_unique(value)
    n = len(distinct)
    key = group * n + (n - 1 - np.searchsorted(distinct, value))
    order = np.argsort(key)
    k, g = key[order], group[order]
    first = np.ones(size, bool)
    first[1:] = g[1:] != g[:-1]
    new = first.copy()
    new[1:] |= k[1:] != k[:-1]
    cum = np.cumsum(new)
    sorted_ranks = cum - np.maximum.accumulate(np.where(first, cum, 0)) + 1
    last = np.ones(size, bool)
    last[:-1] = first[1:]
    ranks = np.empty(size, np.int64)
    ranks[order] = sorted_ranks
    counts = np.empty(size, np.int64)
    counts[order] = sorted_ranks[last][np.cumsum(first) - 1]
    return ranks, counts


def sorted_unique(x: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The distinct values of ``x``, sorted (by sorting: numpy's hashing ``unique`` is slower here)."""
    x = np.sort(x)
    if len(x) < 2:
        return x
    keep = np.empty(len(x), bool)
    keep[0] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def _sort_pairs(key: IntArray, entry: IntArray, n_entries: int) -> tuple[IntArray, IntArray]:
    """``key`` sorted (non-negative), with each key's ``entry`` (in ``0..n_entries-1``) carried along;
    equal keys in any order."""
    if len(key) == 0:
        return key, entry
    top = int(key.max()) + 1
    if top <= np.iinfo(np.int64).max // max(n_entries, 1):
        # One value sort of the key and the entry packed in one integer, cheaper than an argsort; a
        # stable sort, as the keys come in long sorted runs (one wish at a time) that it merges.
        packed = np.sort(key * n_entries + entry, kind="stable")
        return packed // n_entries, packed % n_entries
    order = np.argsort(key, kind="stable")
    return key[order], entry[order]


def id_order(ids: Sequence[str]) -> IntArray:
    """Each id's position among the ids sorted as strings."""
    out = np.empty(len(ids), np.int64)
    out[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    return out


def _in(keys: IntArray, table: IntArray) -> npt.NDArray[np.bool_]:
    """Whether each key is in ``table`` (looked up in the sorted table: the keys are many, it is small)."""
    if len(table) == 0:
        return np.zeros(len(keys), bool)
    table = sorted_unique(table)
    found: npt.NDArray[np.bool_] = table[np.minimum(np.searchsorted(table, keys), len(table) - 1)] == keys
    return found


class PairTable:
    """Every candidate pair of the round (wished, listed with weight 0, or pinned), sorted by applicant
    then supervisor in the records' order, with its rank and acceptability.

    Built by :class:`~matchmaker._checks.truth.Truth` from the records and what it reads per record:
    ``app_periods`` (each applicant's period id), ``app_quals`` and ``unit_reqs`` (normalised
    qualifications and requirements) and ``sup_blocked`` (a supervisor whom training or capacity rules
    out for everyone).
    """

    def __init__(
        self,
        problem: Problem,
        *,
        app_periods: Sequence[str | None],
        app_quals: Sequence[frozenset[str]],
        unit_reqs: Sequence[frozenset[str]],
        sup_blocked: Sequence[bool],
    ) -> None:
        apps, sups, units = problem.applicants, problem.supervisors, problem.units
        self.app_ids = [a.id for a in apps]
        self.sup_ids = [s.id for s in sups]
        self.unit_ids = [u.id for u in units]
        self.app_index = {ident: i for i, ident in enumerate(self.app_ids)}
        self.sup_index = {ident: i for i, ident in enumerate(self.sup_ids)}
        self.unit_index = {ident: i for i, ident in enumerate(self.unit_ids)}
        muni_index = {m.id: i for i, m in enumerate(problem.municipalities)}
        n_a, n_s, n_u = len(apps), len(sups), len(units)
        self.n_app, self.n_sup, self.n_unit = n_a, n_s, n_u
        self.sup_unit: IntArray = np.array([self.unit_index[s.unit] for s in sups], np.int64)
        self.unit_muni: IntArray = np.array([muni_index[u.municipality] for u in units], np.int64)

        # Groups a wish can name: each area, each unit, each supervisor; their supervisors as CSR.
        by_unit: list[list[int]] = [[] for _ in units]
        for j, u in enumerate(self.sup_unit.tolist()):
            by_unit[u].append(j)
        areas: dict[str, list[int]] = {}
        for k, u in enumerate(units):
            areas.setdefault(u.area, []).extend(by_unit[k])
        area_group = {name: g for g, name in enumerate(areas)}
        unit_group = {ident: len(areas) + k for k, ident in enumerate(self.unit_ids)}
        sup_group = {ident: len(areas) + n_u + j for j, ident in enumerate(self.sup_ids)}
        members = [*areas.values(), *by_unit, *([j] for j in range(n_s))]
        sizes = np.array([len(x) for x in members], np.int64)
        ptr = np.concatenate([[0], np.cumsum(sizes)])
        flat = np.array([j for x in members for j in x], np.int64)

        # Every entry of every applicant's wishes, field by field and a whole list at a time (a national
        # round has millions; the order of the entries changes nothing below). An entry naming no group
        # (-1) is dropped.
        by_ranking = np.array([a.ranking is not None for a in apps], bool)
        prefs_of = [a.interests if a.interests is not None else a.ranking for a in apps]
        e_app_parts: list[IntArray] = []
        e_group: list[int] = []
        e_weight: list[float] = []
        e_spec_parts: list[IntArray] = []
        stated = [i for i, prefs in enumerate(prefs_of) if prefs is not None]
        given = [prefs_of[i] for i in stated]
        for spec, field, groups in ((0, "areas", area_group), (1, "units", unit_group), (2, "supervisors", sup_group)):
            maps = [(i, m) for i, m in zip(stated, map(attrgetter(field), given), strict=True) if m]
            sizes_here = [len(m) for _, m in maps]
            e_app_parts.append(np.repeat(np.array([i for i, _ in maps], np.int64), sizes_here))
            e_spec_parts.append(np.full(sum(sizes_here), spec, np.int64))
            e_group.extend(map(groups.get, chain.from_iterable(m for _, m in maps), repeat(-1)))
            e_weight.extend(chain.from_iterable(m.values() for _, m in maps))
        all_apps = np.concatenate(e_app_parts)
        all_w = np.array(e_weight, np.float64)
        #: The largest rank each ranking applicant gives (over all its entries), for the interest.
        self.top_rank: IntArray = np.ones(n_a, np.int64)
        mine = by_ranking[all_apps]
        if mine.any():
            top = np.zeros(n_a, np.float64)
            np.maximum.at(top, all_apps[mine], all_w[mine])
            self.top_rank[by_ranking] = np.maximum(top[by_ranking], 1).astype(np.int64)
        all_groups = np.array(e_group, np.int64)
        named = all_groups >= 0
        g_arr = all_groups[named]
        n_e = len(g_arr)
        e_apps = all_apps[named]
        e_w = all_w[named]
        e_specs = np.concatenate(e_spec_parts)[named]
        counts = sizes[g_arr] if n_e else np.zeros(0, np.int64)
        entry = np.repeat(np.arange(n_e, dtype=np.int64), counts)
        offset = np.arange(len(entry)) - np.repeat(np.cumsum(counts) - counts, counts)
        w_sup = flat[ptr[g_arr][entry] + offset] if len(entry) else np.zeros(0, np.int64)
        w_key = e_apps[entry] * n_s + w_sup
        # The most specific entry wins: sort by pair, then by specificity (most specific first).
        w_key, entry = _sort_pairs(w_key * 3 + (2 - e_specs[entry]), entry, n_e)
        w_key //= 3
        head = np.ones(len(w_key), bool)
        head[1:] = w_key[1:] != w_key[:-1]
        w_key, entry = w_key[head], entry[head]

        # Ranks, entry by entry (an applicant's entries are far fewer than their pairs): by rank as
        # given; by weight, 1 + the distinct larger weights wished. An entry counts when it wins a pair.
        e_ranked = by_ranking[e_apps]
        e_wished = e_ranked | (e_w > 0)
        counted = np.zeros(n_e, bool)
        counted[entry] = True
        counted &= e_wished
        e_rank = np.zeros(n_e, np.int64)
        by_rank = counted & e_ranked
        e_rank[by_rank] = e_w[by_rank].astype(np.int64)
        by_weight = np.flatnonzero(counted & ~e_ranked)
        e_rank[by_weight] = dense_rank_desc(e_apps[by_weight], e_w[by_weight])[0]
        worst = np.zeros(n_a, np.int64)
        np.maximum.at(worst, e_apps[counted], e_rank[counted])
        #: The rank of any pair the applicant did not wish (a pin): below every wish.
        self.unlisted_rank: IntArray = worst + 1

        pin_keys: list[int] = []
        last_pin = {pin.applicant: pin for pin in problem.pins}  # an applicant's last pin counts
        for a_id, pin in last_pin.items():
            if a_id not in self.app_index:
                continue
            i = self.app_index[a_id]
            if pin.supervisor is not None:
                if pin.supervisor in self.sup_index:
                    pin_keys.append(i * n_s + self.sup_index[pin.supervisor])
            elif pin.unit in self.unit_index:
                pin_keys.extend(i * n_s + j for j in by_unit[self.unit_index[pin.unit]])
        p_key = sorted_unique(np.array(pin_keys, np.int64))

        self.key: IntArray = sorted_unique(np.concatenate([w_key, p_key])) if len(p_key) else w_key
        self.app: IntArray = self.key // max(n_s, 1)
        self.sup: IntArray = self.key % max(n_s, 1)
        self.unit: IntArray = self.sup_unit[self.sup]
        wished, w_rank = e_wished[entry], e_rank[entry]
        #: The value of the applicant's most specific entry for each pair (a weight or a rank; NaN for a
        #: pinned pair they did not list).
        self.wish: npt.NDArray[np.float64]
        if len(p_key):  # the pins' pairs join the listed ones
            at = np.searchsorted(self.key, w_key)
            self.wished = np.zeros(len(self.key), bool)
            self.wished[at] = wished
            rank = np.zeros(len(self.key), np.int64)
            rank[at] = w_rank
            self.wish = np.full(len(self.key), np.nan)
            self.wish[at] = e_w[entry]
        else:
            self.wished, rank = wished, w_rank
            self.wish = e_w[entry]
        # a pair not wished (a pin, a weight of 0) ranks below every wish
        self.rank: IntArray = np.where(self.wished, rank, self.unlisted_rank[self.app])
        pinned = _in(self.key, p_key)

        # The rules, in Truth.refusal's terms, for every candidate at once.
        qual_id: dict[frozenset[str], int] = {}
        req_id: dict[frozenset[str], int] = {}
        a_q = np.array([qual_id.setdefault(q, len(qual_id)) for q in app_quals], np.int64)
        u_r = np.array([req_id.setdefault(r, len(req_id)) for r in unit_reqs], np.int64)
        lacks = np.array([[not r <= q for r in req_id] for q in qual_id], bool).reshape(len(qual_id), len(req_id))
        broken = lacks[a_q[self.app], u_r[self.unit]] if len(self.key) else np.zeros(0, bool)
        broken |= np.asarray(sup_blocked, bool)[self.sup] if n_s else np.zeros(len(self.key), bool)
        unit_conf: list[int] = []
        sup_conf: list[int] = []
        for i, a in enumerate(apps):
            conflicts = a.conflicts
            if conflicts.units:
                unit_conf.extend(i * n_u + self.unit_index[u] for u in conflicts.units if u in self.unit_index)
            if conflicts.supervisors:
                sup_conf.extend(i * n_s + self.sup_index[s] for s in conflicts.supervisors if s in self.sup_index)
        if unit_conf or sup_conf:  # only the pairs of applicants who declare a conflict are looked up
            conf_app = np.zeros(n_a, bool)
            conf_app[np.array(unit_conf, np.int64) // max(n_u, 1)] = True
            conf_app[np.array(sup_conf, np.int64) // max(n_s, 1)] = True
            rows = np.flatnonzero(conf_app[self.app])
            at_app, at_unit = self.app[rows], self.unit[rows]
            broken[rows] |= _in(at_app * n_u + at_unit, np.array(unit_conf, np.int64))
            broken[rows] |= _in(self.key[rows], np.array(sup_conf, np.int64))
        ranked_units = np.array([u.ranking is not None for u in units], bool)
        listed_by_unit = [
            k * n_a + self.app_index[a_id]
            for k, u in enumerate(units)
            if u.ranking is not None
            for a_id in u.ranking
            if a_id in self.app_index
        ]
        if n_u and ranked_units.any():
            broken |= ranked_units[self.unit] & ~_in(self.unit * n_a + self.app, np.array(listed_by_unit, np.int64))
        period_index: dict[str, int] = {}
        a_p = np.array([-1 if q is None else period_index.setdefault(q, len(period_index)) for q in app_periods])
        n_p = len(period_index)
        away = [
            j * n_p + period_index[q] for j, s in enumerate(sups) for q in s.unavailable_periods if q in period_index
        ]
        if away:
            p_of = a_p[self.app] if len(self.key) else np.zeros(0, np.int64)
            broken |= (p_of >= 0) & _in(self.sup * n_p + p_of, np.array(away, np.int64))
        self.ok = (self.wished | pinned) & ~broken
        self.start: IntArray = np.searchsorted(self.app, np.arange(n_a + 1)).astype(np.int64)
        self.has_option = np.zeros(n_a, bool)
        self.has_option[self.app[self.ok]] = True
        self._last_indices: tuple[list[tuple[str, str]], tuple[IntArray, IntArray]] | None = None

    def rank_of(self, app: IntArray, sup: IntArray) -> IntArray:
        """The applicant's rank of each given pair (a pair they did not wish ranks below every wish)."""
        key = app * self.n_sup + sup
        at = np.minimum(np.searchsorted(self.key, key), max(len(self.key) - 1, 0))
        if len(self.key) == 0:
            return self.unlisted_rank[app]
        return np.where(self.key[at] == key, self.rank[at], self.unlisted_rank[app])

    def acceptable_pairs(self, app: IntArray, sup: IntArray) -> npt.NDArray[np.bool_]:
        """Whether each given pair is acceptable."""
        if len(self.key) == 0:
            return np.zeros(len(app), bool)
        key = app * self.n_sup + sup
        at = np.minimum(np.searchsorted(self.key, key), len(self.key) - 1)
        out: npt.NDArray[np.bool_] = (self.key[at] == key) & self.ok[at]
        return out

    def options(self, i: int) -> list[str]:
        """The supervisors acceptable for the ``i``-th applicant, in the records' order."""
        lo, hi = int(self.start[i]), int(self.start[i + 1])
        return [self.sup_ids[j] for j in self.sup[lo:hi][self.ok[lo:hi]].tolist()]

    def indices(self, pairs: Sequence[tuple[str, str]]) -> tuple[IntArray, IntArray]:
        """(applicant id, supervisor id) pairs as index arrays (``KeyError`` for an id the round lacks);
        read-only, and remembered for the last list of pairs (the checker's parts ask for one plan's)."""
        pairs = list(pairs)
        last = self._last_indices
        if last is not None and last[0] == pairs:
            return last[1]
        a = np.fromiter(map(self.app_index.__getitem__, [x for x, _ in pairs]), np.int64, count=len(pairs))
        s = np.fromiter(map(self.sup_index.__getitem__, [y for _, y in pairs]), np.int64, count=len(pairs))
        a.flags.writeable = False
        s.flags.writeable = False
        self._last_indices = (pairs, (a, s))
        return a, s

    @cached_property
    def unit_pairs(self) -> tuple[IntArray, IntArray]:
        """The sorted distinct ``unit * applicants + applicant`` keys of the acceptable pairs, and for
        each acceptable pair (in the table's order) the position of its key."""
        key = self.unit[self.ok] * self.n_app + self.app[self.ok]
        size = self.n_unit * self.n_app
        if size <= _DENSE_KEYS * len(key):
            # Few keys are possible for the pairs: mark them in a table of all of them, no sort at all.
            seen = np.zeros(size, bool)
            seen[key] = True
            return np.flatnonzero(seen).astype(np.int64), (np.cumsum(seen) - 1)[key]
        keys = sorted_unique(key)
        return keys, np.searchsorted(keys, key)

    @cached_property
    def app_hashes(self) -> npt.NDArray[np.uint64]:
        """The applicants' id hashes, for their lottery draws."""
        # As a tuple: when the records are in id order, the hashes scoring remembered for the same ids.
        return id_hashes(tuple(self.app_ids))

    @cached_property
    def sup_hashes(self) -> npt.NDArray[np.uint64]:
        """The supervisors' id hashes, for their lottery draws."""
        return id_hashes(self.sup_ids)

    @cached_property
    def unit_hashes(self) -> npt.NDArray[np.uint64]:
        """The units' id hashes, for their lottery draws."""
        return id_hashes(self.unit_ids)

    @cached_property
    def app_order(self) -> IntArray:
        """Each applicant's position among the applicant ids sorted as strings."""
        return id_order(self.app_ids)

    @cached_property
    def sup_order(self) -> IntArray:
        """Each supervisor's position among the supervisor ids sorted as strings."""
        return id_order(self.sup_ids)
