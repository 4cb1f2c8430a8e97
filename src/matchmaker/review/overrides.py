"""Overrides: an official pins or forbids a pair, with a reason; the round is re-solved around them.

An :class:`Override` becomes part of the problem before it is solved: a ``pin`` becomes a
:class:`~matchmaker.Pin` (replacing a pin the round already had for that applicant), a ``forbid`` a
declared conflict of the applicant (:class:`~matchmaker.Conflicts`). Solving the changed problem is the
re-solve; the independent checker then verifies that every pin and conflict holds.

**Cost.** The cost of an override is the difference between two optima, level by level: the optimum of
the round without overrides and the optimum with that override alone. The cost of all overrides
together is the difference between the optimum without and with all of them. Both are exact, because
both optima are proven.

**Conflicts.** Overrides that cannot hold together (two pins of one applicant, a pin and a forbid of one
pair, a pin into a full unit, ...) are reported, never silently dropped: either by the problem's
validation (every issue) or, when the problem has no plan, by the minimal infeasibility core of
:func:`matchmaker.explain_infeasibility`, naming the overrides in it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, model_validator

from matchmaker._base import Record
from matchmaker.errors import ProblemValidationError, ValidationIssue
from matchmaker.explanations.types import InfeasibilityExplanation, LevelChange
from matchmaker.models import Id, Label, Problem
from matchmaker.options import SolveOptions
from matchmaker.repair import repair_basis, repeat_repair
from matchmaker.result import Decision, LevelValue, RepairBasis, Result, Status
from matchmaker.solve import solve

__all__ = [
    "Override",
    "OverrideConflict",
    "OverrideCost",
    "OverrideList",
    "OverrideOutcome",
    "apply_overrides",
    "dump_overrides",
    "level_difference",
    "load_overrides",
    "solve_with_overrides",
]


class Override(Record):
    """A manual decision by an official: ``pin`` the applicant with a supervisor or in a unit, or
    ``forbid`` that pair. ``reason`` says why (recorded, never used by the solver); ``official`` is the
    opaque id of the official who made it (never a name). Exactly one of ``unit`` and ``supervisor``."""

    action: Literal["pin", "forbid"]
    applicant: Id
    unit: Id | None = None
    supervisor: Id | None = None
    reason: Label
    official: Id

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.unit is None) == (self.supervisor is None):
            raise ValueError("an override names exactly one of unit and supervisor")
        return self

    @property
    def target(self) -> str:
        """The unit or supervisor id it names."""
        return self.supervisor if self.supervisor is not None else (self.unit or "")

    def describe(self) -> str:
        """``pin A3 -> supervisor S2`` (ids only; no reason, so that it can be logged)."""
        what = f"supervisor {self.supervisor}" if self.supervisor is not None else f"unit {self.unit}"
        return f"{self.action} {self.applicant} -> {what}"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class OverrideCost(_Out):
    """What one override costs: the optimum without overrides (``before``) against the optimum with this
    override alone (``after``), on every level. ``status`` is that re-solve's; without a plan,
    ``changes`` is empty."""

    override: Override
    status: Status
    changes: tuple[LevelChange, ...]

    @property
    def worse(self) -> tuple[str, ...]:
        """The levels this override makes worse, but the lottery (a tie-break, not a cost)."""
        return tuple(c.name for c in self.changes if c.worse and c.name != "lottery")


class OverrideConflict(_Out):
    """Overrides that cannot hold together: ``overrides`` (indices into the list given), a ``message``
    (the validation issues, or the core in words), and the minimal core when the round has no plan."""

    overrides: tuple[int, ...]
    message: str
    explanation: InfeasibilityExplanation | None = None


class OverrideOutcome(_Out):
    """The round re-solved with every override: its ``result`` (``None`` if the overrides conflict),
    the ``total`` cost level by level, the cost of each override alone, and any ``conflict``."""

    overrides: tuple[Override, ...]
    result: Result | None
    total: tuple[LevelChange, ...]
    costs: tuple[OverrideCost, ...]
    conflict: OverrideConflict | None

    @property
    def ok(self) -> bool:
        """The overrides hold together and the round has a plan with them."""
        return self.conflict is None and self.result is not None and self.result.status.has_plan


def _same_pair(a: Override, b: Override) -> bool:
    return a.applicant == b.applicant and a.unit == b.unit and a.supervisor == b.supervisor


def apply_overrides(problem: Problem, overrides: Sequence[Override]) -> Problem:
    """``problem`` with every override in it: pins added (replacing the round's own pin of the
    applicant), forbidden pairs added to the applicant's conflicts. The input is not changed.

    Raises:
        ProblemValidationError: the overrides name unknown ids, or clash (two pins of one applicant, a
            pin of a pair also forbidden, a pin the rules forbid); every issue is listed.
    """
    data: dict[str, Any] = problem.model_dump(mode="json")
    issues: list[ValidationIssue] = []
    pinned: dict[str, int] = {}
    for i, o in enumerate(overrides):
        where = f"overrides[{i}] ({o.describe()})"
        if o.applicant not in problem.applicant_by_id:
            issues.append(
                ValidationIssue(
                    where, f"names applicant {o.applicant!r}, who is not in the problem", "use an applicant id"
                )
            )
            continue
        if o.unit is not None and o.unit not in problem.unit_by_id:
            issues.append(
                ValidationIssue(where, f"names unit {o.unit!r}, which is not in the problem", "use a unit id")
            )
            continue
        if o.supervisor is not None and o.supervisor not in problem.supervisor_by_id:
            issues.append(
                ValidationIssue(
                    where, f"names supervisor {o.supervisor!r}, who is not in the problem", "use a supervisor id"
                )
            )
            continue
        if o.action == "pin":
            if o.applicant in pinned:
                issues.append(
                    ValidationIssue(
                        where,
                        f"pins applicant {o.applicant!r} again (overrides[{pinned[o.applicant]}] pins them too)",
                        "keep one pin per applicant",
                    )
                )
                continue
            pinned[o.applicant] = i
            data["pins"] = [p for p in data["pins"] if p["applicant"] != o.applicant]
            data["pins"].append({"applicant": o.applicant, "unit": o.unit, "supervisor": o.supervisor})
        else:
            for j, other in enumerate(overrides):
                if other.action == "pin" and _same_pair(o, other):
                    issues.append(
                        ValidationIssue(where, f"forbids the pair that overrides[{j}] pins", "keep one of the two")
                    )
            applicant = next(a for a in data["applicants"] if a["id"] == o.applicant)
            key, value = ("units", o.unit) if o.unit is not None else ("supervisors", o.supervisor)
            if value not in applicant["conflicts"][key]:
                applicant["conflicts"][key].append(value)
    if issues:
        raise ProblemValidationError(issues, source="overrides")
    try:
        return Problem.model_validate(data)
    except ProblemValidationError as exc:
        raise ProblemValidationError(list(exc.issues), source="overrides") from exc


def level_difference(before: Decision, after: Decision) -> tuple[LevelChange, ...]:
    """Every level of ``before`` with its value there and in ``after`` (both need a plan; levels only in
    one of them are left out)."""
    values: dict[str, LevelValue] = {lv.name: lv for lv in after.objective}
    return tuple(
        LevelChange(name=lv.name, sense=lv.sense, before=lv.value, after=values[lv.name].value)
        for lv in before.objective
        if lv.name in values and lv.value is not None and values[lv.name].value is not None
    )


def _conflict_of(
    problem: Problem, overrides: Sequence[Override], message: str, options: SolveOptions | None
) -> OverrideConflict:
    from matchmaker.explanations.infeasible import explain_infeasibility
    from matchmaker.explanations.render import display_names

    opts = (options or SolveOptions()).model_copy(update={"workers": 1})
    explanation = explain_infeasibility(problem, options=opts)
    if explanation is None:  # the round has a plan: what clashes is the repair's (its keeps, its moves)
        return OverrideConflict(overrides=tuple(range(len(overrides))), message=message)
    named = {item.record for item in explanation.core if item.kind in ("pin", "conflict")}
    involved = tuple(i for i, o in enumerate(overrides) if o.applicant in named)
    return OverrideConflict(
        overrides=involved, message=explanation.text("en", display_names(problem)), explanation=explanation
    )


def solve_with_overrides(
    problem: Problem,
    overrides: Sequence[Override],
    *,
    base: Result | None = None,
    options: SolveOptions | None = None,
    costs: bool = True,
) -> OverrideOutcome:
    """Re-solve ``problem`` with ``overrides`` and report what they cost.

    Args:
        problem: the round, without the overrides.
        overrides: the officials' overrides, each with a reason.
        base: the optimum without overrides (solved if not given); the costs are measured from it. A
            repaired result (:func:`matchmaker.reoptimise`) is overridden as the repair it is: every
            re-solve is the same repair (previous plan, position or penalty, keeps) with the
            overrides, so nobody the overrides do not name moves without need; an override that
            moves an applicant the repair keeps is a conflict.
        options: solve options for every re-solve.
        costs: also solve once per override alone for its own cost (``False`` skips those solves).

    Returns:
        An :class:`OverrideOutcome`. Conflicting overrides are reported in ``conflict``, not raised.
    """
    overrides = tuple(overrides)
    try:
        changed = apply_overrides(problem, overrides)
    except ProblemValidationError as exc:
        involved = sorted(
            {int(m) for issue in exc.issues for m in _indices(issue.location + issue.message)}
            | {i for i, o in enumerate(overrides) for issue in exc.issues if f"{o.applicant!r}" in issue.location}
        )
        message = "; ".join(f"{issue.location}: {issue.message}" for issue in exc.issues)
        return OverrideOutcome(
            overrides=overrides,
            result=None,
            total=(),
            costs=(),
            conflict=OverrideConflict(overrides=tuple(involved), message=message),
        )
    basis = repair_basis(base) if base is not None else None
    if basis is not None:
        kept = _kept_clashes(basis, overrides)
        if kept:
            return OverrideOutcome(
                overrides=overrides,
                result=None,
                total=(),
                costs=(),
                conflict=OverrideConflict(
                    overrides=tuple(i for i, _ in kept), message="; ".join(message for _, message in kept)
                ),
            )

    def resolve(changed: Problem) -> Result:
        """A fresh solve, or (overriding a repaired plan) the same repair with the overrides."""
        return solve(changed, options) if basis is None else repeat_repair(changed, basis, options=options)

    base = base if base is not None else solve(problem, options)
    result = resolve(changed)
    if not result.status.has_plan:
        return OverrideOutcome(
            overrides=overrides,
            result=result,
            total=(),
            costs=(),
            conflict=_conflict_of(changed, overrides, result.decision.message or "", options),
        )
    total = level_difference(base.decision, result.decision) if base.status.has_plan else ()
    each: list[OverrideCost] = []
    if costs and base.status.has_plan:
        for o in overrides:
            alone = total if len(overrides) == 1 else None
            single = result if len(overrides) == 1 else resolve(apply_overrides(problem, [o]))
            changes = alone if alone is not None else level_difference(base.decision, single.decision)
            each.append(
                OverrideCost(override=o, status=single.status, changes=changes if single.status.has_plan else ())
            )
    return OverrideOutcome(overrides=overrides, result=result, total=total, costs=tuple(each), conflict=None)


def _kept_clashes(basis: RepairBasis, overrides: Sequence[Override]) -> list[tuple[int, str]]:
    """The overrides that would move an applicant the repair keeps (a hard keep holds them at their
    previous supervisor), each with a message."""
    previous = {p.applicant: p for p in basis.previous}
    out = []
    for i, o in enumerate(overrides):
        p = previous.get(o.applicant)
        if p is None or o.applicant not in basis.keep:
            continue
        here = o.supervisor == p.supervisor or (o.supervisor is None and o.unit == p.unit)
        if (o.action == "pin") != here or (o.action == "forbid" and o.unit == p.unit):
            out.append(
                (
                    i,
                    f"overrides[{i}] ({o.describe()}): the repair keeps applicant {o.applicant!r} with "
                    f"supervisor {p.supervisor!r} (a hard keep)",
                )
            )
    return out


def _indices(location: str) -> list[str]:
    """The override indices a validation issue names (``overrides[1]``)."""
    return re.findall(r"overrides\[(\d+)\]", location)


class OverrideList(Record):
    """An overrides file: ``{"kind": "matchmaker.overrides", "overrides": [...]}``."""

    kind: Literal["matchmaker.overrides"] = "matchmaker.overrides"
    overrides: tuple[Override, ...] = ()


def load_overrides(path: str | os.PathLike[str]) -> tuple[Override, ...]:
    """The overrides of an overrides file (JSON, see :class:`OverrideList`).

    Raises:
        InputFileError: the file cannot be read or is not JSON.
        ProblemValidationError: an override lacks a reason or an official, or names both a unit and a
            supervisor.
    """
    from matchmaker.io.files import read_limited
    from matchmaker.io.json import parse_json

    return OverrideList.model_validate(parse_json(read_limited(path), str(path))).overrides


def dump_overrides(overrides: Sequence[Override], path: str | os.PathLike[str]) -> None:
    """Write an overrides file (JSON), atomically."""
    from matchmaker.io.files import atomic_write_text

    text = OverrideList(overrides=tuple(overrides)).model_dump_json(indent=2, exclude_none=True)
    atomic_write_text(path, text + "\n")
