"""The per-applicant scorer that ``matchmaker._scoring.score`` replaced, kept as a test oracle.

``score`` is vectorised across applicants; this is the plain loop it was before (one applicant at a
time, the formula of ``matchmaker/_scoring.py``'s docstring read literally). ``test_scoring.py``
checks on random rounds that both give the same arrays, bit for bit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchmaker._lottery import id_hashes, lottery_draws
from matchmaker._rules import REMOVAL_ORDER as REMOVAL_RULES
from matchmaker._rules import trained_enough
from matchmaker._scoring import Encoding, Scores, to_points
from matchmaker._scoring.encoding import encode
from matchmaker._text import norm_key
from matchmaker._types import FloatArray

if TYPE_CHECKING:
    from matchmaker._models import Applicant, Problem, Unit


@dataclass
class _Wishes:
    """One applicant's resolved wishes: supervisor index -> (interest, rank)."""

    supervisors: npt.NDArray[np.int64]
    interest: FloatArray
    rank: npt.NDArray[np.int64]


def _resolve_wishes(
    a: Applicant,
    enc: Encoding,
    area_sups: Mapping[str, npt.NDArray[np.int64]],
    unit_sups: Mapping[int, npt.NDArray[np.int64]],
) -> _Wishes:
    """Expand area and unit entries to supervisors; the most specific entry wins."""
    prefs = a.interests if a.interests is not None else a.ranking
    empty = _Wishes(np.empty(0, np.int64), np.empty(0, np.float64), np.empty(0, np.int64))
    if prefs is None:
        return empty
    # Areas and units expand to their supervisors; named supervisors are one array (a ranking may
    # name hundreds, so no per-entry arrays).
    chunks: list[npt.NDArray[np.int64]] = []
    chunk_level: list[int] = []
    chunk_value: list[float] = []
    for key, v in prefs.areas.items():
        chunks.append(area_sups.get(key, _NO_UNITS))
        chunk_level.append(0)
        chunk_value.append(float(v))
    for key, v in prefs.units.items():
        chunks.append(unit_sups.get(enc.unit_index[key], _NO_UNITS))
        chunk_level.append(1)
        chunk_value.append(float(v))
    named = prefs.supervisors
    if not chunks and not named:
        return empty
    sizes = [c.size for c in chunks]
    s_parts = [*chunks]
    lv_parts = [np.repeat(np.array(chunk_level, dtype=np.int64), sizes)]
    val_parts = [np.repeat(np.array(chunk_value, dtype=np.float64), sizes)]
    if named:
        count = len(named)
        s_parts.append(np.fromiter((enc.supervisor_index[k] for k in named), dtype=np.int64, count=count))
        lv_parts.append(np.full(count, 2, dtype=np.int64))
        val_parts.append(np.fromiter((float(v) for v in named.values()), dtype=np.float64, count=count))
    s = np.concatenate(s_parts) if s_parts else np.empty(0, np.int64)
    lv = np.concatenate(lv_parts)
    val = np.concatenate(val_parts)
    # For each supervisor keep the entry of the highest level (most specific).
    order = np.lexsort((-lv, s))
    s, val = s[order], val[order]
    first = np.ones(s.shape, dtype=bool)
    first[1:] = s[1:] != s[:-1]
    s, val = s[first], val[first]
    if a.ranking is not None:
        ranks = val.astype(np.int64)
        given = [
            *a.ranking.areas.values(),
            *a.ranking.units.values(),
            *a.ranking.supervisors.values(),
        ]
        k = max(given)
        interest = (k - ranks + 1) / k
        return _Wishes(s, interest.astype(np.float64), ranks)
    wished = val > 0
    s, val = s[wished], val[wished]
    # Dense rank of distinct weights, highest weight = rank 1.
    distinct = np.unique(val)[::-1]
    ranks = np.searchsorted(-distinct, -val).astype(np.int64) + 1
    return _Wishes(s, val, ranks)


