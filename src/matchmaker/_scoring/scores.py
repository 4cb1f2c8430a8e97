"""score(): the acceptable pairs of a round and their fit, as one sparse table (Scores)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchmaker._gc import pausing
from matchmaker._lottery import id_hashes, lottery_draws
from matchmaker._scoring.acceptable import REMOVAL_RULES, RULES, Candidates
from matchmaker._scoring.arrays import groups
from matchmaker._scoring.encoding import Encoding, encode
from matchmaker._scoring.values import interview_table, strict_ranks, to_points, unit_ranks
from matchmaker._scoring.weights import pair_weights, value_points
from matchmaker._scoring.wishes import pin_extras, resolve_wishes
from matchmaker._types import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = ["Scores", "score"]


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
    ``weight_units[p]`` is the pair's weight from the problem's pair weights in units of ``1/scale``
    (0 where ``weighted[p]`` is False); ``value_points[p]`` is what the fit levels sum, at
    ``value_scale`` points per unit (``fit_points`` at ``FIT_SCALE`` without pair weights; see
    :mod:`matchmaker._scoring.weights`).
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
    weight_units: IntArray
    weighted: BoolArray
    value_points: IntArray
    value_scale: int

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


@pausing
def score(problem: Problem) -> Scores:
    """Acceptable pairs and their fit for ``problem``; see the module docstring for the formula.

    Vectorised across applicants: Python touches each record and each wish entry once; every
    per-pair step is a numpy operation over all pairs of the round.
    """
    enc = encode(problem)
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

    wishes = pin_extras(resolve_wishes(applicants, enc, units), pins_by_applicant, enc, unit_sups)
    pa64, sups, interest, rank = wishes.applicant, wishes.supervisor, wishes.interest, wishes.rank
    wished = np.bincount(pa64, minlength=n_app).astype(np.int32)
    candidates = Candidates(problem, enc, applicants, supervisors, units, pa64, sups, sup_unit[sups])
    pair_unit = candidates.unit
    removed = np.zeros((n_app, len(REMOVAL_RULES)), dtype=np.int32)
    ok = np.ones(sups.shape, dtype=bool)
    for r, name in enumerate(REMOVAL_RULES):
        breaks = RULES[name](candidates)
        if breaks is None:
            continue
        fails = ok & breaks  # a pair is charged to the first rule it breaks
        removed[:, r] = np.bincount(pa64[fails], minlength=n_app)
        ok[fails] = False

    pa64, sups, interest, rank, pair_unit = pa64[ok], sups[ok], interest[ok], rank[ok], pair_unit[ok]
    interview_arr = interview_table(problem, applicants, enc, pa64, pair_unit)
    offsets = groups(pa64, n_app)
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
    unit_rank_arr = unit_ranks(problem, enc, pa, ps, interview_arr)
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
    w_units, weighted = pair_weights(problem, enc, pa64, sups)
    values, value_scale = value_points(problem, points, w_units)
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
        weight_units=w_units,
        weighted=weighted,
        value_points=values,
        value_scale=value_scale,
    )
