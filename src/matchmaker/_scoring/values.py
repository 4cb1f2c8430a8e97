"""The numbers of a pair: fit points, interview values, the units' ranks and the strict orders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matchmaker._i18n import msg
from matchmaker._lottery import LOTTERY_BITS, id_hashes, lottery_draws
from matchmaker._scoring.arrays import by_key_then_value, first_of_runs, groups
from matchmaker._scoring.encoding import Encoding
from matchmaker._types import FloatArray, IntArray
from matchmaker.errors import ProblemValidationError, ValidationIssue

if TYPE_CHECKING:
    from matchmaker._models import Applicant, InterviewCriterion, Problem

__all__ = [
    "FIT_SCALE",
    "UNIT_LOTTERY_OFFSET",
    "checked_total",
    "combined",
    "interview_table",
    "strict_ranks",
    "to_points",
    "unit_ranks",
]


#: Solver points per unit of fit: a fit of 0.8125 is 8,125 points.
FIT_SCALE = 10_000


#: Plans are compared on sums of points; every sum must stay exactly representable.
_MAX_SAFE_TOTAL = 2**53


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


def checked_total(points: IntArray) -> IntArray:
    """``points`` (pair weights' values), checked so that any plan's total stays below 2**53.

    Raises:
        ProblemValidationError: if a total over all applicants could reach 2**53.
    """
    if points.size and int(np.abs(points).max()) * points.size >= _MAX_SAFE_TOTAL:
        raise ProblemValidationError(
            [
                ValidationIssue.of(
                    "pair_weights",
                    msg(
                        "the pair weights are too large for exact integer arithmetic over {pairs} pairs",
                        pairs=points.size,
                    ),
                    msg("give weights on a smaller scale (divide them all by the same number)"),
                )
            ]
        )
    return points


def combined(
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


def _combined_general(
    criteria: Sequence[InterviewCriterion], n: int, app: IntArray, crit: IntArray, norm: list[float]
) -> FloatArray:
    """:func:`combined` without unit scores for each applicant in ``app`` (indices below ``n``), from
    their normalised scores (``crit`` indexes ``criteria``), the same arithmetic in the same order:
    per criterion the sum of the scores in their order over their count, weighted in the criteria's
    order; NaN where no weighted criterion has a score."""
    values = np.array(norm, dtype=np.float64)
    num = np.zeros(n, dtype=np.float64)
    den = np.zeros(n, dtype=np.float64)
    for k, c in enumerate(criteria):
        mine = crit == k
        if c.weight == 0 or not mine.any():
            continue
        total = np.zeros(n, dtype=np.float64)
        np.add.at(total, app[mine], values[mine])  # in the scores' order, as sum() adds them
        count = np.bincount(app[mine], minlength=n)
        has = count > 0
        num[has] += c.weight * (total[has] / count[has])
        den[has] += c.weight
    out = np.full(n, np.nan, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out[app]


def interview_table(
    problem: Problem, applicants: Sequence[Applicant], enc: Encoding, pa: npt.NDArray[np.int64], unit: IntArray
) -> FloatArray:
    """Each pair's interview value in [0, 1]; NaN where the applicant has no score (see the module
    docstring). One value per applicant when they have general scores only, else one per unit."""
    out = np.full(pa.shape, np.nan, dtype=np.float64)
    if not pa.size:
        return out
    criteria = {c.id: c for c in problem.criteria}
    order = problem.criteria
    offsets = groups(pa, len(applicants))
    general_value = np.full(len(applicants), np.nan, dtype=np.float64)
    # Applicants with general scores only (one value for every unit) are combined below for all at once.
    position = {c.id: k for k, c in enumerate(order)}
    g_app: list[int] = []
    g_crit: list[int] = []
    g_norm: list[float] = []
    for ai, a in enumerate(applicants):
        if not a.interview:
            continue
        if all(sc.unit is None for sc in a.interview):
            for sc in a.interview:
                crit = criteria[sc.criterion]
                lo = crit.scale_min if sc.scale_min is None else sc.scale_min
                hi = crit.scale_max if sc.scale_max is None else sc.scale_max
                g_app.append(ai)
                g_crit.append(position[sc.criterion])
                g_norm.append((sc.score - lo) / (hi - lo))
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
            general_value[ai] = combined(order, general, by_unit, None)
            continue
        lo_p, hi_p = int(offsets[ai]), int(offsets[ai + 1])
        mine = unit[lo_p:hi_p]
        values = {u: combined(order, general, by_unit, enc.unit_ids[u]) for u in np.unique(mine).tolist()}
        out[lo_p:hi_p] = [values[u] for u in mine.tolist()]
        general_value[ai] = np.nan  # filled per pair above
    if g_app:
        general_value[np.array(g_app, dtype=np.int64)] = _combined_general(
            order, len(applicants), np.array(g_app, dtype=np.int64), np.array(g_crit, dtype=np.int64), g_norm
        )
    general_only = ~np.isnan(general_value[pa])
    out[general_only] = general_value[pa][general_only]
    return out


def unit_ranks(
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
    order = by_key_then_value(k_unit, k_value, len(enc.unit_ids))
    su, sv = k_unit[order], k_value[order]
    starts = first_of_runs(su)
    dense = np.cumsum(first_of_runs(su, sv))
    base = np.maximum.accumulate(np.where(starts, dense, 0)) if dense.size else dense
    ranks = np.empty(known.size, dtype=np.int32)
    ranks[order] = (dense - base + 1).astype(np.int32)
    out[known] = ranks
    distinct = np.bincount(su[first_of_runs(su, sv)], minlength=len(enc.unit_ids))
    out[unknown] = (distinct[pair_unit[unknown]] + 1).astype(np.int32)
    return out


#: Added to the lottery seed for the units' tie-breaking draws, so they are independent of the pairs'.
UNIT_LOTTERY_OFFSET = 0x9E3779B97F4A7C15


def _order_by(first: npt.NDArray[Any], second: npt.NDArray[Any], third: IntArray, third_bits: int) -> IntArray:
    """The stable order by (``first``, ``second``, ``third``), all non-negative: one sort of a key that
    packs the three into an int64 where they fit (a lexsort of three keys costs several times more)."""
    if first.size == 0:
        return np.zeros(0, dtype=np.int64)
    second_bits = int(second.max()).bit_length()
    if int(first.max()).bit_length() + second_bits + third_bits <= 62 and int(second.min()) >= 0:
        key = (first.astype(np.int64) << (second_bits + third_bits)) | (second.astype(np.int64) << third_bits) | third
        return np.argsort(key, kind="stable")
    return np.lexsort((third, second, first))


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
    order = _order_by(pa, rank, (1 << LOTTERY_BITS) - 1 - lottery, LOTTERY_BITS)
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
    # Among equal (unit, rank, draw) the applicant with the smaller index first: the keys' own order.
    uorder = _order_by(u_of, unit_rank[first_idx], (1 << LOTTERY_BITS) - 1 - udraw[first_idx], LOTTERY_BITS)
    gu = u_of[uorder]
    ustarts = np.r_[0, np.flatnonzero(gu[1:] != gu[:-1]) + 1]
    ufirst = np.repeat(ustarts, np.diff(np.r_[ustarts, uniq.size]))
    pos = np.zeros(uniq.size, dtype=np.int32)
    pos[uorder] = (np.arange(uniq.size) - ufirst + 1).astype(np.int32)
    unit_strict[:] = pos[inverse.ravel()]
    return rank_strict, unit_strict
