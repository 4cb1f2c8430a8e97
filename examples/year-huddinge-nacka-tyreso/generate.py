"""Generate step 1 of the Huddinge-Nacka-Tyresö year: the joint example's autumn VFU round, with dates.

The applicants, units and supervisors are those of ``examples/huddinge-nacka-tyreso`` (synthetic, from
its fixed seed). Added here: the round (HT 2026, step 1) with each university's VFU dates, which
overlap in part (Södertörn's period ends before Marie Cederschiöld's begins; Stockholm's overlaps
both), and supervisor load over time: a VFU student takes 0.5 of a supervisor's weekly supervision
and a studentmedarbetare 0.25; every supervisor can give 1.0 a week, but some supervisors with room
for two students give only 0.75, so they take two VFU students only if their periods do not overlap.

Run: ``python examples/year-huddinge-nacka-tyreso/generate.py``
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
JOINT = HERE.parent / "huddinge-nacka-tyreso" / "generate.py"

#: VFU dates per university, autumn 2026 (synthetic, in the shape the universities publish).
PERIODS = [
    {"id": "vfu-sh-ht26", "university": "Södertörns högskola", "start": "2026-08-31", "end": "2026-10-23"},
    {"id": "vfu-su-ht26", "university": "Stockholms universitet", "start": "2026-09-28", "end": "2026-12-04"},
    {"id": "vfu-mch-ht26", "university": "Marie Cederschiölds högskola", "start": "2026-11-02", "end": "2027-01-15"},
]


def build() -> dict[str, Any]:
    """The step-1 problem as JSON data."""
    data: dict[str, Any] = runpy.run_path(str(JOINT))["build"]()
    data["name"] = "Huddingetrainee: Socionom, steg 1 (VFU), HT 2026, with dates and supervisor load (synthetic)"
    data["policy"] = {**data["policy"], "load_step_1": 0.5, "load_step_2": 0.25}
    shared = 0
    for sup in data["supervisors"]:
        sup["load_limit"] = 1.0
        if sup["capacity"] == 2:
            shared += 1
            if shared % 2 == 1:
                sup["load_limit"] = 0.75
    data["round"] = {"term": "HT", "year": 2026, "step": 1, "periods": PERIODS}
    return data


def main() -> None:
    """Write problem.json beside this script."""
    text = json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
    (HERE / "problem.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
