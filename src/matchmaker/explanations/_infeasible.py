"""Why a round has no plan: a minimal core and the smallest relaxation.

**Core.** Every constraint group of the model (a unit's minimum, a supervisor's capacity, a pin, a
link, ...) and every *rule record* that removes pairs (a declared conflict, a unit's requirement, a
supervisor's missing training, a unit's own ranking) gets an enforcement literal on a feasibility copy
of the model, in which the pairs those rules remove are variables again. CP-SAT, with one worker,
returns a set of literals that cannot all hold; a deletion filter then drops every member whose
removal keeps the set infeasible, so the core is *minimal*: infeasible, and feasible without any one
of its members (hence without any proper subset). Rules are tried for removal first, so a core names
capacities, minimums and pins where it can.

**Stability.** With ``policy.stability``, every row that forbids a blocking pair is one member of the
core, kind ``stability`` (record ``policy``): a round that only the stability rule makes infeasible is
explained as a clash of the stable-plan rule with the minimums, capacities or pins it meets, never by
a minimum alone. The stability rows are defined over the round's acceptable pairs, so a stable round's
core keeps the pair rules (conflicts, requirements, training, rankings, availability) fixed rather than
naming them: without a rule a pair could block, which the rows of the strict round cannot say.

**Relaxation.** An elastic copy of the model gives every capacity and minimum row a slack variable
(places added to a maximum or taken off a minimum) and every pin, link and balance rule a drop
variable; conflicts, requirements and training are never proposed to be relaxed. It minimises the
*slack*: the total number of places changed plus the number of constraints dropped. The optimum is
proven by CP-SAT, so no smaller relaxation of this kind restores feasibility.

**Bounds of the relaxation** (:data:`RELAXATION_BOUNDS`), taken from the data so that they never cut off
a needed amount: a minimum may be lowered by as much as the minimum itself (to 0); a maximum or a
capacity may be raised by as much as its row can ever exceed it (the number of pairs it counts, less
the bound), after which it can no longer bind; a pin, link, balance rule, group rate or band rule or load
limit may be dropped (a group's minimum and maximum count move like a unit's).
Rules that remove pairs (conflicts, requirements, training, unit rankings, availability) and the
stability rule are never relaxed. When no relaxation within these bounds restores feasibility, the
explanation says so (``search == "none_within_bounds"``) instead of proposing nothing in silence.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any, Literal

import numpy as np

from matchmaker._build import build_model
from matchmaker._engines.cpsat import CpSatSession
from matchmaker._linear import Group, LinearModel, ModelBuilder
from matchmaker._models import Problem
from matchmaker._native import cp_model
from matchmaker._options import SolveOptions
from matchmaker._pieces import default_constraints
from matchmaker._rules import available, meets_requirements, trained_enough
from matchmaker._scoring import score
from matchmaker.explanations._types import CoreItem, InfeasibilityExplanation, Relaxation

__all__ = ["RELAXATION_BOUNDS", "explain_infeasibility"]

#: How far the relaxation may change each kind of constraint (see the module docstring).
RELAXATION_BOUNDS: dict[str, str] = {
    "minimum": "lowered by at most the minimum itself (to 0)",
    "maximum": "raised by at most the number of placements the row counts, less its bound",
    "drop": "pins, links, balance rules, group rate and band rules and load limits may be dropped",
    "never": "conflicts, requirements, training, unit rankings, availability and stability are never relaxed",
}

#: Kinds that describe rules (removed pairs), never relaxed by the elastic model.
RULE_KINDS = ("conflict", "requirement", "training", "unit_ranking", "availability")
#: The order in which the deletion filter tries to drop members (rules first, pins last).
_DROP_ORDER = {
    "stability": 0,
    "conflict": 0,
    "requirement": 0,
    "training": 0,
    "unit_ranking": 0,
    "availability": 0,
    "link": 1,
    "balance_within": 1,
    "balance_ratio": 1,
    "group_rate": 1,
    "group_band": 1,
    "supervisor_capacity": 2,
    "supervisor_load": 2,
    "municipality_max": 2,
    "unit_max": 2,
    "unit_min": 3,
    "municipality_min": 3,
    "group_max": 2,
    "group_min": 3,
    "pin": 4,
}
_UPPER = {"supervisor_capacity", "unit_max", "municipality_max", "group_max"}
_LOWER = {"unit_min", "municipality_min", "group_min"}
_DROP = {"pin", "link", "balance_within", "balance_ratio", "supervisor_load", "group_rate", "group_band"}


def _relaxed(problem: Problem) -> Problem:
    """The problem without conflicts, requirements, training rule and unit rankings."""
    data: dict[str, Any] = problem.model_dump(mode="json")
    for a in data["applicants"]:
        a["conflicts"] = {"units": [], "supervisors": []}
    for u in data["units"]:
        u["requirements"] = []
        u["ranking"] = None
    for s in data["supervisors"]:
        s["unavailable_periods"] = []
    data["policy"]["supervisor_training"] = "any"
    return Problem.model_validate(data)


class _RuleRows:
    """A constraint piece: one group per rule record, holding the pairs that rule removes at 0."""

    name = "rules"

    def __init__(self, original: Problem) -> None:
        self.original = original

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """Rows ``sum(pairs removed by the record) <= 0``."""
        p = self.original
        sc = builder.scores
        enc = sc.encoding
        records: dict[tuple[str, str], list[int]] = defaultdict(list)
        for k, (ai, si) in enumerate(zip(sc.applicant.tolist(), sc.supervisor.tolist(), strict=True)):
            a = p.applicant_by_id[enc.applicant_ids[ai]]
            s = p.supervisor_by_id[enc.supervisor_ids[si]]
            u = p.unit_by_id[s.unit]
            for req in u.requirements:
                if not meets_requirements([req], a.qualifications):
                    records[("requirement", f"{u.id}|{req}")].append(k)
            if u.id in a.conflicts.units:
                records[("conflict", f"{a.id}|{u.id}")].append(k)
            if s.id in a.conflicts.supervisors:
                records[("conflict", f"{a.id}|{s.id}")].append(k)
            if not trained_enough(s.training, p.policy.supervisor_training):
                records[("training", s.id)].append(k)
            if u.ranking is not None and a.id not in u.ranking:
                records[("unit_ranking", u.id)].append(k)
            if not available(p, a.id, s.id):
                period = p.period_of[a.id]
                records[("availability", f"{s.id}|{period.id if period is not None else ''}")].append(k)
        for (kind, record), pairs in sorted(records.items()):
            g = builder.add_group(kind, record, f"{kind} {record}")
            builder.add_row(g, np.array(pairs, dtype=np.int64), 1, 0, 0)


def _stability_as_one_rule(model: LinearModel) -> LinearModel:
    """``model`` with every stability row in one non-structural group ``stability`` (so it can be a
    member of a core); the model is unchanged without stability rows."""
    stable = np.array([g.kind.startswith("stability") for g in model.groups], dtype=bool)
    rows = np.flatnonzero(stable[model.row_group]) if stable.any() else np.empty(0, dtype=np.int64)
    if rows.size == 0:
        return model
    row_group = model.row_group.copy()
    row_group[rows] = len(model.groups)
    group = Group("stability", "policy", "no blocking pair: the plan is stable")
    return replace(model, groups=(*model.groups, group), row_group=row_group)


def _params(problem: Problem, kind: str, record: str, acceptable: dict[str, int]) -> dict[str, int | str]:
    if kind in ("unit_min", "unit_max"):
        u = problem.unit_by_id[record]
        bound = (
            u.max_places
            if kind == "unit_max"
            else max(
                u.min_places if problem.policy.minimums == "hard" else 0,
                (u.target_places or 0) if problem.policy.targets == "hard" else 0,
            )
        )
        return {"unit": record, "bound": bound, "acceptable": acceptable.get(record, 0)}
    if kind in ("municipality_min", "municipality_max"):
        m = problem.municipality_by_id[record]
        bound = (m.max_places or 0) if kind == "municipality_max" else m.min_places
        return {"municipality": record, "bound": bound}
    if kind == "supervisor_capacity":
        s = problem.supervisor_by_id[record]
        return {"supervisor": record, "unit": s.unit, "bound": s.capacity}
    if kind == "pin":
        pin = next(p for p in problem.pins if p.applicant == record)
        target = pin.supervisor if pin.supervisor is not None else pin.unit or ""
        return {"applicant": record, "target": target, "target_kind": "supervisor" if pin.supervisor else "unit"}
    if kind == "conflict":
        applicant, target = record.split("|", 1)
        return {"applicant": applicant, "target": target}
    if kind == "requirement":
        unit, requirement = record.split("|", 1)
        return {"unit": unit, "requirement": requirement}
    if kind == "training":
        s = problem.supervisor_by_id[record]
        return {
            "supervisor": record,
            "unit": s.unit,
            "training": str(s.training),
            "required": problem.policy.supervisor_training,
        }
    if kind == "unit_ranking":
        return {"unit": record}
    if kind == "availability":
        supervisor, period = record.split("|", 1)
        return {"supervisor": supervisor, "period": period}
    if kind == "stability":
        mode = problem.policy.stability.mode if problem.policy.stability is not None else ""
        return {"mode": mode}
    if kind == "supervisor_load":
        return {"supervisor": record, "limit": f"{problem.supervisor_by_id[record].load_limit:g}"}
    if kind in ("group_rate", "group_band", "group_min", "group_max"):
        return _group_params(problem, kind, record)
    if kind == "link":
        first, second = record.split("~", 1)
        link = next(k for k in problem.links if k.applicants == (first, second))
        return {"first": first, "second": second, "relation": link.relation}
    return {"record": record}


def _group_params(problem: Problem, kind: str, record: str) -> dict[str, int | str]:
    """The family, group and bound of a group rule's row (``record`` is ``family|group``)."""
    for rule in problem.policy.group_rules:
        prefix = f"{rule.family}|"
        if not record.startswith(prefix):
            continue
        group = record[len(prefix) :]
        if kind == "group_rate" and rule.rule == "rate":
            return {"family": rule.family, "group": group, "ratio": f"{rule.ratio:g}"}
        if kind == "group_band" and rule.rule == "band":
            return {"family": rule.family, "group": group, "tolerance": f"{rule.tolerance:g}"}
        if rule.rule == "count" and (not rule.groups or group in rule.groups):
            bound = rule.min_count if kind == "group_min" else rule.max_count
            if bound is not None:
                return {"family": rule.family, "group": group, "bound": bound}
    return {"record": record}  # pragma: no cover - every group row comes from a rule


