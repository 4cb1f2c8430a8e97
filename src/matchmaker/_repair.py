"""Minimal-change re-solves: the best plan under a change that moves the fewest people.

A re-solve takes a *base plan* (applicant id -> supervisor id), a problem (the same round with a forced
placement, or a changed round) and a position for level ``moved`` in the objective vector. Placing
``moved`` after the policy's objective (position 3.5, the default for explanations) picks, among the
optimal plans, the one that moves the fewest people; placing it right after the placed count
(position 2.5, the default for repairs) makes keeping people in place outrank fit.

:func:`repair` is the public form: a previous result and a changed problem (a supervisor on leave, an
applicant who withdrew, places added) give a new result whose decision records the repair and its
:class:`~matchmaker.PlanDiff`, warm-started from the previous plan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from matchmaker._build import build_model
from matchmaker._i18n import msg
from matchmaker._linear import ConstraintPiece, LinearModel, ObjectivePiece, Position
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._pieces import TotalFit, default_constraints, default_objectives
from matchmaker._pieces.change import Disruption, Force, MovePenalty
from matchmaker._result import Move, Placement, PlanDiff, RepairBasis, RepairRecord, Result
from matchmaker._scoring import FIT_SCALE, score
from matchmaker._solve import InfeasibilityText, solve_model
from matchmaker._types import IntArray
from matchmaker.errors import InputError, ValidationIssue

__all__ = [
    "EXPLAIN_POSITION",
    "REPAIR_POSITION",
    "hint_from",
    "plan_diff",
    "plan_of",
    "reoptimise",
    "repair_basis",
    "repeat_repair",
    "resolve_near",
]

#: Level ``moved`` right after the policy's objective: the fewest moves among optimal plans.
EXPLAIN_POSITION: Position = 3.5
#: Level ``moved`` right after the priority tiers and the placed count (and the soft levels 2.1-2.4 of
#: minimums, targets, links and balance): keeping people in place outranks fit.
REPAIR_POSITION: Position = 2.5


def plan_of(result: Result) -> dict[str, str]:
    """A result's plan as applicant id -> supervisor id."""
    return {a.applicant: a.supervisor for a in result.assignments}


def hint_from(model: LinearModel, plan: Mapping[str, str]) -> IntArray:
    """A warm start for ``model``: the pairs of ``plan`` that are still acceptable at 1, every other
    variable at its lower bound (an engine repairs what no longer fits)."""
    sc = model.scores
    enc = sc.encoding
    values = model.var_lb.copy()
    for a, s in plan.items():
        ai, si = enc.applicant_index.get(a), enc.supervisor_index.get(s)
        if ai is not None and si is not None:
            values[np.flatnonzero((sc.applicant == ai) & (sc.supervisor == si))] = 1
    return values


def resolve_near(
    problem: Problem,
    base: Mapping[str, str],
    *,
    position: Position = EXPLAIN_POSITION,
    penalty_points: int | None = None,
    exclude: frozenset[str] = frozenset(),
    options: SolveOptions | None = None,
    constraints: Sequence[ConstraintPiece] = (),
    infeasibility_text: InfeasibilityText | None = None,
) -> Result:
    """Solve ``problem`` with level ``moved`` (relative to ``base``) at ``position``, warm-started from
    ``base``; or, with ``penalty_points``, with every move costing that many fit points in level 3.

    ``exclude`` lists applicants whose moves do not count (one forced elsewhere moves by definition);
    ``constraints`` are added to the problem's own; ``infeasibility_text`` as in
    :func:`matchmaker._solve.solve_problem`.
    """
    opts = options if options is not None else SolveOptions(workers=1)
    scores = score(problem)
    objectives: list[ObjectivePiece] = list(default_objectives(problem))
    if penalty_points is None:
        objectives.append(Disruption(base, position=position, exclude=exclude))
    else:
        objectives = [MovePenalty(base, penalty_points) if isinstance(o, TotalFit) else o for o in objectives]
    model = build_model(
        problem,
        scores,
        constraints=[*default_constraints(problem), *constraints],
        objectives=objectives,
    )
    return solve_model(problem, model, opts, hint=hint_from(model, base), infeasibility_text=infeasibility_text)


