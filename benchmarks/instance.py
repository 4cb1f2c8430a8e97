"""An instance as plain arrays: what every peer reads, so that all of them solve the same problem.

:func:`export` scores a problem with matchmaker's own scoring (:func:`matchmaker._scoring.score`), so
the acceptable pairs, their fit points and lottery draws are exactly matchmaker's, and stores them with
the capacity structure in an ``.npz`` file next to the problem. Loading (:func:`load_arrays`) needs numpy
only: the HiGHS peer runs in a process that must not import OR-Tools (highspy and ortools clash), and
matchmaker imports OR-Tools.

Axes, as in matchmaker: ``applicant``, ``supervisor``, ``unit`` and ``municipality`` index the sorted
ids; ``pair`` indexes the acceptable pairs, sorted by (applicant, supervisor).

The objective levels are matchmaker's (see its README): ``placed_tier_<t>`` for each tier that occurs,
``placed``, ``total_fit`` and ``lottery``, maximised lexicographically; with pair weights and the order
``maximum_weight`` (the ``weights`` variant), ``total_weight`` and ``lottery``. :data:`CORE_LEVELS` leaves out
the lottery, which only breaks ties among optimal plans.

A group-rate rule (``policy.group_rules`` with one ``rate`` rule, as :mod:`benchmarks.groups` sets) is
kept as ``applicant_group`` (each applicant's group in the rule's family, ``-1`` for none) and
``group_rate`` (numerator, denominator, minimum group size): each group of at least that size has a
placement rate of at least ``numerator/denominator`` times the overall rate (placed over every applicant).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from benchmarks.generate import InstanceFiles

__all__ = [
    "INT64_SAFE",
    "Arrays",
    "IntArray",
    "arrays_of",
    "ensure_arrays",
    "export",
    "level_coefs",
    "level_names",
    "load_arrays",
    "merged_weights",
    "save_arrays",
]

IntArray = npt.NDArray[np.int64]
#: Weighted objectives must stay below this in absolute value (int64 with headroom for a solver's sums).
INT64_SAFE = 2**62
_FORMAT = 2


@dataclass(frozen=True, eq=False)
class Arrays:
    """One instance as arrays; see the module docstring for the axes.

    ``municipality_max`` is ``-1`` where a municipality has no cap. ``applicant_tier`` is 0 for no tier.
    ``fairness`` is ``(numerator, denominator)`` of the municipality fairness rule, or ``None``.
    ``unit_ranked`` says that each unit ranks its applicants strictly (the stable and national variants;
    see ``unit_key``); ``pair_rank`` is the applicant's own rank of the pair (1 = first choice).
    ``maximum_weight``: the round has pair weights that replace the fit (``fit_points`` then holds the
    weights) and the order ``maximum_weight``: its levels are ``total_weight`` and the lottery.
    ``applicant_group`` and ``group_rate``: the group-rate rule (module docstring), or ``None``.
    ``pair_unit_rank``: where units rank, the unit's strict order of its applicants (1 = most preferred),
    matchmaker's own with ties broken by the seeded lottery (the national variant's grades tie);
    ``None`` in arrays cached before it existed, where ``pair_interview`` is strict.
    """

    name: str
    applicant_ids: npt.NDArray[np.str_]
    supervisor_ids: npt.NDArray[np.str_]
    pair_applicant: IntArray
    pair_supervisor: IntArray
    fit_points: IntArray
    lottery: IntArray
    pair_rank: IntArray
    pair_interview: npt.NDArray[np.float64]
    applicant_tier: IntArray
    supervisor_unit: IntArray
    unit_municipality: IntArray
    supervisor_capacity: IntArray
    unit_max: IntArray
    unit_min: IntArray
    municipality_max: IntArray
    municipality_min: IntArray
    fairness: tuple[int, int] | None
    unit_ranked: bool
    maximum_weight: bool = False
    applicant_group: IntArray | None = None
    group_rate: tuple[int, int, int] | None = None
    pair_unit_rank: IntArray | None = None

    @property
    def unit_key(self) -> IntArray | npt.NDArray[np.float64]:
        """Each pair's place in its unit's strict order of applicants, lower first."""
        return -self.pair_interview if self.pair_unit_rank is None else self.pair_unit_rank

    @property
    def n_applicants(self) -> int:
        """Applicants."""
        return int(self.applicant_ids.shape[0])

    @property
    def n_supervisors(self) -> int:
        """Supervisors."""
        return int(self.supervisor_ids.shape[0])

    @property
    def n_units(self) -> int:
        """Units."""
        return int(self.unit_max.shape[0])

    @property
    def n_municipalities(self) -> int:
        """Municipalities."""
        return int(self.municipality_max.shape[0])

    @property
    def n_pairs(self) -> int:
        """Acceptable pairs."""
        return int(self.pair_applicant.shape[0])

    @property
    def pair_unit(self) -> IntArray:
        """The unit of each pair."""
        return self.supervisor_unit[self.pair_supervisor]

    @property
    def pair_municipality(self) -> IntArray:
        """The municipality of each pair."""
        return self.unit_municipality[self.pair_unit]

    @property
    def unit_supervisor_capacity(self) -> IntArray:
        """Each unit's supervisors' total capacity."""
        return np.bincount(self.supervisor_unit, weights=self.supervisor_capacity, minlength=self.n_units).astype(
            np.int64
        )

    @property
    def municipality_places(self) -> IntArray:
        """Places each municipality offers: the sum of its units' ``max_places`` (fairness denominators)."""
        return np.bincount(self.unit_municipality, weights=self.unit_max, minlength=self.n_municipalities).astype(
            np.int64
        )

    @property
    def pure_network(self) -> bool:
        """True when the instance is a nested-capacity network: no minimums, no fairness or group rule."""
        return (
            self.fairness is None
            and self.group_rate is None
            and not self.unit_min.any()
            and not self.municipality_min.any()
        )

    def rate_groups(self) -> list[IntArray]:
        """The applicants of each group the group-rate rule covers (groups of at least its minimum size)."""
        if self.group_rate is None or self.applicant_group is None:
            return []
        min_size = self.group_rate[2]
        groups = self.applicant_group
        sizes = np.bincount(groups[groups >= 0]) if (groups >= 0).any() else np.zeros(0, dtype=np.int64)
        return [np.flatnonzero(groups == g).astype(np.int64) for g in range(sizes.size) if sizes[g] >= min_size]

    @property
    def assignment_only(self) -> bool:
        """True when only supervisor capacities can bind, so the problem is a bipartite assignment:
        every unit cap covers its supervisors, every municipality cap its units, and no minimums."""
        unit_slack = bool((self.unit_max >= self.unit_supervisor_capacity).all())
        muni_cover = np.bincount(self.unit_municipality, weights=self.unit_max, minlength=self.n_municipalities)
        muni_slack = bool(((self.municipality_max < 0) | (self.municipality_max >= muni_cover)).all())
        return self.pure_network and unit_slack and muni_slack

    def describe(self) -> dict[str, int]:
        """Counts for reports."""
        return {
            "applicants": self.n_applicants,
            "supervisors": self.n_supervisors,
            "units": self.n_units,
            "municipalities": self.n_municipalities,
            "pairs": self.n_pairs,
            "places": int(np.minimum(self.unit_max, self.unit_supervisor_capacity).sum()),
        }


