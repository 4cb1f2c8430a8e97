"""The applicants' wishes, expanded to supervisors: the most specific entry counts, ranks from weights, pins."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchmaker._scoring.arrays import by_key_then_value, first_of_runs, groups
from matchmaker._scoring.encoding import Encoding, encode
from matchmaker._types import FloatArray, IntArray

if TYPE_CHECKING:
    from matchmaker._models import Applicant, Problem, Unit

__all__ = ["Wishes", "applicant_wishes", "pin_extras", "resolve_wishes"]


@dataclass(frozen=True)
class Wishes:
    """Every applicant's resolved wishes as one table sorted by (applicant, supervisor)."""

    applicant: npt.NDArray[np.int64]
    supervisor: npt.NDArray[np.int64]
    interest: FloatArray
    rank: npt.NDArray[np.int64]


def _expand(
    offsets: npt.NDArray[np.int64], flat: npt.NDArray[np.int64], which: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The members of groups ``which`` (CSR ``offsets``/``flat``), and for each the entry it came from."""
    sizes = offsets[which + 1] - offsets[which]
    entry = np.repeat(np.arange(which.size, dtype=np.int64), sizes)
    ends = np.cumsum(sizes)
    within = np.arange(entry.size, dtype=np.int64) - (ends - sizes)[entry]
    return flat[offsets[which][entry] + within], entry


def _entry_order(app: npt.NDArray[np.int64], sup: npt.NDArray[np.int64], level: npt.NDArray[np.int64]) -> IntArray:
    """``np.lexsort((-level, sup, app))`` (levels 0-2): the same order, by one stable sort of the three
    packed into an int64 where they fit (a lexsort of three keys costs several times more)."""
    sup_bits = int(sup.max()).bit_length() if sup.size else 0
    if sup.size and int(app.max()).bit_length() + sup_bits + 2 <= 62:
        return np.argsort((app << (sup_bits + 2)) | (sup << 2) | (2 - level), kind="stable")
    return np.lexsort((-level, sup, app))


def resolve_wishes(applicants: Sequence[Applicant], enc: Encoding, units: Sequence[Unit]) -> Wishes:
    """Expand area and unit entries to supervisors; the most specific entry wins. Vectorised over
    applicants: one pass over the entries in Python, the expansion and the choice in numpy.

    ``applicants[i]`` has index ``i`` in the table.
    """
    # Targets an entry can name: each area (its units' supervisors) and each unit (its supervisors).
    sup_unit = enc.supervisor_unit
    by_unit = np.argsort(sup_unit, kind="stable").astype(np.int64)
    unit_offsets = groups(sup_unit[by_unit], len(enc.unit_ids))
    areas = sorted({u.area for u in units})
    area_index = {a: i for i, a in enumerate(areas)}
    unit_area = np.array([area_index[u.area] for u in units], dtype=np.int64)
    sup_area = unit_area[sup_unit] if sup_unit.size else np.empty(0, np.int64)
    by_area = np.argsort(sup_area, kind="stable").astype(np.int64)
    area_offsets = groups(sup_area[by_area], len(areas))

    # Every entry, field by field and a whole list at a time (a national round has millions), in the
    # applicants' order within each field; the values become float64 as float() would make them.
    prefs_of = [a.interests if a.interests is not None else a.ranking for a in applicants]
    stated = [i for i, prefs in enumerate(prefs_of) if prefs is not None]
    given = [prefs_of[i] for i in stated]

    def field(name: str) -> tuple[npt.NDArray[np.int64], list[str], FloatArray]:
        pairs = [(i, m) for i, m in zip(stated, map(attrgetter(name), given), strict=True) if m]
        maps: list[Mapping[str, float | int]] = [m for _, m in pairs]
        owners = [i for i, _ in pairs]
        owner = np.repeat(np.array(owners, dtype=np.int64), [len(m) for m in maps])
        keys = list(chain.from_iterable(maps))
        values = np.array(list(chain.from_iterable(m.values() for m in maps)), dtype=np.float64)
        return owner, keys, values

    a_app, a_keys, a_values = field("areas")
    a_area = np.array([area_index.get(k, -1) for k in a_keys], dtype=np.int64)
    known_area = a_area >= 0
    e_app, e_area, e_area_value = a_app[known_area], a_area[known_area], a_values[known_area]
    u_app, u_keys, u_value = field("units")
    u_unit = np.array(list(map(enc.unit_index.__getitem__, u_keys)), dtype=np.int64)
    n_app, n_keys, n_value = field("supervisors")
    n_sup = np.array(list(map(enc.supervisor_index.__getitem__, n_keys)), dtype=np.int64)
    # The largest rank each ranking applicant gives, over all its entries (an unknown area's too).
    ranking = np.array([a.ranking is not None for a in applicants], dtype=bool)
    all_app = np.concatenate([a_app, u_app, n_app])
    all_value = np.concatenate([a_values, u_value, n_value])
    mine = ranking[all_app] if all_app.size else np.zeros(0, dtype=bool)
    ranked = np.zeros(len(applicants), dtype=bool)
    ranked[all_app[mine]] = True
    top = np.ones(len(applicants), dtype=np.int64)  # the largest rank an applicant gave
    if mine.any():
        largest = np.full(len(applicants), -np.inf)
        np.maximum.at(largest, all_app[mine], all_value[mine])
        top[ranked] = largest[ranked].astype(np.int64)

    s_area, from_area = _expand(area_offsets, by_area, e_area)
    s_unit, from_unit = _expand(unit_offsets, by_unit, u_unit)
    app = np.concatenate([e_app[from_area], u_app[from_unit], n_app])
    sup = np.concatenate([s_area, s_unit, n_sup])
    level = np.repeat(np.arange(3, dtype=np.int64), [s_area.size, s_unit.size, n_sup.size])
    value = np.concatenate([e_area_value[from_area], u_value[from_unit], n_value])
    # For each (applicant, supervisor) keep the entry of the highest level (most specific).
    order = _entry_order(app, sup, level)
    app, sup, value = app[order], sup[order], value[order]
    keep = first_of_runs(app, sup)
    app, sup, value = app[keep], sup[keep], value[keep]

    is_ranked = ranked[app]
    # Rankings: rank r of a largest rank k counts (k - r + 1) / k.
    ranks = np.zeros(app.shape, dtype=np.int64)
    ranks[is_ranked] = value[is_ranked].astype(np.int64)
    k = top[app]
    interest = value.copy()
    interest[is_ranked] = (k[is_ranked] - ranks[is_ranked] + 1) / k[is_ranked]
    # Weights: a positive weight is a wish; the dense rank of distinct weights, highest = rank 1.
    keep = is_ranked | (value > 0)
    app, sup, interest, ranks, is_ranked = app[keep], sup[keep], interest[keep], ranks[keep], is_ranked[keep]
    weighted = np.flatnonzero(~is_ranked)
    if weighted.size:
        w_app, w_val = app[weighted], interest[weighted]
        w_order = by_key_then_value(w_app, w_val, len(applicants))
        starts = first_of_runs(w_app[w_order])
        new_value = first_of_runs(w_app[w_order], w_val[w_order])
        dense = np.cumsum(new_value)
        group_base = np.maximum.accumulate(np.where(starts, dense, 0))
        w_rank = np.empty(weighted.size, dtype=np.int64)
        w_rank[w_order] = dense - group_base + 1
        ranks[weighted] = w_rank
    return Wishes(app, sup, interest, ranks)


def applicant_wishes(problem: Problem, applicant_id: str) -> dict[str, tuple[float, int]]:
    """The applicant's wished supervisors, before any rule: supervisor id -> (interest, rank).

    The same resolution :func:`score` uses (the most specific entry wins); pins are not included.
    """
    enc = encode(problem)
    units = sorted(problem.units, key=lambda u: u.id)
    w = resolve_wishes([problem.applicant_by_id[applicant_id]], enc, units)
    return {
        enc.supervisor_ids[int(s)]: (float(i), int(r))
        for s, i, r in zip(w.supervisor.tolist(), w.interest.tolist(), w.rank.tolist(), strict=True)
    }


def pin_extras(
    wishes: Wishes,
    pins_by_applicant: Mapping[int, list[tuple[int, str | None, str | None]]],
    enc: Encoding,
    unit_sups: Callable[[int], npt.NDArray[np.int64]],
) -> Wishes:
    """Pins make their place acceptable even when the applicant did not list it: an unlisted pinned
    place counts interest 0 and ranks below all the applicant's wishes (and earlier pins' places)."""
    if not pins_by_applicant:
        return wishes
    offsets = groups(wishes.applicant, enc.n_applicants)
    x_app: list[npt.NDArray[np.int64]] = []
    x_sup: list[npt.NDArray[np.int64]] = []
    x_rank: list[npt.NDArray[np.int64]] = []
    for ai, pins in sorted(pins_by_applicant.items()):
        sups = wishes.supervisor[offsets[ai] : offsets[ai + 1]]
        worst = int(wishes.rank[offsets[ai] : offsets[ai + 1]].max(initial=0))
        for _pin_no, pin_unit, pin_sup in pins:
            if pin_sup is not None:
                extra = np.array([enc.supervisor_index[pin_sup]], dtype=np.int64)
            else:
                extra = unit_sups(enc.unit_index[pin_unit or ""])
            extra = extra[~np.isin(extra, sups)]
            if extra.size:
                worst += 1
                sups = np.concatenate([sups, extra])
                x_app.append(np.full(extra.shape, ai, dtype=np.int64))
                x_sup.append(extra)
                x_rank.append(np.full(extra.shape, worst, dtype=np.int64))
    if not x_app:
        return wishes
    app = np.concatenate([wishes.applicant, *x_app])
    sup = np.concatenate([wishes.supervisor, *x_sup])
    interest = np.concatenate([wishes.interest, np.zeros(sum(x.size for x in x_app), dtype=np.float64)])
    rank = np.concatenate([wishes.rank, *x_rank])
    order = np.lexsort((sup, app))
    return Wishes(app[order], sup[order], interest[order], rank[order])
