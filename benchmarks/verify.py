"""Solver-free checks of a plan against an instance's arrays, and its objective levels.

Whoever produced a plan (matchmaker or a peer), it is given as the indices of the chosen pairs and
checked here with plain numpy: each applicant placed at most once, every capacity and minimum at every
level, the fairness rule and the group-rate rule. The objective levels are recomputed from the pairs, never taken from a
solver's own report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from benchmarks.instance import Arrays, IntArray, level_coefs, level_names

__all__ = ["Evaluation", "blocking_pairs", "evaluate", "pairs_of"]


@dataclass(frozen=True)
class Evaluation:
    """A plan's objective levels (all of matchmaker's, by name), the rules it breaks (empty if none) and,
    where units rank applicants, its number of blocking pairs."""

    levels: dict[str, int]
    violations: tuple[str, ...]
    blocking: int | None = None

    @property
    def ok(self) -> bool:
        """The plan satisfies every rule."""
        return not self.violations


def pairs_of(arrays: Arrays, assignments: Iterable[tuple[str, str]]) -> IntArray:
    """Pair indices of ``(applicant id, supervisor id)`` assignments.

    Raises:
        ValueError: if an assignment is not an acceptable pair of the instance.
    """
    a_index = {str(a): i for i, a in enumerate(arrays.applicant_ids.tolist())}
    s_index = {str(s): i for i, s in enumerate(arrays.supervisor_ids.tolist())}
    keys = arrays.pair_applicant * arrays.n_supervisors + arrays.pair_supervisor
    wanted = np.array(
        [a_index[a] * arrays.n_supervisors + s_index[s] for a, s in assignments],
        dtype=np.int64,
    )
    pos = np.searchsorted(keys, wanted)
    pos_clipped = np.minimum(pos, max(keys.size - 1, 0))
    if wanted.size and (keys.size == 0 or (keys[pos_clipped] != wanted).any()):
        raise ValueError("an assignment is not an acceptable pair of the instance")
    return pos.astype(np.int64)


def evaluate(arrays: Arrays, chosen: IntArray) -> Evaluation:
    """Check the plan ``chosen`` (pair indices) and compute its levels."""
    problems: list[str] = []
    chosen = np.asarray(chosen, dtype=np.int64)
    if chosen.size and (chosen.min() < 0 or chosen.max() >= arrays.n_pairs):
        return Evaluation({}, ("a pair index is out of range",))
    if np.unique(chosen).size != chosen.size:
        problems.append("a pair is chosen twice")
    per_applicant = np.bincount(arrays.pair_applicant[chosen], minlength=arrays.n_applicants)
    if (per_applicant > 1).any():
        problems.append(f"{int((per_applicant > 1).sum())} applicants are placed more than once")
    sup_load = np.bincount(arrays.pair_supervisor[chosen], minlength=arrays.n_supervisors)
    if (over := int((sup_load > arrays.supervisor_capacity).sum())) > 0:
        problems.append(f"{over} supervisors over capacity")
    unit_load = np.bincount(arrays.pair_unit[chosen], minlength=arrays.n_units)
    if (over := int((unit_load > arrays.unit_max).sum())) > 0:
        problems.append(f"{over} units over max_places")
    if (under := int((unit_load < arrays.unit_min).sum())) > 0:
        problems.append(f"{under} units under min_places")
    muni_load = np.bincount(arrays.pair_municipality[chosen], minlength=arrays.n_municipalities)
    capped = arrays.municipality_max >= 0
    if (over := int((capped & (muni_load > arrays.municipality_max)).sum())) > 0:
        problems.append(f"{over} municipalities over max_places")
    if (under := int((muni_load < arrays.municipality_min).sum())) > 0:
        problems.append(f"{under} municipalities under min_places")
    if arrays.fairness is not None:
        num, den = arrays.fairness
        places = arrays.municipality_places
        total_places = int(places.sum())
        placed = int(chosen.size)
        # Fill rate of m >= num/den * overall fill rate, in integers: den * P * load_m >= num * P_m * placed.
        unfair = [
            m
            for m in range(arrays.n_municipalities)
            if den * total_places * int(muni_load[m]) < num * int(places[m]) * placed
        ]
        if unfair:
            problems.append(f"{len(unfair)} municipalities below {num}/{den} of the overall fill rate")
    if arrays.group_rate is not None:
        num, den, _ = arrays.group_rate
        placed_applicants = np.zeros(arrays.n_applicants, dtype=np.int64)
        placed_applicants[arrays.pair_applicant[chosen]] = 1
        everyone, placed = arrays.n_applicants, int(placed_applicants.sum())
        # Rate of g >= num/den * overall rate, in integers: den * N * placed_g >= num * size_g * placed.
        low = [
            g
            for g in arrays.rate_groups()
            if den * everyone * int(placed_applicants[g].sum()) < num * int(g.size) * placed
        ]
        if low:
            problems.append(f"{len(low)} groups below {num}/{den} of the overall placement rate")
    names = [*level_names(arrays), *(["applicant_rank_sum"] if arrays.unit_ranked else [])]
    levels = {name: int(level_coefs(arrays, name)[chosen].sum()) for name in names}
    blocking = blocking_pairs(arrays, chosen) if arrays.unit_ranked and not problems else None
    return Evaluation(levels, tuple(problems), blocking)


def blocking_pairs(arrays: Arrays, chosen: IntArray) -> int:
    """Blocking pairs of a valid plan under the student-project allocation definition (SPA-S; Abraham,
    Irving & Manlove 2007), with a unit in the lecturer's role and a supervisor in the project's.

    Applicants rank pairs by ``pair_rank`` (lower is better); a unit prefers the applicant lower in its
    strict order (``Arrays.unit_key``). An acceptable pair (a, s)
    of unit u blocks if a is unplaced or prefers s to their placement, and one of:

    1. s and u both have a free place;
    2. s has a free place, u is full, and a is already placed in u or u prefers a to its worst placed
       applicant;
    3. s is full and u prefers a to s's worst placed applicant.
    """
    n_pairs = arrays.n_pairs
    unit = arrays.pair_unit
    score = -np.asarray(arrays.unit_key, dtype=np.float64)  # higher: the unit likes the applicant more
    my_rank = np.full(arrays.n_applicants, np.iinfo(np.int64).max, dtype=np.int64)
    my_rank[arrays.pair_applicant[chosen]] = arrays.pair_rank[chosen]
    my_unit = np.full(arrays.n_applicants, -1, dtype=np.int64)
    my_unit[arrays.pair_applicant[chosen]] = unit[chosen]
    sup_load = np.bincount(arrays.pair_supervisor[chosen], minlength=arrays.n_supervisors)
    unit_load = np.bincount(unit[chosen], minlength=arrays.n_units)
    # The unit's score of the worst applicant placed with each supervisor and in each unit.
    worst_sup = np.full(arrays.n_supervisors, np.inf)
    np.minimum.at(worst_sup, arrays.pair_supervisor[chosen], score[chosen])
    worst_unit = np.full(arrays.n_units, np.inf)
    np.minimum.at(worst_unit, unit[chosen], score[chosen])
    s = arrays.pair_supervisor
    wants = arrays.pair_rank < my_rank[arrays.pair_applicant]
    sup_free = sup_load[s] < arrays.supervisor_capacity[s]
    unit_free = unit_load[unit] < arrays.unit_max[unit]
    in_unit = my_unit[arrays.pair_applicant] == unit
    case1 = sup_free & unit_free
    case2 = sup_free & ~unit_free & (in_unit | (score > worst_unit[unit]))
    case3 = ~sup_free & (score > worst_sup[s])
    blocking = wants & (case1 | case2 | case3)
    return int(blocking[:n_pairs].sum())