def level_names(arrays: Arrays, *, lottery: bool = True) -> list[str]:
    """matchmaker's objective levels for this instance, in lexicographic order."""
    if arrays.maximum_weight:
        return ["total_weight", "lottery"] if lottery else ["total_weight"]
    tiers = sorted({int(t) for t in np.unique(arrays.applicant_tier) if t > 0})
    names = [f"placed_tier_{t}" for t in tiers] + ["placed", "total_fit"]
    return [*names, "lottery"] if lottery else names


def level_coefs(arrays: Arrays, name: str) -> IntArray:
    """The per-pair coefficients of one level (every level is maximised, except stable mode's
    ``applicant_rank_sum``, the applicants' ranks, which matchmaker minimises)."""
    if name == "applicant_rank_sum":
        # Stable mode's strict ranks: each applicant's pairs by rank, ties by the lottery draw (higher
        # first); the level is the position, 1 = best.
        order = np.lexsort((-np.asarray(arrays.lottery), arrays.pair_rank, arrays.pair_applicant))
        owner = arrays.pair_applicant[order]
        first = np.r_[0, np.flatnonzero(owner[1:] != owner[:-1]) + 1]
        position = np.arange(order.size) - np.repeat(first, np.diff(np.r_[first, order.size])) + 1
        strict = np.empty(order.size, dtype=np.int64)
        strict[order] = position
        return strict
    if name == "placed":
        return np.ones(arrays.n_pairs, dtype=np.int64)
    if name in ("total_fit", "total_weight"):
        return np.asarray(arrays.fit_points, dtype=np.int64)
    if name == "lottery":
        return np.asarray(arrays.lottery, dtype=np.int64)
    if name.startswith("placed_tier_"):
        tier = int(name.removeprefix("placed_tier_"))
        return np.asarray(np.equal(arrays.applicant_tier[arrays.pair_applicant], tier), dtype=np.int64)
    raise ValueError(f"unknown level {name!r}")


