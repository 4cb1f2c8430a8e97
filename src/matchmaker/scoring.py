"""Scoring: which (applicant, supervisor) pairs are acceptable, and how well each fits. Pure numpy.

Everything is indexed by sorted ids, so record order never matters. Only acceptable pairs are kept
(a sparse pair table), which is what every engine builds variables for.

The fit of an acceptable pair, in words a coordinator can follow:

1. **Interest** (0-1). With weights, the most specific weight the applicant gave (supervisor over
   unit over area). With a ranking whose largest rank is ``k``, rank ``r`` counts ``(k - r + 1) / k``:
   the first choice 1, the last ``1/k``. A pinned place the applicant did not list counts 0.
2. **Interview** (0-1). Each score is first put on a 0-1 scale: ``(score - scale_min) / (scale_max -
   scale_min)``, so an interviewer who uses 1-10 and one who uses 1-5 count alike. Per criterion, the
   scores the unit itself gave are used if there are any, otherwise the general scores; several
   interviewers are averaged. The criteria are combined by their weights; a criterion with no score
   is left out and the other weights scaled up. With no score at all, ``policy.missing_interview``
   applies: ``neutral`` 0.5, ``zero`` 0, or ``cohort_mean``, the mean of the known interview values
   over the round's acceptable pairs.
3. **Fit** = ``(interest_weight * interest + interview_weight * interview) / (interest_weight +
   interview_weight) + adjustment + continuity``, where ``adjustment`` is the sum of the pair's
   adjustments (each in [-1, 1]) and ``continuity`` is the policy's continuity bonus when the pair
   keeps the applicant's step-1 placement: ``continuity_same_supervisor`` with their
   ``previous_supervisor``, ``continuity_same_unit`` in their ``previous_unit`` with another
   supervisor, else 0.

The solver works in integers: :func:`to_points` multiplies a fit by :data:`FIT_SCALE` (10,000) and
rounds half to even, so fits are exact to 4 decimals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matchmaker._gc import pausing
from matchmaker._text import norm_key
from matchmaker._types import BoolArray, FloatArray, IntArray
from matchmaker.errors import ProblemValidationError, ValidationIssue
from matchmaker.lottery import id_hashes, lottery_draws
from matchmaker.rules import REMOVAL_ORDER, trained_enough

if TYPE_CHECKING:
    from matchmaker.models import Applicant, InterviewCriterion, Problem, Supervisor, Unit

__all__ = [
    "FIT_SCALE",
    "REMOVAL_RULES",
    "UNIT_LOTTERY_OFFSET",
    "Encoding",
    "Scores",
    "applicant_wishes",
    "score",
    "strict_ranks",
    "to_points",
]

#: Solver points per unit of fit: a fit of 0.8125 is 8,125 points.
FIT_SCALE = 10_000
#: Plans are compared on sums of points; every sum must stay exactly representable.
_MAX_SAFE_TOTAL = 2**53

#: The order in which acceptability rules are applied to an applicant's wishes.
REMOVAL_RULES: tuple[str, ...] = REMOVAL_ORDER


def to_points(fit: FloatArray, scale: int = FIT_SCALE) -> IntArray:
    """Fits as solver integers: ``round_half_even(fit * scale)``, checked against overflow.

    Raises:
        ProblemValidationError: if a total over all applicants could exceed 2**53.
    """
    scaled = np.rint(np.asarray(fit, dtype=np.float64) * scale)
    if scaled.size and float(np.abs(scaled).max()) * scaled.size >= _MAX_SAFE_TOTAL:
        raise ProblemValidationError(
            [
                ValidationIssue(
                    "adjustments",
                    "fit values are too large for exact integer arithmetic",
                    "keep adjustments within [-1, 1] and the round below 10^9 pairs",
                )
            ]
        )
    return scaled.astype(np.int64)


@dataclass(frozen=True, eq=False)
class Encoding:
    """Id <-> index maps and the capacity structure, in sorted-id order.

    Axes: ``applicant`` indexes :attr:`applicant_ids`, ``supervisor`` :attr:`supervisor_ids`, ``unit``
    :attr:`unit_ids`, ``municipality`` :attr:`municipality_ids`. A missing cap is ``-1``.
    """

    applicant_ids: tuple[str, ...]
    supervisor_ids: tuple[str, ...]
    unit_ids: tuple[str, ...]
    municipality_ids: tuple[str, ...]
    supervisor_unit: IntArray
    unit_municipality: IntArray
    supervisor_capacity: IntArray
    unit_max: IntArray
    unit_min: IntArray
    municipality_max: IntArray
    municipality_min: IntArray
    applicant_tier: IntArray
    applicant_index: Mapping[str, int] = field(repr=False)
    supervisor_index: Mapping[str, int] = field(repr=False)
    unit_index: Mapping[str, int] = field(repr=False)
    municipality_index: Mapping[str, int] = field(repr=False)

    @property
    def n_applicants(self) -> int:
        """Number of applicants."""
        return len(self.applicant_ids)

    @property
    def n_supervisors(self) -> int:
        """Number of supervisors."""
        return len(self.supervisor_ids)


@dataclass(frozen=True, eq=False)
class Scores:
    """The acceptable pairs of a round with their fit, sorted by (applicant, supervisor).

    Every array has one entry per pair ``p``: ``applicant[p]``, ``supervisor[p]`` are indices of
    :attr:`encoding`. ``rank[p]`` is the applicant's own rank of the option (1 = first choice; a pinned
    option they did not list ranks below all their wishes). ``unit_rank[p]`` is the unit's rank of the
    applicant (1 = most preferred; see ``Policy.unit_preferences``). ``rank_strict`` and
    ``unit_rank_strict`` refine both into strict orders with ties broken by the seeded lottery (see
    :func:`strict_ranks`; computed on first use). ``continuity[p]`` is the continuity bonus included in
    ``fit[p]``. ``wished[a]`` counts the applicant's wished supervisors before the rules,
    ``removed[a, r]`` how many of those rule ``REMOVAL_RULES[r]`` removed.
    ``pins`` lists, per pin, the applicant index and the pair indices that satisfy it.
    """

    encoding: Encoding
    applicant: npt.NDArray[np.int32]
    supervisor: npt.NDArray[np.int32]
    interest: FloatArray
    interview: FloatArray
    adjustment: FloatArray
    fit: FloatArray
    fit_points: IntArray
    lottery: IntArray
    rank: npt.NDArray[np.int32]
    unit_rank: npt.NDArray[np.int32]
    continuity: FloatArray
    wished: npt.NDArray[np.int32]
    removed: npt.NDArray[np.int32]
    pins: tuple[tuple[int, npt.NDArray[np.int64]], ...]
    pin_labels: tuple[str, ...]
    lottery_seed: int

    @cached_property
    def _strict(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        # Only stable modes and the stability audit need the strict orders: computed on first use.
        return strict_ranks(
            self.encoding, self.lottery_seed, self.applicant, self.supervisor, self.rank, self.unit_rank, self.lottery
        )

    @property
    def rank_strict(self) -> npt.NDArray[np.int32]:
        """The applicant's strict order of their pairs (1 = best): ``rank``, ties broken by the lottery."""
        return self._strict[0]

    @property
    def unit_rank_strict(self) -> npt.NDArray[np.int32]:
        """The unit's strict order of its applicants (1 = most preferred): ``unit_rank``, ties broken by
        the lottery."""
        return self._strict[1]

    @property
    def n_pairs(self) -> int:
        """Number of acceptable pairs."""
        return int(self.applicant.shape[0])

    @property
    def unit(self) -> IntArray:
        """The unit of each pair."""
        return self.encoding.supervisor_unit[self.supervisor]

    @property
    def municipality(self) -> IntArray:
        """The municipality of each pair."""
        return self.encoding.unit_municipality[self.unit]