def _interview_values(problem: Problem, a: Applicant, units: npt.NDArray[np.int64], enc: Encoding) -> FloatArray:
    """Interview value in [0, 1] per unit in ``units``; NaN where the applicant has no score."""
    out = np.full(units.shape, np.nan, dtype=np.float64)
    if not a.interview:
        return out
    criteria = {c.id: c for c in problem.criteria}
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
        num = 0.0
        den = 0.0
        for c in problem.criteria:
            scores = general.get(c.id)
            if not scores or c.weight == 0:
                continue
            num += c.weight * (sum(scores) / len(scores))
            den += c.weight
        out[:] = num / den if den > 0 else float("nan")
        return out
    cache: dict[int, float] = {}
    for i, u in enumerate(units.tolist()):
        if u in cache:
            out[i] = cache[u]
            continue
        unit_id = enc.unit_ids[u]
        num = 0.0
        den = 0.0
        for c in problem.criteria:
            scores = by_unit.get((unit_id, c.id)) or general.get(c.id)
            if not scores or c.weight == 0:
                continue
            num += c.weight * (sum(scores) / len(scores))
            den += c.weight
        value = num / den if den > 0 else float("nan")
        cache[u] = value
        out[i] = value
    return out


_NO_UNITS = np.empty(0, dtype=np.int64)


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
    pair_unit = enc.supervisor_unit[ps]
    by_id = problem.unit_by_id
    for u, ident in enumerate(enc.unit_ids):
        idx = np.flatnonzero(pair_unit == u)
        if idx.size == 0:
            continue
        ranking = by_id[ident].ranking
        if ranking is not None:
            out[idx] = [ranking[enc.applicant_ids[a]] for a in pa[idx].tolist()]
        elif problem.policy.unit_preferences == "interview":
            values = interview[idx]
            known = ~np.isnan(values)
            distinct = np.unique(values[known])[::-1]
            ranks = np.full(idx.shape, distinct.size + 1, dtype=np.int32)
            ranks[known] = np.searchsorted(-distinct, -values[known]) + 1
            out[idx] = ranks
    return out


def _area_and_unit_supervisors(
    units: Sequence[Unit], enc: Encoding
) -> tuple[dict[str, npt.NDArray[np.int64]], dict[int, npt.NDArray[np.int64]]]:
    sup_unit = enc.supervisor_unit
    unit_sups = {int(u): np.flatnonzero(sup_unit == u).astype(np.int64) for u in range(len(units))}
    area_sups: dict[str, npt.NDArray[np.int64]] = {}
    for area in {u.area for u in units}:
        in_area = [enc.unit_index[u.id] for u in units if u.area == area]
        area_sups[area] = np.flatnonzero(np.isin(sup_unit, in_area)).astype(np.int64)
    return area_sups, unit_sups