def _level_range(arrays: Arrays, coefs: IntArray) -> int:
    """The largest difference of ``sum(coefs * x)`` between two plans (each applicant placed at most once)."""
    if coefs.size == 0:
        return 0
    starts = np.flatnonzero(np.r_[True, arrays.pair_applicant[1:] != arrays.pair_applicant[:-1]])
    hi = int(np.maximum(np.maximum.reduceat(coefs, starts), 0).sum())
    lo = int(np.minimum(np.minimum.reduceat(coefs, starts), 0).sum())
    return hi - lo


def merged_weights(arrays: Arrays, levels: Sequence[str], limit: int = INT64_SAFE) -> IntArray | None:
    """One weight per pair that ranks plans exactly as ``levels`` do lexicographically, or ``None``.

    The last level has multiplier 1 and each earlier one ``M_l = M_(l+1) * (range_(l+1) + 1)``, so one
    unit of a level outweighs any change of all later levels together. ``None`` when a plan's weighted
    total could reach ``limit`` (the merge would not be exact).
    """
    mults: list[int] = []
    bound = 0
    top = 0
    mult = 1
    for name in reversed(levels):
        coefs = level_coefs(arrays, name)
        span = _level_range(arrays, coefs)
        mults.append(mult)
        bound += mult * span
        top += mult * (int(np.abs(coefs).max()) if coefs.size else 0)
        mult *= span + 1
    if bound >= limit or top * max(arrays.n_applicants, 1) >= limit:
        return None
    weights = np.zeros(arrays.n_pairs, dtype=np.int64)
    for name, m in zip(reversed(levels), mults, strict=True):
        weights += level_coefs(arrays, name) * np.int64(m)
    return weights


def export(files: InstanceFiles) -> Arrays:
    """Score the instance's problem with matchmaker and return its arrays (imports matchmaker)."""
    import matchmaker as mm

    problem = mm.load_problem(files.problem)
    meta: dict[str, Any] = json.loads(files.meta.read_text(encoding="utf-8"))
    return arrays_of(problem, files.name, meta)


def arrays_of(problem: Any, name: str, meta: dict[str, Any]) -> Arrays:
    """Score ``problem`` (a ``matchmaker.Problem``) with matchmaker and return its arrays; ``meta`` is the
    generator's description (the fairness rule, whether units rank)."""
    from fractions import Fraction

    from matchmaker._scoring import score

    if problem.pins:
        raise ValueError(f"{name}: the peers do not model pins; generate instances without them")
    rules = problem.policy.group_rules
    if len(rules) > 1 or any(rule.rule != "rate" for rule in rules):
        raise ValueError(f"{name}: the peers model one group rule, of kind 'rate'")
    sc = score(problem)
    enc = sc.encoding
    fairness = meta.get("fairness")
    maximum_weight = problem.pair_weights is not None and problem.policy.order == "maximum_weight"
    if problem.pair_weights is not None and not (maximum_weight and problem.policy.pair_weights == "replace"):
        raise ValueError(f"{name}: the peers model pair weights only as 'replace' with 'maximum_weight'")
    applicant_group: IntArray | None = None
    group_rate: tuple[int, int, int] | None = None
    if rules:
        rule = rules[0]
        labels = {a.id: a.groups.get(rule.family) for a in problem.applicants}
        names = sorted({v for v in labels.values() if v is not None})
        index = {g: i for i, g in enumerate(names)}
        applicant_group = np.array(
            [-1 if labels[a] is None else index[labels[a]] for a in enc.applicant_ids], dtype=np.int64
        )
        # The checker's reading of the ratio: a fraction with a denominator of at most 10,000.
        ratio = Fraction(rule.ratio).limit_denominator(10_000)
        group_rate = (ratio.numerator, ratio.denominator, int(rule.min_size))
    return Arrays(
        name=name,
        applicant_ids=np.array(enc.applicant_ids, dtype=np.str_),
        supervisor_ids=np.array(enc.supervisor_ids, dtype=np.str_),
        pair_applicant=sc.applicant.astype(np.int64),
        pair_supervisor=sc.supervisor.astype(np.int64),
        fit_points=sc.value_points.astype(np.int64),  # the fit, or the pair weights that replace it
        lottery=sc.lottery.astype(np.int64),
        pair_rank=sc.rank.astype(np.int64),
        pair_interview=sc.interview.astype(np.float64),
        applicant_tier=enc.applicant_tier.astype(np.int64),
        supervisor_unit=enc.supervisor_unit.astype(np.int64),
        unit_municipality=enc.unit_municipality.astype(np.int64),
        supervisor_capacity=enc.supervisor_capacity.astype(np.int64),
        unit_max=enc.unit_max.astype(np.int64),
        unit_min=enc.unit_min.astype(np.int64),
        municipality_max=enc.municipality_max.astype(np.int64),
        municipality_min=enc.municipality_min.astype(np.int64),
        fairness=None if fairness is None else (int(fairness["numerator"]), int(fairness["denominator"])),
        unit_ranked=meta.get("unit_rankings") is not None,
        maximum_weight=maximum_weight,
        applicant_group=applicant_group,
        group_rate=group_rate,
        pair_unit_rank=sc.unit_rank_strict.astype(np.int64) if meta.get("unit_rankings") is not None else None,
    )