def _encode(problem: Problem) -> Encoding:
    applicants = sorted(problem.applicants, key=lambda a: a.id)
    supervisors = sorted(problem.supervisors, key=lambda s: s.id)
    units = sorted(problem.units, key=lambda u: u.id)
    municipalities = sorted(problem.municipalities, key=lambda m: m.id)
    a_idx = {a.id: i for i, a in enumerate(applicants)}
    s_idx = {s.id: i for i, s in enumerate(supervisors)}
    u_idx = {u.id: i for i, u in enumerate(units)}
    m_idx = {m.id: i for i, m in enumerate(municipalities)}
    return Encoding(
        applicant_ids=tuple(a.id for a in applicants),
        supervisor_ids=tuple(s.id for s in supervisors),
        unit_ids=tuple(u.id for u in units),
        municipality_ids=tuple(m.id for m in municipalities),
        supervisor_unit=np.array([u_idx[s.unit] for s in supervisors], dtype=np.int64),
        unit_municipality=np.array([m_idx[u.municipality] for u in units], dtype=np.int64),
        supervisor_capacity=np.array([s.capacity for s in supervisors], dtype=np.int64),
        unit_max=np.array([u.max_places for u in units], dtype=np.int64),
        unit_min=np.array([u.min_places for u in units], dtype=np.int64),
        municipality_max=np.array(
            [-1 if m.max_places is None else m.max_places for m in municipalities], dtype=np.int64
        ),
        municipality_min=np.array([m.min_places for m in municipalities], dtype=np.int64),
        applicant_tier=np.array([a.priority_tier or 0 for a in applicants], dtype=np.int64),
        applicant_index=a_idx,
        supervisor_index=s_idx,
        unit_index=u_idx,
        municipality_index=m_idx,
    )