def reference_score(problem: Problem) -> Scores:
    """Acceptable pairs and their fit for ``problem``; see the module docstring for the formula."""
    enc = encode(problem)
    policy = problem.policy
    applicants = sorted(problem.applicants, key=lambda a: a.id)
    supervisors = sorted(problem.supervisors, key=lambda s: s.id)
    units = sorted(problem.units, key=lambda u: u.id)

    sup_unit = enc.supervisor_unit
    area_sups, unit_sups = _area_and_unit_supervisors(units, enc)

    trained = np.array([trained_enough(s.training, policy.supervisor_training) for s in supervisors], dtype=bool)
    muni_of_sup = enc.unit_municipality[sup_unit] if len(supervisors) else np.empty(0, np.int64)
    has_capacity = (
        (enc.supervisor_capacity > 0) & (enc.unit_max[sup_unit] > 0) & (enc.municipality_max[muni_of_sup] != 0)
    )
    requirement_keys = [frozenset(norm_key(r) for r in u.requirements) for u in units]
    req_cache: dict[frozenset[str], npt.NDArray[np.bool_]] = {}

    ranked_units = np.array([enc.unit_index[u.id] for u in units if u.ranking is not None], dtype=np.int64)
    listing: dict[str, list[int]] = defaultdict(list)
    for u in units:
        for ident in u.ranking or {}:
            listing[ident].append(enc.unit_index[u.id])
    listing_units = {k: np.array(v, dtype=np.int64) for k, v in listing.items()}

    pins_by_applicant: dict[str, list[tuple[int, str | None, str | None]]] = defaultdict(list)
    for i, pin in enumerate(problem.pins):
        pins_by_applicant[pin.applicant].append((i, pin.unit, pin.supervisor))
    adjust: dict[str, list[tuple[str | None, str | None, float]]] = defaultdict(list)
    for adj in problem.adjustments:
        adjust[adj.applicant].append((adj.unit, adj.supervisor, adj.delta))

    blocks_a: list[npt.NDArray[np.int64]] = []
    blocks_s: list[npt.NDArray[np.int64]] = []
    blocks_interest: list[FloatArray] = []
    blocks_interview: list[FloatArray] = []
    blocks_adjust: list[FloatArray] = []
    blocks_rank: list[npt.NDArray[np.int64]] = []
    blocks_continuity: list[FloatArray] = []
    unavailable: dict[str, npt.NDArray[np.bool_]] = defaultdict(lambda: np.zeros(enc.n_supervisors, dtype=bool))
    for si, sup in enumerate(supervisors):
        for period_id in sup.unavailable_periods:
            unavailable[period_id][si] = True
    wished = np.zeros(enc.n_applicants, dtype=np.int32)
    removed = np.zeros((enc.n_applicants, len(REMOVAL_RULES)), dtype=np.int32)
    pin_specs: list[tuple[int, int, str | None, str | None]] = []  # (pin no, applicant, unit, sup)

    for ai, a in enumerate(applicants):
        w = _resolve_wishes(a, enc, area_sups, unit_sups)
        sups, interest, rank = w.supervisors, w.interest, w.rank
        # Pins make their place acceptable even when the applicant did not list it.
        for pin_no, pin_unit, pin_sup in pins_by_applicant.get(a.id, []):
            pin_specs.append((pin_no, ai, pin_unit, pin_sup))
            if pin_sup is not None:
                extra = np.array([enc.supervisor_index[pin_sup]], dtype=np.int64)
            else:
                extra = unit_sups[enc.unit_index[pin_unit or ""]]
            extra = extra[~np.isin(extra, sups)]
            if extra.size:
                worst = int(rank.max()) + 1 if rank.size else 1
                sups = np.concatenate([sups, extra])
                interest = np.concatenate([interest, np.zeros(extra.shape)])
                rank = np.concatenate([rank, np.full(extra.shape, worst, dtype=np.int64)])
        wished[ai] = sups.size
        if sups.size == 0:
            continue
        ok = np.ones(sups.shape, dtype=bool)
        # Rule: the unit's requirements.
        quals = frozenset(norm_key(q) for q in a.qualifications)
        req_ok = req_cache.get(quals)
        if req_ok is None:
            req_ok = np.array([keys <= quals for keys in requirement_keys], dtype=bool)
            req_cache[quals] = req_ok
        fails = ok & ~req_ok[sup_unit[sups]]
        removed[ai, 0] = int(fails.sum())
        ok &= ~fails
        # Rule: declared conflicts.
        if a.conflicts.units or a.conflicts.supervisors:
            bad_units = [enc.unit_index[u] for u in a.conflicts.units]
            bad_sups = [enc.supervisor_index[s] for s in a.conflicts.supervisors]
            conflict = np.isin(sup_unit[sups], bad_units) | np.isin(sups, bad_sups)
            fails = ok & conflict
            removed[ai, 1] = int(fails.sum())
            ok &= ~fails
        # Rule: supervisor training.
        fails = ok & ~trained[sups]
        removed[ai, 2] = int(fails.sum())
        ok &= ~fails
        # Rule: some capacity at every level.
        fails = ok & ~has_capacity[sups]
        removed[ai, 3] = int(fails.sum())
        ok &= ~fails
        # Rule: a unit that ranks applicants itself must list this one.
        if ranked_units.size:
            unlisted = np.isin(sup_unit[sups], ranked_units) & ~np.isin(
                sup_unit[sups], listing_units.get(a.id, _NO_UNITS)
            )
            fails = ok & unlisted
            removed[ai, 4] = int(fails.sum())
            ok &= ~fails
        # Rule: the supervisor is available in the applicant's period.
        period = problem.period_of[a.id] if unavailable else None
        if period is not None and period.id in unavailable:
            fails = ok & unavailable[period.id][sups]
            removed[ai, 5] = int(fails.sum())
            ok &= ~fails

        sups, interest, rank = sups[ok], interest[ok], rank[ok]
        if sups.size == 0:
            continue
        order = np.argsort(sups, kind="stable")
        sups, interest, rank = sups[order], interest[order], rank[order]
        sup_units = sup_unit[sups]
        interview = _interview_values(problem, a, sup_units, enc)
        pair_adjust = np.zeros(sups.shape, dtype=np.float64)
        for adj_unit, adj_sup, delta in adjust.get(a.id, []):
            if adj_sup is not None:
                pair_adjust[sups == enc.supervisor_index[adj_sup]] += delta
            elif adj_unit is not None:
                pair_adjust[sup_units == enc.unit_index[adj_unit]] += delta
        bonus = np.zeros(sups.shape, dtype=np.float64)
        if a.previous_unit is not None:
            same_unit = sup_units == enc.unit_index[a.previous_unit]
            bonus[same_unit] = policy.continuity_same_unit
            prev_sup = enc.supervisor_index.get(a.previous_supervisor or "")
            if prev_sup is not None:
                bonus[sups == prev_sup] = policy.continuity_same_supervisor
        blocks_continuity.append(bonus)
        blocks_a.append(np.full(sups.shape, ai, dtype=np.int64))
        blocks_s.append(sups)
        blocks_interest.append(interest)
        blocks_interview.append(interview)
        blocks_adjust.append(pair_adjust)
        blocks_rank.append(rank)

    def cat(blocks: Sequence[npt.NDArray[np.generic]], dtype: type) -> npt.NDArray[np.generic]:
        return np.concatenate(blocks).astype(dtype) if blocks else np.empty(0, dtype=dtype)

    pa = cat(blocks_a, np.int32).astype(np.int32)
    ps = cat(blocks_s, np.int32).astype(np.int32)
    interest_arr = cat(blocks_interest, np.float64).astype(np.float64)
    interview_arr = cat(blocks_interview, np.float64).astype(np.float64)
    adjust_arr = cat(blocks_adjust, np.float64).astype(np.float64)
    rank_arr = cat(blocks_rank, np.int32).astype(np.int32)
    continuity_arr = cat(blocks_continuity, np.float64).astype(np.float64)

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
    fit = (wi * interest_arr + wv * interview_arr) / (wi + wv) + adjust_arr + continuity_arr
    points = to_points(fit)
    lottery = lottery_draws(
        policy.lottery_seed,
        id_hashes(enc.applicant_ids)[pa],
        id_hashes(enc.supervisor_ids)[ps],
    )

    pins: list[tuple[int, npt.NDArray[np.int64]]] = []
    labels: list[str] = []
    for pin_no, ai, pin_unit, pin_sup in sorted(pin_specs):
        mine = pa == ai
        if pin_sup is not None:
            hit = mine & (ps == enc.supervisor_index[pin_sup])
            target = f"supervisor {pin_sup!r}"
        else:
            hit = mine & (sup_unit[ps] == enc.unit_index[pin_unit or ""])
            target = f"unit {pin_unit!r}"
        pins.append((ai, np.flatnonzero(hit).astype(np.int64)))
        labels.append(f"pins[{pin_no}]: applicant {enc.applicant_ids[ai]!r} at {target}")

    weight_units, weighted, values, value_scale = _weights(problem, enc, pa, ps, points)
    return Scores(
        encoding=enc,
        applicant=pa,
        supervisor=ps,
        interest=interest_arr,
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
        weight_units=weight_units,
        weighted=weighted,
        value_points=values,
        value_scale=value_scale,
    )


def _weights(
    problem: Problem, enc: Encoding, pa: npt.NDArray[np.int32], ps: npt.NDArray[np.int32], points: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.int64], int]:
    """Each pair's pair weight (a supervisor's row, else its unit's) and value, one pair at a time."""
    table = problem.pair_weights
    n = pa.shape[0]
    units = np.zeros(n, dtype=np.int64)
    has = np.zeros(n, dtype=bool)
    if table is None:
        return units, has, points, 10_000
    rows = {(r.applicant, r.supervisor or "", r.unit or ""): r.weight for r in table.rows}
    for p in range(n):
        a, s = enc.applicant_ids[pa[p]], enc.supervisor_ids[ps[p]]
        u = enc.unit_ids[enc.supervisor_unit[ps[p]]]
        w = rows.get((a, s, ""), rows.get((a, "", u)))
        if w is not None:
            units[p] = round(Fraction(str(w)) * table.scale)
            has[p] = True
    if problem.policy.pair_weights == "replace":
        return units, has, units.copy(), table.scale
    scale = max(10_000, table.scale)
    return units, has, points * (scale // 10_000) + units * (scale // table.scale), scale