def _minimal_core(session: CpSatSession, model: LinearModel, time_limit: float) -> list[int] | None:
    status, core = session.unsatisfiable_guards(time_limit)
    if status != "infeasible":
        return None
    members = sorted(core, key=lambda g: (_DROP_ORDER.get(model.groups[g].kind, 2), model.groups[g].record))
    kept = list(members)
    for g in members:
        trial = [x for x in kept if x != g]
        if session.feasible_with(trial, time_limit) == "infeasible":
            kept = trial
    return sorted(kept, key=lambda g: (model.groups[g].kind, model.groups[g].record))


def _slack_bound(model: LinearModel, rows: list[int], upper: bool) -> int:
    """The most a group's bound may move: a minimum down to 0, a maximum up to where it cannot bind."""
    most = 0
    for r in rows:
        if upper:
            idx, cf = model.row(r)
            reach = sum(max(0, int(c)) * int(model.var_ub[i]) for i, c in zip(idx.tolist(), cf.tolist(), strict=True))
            most = max(most, reach - int(model.row_ub[r]))
        else:
            most = max(most, int(model.row_lb[r]))
    return max(0, most)


def _elastic(
    model: LinearModel, time_limit: float
) -> tuple[Literal["found", "none_within_bounds", "not_proven"], int | None, dict[int, int]]:
    """Minimise total slack over the relaxable groups, each within :data:`RELAXATION_BOUNDS`; returns
    whether a relaxation was found, the optimum and the slack per group."""
    rows_of: dict[int, list[int]] = defaultdict(list)
    for r in range(model.n_rows):
        rows_of[int(model.row_group[r])].append(r)
    cp = cp_model.CpModel()
    x = [cp.new_int_var(int(model.var_lb[i]), int(model.var_ub[i]), f"v{i}") for i in range(model.n_vars)]
    slack: dict[int, cp_model.IntVar] = {}
    for g, group in enumerate(model.groups):
        if group.kind in _UPPER or group.kind in _LOWER:
            bound = _slack_bound(model, rows_of[g], group.kind in _UPPER)
            slack[g] = cp.new_int_var(0, bound, f"slack[{group.kind}:{group.record}]")
        elif group.kind in _DROP:
            slack[g] = cp.new_bool_var(f"drop[{group.kind}:{group.record}]")
    for r in range(model.n_rows):
        idx, cf = model.row(r)
        g = int(model.row_group[r])
        kind = model.groups[g].kind
        expr = cp_model.LinearExpr.weighted_sum([x[i] for i in idx.tolist()], cf.tolist())
        lb, ub = int(model.row_lb[r]), int(model.row_ub[r])
        if kind in _UPPER:
            cp.add(expr - slack[g] <= ub)
            cp.add(expr >= lb)
        elif kind in _LOWER:
            cp.add(expr + slack[g] >= lb)
            cp.add(expr <= ub)
        elif kind in _DROP:
            cp.add_linear_constraint(expr, lb, ub).only_enforce_if(slack[g].Not())
        else:
            cp.add_linear_constraint(expr, lb, ub)
    total = sum(slack.values())
    cp.minimize(total)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.catch_sigint_signal = False
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(cp)
    if status == cp_model.INFEASIBLE:
        return "none_within_bounds", None, {}
    if status != cp_model.OPTIMAL:
        return "not_proven", None, {}
    found = {g: int(solver.value(v)) for g, v in slack.items() if solver.value(v)}
    return "found", round(solver.objective_value), found


