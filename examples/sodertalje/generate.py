"""Generate the Södertälje example: one socialkontor, three units, one term, 20 applicants, 9 places.

Synthetic data only (no real persons), from a fixed seed: running this script always writes the same
``problem.json``. The round is built to show three rules at work, which ``tests/test_examples.py``
checks by removing each and re-solving:

* the municipality takes 9 students while its units offer 12 places, and Arbete och försörjning
  needs at least 2 (a *binding minimum*: fewer students want it);
* applicant VT26-07 wants Barn och ungdom most but has a declared conflict there (a *binding conflict*);
* VT26-18 has a priority tier (förtur) and would not be placed on fit alone (a *tier that matters*).

Run: ``python examples/sodertalje/generate.py``
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

SEED = 2026
HERE = Path(__file__).resolve().parent
UNIVERSITIES = ["Södertörns högskola", "Stockholms universitet", "Marie Cederschiölds högskola"]
AREAS = {"sdt-bou": "Barn och ungdom", "sdt-vux": "Vuxenenhet", "sdt-af": "Arbete och försörjning"}
CRITERIA = [
    {"id": "motivation", "weight": 2.0, "scale_min": 1.0, "scale_max": 5.0},
    {"id": "samarbete", "weight": 1.0, "scale_min": 1.0, "scale_max": 5.0},
    {"id": "reflektion", "weight": 1.0, "scale_min": 1.0, "scale_max": 5.0},
]


def _scores(rng: random.Random, low: int, high: int) -> list[dict[str, Any]]:
    """General interview scores by the coordinator (scale 1-5)."""
    return [
        {"criterion": c["id"], "score": float(rng.randint(low, high)), "interviewer": "samordnare"} for c in CRITERIA
    ]


def build(seed: int = SEED) -> dict[str, Any]:
    """The problem as JSON data."""
    rng = random.Random(seed)
    units = [
        {
            "id": "sdt-bou",
            "name": "Barn och ungdom",
            "municipality": "sodertalje",
            "area": AREAS["sdt-bou"],
            "max_places": 5,
        },
        {
            "id": "sdt-vux",
            "name": "Vuxenenheten",
            "municipality": "sodertalje",
            "area": AREAS["sdt-vux"],
            "max_places": 4,
            "requirements": ["körkort"],
        },
        {
            "id": "sdt-af",
            "name": "Arbete och försörjning",
            "municipality": "sodertalje",
            "area": AREAS["sdt-af"],
            "max_places": 3,
            "min_places": 2,
        },
    ]
    supervisors = [
        {"id": "H-BOU-1", "unit": "sdt-bou", "capacity": 2, "training": "completed"},
        {"id": "H-BOU-2", "unit": "sdt-bou", "capacity": 2, "training": "completed"},
        {"id": "H-BOU-3", "unit": "sdt-bou", "capacity": 1, "training": "in_progress"},
        {"id": "H-VUX-1", "unit": "sdt-vux", "capacity": 2, "training": "completed"},
        {"id": "H-VUX-2", "unit": "sdt-vux", "capacity": 1, "training": "none"},
        {"id": "H-VUX-3", "unit": "sdt-vux", "capacity": 2, "training": "completed"},
        {"id": "H-AF-1", "unit": "sdt-af", "capacity": 2, "training": "completed"},
        {"id": "H-AF-2", "unit": "sdt-af", "capacity": 1, "training": "in_progress"},
    ]
    applicants: list[dict[str, Any]] = []
    for i in range(1, 21):
        ident = f"VT26-{i:02d}"
        a: dict[str, Any] = {"id": ident, "university": rng.choice(UNIVERSITIES)}
        if rng.random() < 0.65:
            # Cardinal interests per area: Barn och ungdom is the most wanted, AF the least.
            areas = {
                AREAS["sdt-bou"]: round(rng.uniform(0.5, 1.0), 2),
                AREAS["sdt-vux"]: round(rng.uniform(0.2, 0.9), 2),
            }
            if rng.random() < 0.45:
                areas[AREAS["sdt-af"]] = round(rng.uniform(0.1, 0.5), 2)
            a["interests"] = {"areas": areas}
        else:
            order = ["sdt-bou", "sdt-vux"] if rng.random() < 0.7 else ["sdt-vux", "sdt-bou"]
            ranks = {order[0]: 1, order[1]: 2}
            if rng.random() < 0.5:
                ranks["sdt-af"] = 2 if rng.random() < 0.3 else 3  # sometimes tied with the second choice
            a["ranking"] = {"units": ranks}
        if rng.random() < 0.6:
            a["qualifications"] = ["körkort"]
        if i not in (5, 14):  # two applicants were not interviewed yet
            a["interview"] = _scores(rng, 2, 5)
        applicants.append(a)

    # Barn och ungdom interviews its own candidates on a 1-10 scale.
    for a in applicants:
        if "interview" in a and rng.random() < 0.4:
            a["interview"].append(
                {
                    "criterion": "motivation",
                    "score": float(rng.randint(4, 10)),
                    "interviewer": "bou-chef",
                    "unit": "sdt-bou",
                    "scale_min": 1.0,
                    "scale_max": 10.0,
                }
            )

    # A binding conflict: VT26-07 wants Barn och ungdom most and interviews best, but has a declared jäv.
    a07 = applicants[6]
    a07.pop("ranking", None)
    a07["interests"] = {"areas": {AREAS["sdt-bou"]: 1.0, AREAS["sdt-vux"]: 0.3}}
    a07["qualifications"] = ["körkort"]
    a07["interview"] = [{"criterion": c["id"], "score": 5.0, "interviewer": "samordnare"} for c in CRITERIA]
    a07["conflicts"] = {"units": ["sdt-bou"]}

    # AF is wanted by few: make sure the minimum of 2 binds by keeping its fans' interest low.
    # A tier that matters: VT26-18 has förtur but would not win a place on fit alone.
    a18 = applicants[17]
    a18.pop("ranking", None)
    a18["interests"] = {"areas": {AREAS["sdt-bou"]: 0.3}}
    a18["interview"] = _scores(random.Random(seed + 18), 1, 2)
    a18["priority_tier"] = 1

    return {
        "schema_version": 1,
        "name": "Södertälje socialkontor, traineeprogrammet steg 1 (VFU), VT 2026 (synthetic)",
        "policy": {
            "interest_weight": 0.6,
            "interview_weight": 0.4,
            "supervisor_training": "in_progress",
            "missing_interview": "neutral",
            "lottery_seed": 20260101,
        },
        "criteria": CRITERIA,
        "municipalities": [{"id": "sodertalje", "name": "Södertälje", "max_places": 9}],
        "units": units,
        "supervisors": supervisors,
        "applicants": applicants,
    }


def main() -> None:
    """Write problem.json beside this script."""
    text = json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
    (HERE / "problem.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
