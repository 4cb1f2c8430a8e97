"""A plan made by hand, and how its open supervisors are chosen.

A :class:`Plan` lists, per applicant, a supervisor, or a unit only (the coordinator has chosen the unit but
not the supervisor), or nothing (the applicant is left unplaced). Applicants the plan does not list are
unplaced too.

**Unit-only entries.** Every objective level and every rule is computed per (applicant, supervisor), so an
entry that names only a unit is completed with one of that unit's supervisors before it is evaluated. The
choice never moves anyone to another unit. A supervisor *keeps every rule* for an entry when the pair is
acceptable (the applicant's wish, the unit's requirements, conflicts of interest, the supervisor's
training, capacity this round, the unit's own ranking, availability in the applicant's period) and the
supervisor has room left (capacity less the students the plan gives them). The choice is made, in this
order:

1. as many unit-only entries as possible get a supervisor who keeps every rule;
2. then the fewest broken rules in all: each rule a chosen pair breaks counts once, and each student
   beyond a supervisor's room counts once (an entry with no rule-keeping supervisor gets the one that
   breaks the fewest rules, and the evaluation lists every rule it breaks);
3. then the highest total fit (the policy's fit, in points);
4. then, applicant by applicant in id order, the supervisor whose id comes first.

Each step is solved exactly (CP-SAT, one worker, holding the optimum of the steps before), so the
completion is the same on every machine. Load limits per date are not part of the choice (the checker
reports them like any broken rule).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Literal, Self

from pydantic import Field, Strict, model_validator

from matchmaker._base import Record
from matchmaker._checks import Truth
from matchmaker._i18n import Message, msg
from matchmaker._models import Id, Label, Problem
from matchmaker._native import cp_model
from matchmaker._pydantic_errors import RuleError
from matchmaker._result import Result
from matchmaker._text import suggest
from matchmaker.errors import ProblemValidationError, SolverError, ValidationIssue

__all__ = ["PLAN_SCHEMA_VERSION", "Plan", "PlanEntry", "complete_plan", "plan_issues"]

#: The version of the plan file layout this library writes.
PLAN_SCHEMA_VERSION = 1


class PlanEntry(Record):
    """One line of a hand-made plan: ``applicant`` goes with ``supervisor``, or to ``unit`` with the
    supervisor left open (see :func:`matchmaker.evaluate_plan`), or, with neither, stays unplaced.

    When both are given, the supervisor must work in the unit.
    """

    applicant: Id
    unit: Id | None = None
    supervisor: Id | None = None


class Plan(Record):
    """A plan made by hand: entries of applicants with a supervisor or a unit.

    Read one with :func:`matchmaker.load_plan` (JSON, a workbook with a ``plan`` sheet, or a CSV file
    with the columns ``applicant``, ``unit``, ``supervisor``); turn a result into one with
    :meth:`from_result`. Applicants not listed are unplaced.
    """

    kind: Literal["matchmaker.plan"] = "matchmaker.plan"
    schema_version: Annotated[int, Strict(), Field(ge=1, le=PLAN_SCHEMA_VERSION)] = PLAN_SCHEMA_VERSION
    name: Label | None = None
    entries: tuple[PlanEntry, ...]

    @model_validator(mode="after")
    def _one_entry_per_applicant(self) -> Self:
        seen: set[str] = set()
        for entry in self.entries:
            if entry.applicant in seen:
                raise RuleError(
                    msg("applicant {applicant!r} has two entries", applicant=entry.applicant),
                    msg("give each applicant one entry"),
                )
            seen.add(entry.applicant)
        return self

    @classmethod
    def from_result(cls, result: Result, name: str | None = None) -> Plan:
        """The plan of ``result``: one entry per placement, with its supervisor."""
        return cls(
            name=name,
            entries=tuple(PlanEntry(applicant=a.applicant, supervisor=a.supervisor) for a in result.assignments),
        )

    def placements(self) -> dict[str, tuple[str | None, str | None]]:
        """Applicant id -> (unit, supervisor) for every entry that places someone."""
        return {e.applicant: (e.unit, e.supervisor) for e in self.entries if e.unit or e.supervisor}


#: A plan entry that names a record the problem lacks, by the kind of record.
_NOT_IN_PROBLEM: dict[str, Message] = {
    "applicant": msg("names applicant {value!r}, who is not in the problem{did}"),
    "unit": msg("names unit {value!r}, who is not in the problem{did}"),
    "supervisor": msg("names supervisor {value!r}, who is not in the problem{did}"),
}
#: How to fix it.
_USE_ID: dict[str, Message] = {
    "applicant": msg("use the id of an applicant"),
    "unit": msg("use the id of a unit"),
    "supervisor": msg("use the id of a supervisor"),
}


def _ref(out: list[ValidationIssue], where: str, kind: str, value: str, known: Mapping[str, object]) -> bool:
    if value in known:
        return True
    hint = suggest(value, known)
    did = msg(" (did you mean {hint!r}?)", hint=hint) if hint else ""
    message = replace(_NOT_IN_PROBLEM[kind], params={"value": value, "did": did})
    out.append(ValidationIssue.of(where, message, _USE_ID[kind]))
    return False


def plan_issues(problem: Problem, plan: Plan) -> list[ValidationIssue]:
    """Every way ``plan`` does not fit ``problem``: unknown ids, and a supervisor outside the named unit."""
    out: list[ValidationIssue] = []
    for i, entry in enumerate(plan.entries):
        where = f"entries[{i}] (applicant {entry.applicant!r})"
        _ref(out, f"{where}.applicant", "applicant", entry.applicant, problem.applicant_by_id)
        unit_ok = entry.unit is None or _ref(out, f"{where}.unit", "unit", entry.unit, problem.unit_by_id)
        sup_ok = entry.supervisor is None or _ref(
            out, f"{where}.supervisor", "supervisor", entry.supervisor, problem.supervisor_by_id
        )
        if entry.unit is not None and entry.supervisor is not None and unit_ok and sup_ok:
            works_in = problem.supervisor_by_id[entry.supervisor].unit
            if works_in != entry.unit:
                out.append(
                    ValidationIssue.of(
                        where,
                        msg(
                            "supervisor {supervisor!r} works in unit {works_in!r}, not {unit!r}",
                            supervisor=entry.supervisor,
                            works_in=works_in,
                            unit=entry.unit,
                        ),
                        msg("correct the unit or the supervisor, or leave the unit empty"),
                    )
                )
        elif (
            entry.unit is not None
            and entry.supervisor is None
            and unit_ok
            and not any(s.unit == entry.unit for s in problem.supervisors)
        ):
            out.append(
                ValidationIssue.of(
                    where,
                    msg("unit {unit!r} has no supervisor, so no one can be placed there", unit=entry.unit),
                    msg("choose another unit, or add the unit's supervisors to the problem"),
                )
            )
    return out


def _solve_stages(
    model: cp_model.CpModel, stages: list[tuple[list[tuple[cp_model.IntVar, int]], str]]
) -> cp_model.CpSolver:
    """Optimise each weighted sum of ``stages`` in turn, holding every optimum for the next; returns the
    solver of the last stage (its values are the completion)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.catch_sigint_signal = False
    for terms, sense in stages:
        if not terms:
            continue
        expr = cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms])
        if sense == "min":
            model.minimize(expr)
        else:
            model.maximize(expr)
        status = solver.solve(model)
        if status != cp_model.OPTIMAL:  # pragma: no cover - every stage has a feasible assignment
            raise SolverError(f"completing the plan's open supervisors ended {solver.status_name(status)}")
        model.add(expr == round(solver.objective_value))  # the next objective replaces this one
    return solver