@dataclass(frozen=True)
class _Wishes:
    """Every applicant's resolved wishes as one table sorted by (applicant, supervisor)."""

    applicant: npt.NDArray[np.int64]
    supervisor: npt.NDArray[np.int64]
    interest: FloatArray
    rank: npt.NDArray[np.int64]


def _groups(values: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """CSR offsets of a sorted index array: entries of group ``g`` are ``offsets[g]:offsets[g + 1]``."""
    return np.searchsorted(values, np.arange(n + 1)).astype(np.int64)


def _expand(
    offsets: npt.NDArray[np.int64], flat: npt.NDArray[np.int64], which: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The members of groups ``which`` (CSR ``offsets``/``flat``), and for each the entry it came from."""
    sizes = offsets[which + 1] - offsets[which]
    entry = np.repeat(np.arange(which.size, dtype=np.int64), sizes)
    ends = np.cumsum(sizes)
    within = np.arange(entry.size, dtype=np.int64) - (ends - sizes)[entry]
    return flat[offsets[which][entry] + within], entry


def _first_of_runs(*keys: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """On arrays sorted by ``keys``: True where a new run of equal keys starts."""
    n = keys[0].size
    first = np.ones(n, dtype=bool)
    if n > 1:
        change = np.zeros(n - 1, dtype=bool)
        for k in keys:
            change |= k[1:] != k[:-1]
        first[1:] = change
    return first


def _resolve_wishes(applicants: Sequence[Applicant], enc: Encoding, units: Sequence[Unit]) -> _Wishes:
    """Expand area and unit entries to supervisors; the most specific entry wins. Vectorised over
    applicants: one pass over the entries in Python, the expansion and the choice in numpy.

    ``applicants[i]`` has index ``i`` in the table.
    """
    # Targets an entry can name: each area (its units' supervisors) and each unit (its supervisors).
    sup_unit = enc.supervisor_unit
    by_unit = np.argsort(sup_unit, kind="stable").astype(np.int64)
    unit_offsets = _groups(sup_unit[by_unit], len(enc.unit_ids))
    areas = sorted({u.area for u in units})
    area_index = {a: i for i, a in enumerate(areas)}
    unit_area = np.array([area_index[u.area] for u in units], dtype=np.int64)
    sup_area = unit_area[sup_unit] if sup_unit.size else np.empty(0, np.int64)
    by_area = np.argsort(sup_area, kind="stable").astype(np.int64)
    area_offsets = _groups(sup_area[by_area], len(areas))

    e_app: list[int] = []
    e_area: list[int] = []
    e_area_value: list[float] = []
    u_app: list[int] = []
    u_unit: list[int] = []
    u_value: list[float] = []
    n_app: list[int] = []
    n_sup: list[int] = []
    n_value: list[float] = []
    ranked = np.zeros(len(applicants), dtype=bool)
    top = np.ones(len(applicants), dtype=np.int64)  # the largest rank an applicant gave
    unit_index, sup_index = enc.unit_index, enc.supervisor_index
    for i, a in enumerate(applicants):
        prefs = a.interests if a.interests is not None else a.ranking
        if prefs is None:
            continue
        ai = i
        for key, v in prefs.areas.items():
            area = area_index.get(key)
            if area is not None:
                e_app.append(ai)
                e_area.append(area)
                e_area_value.append(float(v))
        for key, v in prefs.units.items():
            u_app.append(ai)
            u_unit.append(unit_index[key])
            u_value.append(float(v))
        for key, v in prefs.supervisors.items():
            n_app.append(ai)
            n_sup.append(sup_index[key])
            n_value.append(float(v))
        if a.ranking is not None:
            given = [*a.ranking.areas.values(), *a.ranking.units.values(), *a.ranking.supervisors.values()]
            if given:
                ranked[i] = True
                top[i] = max(given)

    s_area, from_area = _expand(area_offsets, by_area, np.array(e_area, dtype=np.int64))
    s_unit, from_unit = _expand(unit_offsets, by_unit, np.array(u_unit, dtype=np.int64))
    app = np.concatenate(
        [
            np.array(e_app, dtype=np.int64)[from_area],
            np.array(u_app, dtype=np.int64)[from_unit],
            np.array(n_app, dtype=np.int64),
        ]
    )
    sup = np.concatenate([s_area, s_unit, np.array(n_sup, dtype=np.int64)])
    level = np.repeat(np.arange(3, dtype=np.int64), [s_area.size, s_unit.size, len(n_sup)])
    value = np.concatenate(
        [
            np.array(e_area_value, dtype=np.float64)[from_area],
            np.array(u_value, dtype=np.float64)[from_unit],
            np.array(n_value, dtype=np.float64),
        ]
    )
    # For each (applicant, supervisor) keep the entry of the highest level (most specific).
    order = np.lexsort((-level, sup, app))
    app, sup, value = app[order], sup[order], value[order]
    keep = _first_of_runs(app, sup)
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
        w_order = np.lexsort((-w_val, w_app))
        starts = _first_of_runs(w_app[w_order])
        new_value = _first_of_runs(w_app[w_order], w_val[w_order])
        dense = np.cumsum(new_value)
        group_base = np.maximum.accumulate(np.where(starts, dense, 0))
        w_rank = np.empty(weighted.size, dtype=np.int64)
        w_rank[w_order] = dense - group_base + 1
        ranks[weighted] = w_rank
    return _Wishes(app, sup, interest, ranks)


def _combined(
    criteria: Sequence[InterviewCriterion],
    general: Mapping[str, list[float]],
    by_unit: Mapping[tuple[str, str], list[float]],
    unit_id: str | None,
) -> float:
    """The weighted mean over criteria of the mean normalised score, the unit's own scores first."""
    num = 0.0
    den = 0.0
    for c in criteria:
        scores = (by_unit.get((unit_id, c.id)) if unit_id is not None else None) or general.get(c.id)
        if not scores or c.weight == 0:
            continue
        num += c.weight * (sum(scores) / len(scores))
        den += c.weight
    return num / den if den > 0 else float("nan")


def _interview_table(
    problem: Problem, applicants: Sequence[Applicant], enc: Encoding, pa: npt.NDArray[np.int64], unit: IntArray
) -> FloatArray:
    """Each pair's interview value in [0, 1]; NaN where the applicant has no score (see the module
    docstring). One value per applicant when they have general scores only, else one per unit."""
    out = np.full(pa.shape, np.nan, dtype=np.float64)
    if not pa.size:
        return out
    criteria = {c.id: c for c in problem.criteria}
    order = problem.criteria
    offsets = _groups(pa, len(applicants))
    general_value = np.full(len(applicants), np.nan, dtype=np.float64)
    for ai, a in enumerate(applicants):
        if not a.interview:
            continue
        general: dict[str, list[float]] = defaultdict(list)
        by_unit: dict[tuple[str, str], list[float]] = defaultdict(list)
        for sc in a.interview:
            crit = criteria[sc.criterion]
            lo = crit.scale_min if sc.scale_min is None else sc.scale_min
            hi = crit.scale_max if sc.scale_max is None else sc.scale_max
            norm = (sc.score - lo) / (hi - lo)
            if sc.unit is None:
                general[sc.criterion].append(norm)
            else:
                by_unit[(sc.unit, sc.criterion)].append(norm)

        if not by_unit:  # general scores only: one value for every unit
            general_value[ai] = _combined(order, general, by_unit, None)
            continue
        lo_p, hi_p = int(offsets[ai]), int(offsets[ai + 1])
        mine = unit[lo_p:hi_p]
        values = {u: _combined(order, general, by_unit, enc.unit_ids[u]) for u in np.unique(mine).tolist()}
        out[lo_p:hi_p] = [values[u] for u in mine.tolist()]
        general_value[ai] = np.nan  # filled per pair above
    general_only = ~np.isnan(general_value[pa])
    out[general_only] = general_value[pa][general_only]
    return out


def _unit_ranks(
    problem: Problem,
    enc: Encoding,
    pa: npt.NDArray[np.int32],
    ps: npt.NDArray[np.int32],
    interview: FloatArray,
) -> npt.NDArray[np.int32]:
    """Each pair's rank of the applicant in its unit's eyes (1 = most preferred), see ``Policy``.

    A unit's own ``ranking`` wins. Otherwise, by interview value for that unit (higher first, equal
    values tied, no score last), or all tied when ``unit_preferences`` is ``"indifferent"``.
    """
    out = np.ones(pa.shape, dtype=np.int32)
    if not pa.size:
        return out
    pair_unit = enc.supervisor_unit[ps]
    by_id = problem.unit_by_id
    rankings = [by_id[ident].ranking for ident in enc.unit_ids]
    has_ranking = np.array([r is not None for r in rankings], dtype=bool)
    ranked_pairs = has_ranking[pair_unit]
    if ranked_pairs.any():
        idx = np.flatnonzero(ranked_pairs)
        ids = enc.applicant_ids
        out[idx] = [
            ranking[ids[a]]
            for u, a in zip(pair_unit[idx].tolist(), pa[idx].tolist(), strict=True)
            if (ranking := rankings[u]) is not None
        ]
    if problem.policy.unit_preferences != "interview":
        return out
    # Dense rank of the distinct interview values within each unit, highest first; no score last.
    rest = np.flatnonzero(~ranked_pairs)
    known = rest[~np.isnan(interview[rest])]
    unknown = rest[np.isnan(interview[rest])]
    k_unit, k_value = pair_unit[known], interview[known]
    order = np.lexsort((-k_value, k_unit))
    su, sv = k_unit[order], k_value[order]
    starts = _first_of_runs(su)
    dense = np.cumsum(_first_of_runs(su, sv))
    base = np.maximum.accumulate(np.where(starts, dense, 0)) if dense.size else dense
    ranks = np.empty(known.size, dtype=np.int32)
    ranks[order] = (dense - base + 1).astype(np.int32)
    out[known] = ranks
    distinct = np.bincount(su[_first_of_runs(su, sv)], minlength=len(enc.unit_ids))
    out[unknown] = (distinct[pair_unit[unknown]] + 1).astype(np.int32)
    return out


def applicant_wishes(problem: Problem, applicant_id: str) -> dict[str, tuple[float, int]]:
    """The applicant's wished supervisors, before any rule: supervisor id -> (interest, rank).

    The same resolution :func:`score` uses (the most specific entry wins); pins are not included.
    """
    enc = _encode(problem)
    units = sorted(problem.units, key=lambda u: u.id)
    w = _resolve_wishes([problem.applicant_by_id[applicant_id]], enc, units)
    return {
        enc.supervisor_ids[int(s)]: (float(i), int(r))
        for s, i, r in zip(w.supervisor.tolist(), w.interest.tolist(), w.rank.tolist(), strict=True)
    }


#: Added to the lottery seed for the units' tie-breaking draws, so they are independent of the pairs'.
UNIT_LOTTERY_OFFSET = 0x9E3779B97F4A7C15


def strict_ranks(
    enc: Encoding,
    seed: int,
    pa: npt.NDArray[np.int32],
    ps: npt.NDArray[np.int32],
    rank: npt.NDArray[np.int32],
    unit_rank: npt.NDArray[np.int32],
    lottery: IntArray,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Strict preference orders with ties broken by the seeded lottery, on both sides.

    An applicant's acceptable pairs are ordered by rank, then by the pair's lottery draw (higher
    first): ``rank_strict`` is the position, 1 = best. A unit's applicants (those with an acceptable
    pair there) are ordered by the unit's rank, then by a draw on (seed + offset, applicant, unit):
    ``unit_rank_strict`` is the position, 1 = most preferred.
    """
    n = pa.shape[0]
    rank_strict = np.zeros(n, dtype=np.int32)
    unit_strict = np.zeros(n, dtype=np.int32)
    if n == 0:
        return rank_strict, unit_strict
    order = np.lexsort((-lottery, rank, pa))
    grouped = pa[order]
    starts = np.r_[0, np.flatnonzero(grouped[1:] != grouped[:-1]) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, n]))
    rank_strict[order] = (np.arange(n) - first + 1).astype(np.int32)
    pair_unit = enc.supervisor_unit[ps]
    udraw = lottery_draws(
        (seed + UNIT_LOTTERY_OFFSET) % 2**64,
        id_hashes(enc.applicant_ids)[pa],
        id_hashes(enc.unit_ids)[pair_unit],
    )
    key = pair_unit.astype(np.int64) * max(1, enc.n_applicants) + pa.astype(np.int64)
    uniq, first_idx, inverse = np.unique(key, return_index=True, return_inverse=True)
    u_of = pair_unit[first_idx]
    uorder = np.lexsort((pa[first_idx], -udraw[first_idx], unit_rank[first_idx], u_of))
    gu = u_of[uorder]
    ustarts = np.r_[0, np.flatnonzero(gu[1:] != gu[:-1]) + 1]
    ufirst = np.repeat(ustarts, np.diff(np.r_[ustarts, uniq.size]))
    pos = np.zeros(uniq.size, dtype=np.int32)
    pos[uorder] = (np.arange(uniq.size) - ufirst + 1).astype(np.int32)
    unit_strict[:] = pos[inverse.ravel()]
    return rank_strict, unit_strict


def _pin_extras(
    wishes: _Wishes,
    pins_by_applicant: Mapping[int, list[tuple[int, str | None, str | None]]],
    enc: Encoding,
    unit_sups: Callable[[int], npt.NDArray[np.int64]],
) -> _Wishes:
    """Pins make their place acceptable even when the applicant did not list it: an unlisted pinned
    place counts interest 0 and ranks below all the applicant's wishes (and earlier pins' places)."""
    if not pins_by_applicant:
        return wishes
    offsets = _groups(wishes.applicant, enc.n_applicants)
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
    return _Wishes(app[order], sup[order], interest[order], rank[order])


@dataclass(frozen=True, slots=True)
class _Candidates:
    """The wished (applicant, supervisor) pairs before the acceptability rules, and what the rules read."""

    problem: Problem
    enc: Encoding
    applicants: Sequence[Applicant]
    supervisors: Sequence[Supervisor]
    units: Sequence[Unit]
    applicant: IntArray
    supervisor: IntArray
    unit: IntArray


def _breaks_requirement(c: _Candidates) -> BoolArray | None:
    """Pairs whose unit requires a qualification the applicant has not stated."""
    if not c.supervisor.size:
        return np.zeros(0, dtype=bool)
    qual_sets: dict[frozenset[str], int] = {}
    qual_of = np.array(
        [qual_sets.setdefault(frozenset(norm_key(q) for q in a.qualifications), len(qual_sets)) for a in c.applicants],
        dtype=np.int64,
    )
    requirement_keys = [frozenset(norm_key(r) for r in u.requirements) for u in c.units]
    req_ok = np.array([[keys <= quals for keys in requirement_keys] for quals in qual_sets], dtype=bool).reshape(
        len(qual_sets), len(c.units)
    )
    breaks: BoolArray = ~req_ok[qual_of[c.applicant], c.unit]
    return breaks


def _breaks_conflict(c: _Candidates) -> BoolArray | None:
    """Pairs that a declared conflict of interest (jäv) names, by unit or by supervisor."""
    enc, n_units, n_sup = c.enc, len(c.units), c.enc.n_supervisors
    bad_units = [ai * n_units + enc.unit_index[u] for ai, a in enumerate(c.applicants) for u in a.conflicts.units]
    bad_sups = [
        ai * n_sup + enc.supervisor_index[s] for ai, a in enumerate(c.applicants) for s in a.conflicts.supervisors
    ]
    if not bad_units and not bad_sups:
        return None
    return np.isin(c.applicant * n_units + c.unit, np.array(bad_units, dtype=np.int64)) | np.isin(
        c.applicant * n_sup + c.supervisor, np.array(bad_sups, dtype=np.int64)
    )


def _breaks_training(c: _Candidates) -> BoolArray | None:
    """Pairs whose supervisor lacks the training the policy requires."""
    required = c.problem.policy.supervisor_training
    trained = np.array([trained_enough(s.training, required) for s in c.supervisors], dtype=bool)
    breaks: BoolArray = ~trained[c.supervisor]
    return breaks


def _breaks_capacity(c: _Candidates) -> BoolArray | None:
    """Pairs with no capacity at some level: the supervisor, the unit or the municipality takes none."""
    enc = c.enc
    sup_unit = enc.supervisor_unit
    muni_of_sup = enc.unit_municipality[sup_unit] if enc.n_supervisors else np.empty(0, np.int64)
    has_capacity = (
        (enc.supervisor_capacity > 0) & (enc.unit_max[sup_unit] > 0) & (enc.municipality_max[muni_of_sup] != 0)
    )
    breaks: BoolArray = ~has_capacity[c.supervisor]
    return breaks


def _breaks_unit_ranking(c: _Candidates) -> BoolArray | None:
    """Pairs whose unit ranks applicants itself and does not list this one."""
    ranked_unit = np.array([u.ranking is not None for u in c.units], dtype=bool)
    if not ranked_unit.any():
        return None
    n_units, index = len(c.units), c.enc.applicant_index
    listed = [
        index[ident] * n_units + ui for ui, u in enumerate(c.units) for ident in (u.ranking or {}) if ident in index
    ]
    breaks: BoolArray = ranked_unit[c.unit] & ~np.isin(c.applicant * n_units + c.unit, np.array(listed, dtype=np.int64))
    return breaks


def _breaks_availability(c: _Candidates) -> BoolArray | None:
    """Pairs whose supervisor is unavailable in the applicant's period."""
    periods = sorted({p for s in c.supervisors for p in s.unavailable_periods})
    if not periods:
        return None
    period_index = {p: i for i, p in enumerate(periods)}
    unavailable = np.zeros((len(periods) + 1, c.enc.n_supervisors), dtype=bool)  # the last row: no such period
    for si, sup in enumerate(c.supervisors):
        for period_id in sup.unavailable_periods:
            unavailable[period_index[period_id], si] = True
    period_of = c.problem.period_of
    app_period = np.array(
        [
            period_index.get(p.id, len(periods)) if (p := period_of[a.id]) is not None else len(periods)
            for a in c.applicants
        ],
        dtype=np.int64,
    )
    breaks: BoolArray = unavailable[app_period[c.applicant], c.supervisor]
    return breaks


#: Each acceptability rule of :data:`REMOVAL_RULES`, by name, as the candidate pairs it rules out
#: (``None``: the round gives the rule nothing to rule out).
_RULES: dict[str, Callable[[_Candidates], BoolArray | None]] = {
    "requirement": _breaks_requirement,
    "conflict": _breaks_conflict,
    "training": _breaks_training,
    "no_capacity": _breaks_capacity,
    "unit_ranking": _breaks_unit_ranking,
    "availability": _breaks_availability,
}


@pausing
def score(problem: Problem) -> Scores:
    """Acceptable pairs and their fit for ``problem``; see the module docstring for the formula.

    Vectorised across applicants: Python touches each record and each wish entry once; every
    per-pair step is a numpy operation over all pairs of the round.
    """
    enc = _encode(problem)
    policy = problem.policy
    applicants = sorted(problem.applicants, key=lambda a: a.id)
    supervisors = sorted(problem.supervisors, key=lambda s: s.id)
    units = sorted(problem.units, key=lambda u: u.id)
    n_app = enc.n_applicants
    sup_unit = enc.supervisor_unit

    def unit_sups(u: int) -> npt.NDArray[np.int64]:
        return np.flatnonzero(sup_unit == u).astype(np.int64)

    pins_by_applicant: dict[int, list[tuple[int, str | None, str | None]]] = defaultdict(list)
    pin_specs: list[tuple[int, int, str | None, str | None]] = []  # (pin no, applicant, unit, sup)
    for i, pin in enumerate(problem.pins):
        ai = enc.applicant_index[pin.applicant]
        pins_by_applicant[ai].append((i, pin.unit, pin.supervisor))
        pin_specs.append((i, ai, pin.unit, pin.supervisor))

    wishes = _pin_extras(_resolve_wishes(applicants, enc, units), pins_by_applicant, enc, unit_sups)
    pa64, sups, interest, rank = wishes.applicant, wishes.supervisor, wishes.interest, wishes.rank
    wished = np.bincount(pa64, minlength=n_app).astype(np.int32)
    candidates = _Candidates(problem, enc, applicants, supervisors, units, pa64, sups, sup_unit[sups])
    pair_unit = candidates.unit
    removed = np.zeros((n_app, len(REMOVAL_RULES)), dtype=np.int32)
    ok = np.ones(sups.shape, dtype=bool)
    for r, name in enumerate(REMOVAL_RULES):
        breaks = _RULES[name](candidates)
        if breaks is None:
            continue
        fails = ok & breaks  # a pair is charged to the first rule it breaks
        removed[:, r] = np.bincount(pa64[fails], minlength=n_app)
        ok[fails] = False

    pa64, sups, interest, rank, pair_unit = pa64[ok], sups[ok], interest[ok], rank[ok], pair_unit[ok]
    interview_arr = _interview_table(problem, applicants, enc, pa64, pair_unit)
    offsets = _groups(pa64, n_app)
    adjust_arr = np.zeros(sups.shape, dtype=np.float64)
    for adj in problem.adjustments:
        ai = enc.applicant_index[adj.applicant]
        lo, hi = int(offsets[ai]), int(offsets[ai + 1])
        if adj.supervisor is not None:
            adjust_arr[lo:hi][sups[lo:hi] == enc.supervisor_index[adj.supervisor]] += adj.delta
        elif adj.unit is not None:
            adjust_arr[lo:hi][pair_unit[lo:hi] == enc.unit_index[adj.unit]] += adj.delta
    continuity_arr = np.zeros(sups.shape, dtype=np.float64)
    for ai, a in enumerate(applicants):
        if a.previous_unit is None:
            continue
        lo, hi = int(offsets[ai]), int(offsets[ai + 1])
        bonus = continuity_arr[lo:hi]
        bonus[pair_unit[lo:hi] == enc.unit_index[a.previous_unit]] = policy.continuity_same_unit
        prev_sup = enc.supervisor_index.get(a.previous_supervisor or "")
        if prev_sup is not None:
            bonus[sups[lo:hi] == prev_sup] = policy.continuity_same_supervisor

    pa = pa64.astype(np.int32)
    ps = sups.astype(np.int32)
    rank_arr = rank.astype(np.int32)
    unit_rank_arr = _unit_ranks(problem, enc, pa, ps, interview_arr)
    missing = np.isnan(interview_arr)
    if missing.any():
        if policy.missing_interview == "zero":
            fill = 0.0
        elif policy.missing_interview == "cohort_mean" and (~missing).any():
            fill = float(interview_arr[~missing].mean())
        else:
            fill = 0.5
        interview_arr = np.where(missing, fill, interview_arr)

    wi, wv = policy.interest_weight, policy.interview_weight
    fit = (wi * interest + wv * interview_arr) / (wi + wv) + adjust_arr + continuity_arr
    points = to_points(fit)
    lottery = lottery_draws(
        policy.lottery_seed,
        id_hashes(enc.applicant_ids)[pa],
        id_hashes(enc.supervisor_ids)[ps],
    )

    pins: list[tuple[int, npt.NDArray[np.int64]]] = []
    labels: list[str] = []
    for pin_no, ai, pin_unit, pin_sup in sorted(pin_specs):
        lo, hi = int(offsets[ai]), int(offsets[ai + 1])
        if pin_sup is not None:
            hit = ps[lo:hi] == enc.supervisor_index[pin_sup]
            target = f"supervisor {pin_sup!r}"
        else:
            hit = pair_unit[lo:hi] == enc.unit_index[pin_unit or ""]
            target = f"unit {pin_unit!r}"
        pins.append((ai, (lo + np.flatnonzero(hit)).astype(np.int64)))
        labels.append(f"pins[{pin_no}]: applicant {enc.applicant_ids[ai]!r} at {target}")

    return Scores(
        encoding=enc,
        applicant=pa,
        supervisor=ps,
        interest=interest,
        interview=interview_arr,
        adjustment=adjust_arr,
        fit=fit,
        fit_points=points,
        lottery=lottery,
        rank=rank_arr,
        unit_rank=unit_rank_arr,
        continuity=continuity_arr,
        wished=wished,
        removed=removed,
        pins=tuple(pins),
        pin_labels=tuple(labels),
        lottery_seed=policy.lottery_seed,
    )
