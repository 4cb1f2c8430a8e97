"""Shared test set-up: hypothesis profiles and helpers.

Profiles: ``ci`` (the default: deterministic, moderate example counts, no deadlines, so no timing can
fail a test) and ``long`` (many more examples, for a local soak). Choose with
``HYPOTHESIS_PROFILE=long pytest``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from matchmaker import Problem, ProblemValidationError

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("long", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``MATCHMAKER_LANG`` in the developer's shell must not change what the tests see."""
    monkeypatch.delenv("MATCHMAKER_LANG", raising=False)


ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def make_problem(raw: dict[str, Any]) -> Problem:
    """Validate raw data into a Problem, dropping generated pins that break a validation rule."""
    data = dict(raw)
    for _ in range(len(data.get("pins", [])) + 1):
        try:
            return Problem.model_validate(data)
        except ProblemValidationError as exc:
            bad = {issue.location.split(" ")[0] for issue in exc.issues if issue.location.startswith("pins[")}
            if not bad:
                raise
            data["pins"] = [p for i, p in enumerate(data["pins"]) if f"pins[{i}]" not in bad]
    return Problem.model_validate(data)


#: A hand-made round: two units in one municipality, three supervisors, four applicants (the ``tiny``
#: fixture; tests that need a variant copy it).
TINY: dict[str, Any] = {
    "municipalities": [{"id": "M"}],
    "units": [
        {"id": "BoU", "municipality": "M", "area": "Barn och ungdom", "max_places": 2},
        {"id": "Vux", "municipality": "M", "area": "Vuxenenhet", "max_places": 1},
    ],
    "supervisors": [
        {"id": "H1", "unit": "BoU", "capacity": 1},
        {"id": "H2", "unit": "BoU", "capacity": 1},
        {"id": "H3", "unit": "Vux", "capacity": 1},
    ],
    "applicants": [
        {"id": "A1", "ranking": {"units": {"BoU": 1, "Vux": 2}}},
        {"id": "A2", "ranking": {"units": {"BoU": 1}}},
        {"id": "A3", "ranking": {"units": {"Vux": 1, "BoU": 2}}},
        {"id": "A4", "ranking": {"units": {"BoU": 1}}},
    ],
}


@pytest.fixture
def tiny() -> Problem:
    """A hand-made round: two units in one municipality, three supervisors, four applicants."""
    return Problem.model_validate(TINY)


def pure_capacity(raw: dict[str, Any], seed: int, objective: str) -> dict[str, Any]:
    """``raw`` with only capacity rules left (no minimums, targets, pins or links)."""
    data = dict(raw)
    data["units"] = [{k: v for k, v in u.items() if k not in ("min_places", "target_places")} for u in raw["units"]]
    data["municipalities"] = [{k: v for k, v in m.items() if k != "min_places"} for m in raw["municipalities"]]
    data["pins"] = []
    data.pop("links", None)
    data["policy"] = {**raw.get("policy", {}), "lottery_seed": seed, "objective": objective}
    for key in ("balance", "stability", "group_rules"):
        data["policy"].pop(key, None)
    return data