def complete_plan(problem: Problem, plan: Plan) -> tuple[dict[str, str], frozenset[str]]:
    """The plan as applicant id -> supervisor id, with a supervisor chosen for every unit-only entry
    (see the module docstring), and the applicants whose supervisor was chosen.

    Raises:
        ProblemValidationError: the plan names ids the problem lacks (every issue listed).
    """
    issues = plan_issues(problem, plan)
    if issues:
        raise ProblemValidationError(issues, source=plan.name)
    fixed: dict[str, str] = {}
    open_: dict[str, str] = {}
    for applicant, (unit, supervisor) in sorted(plan.placements().items()):
        if supervisor is not None:
            fixed[applicant] = supervisor
        else:
            assert unit is not None
            open_[applicant] = unit
    if not open_:
        return fixed, frozenset()
    truth = Truth(problem)
    load = Counter(fixed.values())
    model = cp_model.CpModel()
    choose: dict[tuple[str, str], cp_model.IntVar] = {}
    clean: dict[str, cp_model.IntVar] = {}
    for applicant, unit in open_.items():
        sups = sorted(s.id for s in problem.supervisors if s.unit == unit)
        for s in sups:
            choose[applicant, s] = model.new_bool_var(f"x[{applicant},{s}]")
        # Each unit-only entry gets exactly one supervisor of its unit.
        model.add_exactly_one(choose[applicant, s] for s in sups)
        clean[applicant] = model.new_bool_var(f"clean[{applicant}]")
    broken: list[tuple[cp_model.IntVar, int]] = []
    kept: dict[tuple[str, str], cp_model.IntVar] = {}
    for (applicant, s), var in choose.items():
        n = len(truth.broken_rules(truth.apps[applicant], s))
        if n:
            broken.append((var, n))
            # A pair that breaks a rule never makes its entry clean.
            model.add_implication(clean[applicant], var.Not())
        kept[applicant, s] = both = model.new_bool_var(f"kept[{applicant},{s}]")
        model.add_multiplication_equality(both, [var, clean[applicant]])
    for s in sorted({s for _, s in choose}):
        mine = [var for (_, sup), var in choose.items() if sup == s]
        room = max(0, problem.supervisor_by_id[s].capacity - load[s])
        # Clean entries fit in the supervisor's room; every student beyond it is a broken rule.
        model.add(sum(v for (_, sup), v in kept.items() if sup == s) <= room)
        over = model.new_int_var(0, len(mine), f"over[{s}]")
        model.add(sum(mine) - over <= room)
        broken.append((over, 1))
    stages = [
        ([(var, 1) for var in clean.values()], "max"),
        (broken, "min"),
        ([(var, truth.points(truth.apps[a], s)) for (a, s), var in choose.items()], "max"),
    ]
    for applicant in sorted(open_):
        # The id order among equals: one stage per applicant, earlier applicants first.
        mine_sorted = sorted(s for (a, s) in choose if a == applicant)
        stages.append(([(choose[applicant, s], k) for k, s in enumerate(mine_sorted)], "min"))
    solver = _solve_stages(model, stages)
    out = dict(fixed)
    for (applicant, s), var in choose.items():
        if solver.value(var):
            out[applicant] = s
    return out, frozenset(open_)