def plan_diff(before: Result, after: Result) -> PlanDiff:
    """How ``after``'s plan differs from ``before``'s, applicant by applicant.

    The applicants of ``after``'s round are those it places or lists as unplaced; an applicant placed in
    ``before`` who is neither has withdrawn.
    """
    return _diff(_placements(before), after)


def _placements(result: Result) -> tuple[Placement, ...]:
    return tuple(Placement(applicant=a.applicant, supervisor=a.supervisor, unit=a.unit) for a in result.assignments)


def _diff(before: Sequence[Placement], after: Result) -> PlanDiff:
    old = {a.applicant: a for a in before}
    new = {a.applicant: a for a in after.assignments}
    present = set(new) | {u.applicant for u in after.unplaced}
    moved: list[Move] = []
    placed: list[Move] = []
    unplaced: list[Move] = []
    withdrawn: list[Move] = []
    unchanged = 0
    for ident in sorted(set(old) | set(new)):
        b, c = old.get(ident), new.get(ident)
        if b is not None and c is not None and b.supervisor == c.supervisor:
            unchanged += 1
            continue
        move = Move(
            applicant=ident,
            before=None if b is None else b.supervisor,
            before_unit=None if b is None else b.unit,
            after=None if c is None else c.supervisor,
            after_unit=None if c is None else c.unit,
        )
        if b is None:
            placed.append(move)
        elif c is not None:
            moved.append(move)
        elif ident in present:
            unplaced.append(move)
        else:
            withdrawn.append(move)
    return PlanDiff(
        moved=tuple(moved),
        newly_placed=tuple(placed),
        newly_unplaced=tuple(unplaced),
        withdrawn=tuple(withdrawn),
        unchanged=unchanged,
    )


def repair_basis(result: Result) -> RepairBasis | None:
    """What re-solving ``result`` as the repair it is needs (``None`` if it is not a repair): the
    previous plan, read back from ``decision.repair.diff`` and the plan, and the repair's settings."""
    rec = result.decision.repair
    if rec is None:
        return None
    diff = rec.diff
    changed = {m.applicant for m in (*diff.moved, *diff.newly_placed)}
    previous = [
        Placement(applicant=a.applicant, supervisor=a.supervisor, unit=a.unit)
        for a in result.assignments
        if a.applicant not in changed
    ]
    previous += [
        Placement(applicant=m.applicant, supervisor=m.before, unit=m.before_unit)
        for m in (*diff.moved, *diff.newly_unplaced, *diff.withdrawn)
        if m.before is not None and m.before_unit is not None
    ]
    return RepairBasis(
        previous_fingerprint=rec.previous_fingerprint,
        previous=tuple(sorted(previous, key=lambda p: p.applicant)),
        position=rec.position,
        penalty=rec.penalty,
        keep=rec.keep,
    )


def _keeps(problem: Problem, base: Mapping[str, str], keep: Iterable[str]) -> tuple[str, ...]:
    kept = tuple(dict.fromkeys(keep))
    issues = []
    for i, ident in enumerate(kept):
        if ident not in base:
            issues.append(
                ValidationIssue.of(
                    f"keep[{i}]",
                    msg(
                        "applicant {applicant!r} has no placement in the previous result, so there is nothing to keep",
                        applicant=ident,
                    ),
                    msg("keep only applicants the previous result placed"),
                )
            )
        elif ident not in problem.applicant_by_id:
            issues.append(
                ValidationIssue.of(
                    f"keep[{i}]",
                    msg("applicant {applicant!r} is not in the changed problem (withdrawn?)", applicant=ident),
                    msg("remove the keep, or put the applicant back in the problem"),
                )
            )
    if issues:
        raise InputError(issues)
    return kept


