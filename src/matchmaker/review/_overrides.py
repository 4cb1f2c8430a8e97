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

from collections.abc import Sequence
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matchmaker._base import Record
from matchmaker._i18n import Message, msg
from matchmaker._models import Id, Label, Problem
from matchmaker._options import SolveOptions
from matchmaker._pipeline import repeat_repair, solve
from matchmaker._pydantic_errors import RuleError
from matchmaker._repair import repair_basis
from matchmaker._result import Decision, LevelValue, RepairBasis, Result, Status
from matchmaker._rules import meets_requirements, trained_enough
from matchmaker.errors import ProblemValidationError, ValidationIssue
from matchmaker.explanations._infeasible import explain_infeasibility
from matchmaker.explanations._types import InfeasibilityExplanation, LevelChange
from matchmaker.explanations._words import display_names
from matchmaker.review._words import conflict_reason, conflict_reason_text, override_label, override_label_message

__all__ = [
    "ConflictCode",
    "ConflictReason",
    "Override",
    "OverrideConflict",
    "OverrideCost",
    "OverrideList",
    "OverrideOutcome",
    "apply_overrides",
    "level_difference",
    "override_reasons",
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
            raise RuleError(
                msg("an override names exactly one of unit and supervisor"),
                msg("give either unit or supervisor, not both"),
            )
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


#: Why an override cannot hold, as a code (see :class:`ConflictReason`).
ConflictCode = Literal[
    "unknown_applicant",
    "unknown_unit",
    "unknown_supervisor",
    "pinned_twice",
    "pin_and_forbid",
    "pin_rule",
    "forbids_round_pin",
    "kept_by_repair",
    "invalid",
]


class ConflictReason(_Out):
    """One reason why an override cannot hold, as data (rendered in English or Swedish by
    :func:`matchmaker.review._words.conflict_reason_text`): ``override`` (its index), ``code``, and
    ``params``: ``other`` (the index of the override it clashes with), ``rule`` (a
    :data:`~matchmaker._rules.REASONS` code, or ``no_supervisor``), ``supervisor``, or
    ``message`` (an English validation message, for ``invalid``, whose ``issue`` says it in any
    language; the issue is not written out)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    override: int | None
    code: ConflictCode
    params: dict[str, str] = {}
    issue: ValidationIssue | None = Field(default=None, exclude=True, repr=False)


class OverrideConflict(_Out):
    """Overrides that cannot hold together: ``overrides`` (indices into the list given), a ``message``
    (in English), the ``reasons`` as data when the overrides break a rule on their own, and the minimal
    core (``explanation``) when the round has no plan with them."""

    overrides: tuple[int, ...]
    message: str
    reasons: tuple[ConflictReason, ...] = ()
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
    reasons = override_reasons(problem, overrides)
    if reasons:
        raise _reasons_error(reasons, overrides)
    data: dict[str, Any] = problem.model_dump(mode="json")
    for o in overrides:
        if o.action == "pin":
            data["pins"] = [p for p in data["pins"] if p["applicant"] != o.applicant]
            data["pins"].append({"applicant": o.applicant, "unit": o.unit, "supervisor": o.supervisor})
        else:
            applicant = next(a for a in data["applicants"] if a["id"] == o.applicant)
            key, value = ("units", o.unit) if o.unit is not None else ("supervisors", o.supervisor)
            if value not in applicant["conflicts"][key]:
                applicant["conflicts"][key].append(value)
    try:
        return Problem.model_validate(data)
    except ProblemValidationError as exc:
        raise ProblemValidationError(list(exc.issues), source="overrides") from exc


def _reasons_error(reasons: Sequence[ConflictReason], overrides: Sequence[Override]) -> ProblemValidationError:

    issues = [
        ValidationIssue.of(
            "overrides" if r.override is None else override_label_message(r.override, overrides[r.override], {}),
            conflict_reason(r),
            _FIXES[r.code],
        )
        for r in reasons
    ]
    return ProblemValidationError(issues, source="overrides")


_FIXES: dict[str, Message] = {
    "unknown_applicant": msg("use an applicant id"),
    "unknown_unit": msg("use a unit id"),
    "unknown_supervisor": msg("use a supervisor id"),
    "pinned_twice": msg("keep one pin per applicant"),
    "pin_and_forbid": msg("keep one of the two"),
    "pin_rule": msg("pin elsewhere, or change the record that rules it out"),
    "forbids_round_pin": msg("drop the forbid, or pin the applicant elsewhere"),
    "kept_by_repair": msg("drop the override, or repair again without the keep"),
    "invalid": msg("see the message"),
}


def _pin_rule(problem: Problem, o: Override) -> str | None:
    """The rule that forbids pin ``o`` (as the problem's validation checks pins), or ``None``."""
    a = problem.applicant_by_id[o.applicant]
    unit = o.unit if o.unit is not None else problem.supervisor_by_id[o.supervisor or ""].unit
    if unit in a.conflicts.units or (o.supervisor is not None and o.supervisor in a.conflicts.supervisors):
        return "conflict"
    if not meets_requirements(problem.unit_by_id[unit].requirements, a.qualifications):
        return "requirement"
    policy = problem.policy.supervisor_training
    if o.supervisor is not None:
        return None if trained_enough(problem.supervisor_by_id[o.supervisor].training, policy) else "training"
    usable = [
        s
        for s in problem.supervisors
        if s.unit == unit
        and s.capacity > 0
        and trained_enough(s.training, policy)
        and s.id not in a.conflicts.supervisors
    ]
    return None if usable else "no_supervisor"


def override_reasons(problem: Problem, overrides: Sequence[Override]) -> tuple[ConflictReason, ...]:
    """Every reason why ``overrides`` cannot hold on ``problem`` by the rules alone (no solve): unknown
    ids, two pins of one applicant, a pin and a forbid of one pair, a pin the rules forbid, a forbid of
    the place the round's own pin gives. Empty when they can be applied."""
    out: list[ConflictReason] = []
    pinned: dict[str, int] = {}
    for i, o in enumerate(overrides):
        if o.applicant not in problem.applicant_by_id:
            out.append(ConflictReason(override=i, code="unknown_applicant"))
            continue
        if o.unit is not None and o.unit not in problem.unit_by_id:
            out.append(ConflictReason(override=i, code="unknown_unit"))
            continue
        if o.supervisor is not None and o.supervisor not in problem.supervisor_by_id:
            out.append(ConflictReason(override=i, code="unknown_supervisor"))
            continue
        if o.action == "pin":
            if o.applicant in pinned:
                out.append(ConflictReason(override=i, code="pinned_twice", params={"other": str(pinned[o.applicant])}))
                continue
            pinned[o.applicant] = i
            rule = _pin_rule(problem, o)
            if rule is not None:
                out.append(ConflictReason(override=i, code="pin_rule", params={"rule": rule}))
            continue
        for j, other in enumerate(overrides):
            if other.action == "pin" and _same_pair(o, other):
                out.append(ConflictReason(override=i, code="pin_and_forbid", params={"other": str(j)}))
        repinned = any(x.action == "pin" and x.applicant == o.applicant for x in overrides)
        for p in problem.pins if not repinned else ():
            if p.applicant != o.applicant:
                continue
            unit = p.unit if p.unit is not None else problem.supervisor_by_id[p.supervisor or ""].unit
            if (o.unit is not None and o.unit == unit) or (o.supervisor is not None and o.supervisor == p.supervisor):
                out.append(ConflictReason(override=i, code="forbids_round_pin"))
    return tuple(out)


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
    reasons = override_reasons(problem, overrides)
    if not reasons:
        try:
            changed = apply_overrides(problem, overrides)
        except ProblemValidationError as exc:  # a rule override_reasons does not know: keep its words
            reasons = tuple(
                ConflictReason(override=None, code="invalid", params={"message": f"{i.location}: {i.message}"}, issue=i)
                for i in exc.issues
            )
    if reasons:
        return _conflicted(overrides, reasons)
    basis = repair_basis(base) if base is not None else None
    if basis is not None:
        kept = _kept_clashes(basis, overrides)
        if kept:
            return _conflicted(overrides, kept)

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


def _conflicted(overrides: tuple[Override, ...], reasons: Sequence[ConflictReason]) -> OverrideOutcome:
    """The outcome of overrides that break a rule on their own: no solve, every reason named."""

    involved = sorted(
        {r.override for r in reasons if r.override is not None}
        | {int(r.params["other"]) for r in reasons if "other" in r.params}
    )
    message = "; ".join(
        (f"{override_label(r.override, overrides[r.override], 'en', {})}: " if r.override is not None else "")
        + conflict_reason_text(r, "en")
        for r in reasons
    )
    return OverrideOutcome(
        overrides=overrides,
        result=None,
        total=(),
        costs=(),
        conflict=OverrideConflict(
            overrides=tuple(involved) or tuple(range(len(overrides))), message=message, reasons=tuple(reasons)
        ),
    )


def _kept_clashes(basis: RepairBasis, overrides: Sequence[Override]) -> list[ConflictReason]:
    """The overrides that would move an applicant the repair keeps (a hard keep holds them at their
    previous supervisor)."""
    previous = {p.applicant: p for p in basis.previous}
    out = []
    for i, o in enumerate(overrides):
        p = previous.get(o.applicant)
        if p is None or o.applicant not in basis.keep:
            continue
        here = o.supervisor == p.supervisor or (o.supervisor is None and o.unit == p.unit)
        if (o.action == "pin") != here or (o.action == "forbid" and o.unit == p.unit):
            out.append(ConflictReason(override=i, code="kept_by_repair", params={"supervisor": p.supervisor}))
    return out


class OverrideList(Record):
    """An overrides file: ``{"kind": "matchmaker.overrides", "overrides": [...]}``."""

    kind: Literal["matchmaker.overrides"] = "matchmaker.overrides"
    overrides: tuple[Override, ...] = ()
