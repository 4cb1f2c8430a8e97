"""Generate the Södertälje programme 2018-2026: every term's step-1 round, and the students' own choices.

Synthetic data only (no real persons), from a fixed seed: :func:`build` always returns the same data
(``run.py`` calls it; running this script writes it to ``programme.json`` to read, not kept in git).
It is shaped like the seeds' figures for Södertälje socialkontor: the programme started in Barn och
ungdom in 2018 and took in the whole office (Vuxenenheten, Arbete och försörjning) from 2020; 8
students in a spring and 9 in an autumn since then (6-7 a term before); about 60 % of step 1 go on to
step 2 (studentmedarbetare) and about 40 % are hired (step 3). The number of places depends on the
supervisors: each has a weekly load limit (in days), a VFU student takes 1 day of it and a
studentmedarbetare half a day, and supervisors join and leave over the years.

For every term the data holds the step-1 problem (applicants with pseudonymous ids such as ``HT22-04``,
their universities' VFU dates, the units and supervisors of that term), the posts each unit can fill in
step 3 that term, and for every applicant two choices that are theirs, not the matching's: whether they
apply to go on as studentmedarbetare if placed, and whether they apply for a post when they graduate.
``run.py`` solves the rounds in order.

Run: ``python examples/sodertalje-2018-2026/generate.py`` (writes ``programme.json``)
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

SEED = 2018
HERE = Path(__file__).resolve().parent
YEARS = range(2018, 2027)
TERMS = [(term, year) for year in YEARS for term in ("VT", "HT")]
#: Students mostly come from these three (the seeds); VFU dates differ per university.
UNIVERSITIES = ["Södertörns högskola", "Stockholms universitet", "Marie Cederschiölds högskola"]
AREAS = {"sdt-bou": "Barn och ungdom", "sdt-vux": "Vuxenenhet", "sdt-af": "Arbete och försörjning"}
NAMES = {"sdt-bou": "Barn och ungdom", "sdt-vux": "Vuxenenheten", "sdt-af": "Arbete och försörjning"}
#: VFU dates (month, day) per university and term: start, end (synthetic, in the shape published).
VFU = {
    "VT": {
        "Södertörns högskola": ((1, 22), (3, 27)),
        "Stockholms universitet": ((2, 5), (4, 17)),
        "Marie Cederschiölds högskola": ((3, 11), (5, 22)),
    },
    "HT": {
        "Södertörns högskola": ((9, 2), (11, 6)),
        "Stockholms universitet": ((9, 16), (11, 20)),
        "Marie Cederschiölds högskola": ((10, 14), (12, 18)),
    },
}
CRITERIA = [
    {"id": "motivation", "weight": 2.0, "scale_min": 1.0, "scale_max": 5.0},
    {"id": "samarbete", "weight": 1.0, "scale_min": 1.0, "scale_max": 5.0},
    {"id": "reflektion", "weight": 1.0, "scale_min": 1.0, "scale_max": 5.0},
]
#: Supervisors: id, unit, first term (index into TERMS), last term, capacity, load limit, training.
SUPERVISORS: list[tuple[str, str, int, int, int, float, str]] = [
    ("H-BOU-01", "sdt-bou", 0, 17, 2, 2.0, "completed"),
    ("H-BOU-02", "sdt-bou", 0, 11, 2, 2.0, "completed"),
    ("H-BOU-03", "sdt-bou", 0, 17, 2, 2.0, "in_progress"),
    ("H-BOU-04", "sdt-bou", 0, 17, 2, 2.0, "completed"),
    ("H-BOU-07", "sdt-bou", 1, 9, 1, 1.5, "completed"),
    ("H-BOU-05", "sdt-bou", 6, 17, 1, 1.5, "completed"),
    ("H-BOU-06", "sdt-bou", 12, 17, 2, 2.0, "in_progress"),
    ("H-VUX-01", "sdt-vux", 4, 17, 2, 2.0, "completed"),
    ("H-VUX-02", "sdt-vux", 4, 13, 1, 1.5, "completed"),
    ("H-VUX-03", "sdt-vux", 6, 17, 2, 1.5, "in_progress"),
    ("H-VUX-04", "sdt-vux", 10, 17, 1, 2.0, "none"),
    ("H-AF-01", "sdt-af", 4, 17, 2, 2.0, "completed"),
    ("H-AF-02", "sdt-af", 5, 17, 1, 1.5, "in_progress"),
    ("H-AF-03", "sdt-af", 9, 17, 1, 1.5, "completed"),
]


def _units_of(index: int) -> list[str]:
    """The units in the programme in term ``index``: Barn och ungdom from 2018, the whole office from 2020."""
    return list(AREAS) if index >= 4 else ["sdt-bou"]


def _places(index: int, term: str, rng: random.Random) -> int:
    """Step-1 places of the term: 6-7 while only Barn och ungdom takes part, then 8 in spring, 9 in autumn."""
    if index < 4:
        return rng.choice([6, 7])
    return 8 if term == "VT" else 9


def _round(index: int, rng: random.Random) -> dict[str, Any]:
    """The step-1 problem of term ``index``."""
    term, year = TERMS[index]
    yy = f"{year % 100:02d}"
    units = _units_of(index)
    places = _places(index, term, rng)
    supervisors = [
        {"id": ident, "unit": unit, "capacity": cap, "training": training, "load_limit": limit}
        for ident, unit, first, last, cap, limit, training in SUPERVISORS
        if first <= index <= last and unit in units
    ]
    applicants: list[dict[str, Any]] = []
    for n in range(1, places * 2 - rng.randint(0, 3)):
        university = rng.choices(UNIVERSITIES, weights=[5, 3, 2])[0]
        a: dict[str, Any] = {"id": f"{term}{yy}-{n:02d}", "university": university}
        a["interests"] = {"areas": {AREAS[u]: round(rng.uniform(0.2, 1.0), 2) for u in units if rng.random() < 0.8}}
        if not a["interests"]["areas"]:
            a["interests"]["areas"][AREAS[units[0]]] = 0.6
        if rng.random() < 0.6:
            a["qualifications"] = ["körkort"]
        a["interview"] = [
            {"criterion": c["id"], "score": float(rng.randint(2, 5)), "interviewer": "samordnare"} for c in CRITERIA
        ]
        applicants.append(a)
    periods = []
    for university, ((m1, d1), (m2, d2)) in VFU[term].items():
        periods.append(
            {
                "id": f"vfu-{term.lower()}{yy}-{UNIVERSITIES.index(university) + 1}",
                "university": university,
                "start": f"{year}-{m1:02d}-{d1:02d}",
                "end": f"{year}-{m2:02d}-{d2:02d}",
            }
        )
    unit_records = []
    for u in units:
        staff = [s for s in supervisors if s["unit"] == u]
        record: dict[str, Any] = {
            "id": u,
            "name": NAMES[u],
            "municipality": "sodertalje",
            "area": AREAS[u],
            "max_places": sum(s["capacity"] for s in staff),
        }
        if u == "sdt-vux":
            record["requirements"] = ["körkort"]  # home visits
        unit_records.append(record)
    return {
        "schema_version": 1,
        "name": f"Södertälje socialkontor, traineeprogrammet steg 1 (VFU), {term} {year} (synthetic)",
        "policy": {
            "interest_weight": 0.6,
            "interview_weight": 0.4,
            "supervisor_training": "in_progress",
            "load_step_1": 1.0,
            "load_step_2": 0.5,
            "lottery_seed": year * 10 + (1 if term == "VT" else 2),
        },
        "criteria": CRITERIA,
        "municipalities": [{"id": "sodertalje", "name": "Södertälje", "max_places": places}],
        "units": unit_records,
        "supervisors": supervisors,
        "applicants": applicants,
        "round": {"term": term, "year": year, "step": 1, "periods": periods},
    }


def _posts(index: int, rng: random.Random) -> dict[str, int]:
    """Posts each unit can fill in step 3 in term ``index`` (graduates of the term before)."""
    units = _units_of(index)
    total = 3 if index < 4 else rng.choice([4, 5, 5])
    posts = dict.fromkeys(units, 0)
    for _ in range(total):
        posts[rng.choice(units)] += 1
    return posts


def build(seed: int = SEED) -> dict[str, Any]:
    """The programme as JSON data: every term's step-1 problem and posts, and the students' choices."""
    rng = random.Random(seed)
    terms = []
    choices: dict[str, dict[str, bool]] = {}
    for index, (term, year) in enumerate(TERMS):
        problem = _round(index, rng)
        terms.append({"term": term, "year": year, "step_1": problem, "posts": _posts(index, rng)})
        for a in problem["applicants"]:
            choices[a["id"]] = {"step_2": rng.random() < 0.66, "post": rng.random() < 0.9}
    return {
        "name": "Södertälje socialkontor, traineeprogrammet 2018-2026 (synthetic)",
        "terms": terms,
        "choices": choices,
    }


def main() -> None:
    """Write programme.json beside this script."""
    text = json.dumps(build(), indent=1, ensure_ascii=False) + "\n"
    (HERE / "programme.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