_INT_FIELDS = (
    "pair_applicant",
    "pair_supervisor",
    "fit_points",
    "lottery",
    "pair_rank",
    "applicant_tier",
    "supervisor_unit",
    "unit_municipality",
    "supervisor_capacity",
    "unit_max",
    "unit_min",
    "municipality_max",
    "municipality_min",
)


def save_arrays(arrays: Arrays, path: Path) -> None:
    """Write ``arrays`` to an ``.npz`` file (atomically)."""
    tmp = path.with_name(path.name + ".tmp.npz")
    fairness = np.array(arrays.fairness if arrays.fairness is not None else (0, 0), dtype=np.int64)
    ints: dict[str, Any] = {f: getattr(arrays, f) for f in _INT_FIELDS}
    if arrays.pair_unit_rank is not None:
        ints["pair_unit_rank"] = arrays.pair_unit_rank
    np.savez(
        tmp,
        format=np.array(_FORMAT),
        name=np.array(arrays.name),
        applicant_ids=arrays.applicant_ids,
        supervisor_ids=arrays.supervisor_ids,
        pair_interview=arrays.pair_interview,
        fairness=fairness,
        unit_ranked=np.array(arrays.unit_ranked),
        maximum_weight=np.array(arrays.maximum_weight),
        applicant_group=arrays.applicant_group if arrays.applicant_group is not None else np.zeros(0, np.int64),
        group_rate=np.array(arrays.group_rate if arrays.group_rate is not None else (0, 0, 0), dtype=np.int64),
        **ints,
    )
    tmp.replace(path)


def load_arrays(path: Path) -> Arrays:
    """Read arrays written by :func:`save_arrays` (numpy only, no matchmaker, no OR-Tools)."""
    with np.load(path, allow_pickle=False) as z:
        if int(z["format"]) != _FORMAT:
            raise ValueError(f"{path}: array format {int(z['format'])}, expected {_FORMAT}; delete it to regenerate")
        fair = z["fairness"]
        rate = z["group_rate"]
        ints: dict[str, IntArray] = {f: z[f].astype(np.int64) for f in _INT_FIELDS}
        return Arrays(
            name=str(z["name"]),
            applicant_ids=z["applicant_ids"],
            supervisor_ids=z["supervisor_ids"],
            pair_interview=z["pair_interview"].astype(np.float64),
            fairness=None if int(fair[1]) == 0 else (int(fair[0]), int(fair[1])),
            unit_ranked=bool(z["unit_ranked"]),
            maximum_weight=bool(z["maximum_weight"]),
            applicant_group=z["applicant_group"].astype(np.int64) if int(rate[1]) else None,
            group_rate=(int(rate[0]), int(rate[1]), int(rate[2])) if int(rate[1]) else None,
            pair_unit_rank=z["pair_unit_rank"].astype(np.int64) if "pair_unit_rank" in z else None,
            **ints,
        )


def ensure_arrays(files: InstanceFiles) -> Path:
    """The instance's cached arrays, exported first if missing or older than the problem file."""
    path = files.arrays()
    if not path.exists() or path.stat().st_mtime < files.problem.stat().st_mtime:
        save_arrays(export(files), path)
    return path