def _penalty_points(problem: Problem, position: float | None, penalty: float | None) -> int | None:
    """Check a repair's position or penalty; the penalty in fit points (``None`` without one)."""
    if position is not None and not (math.isfinite(position) and position > 0):
        raise InputError([ValidationIssue.of("position", msg("is not a positive number"), msg("give e.g. 2.5 or 3.5"))])
    if penalty is None:
        return None
    if not (math.isfinite(penalty) and 0 <= penalty <= 100):
        raise InputError([ValidationIssue.of("penalty", msg("is not a number from 0 to 100"), msg("give e.g. 0.3"))])
    if problem.policy.objective != "total_fit":
        raise InputError(
            [
                ValidationIssue.of(
                    "penalty",
                    msg(
                        "a penalty is paid in fit, but the policy's objective is {objective!r}",
                        objective=problem.policy.objective,
                    ),
                    msg("use a position for level 'moved' instead, or the objective total_fit"),
                )
            ]
        )
    if problem.pair_weights is not None:
        raise InputError(
            [
                ValidationIssue.of(
                    "penalty",
                    msg("a penalty is paid in fit, but the round's pair weights stand in for the fit"),
                    msg("use a position for level 'moved' instead"),
                )
            ]
        )
    return round(penalty * FIT_SCALE)


def reoptimise(
    problem: Problem,
    previous: Result,
    *,
    keep: Iterable[str] = (),
    position: Position | None = None,
    penalty: float | None = None,
    options: SolveOptions | None = None,
    infeasibility_text: InfeasibilityText | None = None,
) -> Result:
    """:func:`matchmaker.reoptimise` without the step after it: an infeasible round's message is worded
    by ``infeasibility_text`` (one plain sentence without it). See the public function for the
    parameters and the errors it raises."""
    if not previous.status.has_plan:
        raise InputError(
            [
                ValidationIssue.of(
                    "previous",
                    msg("the previous result has no plan (status {status})", status=previous.status),
                    msg("repair a result that has a plan, or solve the round afresh with matchmaker.solve"),
                )
            ]
        )
    if position is not None and penalty is not None:
        raise InputError(
            [
                ValidationIssue.of(
                    "penalty", msg("both a position and a penalty are given"), msg("give one of them, or neither")
                )
            ]
        )
    _penalty_points(problem, position, penalty)  # before the numbers go into a record
    basis = RepairBasis(
        previous_fingerprint=previous.decision.input_fingerprint,
        previous=_placements(previous),
        position=None if penalty is not None else (position if position is not None else REPAIR_POSITION),
        penalty=penalty,
        keep=tuple(dict.fromkeys(keep)),
    )
    return repeat_repair(
        problem,
        basis,
        options=options if options is not None else SolveOptions(),
        infeasibility_text=infeasibility_text,
    )


def repeat_repair(
    problem: Problem,
    basis: RepairBasis,
    *,
    options: SolveOptions | None = None,
    infeasibility_text: InfeasibilityText | None = None,
) -> Result:
    """Re-solve ``problem`` as the repair ``basis`` describes (the previous plan, the position of level
    ``moved`` or the penalty, the hard keeps): what :func:`reoptimise` does, from a
    :class:`~matchmaker._result.RepairBasis` instead of the previous result. Reproducing a repaired plan
    and overriding one re-solve this way.

    Raises:
        InputError: as :func:`reoptimise`: an unusable position or penalty, or a keep that names an
            applicant the previous plan did not place or the problem no longer has.
    """
    position, penalty = basis.position, basis.penalty
    if (position is None) == (penalty is None):
        raise InputError(
            [
                ValidationIssue.of(
                    "penalty", msg("give exactly one of a position and a penalty"), msg("e.g. position 2.5")
                )
            ]
        )
    penalty_points = _penalty_points(problem, position, penalty)
    base = {p.applicant: p.supervisor for p in basis.previous}
    kept = _keeps(problem, base, basis.keep)
    result = resolve_near(
        problem,
        base,
        position=position if position is not None else REPAIR_POSITION,
        penalty_points=penalty_points,
        options=options if options is not None else SolveOptions(),
        constraints=[Force(a, supervisor=base[a], kind="keep") for a in kept],
        infeasibility_text=infeasibility_text,
    )
    record = RepairRecord(
        previous_fingerprint=basis.previous_fingerprint,
        position=position,
        penalty=penalty,
        keep=tuple(sorted(kept)),
        diff=_diff(basis.previous, result),
    )
    return result.model_copy(update={"decision": result.decision.model_copy(update={"repair": record})})
