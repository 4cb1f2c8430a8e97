"""Generate the joint Huddinge-Nacka-Tyresö example: three municipalities x three units, 90 applicants,
40 places.

Synthetic data only (no real persons), from a fixed seed: running this script always writes the same
``problem.json``. Realistic features: municipality caps below their units' total, unit minimums,
supervisors with capacity 1-2 and different training, a driving-licence requirement, per-unit
interviews on their own scale, missing interviews, rankings with ties beside weighted interests,
declared conflicts, a pin, travel-time adjustments and two priority tiers. Three rules are built to
bind, which ``tests/test_examples.py`` checks by removing each and re-solving:

* Tyresö's Arbete och försörjning needs at least 3 students, more than would choose it on fit alone;
* HT26-012 would take Nacka Barn och ungdom but has a declared conflict there;
* HT26-077 has priority tier 1 and would not be placed on fit alone.

Run: ``python examples/huddinge-nacka-tyreso/generate.py``
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

SEED = 2014  # the year the three municipalities joined forces
HERE = Path(__file__).resolve().parent
AREAS = ["Barn och ungdom", "Vuxenenhet", "Arbete och försörjning"]
SHORT = {"Barn och ungdom": "bou", "Vuxenenhet": "vux", "Arbete och försörjning": "af"}
MUNICIPALITIES = {
    "huddinge": ("Huddinge", 16, {"bou": 7, "vux": 5, "af": 5}),
    "nacka": ("Nacka", 14, {"bou": 6, "vux": 5, "af": 4}),
    "tyreso": ("Tyresö", 10, {"bou": 6, "vux": 5, "af": 3}),
}
UNIVERSITIES = ["Södertörns högskola", "Stockholms universitet", "Marie Cederschiölds högskola"]
CRITERIA = [
    {"id": "motivation", "weight": 2.0, "scale_min": 1.0, "scale_max": 5.0},
    {"id": "samarbete", "weight": 1.0, "scale_min": 1.0, "scale_max": 5.0},
    {"id": "reflektion", "weight": 1.0, "scale_min": 1.0, "scale_max": 5.0},
    {"id": "myndighetsutovning", "weight": 1.0, "scale_min": 1.0, "scale_max": 5.0},
]
POPULARITY = {"Barn och ungdom": (0.55, 1.0), "Vuxenenhet": (0.3, 0.9), "Arbete och försörjning": (0.05, 0.55)}


def build(seed: int = SEED) -> dict[str, Any]:
    """The problem as JSON data."""
    rng = random.Random(seed)
    municipalities = []
    units = []
    supervisors = []
    for mid, (name, cap, unit_caps) in MUNICIPALITIES.items():
        municipalities.append({"id": mid, "name": name, "max_places": cap})
        for area in AREAS:
            uid = f"{mid}-{SHORT[area]}"
            unit: dict[str, Any] = {
                "id": uid,
                "name": f"{area} {name}",
                "municipality": mid,
                "area": area,
                "max_places": unit_caps[SHORT[area]],
            }
            if uid == "tyreso-af":
                unit["min_places"] = 3
            if uid == "nacka-af":
                unit["min_places"] = 2
            if uid == "huddinge-vux":
                unit["requirements"] = ["körkort"]
            units.append(unit)
            total = 0
            k = 1
            while total < unit_caps[SHORT[area]] + 1:
                capacity = 2 if rng.random() < 0.35 else 1
                training = rng.choices(["completed", "in_progress", "none"], weights=[7, 2, 1])[0]
                supervisors.append({"id": f"{uid}-h{k}", "unit": uid, "capacity": capacity, "training": training})
                if training != "none":
                    total += capacity
                k += 1

    unit_ids = [u["id"] for u in units]
    applicants: list[dict[str, Any]] = []
    for i in range(1, 91):
        ident = f"HT26-{i:03d}"
        a: dict[str, Any] = {"id": ident, "university": rng.choice(UNIVERSITIES)}
        home = rng.choice(list(MUNICIPALITIES))
        if rng.random() < 0.6:
            areas = {}
            for area in AREAS:
                lo, hi = POPULARITY[area]
                if rng.random() < 0.8:
                    areas[area] = round(rng.uniform(lo, hi), 2)
            interests: dict[str, Any] = {"areas": areas}
            if rng.random() < 0.3:
                # A stronger wish for one unit near home overrides the area's weight there.
                interests["units"] = {f"{home}-{rng.choice(['bou', 'vux'])}": 1.0}
            a["interests"] = interests
        else:
            wanted = rng.sample(unit_ids, rng.randint(2, 5))
            wanted.sort(key=lambda u: (not u.startswith(home), not u.endswith("-bou"), rng.random()))
            ranks: dict[str, int] = {}
            rank = 0
            for j, u in enumerate(wanted):
                tie = j > 0 and rng.random() < 0.25
                rank = rank if tie else rank + 1
                ranks[u] = rank
            a["ranking"] = {"units": ranks}
        if rng.random() < 0.65:
            a["qualifications"] = ["körkort"]
        if rng.random() < 0.93:
            interviewer = rng.choice(["samordnare-1", "samordnare-2"])
            a["interview"] = [
                {"criterion": c["id"], "score": float(rng.randint(2, 5)), "interviewer": interviewer} for c in CRITERIA
            ]
            if rng.random() < 0.3:
                # Huddinge Barn och ungdom interviews its own candidates, on a 1-10 scale.
                a["interview"].append(
                    {
                        "criterion": "motivation",
                        "score": float(rng.randint(3, 10)),
                        "interviewer": "huddinge-bou-chef",
                        "unit": "huddinge-bou",
                        "scale_min": 1.0,
                        "scale_max": 10.0,
                    }
                )
        if rng.random() < 0.05:
            a["conflicts"] = {"units": [rng.choice(unit_ids)]}
        if rng.random() < 0.05:
            a["priority_tier"] = 2
        applicants.append(a)

    # The binding conflict: HT26-012 would take Nacka Barn och ungdom.
    a12 = applicants[11]
    a12.pop("ranking", None)
    a12["interests"] = {"units": {"nacka-bou": 1.0}, "areas": {"Arbete och försörjning": 0.2}}
    a12["interview"] = [{"criterion": c["id"], "score": 5.0, "interviewer": "samordnare-1"} for c in CRITERIA]
    a12["conflicts"] = {"units": ["nacka-bou"]}

    # The tier that matters: HT26-077 has förtur but a weak fit.
    a77 = applicants[76]
    a77.pop("ranking", None)
    a77["interests"] = {"areas": {"Barn och ungdom": 0.2}}
    a77["interview"] = [{"criterion": c["id"], "score": 1.0, "interviewer": "samordnare-2"} for c in CRITERIA]
    a77["priority_tier"] = 1
    a77.pop("conflicts", None)

    # HT26-030 continues with the supervisor who had them before: a pin.
    a30 = applicants[29]
    a30.pop("ranking", None)
    a30["interests"] = {"areas": {"Vuxenenhet": 0.8, "Barn och ungdom": 0.6}}
    a30.pop("conflicts", None)
    a30["qualifications"] = ["körkort"]
    pins = [{"applicant": "HT26-030", "supervisor": "nacka-vux-h1"}]
    for s in supervisors:
        if s["id"] == "nacka-vux-h1":
            s["training"] = "completed"

    # Travel-time penalties agreed with two applicants.
    adjustments = [
        {"applicant": "HT26-041", "unit": "tyreso-bou", "delta": -0.1},
        {"applicant": "HT26-058", "unit": "huddinge-vux", "delta": -0.1},
    ]
    return {
        "schema_version": 1,
        "name": "Huddingetrainee: Socionom (Huddinge, Nacka, Tyresö), steg 1 (VFU), HT 2026 (synthetic)",
        "policy": {
            "interest_weight": 0.6,
            "interview_weight": 0.4,
            "supervisor_training": "in_progress",
            "missing_interview": "neutral",
            "lottery_seed": 20260801,
        },
        "criteria": CRITERIA,
        "municipalities": municipalities,
        "units": units,
        "supervisors": supervisors,
        "applicants": applicants,
        "pins": pins,
        "adjustments": adjustments,
    }


def main() -> None:
    """Write problem.json beside this script."""
    text = json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
    (HERE / "problem.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
