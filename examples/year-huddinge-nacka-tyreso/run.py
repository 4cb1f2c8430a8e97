"""A year of the Huddinge-Nacka-Tyresö programme: step 1 in autumn, step 2 in spring, and a repair.

1. **HT 2026, step 1 (VFU)**: the autumn round of ``problem.json`` (90 applicants, 40 places, VFU
   dates per university, supervisor load over time).
2. **VT 2027, step 2 (studentmedarbetare)**: two in three of the placed students go on to step 2
   (the programme's long-run share is 261 of 445). :func:`matchmaker.next_round` draws them from the
   step-1 result with their step-1 placement, so staying earns the continuity bonus; Marie
   Cederschiöld's VFU still runs in January, so those placements load their supervisors as
   commitments. Each supervisor takes one studentmedarbetare.
3. **Mid-term**: one supervisor with a studentmedarbetare goes on leave. :func:`matchmaker.reoptimise`
   re-plans moving the fewest people; a fresh solve is shown for comparison.

Run: ``python examples/year-huddinge-nacka-tyreso/run.py``
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matchmaker as mm

HERE = Path(__file__).resolve().parent
OPTIONS = mm.SolveOptions(time_limit=120.0)
SPRING = mm.Round(
    term="VT",
    year=2027,
    step=2,
    periods=(mm.Period(id="sm-vt27", start=dt.date(2027, 1, 11), end=dt.date(2027, 12, 17)),),
)


@dataclass(frozen=True)
class Year:
    """Every problem and result of the year."""

    autumn: mm.Problem
    autumn_result: mm.Result
    spring: mm.Problem
    spring_result: mm.Result
    changed: mm.Problem
    repaired: mm.Result
    fresh: mm.Result


def moved(before: mm.Result, after: mm.Result) -> int:
    """People placed in ``before`` who are still in the round and lose or change their placement."""
    return mm.plan_diff(before, after).moved_count


def levels(result: mm.Result) -> str:
    """The objective vector, one ``name=value`` per level."""
    return ", ".join(f"{lv.name}={lv.value}" for lv in result.decision.objective)


def spring_problem(autumn: mm.Problem, autumn_result: mm.Result) -> mm.Problem:
    """Step 2 from the autumn's result: two in three continue, one studentmedarbetare per supervisor."""
    placed = sorted(a.applicant for a in autumn_result.assignments)
    continuing = [ident for i, ident in enumerate(placed) if i % 3 != 2]
    drawn = mm.next_round(autumn, autumn_result, SPRING, applicants=continuing, name="Huddingetrainee, steg 2, VT 2027")
    data: dict[str, Any] = drawn.model_dump(mode="json")
    for sup in data["supervisors"]:
        sup["capacity"] = min(sup["capacity"], 1)
    for unit in data["units"]:
        unit["min_places"] = 0
    return mm.Problem.model_validate(data)


def on_leave(spring: mm.Problem, spring_result: mm.Result) -> tuple[mm.Problem, str]:
    """The spring round with the supervisor of the first studentmedarbetare who kept their supervisor
    on leave (capacity 0)."""
    leaving = next(
        a.supervisor for a in spring_result.assignments if a.continuity == spring.policy.continuity_same_supervisor
    )
    data: dict[str, Any] = spring.model_dump(mode="json")
    for sup in data["supervisors"]:
        if sup["id"] == leaving:
            sup["capacity"] = 0
    return mm.Problem.model_validate(data), leaving


def main() -> Year:
    """Run the year, check every result, print the figures; returns every problem and result."""
    autumn = mm.load_problem(HERE / "problem.json")
    autumn_result = mm.solve(autumn, OPTIONS)
    mm.check(autumn, autumn_result).raise_if_invalid()
    print(
        f"HT 2026 step 1: status: {autumn_result.status.value}, "
        f"{len(autumn_result.assignments)} placed of {len(autumn.applicants)}"
    )
    print(f"  levels: {levels(autumn_result)}")

    spring = spring_problem(autumn, autumn_result)
    spring_result = mm.solve(spring, OPTIONS)
    mm.check(spring, spring_result).raise_if_invalid()
    same_sup = sum(1 for a in spring_result.assignments if a.continuity == spring.policy.continuity_same_supervisor)
    same_unit = sum(1 for a in spring_result.assignments if a.continuity == spring.policy.continuity_same_unit)
    print(
        f"VT 2027 step 2: status: {spring_result.status.value}, "
        f"{len(spring_result.assignments)} placed of {len(spring.applicants)}"
    )
    print(f"  continuity: {same_sup} with their step-1 supervisor, {same_unit} more in their step-1 unit")
    print(f"  commitments carried from the autumn: {len(spring.commitments)}")
    print(f"  levels: {levels(spring_result)}")

    changed, leaving = on_leave(spring, spring_result)
    repaired = mm.reoptimise(changed, spring_result, options=OPTIONS)
    mm.check(changed, repaired, previous=spring_result).raise_if_invalid()
    fresh = mm.solve(changed, OPTIONS)
    mm.check(changed, fresh).raise_if_invalid()
    assert repaired.decision.repair is not None
    diff = repaired.decision.repair.diff
    print(f"Mid-term: supervisor {leaving} goes on leave")
    print(
        f"  repair: {moved(spring_result, repaired)} moved, {len(diff.newly_unplaced)} newly unplaced, "
        f"{diff.unchanged} unchanged"
    )
    for m in diff.moved:
        print(f"    {m.applicant}: {m.before} ({m.before_unit}) -> {m.after} ({m.after_unit})")
    print(f"  fresh solve instead: {moved(spring_result, fresh)} moved")
    print(f"  levels before: {levels(spring_result)}")
    print(f"  levels after:  {levels(repaired)}")
    print(f"  fresh solve:   {levels(fresh)}")
    return Year(autumn, autumn_result, spring, spring_result, changed, repaired, fresh)


if __name__ == "__main__":
    main()