def explain_infeasibility(
    problem: Problem, *, options: SolveOptions | None = None, time_limit: float = 30.0
) -> InfeasibilityExplanation | None:
    """A minimal core and the smallest relaxation, or ``None`` if ``problem`` has a plan.

    ``time_limit`` bounds each CP-SAT call; a core that cannot be proven minimal in time is left out
    (``core`` empty) rather than overstated.
    """
    opts = options if options is not None else SolveOptions(workers=1)
    if problem.policy.stability is not None:
        model = _stability_as_one_rule(build_model(problem, score(problem)))  # pair rules stay fixed
    else:
        relaxed = _relaxed(problem)
        model = build_model(relaxed, score(relaxed), constraints=[*default_constraints(relaxed), _RuleRows(problem)])
    session = CpSatSession(model, opts, guard=True)
    core = _minimal_core(session, model, time_limit)
    if core is None:
        return None
    original = score(problem)
    enc = original.encoding
    acceptable: dict[str, int] = {}
    for u, ident in enumerate(enc.unit_ids):
        acceptable[ident] = int(np.unique(original.applicant[original.unit == u]).size)
    items = tuple(
        CoreItem(
            kind=model.groups[g].kind,
            record=model.groups[g].record,
            params=_params(problem, model.groups[g].kind, model.groups[g].record, acceptable),
        )
        for g in core
    )
    strict = build_model(problem, original)
    search, slack, per_group = _elastic(strict, time_limit)
    relaxation: list[Relaxation] = []
    for g, amount in sorted(per_group.items(), key=lambda kv: (strict.groups[kv[0]].kind, strict.groups[kv[0]].record)):
        group = strict.groups[g]
        rows = np.flatnonzero(strict.row_group == g)
        if group.kind in _UPPER:
            before = int(strict.row_ub[rows[0]])
            relaxation.append(Relaxation(kind=group.kind, record=group.record, before=before, after=before + amount))
        elif group.kind in _LOWER:
            before = int(strict.row_lb[rows[0]])
            relaxation.append(Relaxation(kind=group.kind, record=group.record, before=before, after=before - amount))
        else:
            relaxation.append(Relaxation(kind=group.kind, record=group.record, before=None, after=None))
    return InfeasibilityExplanation(core=items, relaxation=tuple(relaxation), slack=slack, search=search)
