"""Seeded, realistic benchmark instances, written as matchmaker problem JSON.

Four sizes (:data:`SIZES`: 100, 1,000, 10,000 and 50,000 applicants), each with supervisors for about
40 % of the applicants (capacity 1, 2 or 3 with weights 6:3:1, so about 0.6 places per applicant),
municipalities split into units of the three areas (Barn och ungdom, Vuxenenhet, Arbete och
försörjning), and five variants (:data:`VARIANTS`):

``dense``
    Unit-level interests: each applicant names several units of their region (areas weighted by
    popularity, municipalities by attractiveness), which matchmaker expands to every supervisor of the
    unit. About 49,000 acceptable pairs at 1,000 applicants and 1.2 million at 10,000; at 100 every
    applicant gives area interests over all three areas, so every pair is acceptable. Unit caps equal
    their supervisors' capacity and municipalities have no cap: a pure assignment problem.
``sparse``
    One to three wished units per applicant (a fifth to a third of the dense pairs), with nested caps that
    bind: a unit takes 80 % of its supervisors' capacity, a municipality 90 % of its units' caps.
``side``
    The dense wishes with side constraints: unit maximums at 75 % of the supervisors' capacity, unit
    minimums on a third of the units, and a municipality fairness rule kept in the instance's meta file
    (each municipality's fill rate, placed / places it offers, at least 3/4 of the overall fill rate).
    Every fourth municipality is remote (few applicants wish it), so that the rule binds where there
    are several municipalities to a region. matchmaker cannot express that rule yet; the peers can.
``stable``
    Strict preferences on both sides, for stable matchings: each applicant ranks every supervisor of
    their wished units strictly, and each unit's interview scores rank its applicants strictly (one
    distinct score per applicant and unit). Unit caps at 80 % of capacity, no municipality caps.
``weights``
    The dense round with pair weights from "another system" (issue 22): a whole-number weight from 0 to
    100,000 for each wished unit, and for a fifth of the applicants a supervisor's own weight that
    overrides it; the weights replace the fit and the order is ``maximum_weight`` (no placed count
    first), so the plan is the plain maximum-weight plan, tie-broken by the lottery.

Every instance also has a few realistic complications: 5 % of applicants in priority tier 1 (not in
``stable``), a driving-licence requirement in 10 % of the units, declared conflicts (jäv) for 2 % of
applicants, and missing interviews for 10 % (not in ``stable``); where every pair is meant to be
acceptable (100 applicants, dense and side) every applicant holds the licence and none declares a
conflict. Data are synthetic: opaque ids, no persons. The same size, variant and seed always give the same bytes.

Files go to ``benchmarks/data/`` (git-ignored) and are reused when present::

    python -m benchmarks.generate --sizes 100,1000 --variants dense,side
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args

import numpy as np
import numpy.typing as npt

__all__ = [
    "AREAS",
    "DATA_DIR",
    "GENERATOR_VERSION",
    "NATIONAL_SIZES",
    "SIZES",
    "SPECS",
    "VARIANTS",
    "InstanceFiles",
    "SizeSpec",
    "Variant",
    "available",
    "build",
    "build_national",
    "ensure",
    "instance_name",
    "main",
]

#: Bumped whenever the generator's output changes, so cached files are never stale.
GENERATOR_VERSION = 1
DATA_DIR = Path(__file__).resolve().parent / "data"

Variant = Literal["dense", "sparse", "side", "stable", "weights", "national"]
VARIANTS: tuple[Variant, ...] = cast("tuple[Variant, ...]", get_args(Variant))

AREAS = ("Barn och ungdom", "Vuxenenhet", "Arbete och försörjning")
_AREA_CODE = {"Barn och ungdom": "bou", "Vuxenenhet": "vux", "Arbete och försörjning": "af"}
#: How often an area is wished, relative to the others.
_AREA_POPULARITY = np.array([1.6, 1.0, 0.6])
#: Interest weights for area-level wishes (the 100-applicant dense case): (low, high) per area.
_AREA_INTEREST = ((0.55, 1.0), (0.3, 0.9), (0.05, 0.55))
#: Municipality names for the first ids (Stockholm county); later ones are numbered.
_MUNICIPALITY_NAMES = (
    "Huddinge",
    "Nacka",
    "Tyresö",
    "Södertälje",
    "Botkyrka",
    "Haninge",
    "Salem",
    "Nynäshamn",
    "Värmdö",
    "Stockholm",
    "Solna",
    "Sundbyberg",
    "Järfälla",
    "Sollentuna",
    "Täby",
    "Danderyd",
    "Lidingö",
    "Upplands Väsby",
    "Vallentuna",
    "Österåker",
    "Norrtälje",
    "Sigtuna",
    "Upplands-Bro",
    "Ekerö",
    "Vaxholm",
    "Nykvarn",
)
_UNIVERSITIES = ("Södertörns högskola", "Stockholms universitet", "Marie Cederschiölds högskola")
_CRITERIA: tuple[dict[str, Any], ...] = (
    {"id": "motivation", "weight": 2.0, "scale_min": 1.0, "scale_max": 5.0},
    {"id": "samarbete", "weight": 1.0, "scale_min": 1.0, "scale_max": 5.0},
)
#: The stable variant's only criterion: each unit's own assessment, one distinct score per applicant.
_UNIT_CRITERION: dict[str, Any] = {"id": "enhetens_bedomning", "weight": 1.0, "scale_min": 0.0, "scale_max": 1.0}
_LICENCE = "körkort"
#: The side variant's remote municipalities (every fourth) are this much less attractive.
_REMOTE = 0.08


@dataclass(frozen=True)
class SizeSpec:
    """The shape of one size.

    Attributes:
        applicants: number of applicants; supervisors are 40 % of it.
        municipalities: number of municipalities.
        units_per_area: units of each area in each municipality.
        region_size: municipalities per region; an applicant wishes units of one region only.
        dense_wishes: units wished per applicant in the dense, side and stable variants (an inclusive
            range), or ``None`` for area interests over all three areas (every pair acceptable).
        sparse_wishes: units wished per applicant in the sparse variant (an inclusive range).
    """

    applicants: int
    municipalities: int
    units_per_area: int
    region_size: int
    dense_wishes: tuple[int, int] | None
    sparse_wishes: tuple[int, int]

    @property
    def supervisors(self) -> int:
        """Supervisors: 40 % of the applicants."""
        return (2 * self.applicants) // 5

    @property
    def units(self) -> int:
        """Units in all municipalities."""
        return self.municipalities * len(AREAS) * self.units_per_area


#: The four sizes. The dense wishes are tuned so that 1,000 applicants give about 49,000 acceptable
#: pairs and 10,000 about 1.2 million.
SPECS: dict[int, SizeSpec] = {
    100: SizeSpec(100, 3, 1, 3, None, (1, 2)),
    1_000: SizeSpec(1_000, 4, 3, 4, (3, 6), (1, 2)),
    10_000: SizeSpec(10_000, 20, 4, 4, (6, 9), (1, 3)),
    50_000: SizeSpec(50_000, 60, 5, 4, (4, 7), (1, 3)),
    # The national capacity round (issue 23): 40,000 supervisors, about 10 million acceptable pairs dense.
    100_000: SizeSpec(100_000, 120, 5, 4, (3, 6), (1, 3)),
}
SIZES: tuple[int, ...] = tuple(SPECS)
#: The sizes of the ``national`` variant (applicants; a unit per 50 of them): 500,000 is the national
#: scale of issue 23, the smaller ones are where the ``matching`` peer finishes, and 20,000 is the
#: slow test's.
NATIONAL_SIZES: tuple[int, ...] = (1_000, 10_000, 20_000, 100_000, 500_000)


def available(size: int, variant: Variant) -> bool:
    """Whether the generator makes ``variant`` at ``size``."""
    return size in NATIONAL_SIZES if variant == "national" else size in SPECS


@dataclass(frozen=True)
class InstanceFiles:
    """The files of one generated instance: the problem and its meta data (side rules, provenance)."""

    name: str
    problem: Path
    meta: Path

    def arrays(self) -> Path:
        """Where :mod:`benchmarks.instance` caches the instance's arrays."""
        return self.problem.with_name(f"{self.name}.arrays.npz")


