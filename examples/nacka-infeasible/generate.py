"""Generate an example made infeasible on purpose: the joint Huddinge-Nacka-Tyresö round, with Nacka
asking for more than it can take.

Nacka's municipality cap is lowered to 8 students while its units ask for at least 4 (Arbete och
försörjning) and 5 (Vuxenenhet): 9 > 8, so no plan exists. ``run.py`` shows the minimal core (the
three constraints that clash) and the smallest relaxation that restores a plan.

Run: ``python examples/nacka-infeasible/generate.py``
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
JOINT = HERE.parent / "huddinge-nacka-tyreso" / "generate.py"


def build() -> dict[str, Any]:
    """The joint round with Nacka's minimums above its cap."""
    data: dict[str, Any] = runpy.run_path(str(JOINT))["build"]()
    data["name"] = "Huddinge-Nacka-Tyresö, HT 2026, with Nacka over-committed (synthetic, infeasible on purpose)"
    for unit in data["units"]:
        if unit["id"] == "nacka-af":
            unit["min_places"] = 4
        if unit["id"] == "nacka-vux":
            unit["min_places"] = 5
    for m in data["municipalities"]:
        if m["id"] == "nacka":
            m["max_places"] = 8
    return data


def main() -> None:
    """Write problem.json beside this script."""
    (HERE / "problem.json").write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
