"""Reserve lists: who would take a place that frees up in a unit, computed exactly.

A place freeing up in unit U is modelled as one more place: U's maximum, its municipality's maximum
(if set) and each of its supervisors' capacities grow by one, while U's maximum lets only one more
student in, and U must take one more student than it has (the place is in U, not elsewhere). The round
is re-solved near the current plan with level ``moved`` right after the placed count
(:data:`~matchmaker._repair.REPAIR_POSITION`): the fewest people move, and the policy's objective picks
among the rest. The applicant newly placed is the first reserve (possibly after someone moves into U
and frees their old place); repeating from that plan gives the second, and so on.
"""

from __future__ import annotations

from typing import Any

from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._pieces.change import AtLeast
from matchmaker._repair import REPAIR_POSITION, plan_of, resolve_near
from matchmaker._result import Result
from matchmaker.explanations._applicant import moves_between, require_same_problem
from matchmaker.explanations._types import Reserve, ReserveList

__all__ = ["one_more_place", "reserve_lists"]


def one_more_place(problem: Problem, unit: str) -> Problem:
    """``problem`` with one more place in ``unit`` (see the module docstring)."""
    data: dict[str, Any] = problem.model_dump(mode="json")
    muni = problem.unit_by_id[unit].municipality
    for u in data["units"]:
        if u["id"] == unit:
            u["max_places"] += 1
    for s in data["supervisors"]:
        if s["unit"] == unit:
            s["capacity"] += 1
    for m in data["municipalities"]:
        if m["id"] == muni and m["max_places"] is not None:
            m["max_places"] += 1
    return Problem.model_validate(data)


def reserve_lists(
    problem: Problem,
    result: Result,
    *,
    depth: int = 3,
    units: list[str] | None = None,
    options: SolveOptions | None = None,
) -> tuple[ReserveList, ...]:
    """The first ``depth`` reserves of every unit (or of ``units``), in order."""
    require_same_problem(problem, result)
    out = []
    for unit in units if units is not None else sorted(problem.unit_by_id):
        plan = plan_of(result)
        current = problem
        reserves: list[Reserve] = []
        for position in range(1, depth + 1):
            current = one_more_place(current, unit)
            in_unit = sum(1 for s in plan.values() if problem.supervisor_by_id[s].unit == unit)
            res = resolve_near(
                current, plan, position=REPAIR_POSITION, options=options, constraints=[AtLeast(unit, in_unit + 1)]
            )
            after = plan_of(res)
            newcomers = sorted(set(after) - set(plan))
            if not res.status.has_plan or not newcomers:
                break
            applicant = newcomers[0]
            reserves.append(
                Reserve(
                    position=position,
                    applicant=applicant,
                    supervisor=after[applicant],
                    unit=problem.supervisor_by_id[after[applicant]].unit,
                    moves=moves_between(problem, plan, after, skip=[applicant]),
                )
            )
            plan = after
        out.append(ReserveList(unit=unit, reserves=tuple(reserves)))
    return tuple(out)