def instance_name(size: int, variant: Variant, seed: int) -> str:
    """The file stem of an instance, e.g. ``g1-1000-dense-s1``."""
    return f"g{GENERATOR_VERSION}-{size}-{variant}-s{seed}"


def _split(total: int, parts: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """``total`` items into ``parts`` groups of at least one, sizes varying by about +-50 %."""
    weights = rng.uniform(0.5, 1.5, parts)
    extra = rng.multinomial(total - parts, weights / weights.sum())
    return (extra + 1).astype(np.int64)


def _capacities(count: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """Supervisor capacities 1, 2 or 3 with weights 6:3:1."""
    return rng.choice(np.array([1, 2, 3], dtype=np.int64), size=count, p=[0.6, 0.3, 0.1])


def _unit_max(variant: Variant, capacity: int) -> int:
    """A unit's ``max_places`` given its supervisors' total capacity."""
    if variant == "dense":
        return capacity
    if variant in ("sparse", "stable"):
        return max(1, math.floor(0.8 * capacity))
    return max(1, math.ceil(0.75 * capacity))


def build(size: int, variant: Variant, seed: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """The problem (as JSON data) and its meta data for one size, variant and seed.

    Raises:
        ValueError: for an unknown size or variant.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant {variant!r} is not one of {list(VARIANTS)}")
    if variant == "national":
        return build_national(size, seed)
    if size not in SPECS:
        raise ValueError(f"size {size} is not one of {list(SPECS)}")
    spec = SPECS[size]
    rng = np.random.default_rng([GENERATOR_VERSION, size, VARIANTS.index(variant), seed])
    stable = variant == "stable"

    # Municipalities, their units and supervisors.
    attractiveness = rng.uniform(0.5, 1.5, spec.municipalities)
    if variant == "side":
        # Every fourth municipality is remote: few applicants wish it, so fairness has something to do.
        attractiveness[3::4] *= _REMOTE
    municipalities: list[dict[str, Any]] = []
    units: list[dict[str, Any]] = []
    supervisors: list[dict[str, Any]] = []
    unit_sups: list[list[str]] = []
    unit_muni = np.zeros(spec.units, dtype=np.int64)
    unit_area = np.zeros(spec.units, dtype=np.int64)
    sups_per_unit = _split(spec.supervisors, spec.units, rng)
    capacities = _capacities(spec.supervisors, rng)
    next_sup = 0
    for m in range(spec.municipalities):
        mid = f"m{m + 1:02d}"
        name = _MUNICIPALITY_NAMES[m] if m < len(_MUNICIPALITY_NAMES) else f"Kommun {m + 1}"
        municipality: dict[str, Any] = {"id": mid, "name": name}
        unit_caps_here: list[int] = []
        for area_index, area in enumerate(AREAS):
            for k in range(spec.units_per_area):
                u = len(units)
                uid = f"{mid}-{_AREA_CODE[area]}-{k + 1}"
                count = int(sups_per_unit[u])
                caps = capacities[next_sup : next_sup + count]
                ids = [f"S{next_sup + j + 1:06d}" for j in range(count)]
                next_sup += count
                max_places = _unit_max(variant, int(caps.sum()))
                unit: dict[str, Any] = {"id": uid, "municipality": mid, "area": area, "max_places": max_places}
                if rng.random() < 0.1:
                    unit["requirements"] = [_LICENCE]
                units.append(unit)
                unit_caps_here.append(max_places)
                unit_sups.append(ids)
                unit_muni[u] = m
                unit_area[u] = area_index
                supervisors.extend(
                    {"id": sid, "unit": uid, "capacity": int(c), "training": "completed"}
                    for sid, c in zip(ids, caps, strict=True)
                )
        if variant == "sparse":
            municipality["max_places"] = max(1, math.floor(0.9 * sum(unit_caps_here)))
        municipalities.append(municipality)

    # Regions: consecutive municipalities; demand per region varies around its supervisors' share.
    region_of_muni = np.arange(spec.municipalities) // spec.region_size
    n_regions = int(region_of_muni.max()) + 1
    unit_region = region_of_muni[unit_muni]
    sup_count_region = np.bincount(unit_region, weights=sups_per_unit, minlength=n_regions)
    demand = sup_count_region * rng.uniform(0.7, 1.3, n_regions)
    home = rng.choice(n_regions, size=spec.applicants, p=demand / demand.sum())
    unit_weight = _AREA_POPULARITY[unit_area] * attractiveness[unit_muni]
    wishes = spec.sparse_wishes if variant == "sparse" else spec.dense_wishes
    pair_weights: list[dict[str, Any]] = []

    applicants: list[dict[str, Any]] = []
    wished_units: list[npt.NDArray[np.int64]] = []
    for i in range(spec.applicants):
        a: dict[str, Any] = {"id": f"A{i + 1:06d}", "university": _UNIVERSITIES[int(rng.integers(3))]}
        candidates = np.flatnonzero(unit_region == home[i])
        k = candidates.size if wishes is None else min(int(rng.integers(wishes[0], wishes[1] + 1)), candidates.size)
        p = unit_weight[candidates] / unit_weight[candidates].sum()
        chosen = rng.choice(candidates, size=k, replace=False, p=p).astype(np.int64)
        if stable:
            # Strict ranks over supervisors: wished units in order, supervisors shuffled within each.
            order = [sid for u in chosen for sid in rng.permutation(unit_sups[int(u)]).tolist()]
            a["ranking"] = {"supervisors": {sid: r + 1 for r, sid in enumerate(order)}}
        elif wishes is None:
            bands = zip(AREAS, _AREA_INTEREST, strict=True)
            a["interests"] = {"areas": {area: round(float(rng.uniform(lo, hi)), 2) for area, (lo, hi) in bands}}
        else:
            weights = np.round(rng.uniform(0.05, 1.0, k), 2)
            a["interests"] = {"units": {units[int(u)]["id"]: float(w) for u, w in zip(chosen, weights, strict=True)}}
        wished_units.append(chosen)
        if variant == "weights":
            for u in chosen.tolist():
                pair_weights.append(
                    {"applicant": a["id"], "unit": units[u]["id"], "weight": int(rng.integers(0, 100_001))}
                )
            own = unit_sups[int(rng.choice(chosen))] if chosen.size and rng.random() < 0.2 else []
            if own:  # a supervisor's own weight, overriding the unit's
                pair_weights.append(
                    {"applicant": a["id"], "supervisor": own[0], "weight": int(rng.integers(0, 100_001))}
                )
        if not stable and rng.random() < 0.05:
            a["priority_tier"] = 1
        if rng.random() < 0.75 or wishes is None:
            a["qualifications"] = [_LICENCE]
        if not stable and rng.random() < 0.9:
            a["interview"] = [
                {"criterion": c["id"], "score": float(rng.integers(1, 6)), "interviewer": "samordnare"}
                for c in _CRITERIA
            ]
        if rng.random() < 0.02 and wishes is not None:
            a["conflicts"] = {"units": [units[int(rng.choice(chosen))]["id"]]}
        applicants.append(a)

    if variant == "side":
        # Minimums on a third of the units: 1, or 2 in a unit with 4 or more places, never more than a
        # third of the applicants who wished the unit.
        wished_count = np.bincount(np.concatenate(wished_units), minlength=spec.units)
        for u, unit in enumerate(units):
            if rng.random() < 1 / 3:
                minimum = min(unit["max_places"], 1 + int(unit["max_places"] >= 4), int(wished_count[u]) // 3)
                if minimum > 0:
                    unit["min_places"] = minimum

    if stable:
        # Each unit scores the applicants who wished it: a distinct score each, so its ranking is strict.
        wishers: list[list[int]] = [[] for _ in range(spec.units)]
        for i, chosen in enumerate(wished_units):
            for u in chosen.tolist():
                wishers[u].append(i)
        for u, who in enumerate(wishers):
            for position, i in enumerate(rng.permutation(np.array(who, dtype=np.int64)).tolist()):
                applicants[i].setdefault("interview", []).append(
                    {
                        "criterion": _UNIT_CRITERION["id"],
                        "score": round((position + 1) / (len(who) + 1), 6),
                        "interviewer": f"{units[u]['id']}-chef",
                        "unit": units[u]["id"],
                    }
                )

    problem: dict[str, Any] = {
        "schema_version": 1,
        "name": f"benchmark {instance_name(size, variant, seed)}",
        "policy": {"lottery_seed": seed},
        "criteria": [dict(_UNIT_CRITERION)] if stable else [dict(c) for c in _CRITERIA],
        "municipalities": municipalities,
        "units": units,
        "supervisors": supervisors,
        "applicants": applicants,
    }
    if variant == "weights":
        problem["policy"].update(pair_weights="replace", order="maximum_weight")
        problem["pair_weights"] = {"scale": 1, "rows": pair_weights}
    meta: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION,
        "size": size,
        "variant": variant,
        "seed": seed,
        "fairness": (
            {
                "numerator": 3,
                "denominator": 4,
                "rule": "each municipality's fill rate (placed / the sum of its units' max_places) is at least "
                "numerator/denominator of the overall fill rate (placed / all units' max_places)",
            }
            if variant == "side"
            else None
        ),
        "unit_rankings": (
            f"each unit ranks its applicants by its own interview score on {_UNIT_CRITERION['id']!r} (distinct)"
            if stable
            else None
        ),
    }
    return problem, meta


#: Applicants per unit in the national variant (500,000 applicants, 10,000 units).
NATIONAL_PER_UNIT = 50
#: Places per applicant in the national variant: more places than applicants overall, as in a school
#: system, with the popular units over-subscribed.
NATIONAL_PLACES = 1.1
#: The national variant's only criterion: a grade on the Chilean scale 1.0-7.0 in steps of 0.1.
_GRADE: dict[str, Any] = {"id": "betyg", "weight": 1.0, "scale_min": 1.0, "scale_max": 7.0}


def build_national(size: int, seed: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """The national stable round (issue 23): ``size`` applicants, a unit per 50 of them (10,000 at
    500,000), vectorised with numpy.

    Each unit has one supervisor who holds all of its places (capacities lognormal, 1.1 places per
    applicant overall); units are spread over municipalities of about 30 units and regions of about
    120. Each applicant ranks 5-10 units of their home region strictly, drawn without replacement with
    probability proportional to a lognormal popularity (a few units are wished by many). Each applicant
    has one grade (1.0-7.0 in steps of 0.1); every unit ranks its applicants by it, and the stable
    mode's lottery breaks the ties, a draw per applicant and unit, as Chile's school admission breaks
    them within a priority group. The policy asks for the applicant-optimal stable plan.

    Raises:
        ValueError: for a size not in :data:`NATIONAL_SIZES`.
    """
    if size not in NATIONAL_SIZES:
        raise ValueError(f"size {size} is not one of {list(NATIONAL_SIZES)} for the national variant")
    rng = np.random.default_rng([GENERATOR_VERSION, size, VARIANTS.index("national"), seed])
    n_units = size // NATIONAL_PER_UNIT
    n_munis = max(1, round(n_units / 30))
    n_regions = max(1, round(n_units / 120))
    # Units over municipalities (consecutive), municipalities over regions (consecutive).
    unit_muni = np.repeat(np.arange(n_munis), _split(n_units, n_munis, rng))
    muni_region = np.repeat(np.arange(n_regions), _split(n_munis, n_regions, rng))
    unit_region = muni_region[unit_muni]
    raw = rng.lognormal(0.0, 0.5, n_units)
    places = np.maximum(5, np.rint(raw / raw.sum() * NATIONAL_PLACES * size)).astype(np.int64)
    popularity = rng.lognormal(0.0, 0.8, n_units)
    unit_ids = [f"U{u + 1:05d}" for u in range(n_units)]
    municipalities = [{"id": f"m{m + 1:03d}", "name": f"Kommun {m + 1}"} for m in range(n_munis)]
    units = [
        {"id": uid, "municipality": f"m{int(m) + 1:03d}", "area": AREAS[u % len(AREAS)], "max_places": int(c)}
        for u, (uid, m, c) in enumerate(zip(unit_ids, unit_muni.tolist(), places.tolist(), strict=True))
    ]
    supervisors = [
        {"id": f"S{u + 1:05d}", "unit": uid, "capacity": int(c), "training": "completed"}
        for u, (uid, c) in enumerate(zip(unit_ids, places.tolist(), strict=True))
    ]
    # Home regions in proportion to their places; 5-10 ranked units each, by Gumbel top-k (sampling
    # without replacement in proportion to popularity, in the order drawn), one region at a time.
    region_places = np.bincount(unit_region, weights=places, minlength=n_regions)
    home = rng.choice(n_regions, size=size, p=region_places / region_places.sum())
    lengths = rng.integers(5, 11, size)
    grades = np.rint(np.clip(rng.normal(5.3, 0.7, size), 1.0, 7.0) * 10) / 10
    ranked: list[list[int]] = [[] for _ in range(size)]
    log_pop = np.log(popularity)
    for region in range(n_regions):
        who = np.flatnonzero(home == region)
        mine = np.flatnonzero(unit_region == region)
        if not who.size:
            continue
        keys = log_pop[mine][None, :] + rng.gumbel(size=(who.size, mine.size))
        order = np.argsort(-keys, axis=1, kind="stable")[:, : min(10, mine.size)]
        for i, row in zip(who.tolist(), mine[order].tolist(), strict=True):
            ranked[i] = row[: lengths[i]]
    applicants = [
        {
            "id": f"A{i + 1:06d}",
            "ranking": {"units": {unit_ids[u]: r + 1 for r, u in enumerate(row)}},
            "interview": [{"criterion": _GRADE["id"], "score": g}],
        }
        for i, (row, g) in enumerate(zip(ranked, grades.tolist(), strict=True))
    ]
    problem: dict[str, Any] = {
        "schema_version": 1,
        "name": f"benchmark {instance_name(size, 'national', seed)}",
        "policy": {"lottery_seed": seed, "stability": {"mode": "applicant_optimal"}},
        "criteria": [dict(_GRADE)],
        "municipalities": municipalities,
        "units": units,
        "supervisors": supervisors,
        "applicants": applicants,
    }
    meta: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION,
        "size": size,
        "variant": "national",
        "seed": seed,
        "fairness": None,
        "unit_rankings": f"each unit ranks its applicants by the grade {_GRADE['id']!r}, ties by the seeded lottery",
    }
    return problem, meta


def ensure(size: int, variant: Variant, seed: int = 1, data_dir: Path = DATA_DIR) -> InstanceFiles:
    """The instance's files, generated and written first if they are not cached yet."""
    name = instance_name(size, variant, seed)
    files = InstanceFiles(name, data_dir / f"{name}.problem.json", data_dir / f"{name}.meta.json")
    if files.problem.exists() and files.meta.exists():
        return files
    data_dir.mkdir(parents=True, exist_ok=True)
    problem, meta = build(size, variant, seed)
    for path, data in ((files.problem, problem), (files.meta, meta)):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        tmp.replace(path)
    return files


def _int_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def _variant_list(text: str) -> list[Variant]:
    out: list[Variant] = []
    for v in text.split(","):
        if v not in VARIANTS:
            raise argparse.ArgumentTypeError(f"unknown variant {v!r}; choose from {','.join(VARIANTS)}")
        out.append(next(x for x in VARIANTS if x == v))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate (or find cached) instances and print their paths."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=_int_list,
        default=[100, 1_000],
        help="comma-separated, from 100,1000,10000,50000,100000 (national: 1000,10000,20000,100000,500000)",
    )
    parser.add_argument("--variants", type=_variant_list, default=list(VARIANTS), help="comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    for size in args.sizes:
        for variant in args.variants:
            if not available(size, variant):
                print(f"(no {variant} instance at {size:,} applicants)")
                continue
            files = ensure(size, variant, args.seed, args.data_dir)
            print(f"{files.problem} ({files.problem.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
