"""Evaluate a plan made by hand: its broken rules, its objective vector, its gap to the optimum, its
blocking pairs, and every difference from the optimum explained by a verified re-solve.

The rules and the objective vector come from the independent checker (:func:`matchmaker.check` and
:func:`matchmaker._checks.level_vector`), never from the solver: the plan is turned into a result and
checked like any other. Each applicant the plan places differently from the optimum is explained by the
minimal-change re-solve of the explanations (:mod:`matchmaker.explanations`): the best plan that gives the
applicant what the hand plan gives them, moving as few others as possible, and the first level of the
objective vector that gets worse. Every claim is a solve, not a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from matchmaker._blocking import blocking_pairs
from matchmaker._build import build_model
from matchmaker._checks import CheckReport, Truth, check, level_vector
from matchmaker._i18n import Message
from matchmaker._linear import ModelBuilder
from matchmaker._metrics import Metrics, compute_metrics
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._pieces import default_constraints, default_objectives
from matchmaker._pieces.change import Disruption, Force
from matchmaker._pipeline import solve
from matchmaker._repair import EXPLAIN_POSITION, plan_of
from matchmaker._result import (
    Assignment,
    Decision,
    LevelValue,
    Result,
    RunStatistics,
    Status,
    Unplaced,
    UnplacedReason,
)
from matchmaker._rules import REMOVAL_ORDER, refusal
from matchmaker._scoring import Scores, applicant_wishes, score
from matchmaker._solve import solve_model, versions
from matchmaker.explanations._applicant import WHAT_IF_MOVED, level_changes, moves_between, require_same_problem
from matchmaker.explanations._types import Lang, LevelChange, Move
from matchmaker.review._plan import Plan, complete_plan

if TYPE_CHECKING:
    from matchmaker._linear import ConstraintPiece

__all__ = [
    "BlockingPair",
    "Counterfactual",
    "LevelGap",
    "PlanDifference",
    "PlanEvaluation",
    "PlanViolation",
    "StabilityAudit",
    "StabilityReport",
    "Unplace",
    "counterfactual",
    "default_stability_audit",
    "evaluate_plan",
    "plan_result",
]

#: A stability audit: given the problem and a plan (applicant id -> supervisor id), the blocking pairs
#: as (applicant id, supervisor id). :func:`default_stability_audit` finds the library's own.
StabilityAudit = Callable[[Problem, Mapping[str, str]], Iterable[tuple[str, str]]]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class PlanViolation(_Out):
    """A rule the plan breaks, as the independent checker reports it: ``kind`` (``unit_max``,
    ``not_acceptable``, ``supervisor_capacity``, ``pin``, ...), the ``record`` and a message.

    For ``not_acceptable`` (the record is the applicant), ``supervisor`` is the supervisor the plan
    gives them and ``rules`` every rule the pair breaks, as :data:`~matchmaker._rules.REASONS` codes in
    the rules' order (the checker's message names only the first).

    ``message`` is in English; ``note``, the checker's message to translate, is not written out (a
    violation read back from JSON shows ``message``).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    kind: str
    record: str
    message: str
    supervisor: str | None = None
    rules: tuple[str, ...] = ()
    note: Message | None = Field(default=None, exclude=True, repr=False)

    def text(self, lang: Lang = "en") -> str:
        """What the checker says, in ``lang``."""
        return self.message if self.note is None else self.note.text(lang)


class LevelGap(_Out):
    """One level of the objective vector in the plan and in the optimum.

    ``gap`` is how much better the optimum is on this level, in the level's own direction (positive: the
    optimum is better; negative: the plan is, which only a plan that breaks a rule can be; ``None``
    without an optimum).
    """

    name: str
    sense: Literal["max", "min"]
    plan: int
    optimum: int | None
    gap: int | None


class BlockingPair(_Out):
    """An applicant and a supervisor who would both rather be placed together than as the plan has it."""

    applicant: str
    supervisor: str
    unit: str


class StabilityReport(_Out):
    """The plan's blocking pairs, when a stability audit is available (``available``); otherwise
    ``blocking_pairs`` is ``None``, never an empty list that would claim a stable plan."""

    available: bool
    blocking_pairs: tuple[BlockingPair, ...] | None


class Counterfactual(_Out):
    """The best plan that gives ``applicant`` what the hand plan gives them (a ``supervisor``, a
    ``unit``, or no place when both are ``None``), found by a minimal-change re-solve from the optimum:
    among the best plans with that placement, the one that moves the fewest others.

    ``first_worse`` is the first level (above the lottery) that gets worse than in the optimum, or
    ``None`` when only the lottery separates the two; ``changes`` lists every level above the lottery
    (``before`` the optimum, ``after`` the counterfactual); ``moves`` the others who move.
    """

    applicant: str
    unit: str | None
    supervisor: str | None
    status: Status
    first_worse: str | None
    changes: tuple[LevelChange, ...]
    moves: tuple[Move, ...]


class PlanDifference(_Out):
    """An applicant whom the plan places differently from the optimum, and why the optimum differs.

    ``outcome``:

    * ``rule``: the plan's placement is not allowed for this applicant, by ``rule`` (a
      :data:`~matchmaker._rules.REASONS` code: ``no_interest``, ``requirement``, ``conflict``, ...;
      for a unit-only entry the rule that removes most of the unit's supervisors); ``rules`` lists
      every rule the plan's (applicant, supervisor) pair breaks;
    * ``worse``: the best plan that gives the applicant the plan's placement is worse at level
      ``counterfactual.first_worse``;
    * ``lottery``: it is as good on every level; the seeded lottery chose the optimum's placement;
    * ``infeasible``: no plan within the rules gives the applicant that placement.
    """

    applicant: str
    plan_unit: str | None
    plan_supervisor: str | None
    supervisor_chosen: bool
    optimum_unit: str | None
    optimum_supervisor: str | None
    outcome: Literal["rule", "worse", "lottery", "infeasible"]
    rule: str | None = None
    rules: tuple[str, ...] = ()
    counterfactual: Counterfactual | None = None


class PlanEvaluation(_Out):
    """Everything :func:`evaluate_plan` finds about a plan made by hand.

    * ``assignments``, ``unplaced``, ``objective`` and ``metrics``: the plan as a result would show it
      (fit, rank and every level recomputed by the checker); ``supervisor_chosen`` lists the applicants
      whose supervisor matchmaker chose for a unit-only entry;
    * ``violations``: every rule the plan breaks (empty: the plan keeps every rule);
    * ``optimum``: the optimal decision it is compared with; ``gaps`` level by level, ``first_better``
      the first level where the optimum is better, ``first_difference`` the first level where the two
      differ (the level that decides which plan is better);
    * ``stability``: the plan's blocking pairs, when available;
    * ``differences``: each applicant placed differently, with the verified reason.
    """

    plan_name: str | None
    assignments: tuple[Assignment, ...]
    unplaced: tuple[Unplaced, ...]
    supervisor_chosen: tuple[str, ...]
    objective: tuple[LevelValue, ...]
    metrics: Metrics
    violations: tuple[PlanViolation, ...]
    optimum: Decision
    gaps: tuple[LevelGap, ...]
    first_better: str | None
    first_difference: str | None
    stability: StabilityReport
    differences: tuple[PlanDifference, ...]

    @property
    def ok(self) -> bool:
        """The plan keeps every rule."""
        return not self.violations

    def text(self, lang: Lang = "en", unit_names: dict[str, str] | None = None) -> str:
        """The evaluation in full sentences (``lang`` ``"en"`` or ``"sv"``)."""
        from matchmaker.report._review import render_evaluation  # on use: sentences are written on the report floor

        return render_evaluation(self, lang, unit_names or {})


class Unplace:
    """A constraint piece: ``applicant`` is not placed (a row over their pairs, at most 0)."""

    name = "unplace"

    def __init__(self, applicant: str) -> None:
        self.applicant = applicant

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One row: the applicant's pairs sum to 0."""
        sc = builder.scores
        pairs = np.flatnonzero(sc.applicant == sc.encoding.applicant_index[self.applicant])
        g = builder.add_group("unplaced", self.applicant, f"applicant {self.applicant!r} is not placed")
        builder.add_row(g, pairs, 1, 0, 0)


def default_stability_audit() -> StabilityAudit:
    """The library's stability audit: :func:`matchmaker.blocking_pairs` of the plan (applicant id ->
    supervisor id), as (applicant id, supervisor id) pairs."""

    def pairs(problem: Problem, plan: Mapping[str, str]) -> list[tuple[str, str]]:
        return [(b.applicant, b.supervisor) for b in blocking_pairs(problem, dict(plan))]

    return pairs


def plan_result(problem: Problem, plan: Mapping[str, str]) -> Result:
    """A plan (applicant id -> supervisor id) as a :class:`~matchmaker.Result` of status ``feasible``,
    with every number recomputed by the checker's own rules (fit, rank, objective levels, metrics), so
    that :func:`matchmaker.check` can verify it like any result. Statistics are empty (engine ``plan``)."""
    truth = Truth(problem)
    assignments = []
    for applicant, sup in sorted(plan.items()):
        a = truth.apps[applicant]
        s = truth.sups[sup]
        points = truth.points(a, sup)
        assignments.append(
            Assignment(
                applicant=applicant,
                supervisor=sup,
                unit=s.unit,
                municipality=truth.units[s.unit].municipality,
                fit=points / 10_000,
                fit_points=points,
                rank=truth.rank(a, sup),
            )
        )
    unplaced = []
    for a in sorted(problem.applicants, key=lambda a: a.id):
        if a.id in plan:
            continue
        if any(truth.refusal(a, sid) is None for sid in truth.sups):
            unplaced.append(Unplaced(applicant=a.id, reason=UnplacedReason.NOT_SELECTED, detail="not in the plan"))
        else:
            unplaced.append(
                Unplaced(
                    applicant=a.id,
                    reason=UnplacedReason.NO_ACCEPTABLE_OPTION,
                    detail="no acceptable option under the rules",
                )
            )
    objective = tuple(
        LevelValue(name=name, sense="max" if sense == "max" else "min", value=value)
        for name, sense, value in level_vector(problem, truth, dict(plan))
    )
    metrics = compute_metrics(
        problem, [(x.unit, x.municipality, x.supervisor, x.fit_points, x.rank) for x in assignments]
    )
    decision = Decision(
        status=Status.FEASIBLE,
        objective=objective,
        assignments=tuple(assignments),
        unplaced=tuple(unplaced),
        input_fingerprint=problem.fingerprint(),
        lottery_seed=problem.policy.lottery_seed,
        metrics=metrics,
    )
    stats = RunStatistics(
        engine="plan",
        wall_time=0.0,
        score_time=0.0,
        build_time=0.0,
        solve_time=0.0,
        workers=0,
        solver_seed=0,
        time_limit=None,
        cancelled=False,
        n_pairs=0,
        n_rows=0,
        stages=(),
        versions=versions(),
    )
    return Result(decision=decision, statistics=stats)


def counterfactual(
    problem: Problem,
    base: Result,
    applicant: str,
    *,
    unit: str | None = None,
    supervisor: str | None = None,
    scores: Scores | None = None,
    options: SolveOptions | None = None,
) -> Counterfactual:
    """The best plan that places ``applicant`` with ``supervisor``, or in ``unit``, or (both ``None``)
    leaves them unplaced, moving as few others of ``base`` as possible; compared with ``base``.

    The same minimal-change re-solve as :func:`matchmaker.explanations.what_if`, for any target.
    """
    sc = scores if scores is not None else score(problem)
    piece: ConstraintPiece
    if unit is None and supervisor is None:
        piece = Unplace(applicant)
    elif supervisor is not None:
        piece = Force(applicant, supervisor=supervisor)
    else:
        piece = Force(applicant, unit=unit)
    before = plan_of(base)
    model = build_model(
        problem,
        sc,
        constraints=[*default_constraints(problem), piece],
        objectives=[
            *default_objectives(problem),
            Disruption(before, position=EXPLAIN_POSITION, exclude=frozenset({applicant}), level=WHAT_IF_MOVED),
        ],
    )
    other = solve_model(problem, model, options or SolveOptions(workers=1))
    if not other.status.has_plan:
        return Counterfactual(
            applicant=applicant,
            unit=unit,
            supervisor=supervisor,
            status=other.status,
            first_worse=None,
            changes=(),
            moves=(),
        )
    changes = level_changes(base.decision.objective, other)
    return Counterfactual(
        applicant=applicant,
        unit=unit,
        supervisor=supervisor,
        status=other.status,
        first_worse=next((c.name for c in changes if c.worse), None),
        changes=changes,
        moves=moves_between(problem, before, plan_of(other), skip=[applicant]),
    )


def _rule_of(problem: Problem, applicant: str, supervisors: Iterable[str]) -> str:
    """The rule that removes the applicant's pairs with ``supervisors`` (the most common one)."""
    wished = applicant_wishes(problem, applicant)
    found: Counter[str] = Counter()
    for s in supervisors:
        rule = refusal(problem, applicant, s) if s in wished else None
        found[rule or "no_interest"] += 1
    order = ("no_interest", *REMOVAL_ORDER)
    return min(found, key=lambda r: (-found[r], order.index(r)))


def _differences(
    problem: Problem,
    plan: Mapping[str, str],
    chosen: frozenset[str],
    optimum: Result,
    options: SolveOptions | None,
) -> tuple[PlanDifference, ...]:
    sups = problem.supervisor_by_id
    best = plan_of(optimum)
    truth = Truth(problem)
    sc = score(problem)
    enc = sc.encoding
    acceptable = {
        (enc.applicant_ids[a], enc.supervisor_ids[s])
        for a, s in zip(sc.applicant.tolist(), sc.supervisor.tolist(), strict=True)
    }
    out = []
    for applicant in sorted(set(plan) | set(best)):
        mine, theirs = plan.get(applicant), best.get(applicant)
        if mine == theirs:
            continue
        mine_unit = sups[mine].unit if mine is not None else None
        theirs_unit = sups[theirs].unit if theirs is not None else None
        open_ = applicant in chosen
        if open_ and mine_unit == theirs_unit:
            continue  # the plan named only the unit, and the optimum uses that unit too
        common = {
            "applicant": applicant,
            "plan_unit": mine_unit,
            "plan_supervisor": mine,
            "supervisor_chosen": open_,
            "optimum_unit": theirs_unit,
            "optimum_supervisor": theirs,
        }
        unit = mine_unit if open_ else None
        supervisor = None if open_ else mine
        if mine is not None:
            targets = [s.id for s in problem.supervisors if s.unit == mine_unit] if open_ else [mine]
            if not any((applicant, s) in acceptable for s in targets):
                rule = _rule_of(problem, applicant, targets)
                rules = tuple(truth.broken_rules(truth.apps[applicant], mine))
                out.append(PlanDifference(**common, outcome="rule", rule=rule, rules=rules))
                continue
        cf = counterfactual(problem, optimum, applicant, unit=unit, supervisor=supervisor, scores=sc, options=options)
        if not cf.status.has_plan:
            out.append(PlanDifference(**common, outcome="infeasible", counterfactual=cf))
        else:
            outcome: Literal["worse", "lottery"] = "lottery" if cf.first_worse is None else "worse"
            out.append(PlanDifference(**common, outcome=outcome, counterfactual=cf))
    return tuple(out)


def _stability(problem: Problem, plan: Mapping[str, str], audit: StabilityAudit | None) -> StabilityReport:
    if audit is None:
        return StabilityReport(available=False, blocking_pairs=None)
    sups = problem.supervisor_by_id
    pairs = sorted(set(audit(problem, dict(plan))))
    return StabilityReport(
        available=True,
        blocking_pairs=tuple(BlockingPair(applicant=a, supervisor=s, unit=sups[s].unit) for a, s in pairs),
    )


def _violations(problem: Problem, plan: Mapping[str, str], report: CheckReport) -> tuple[PlanViolation, ...]:
    """The checker's violations, each unacceptable placement with every rule its pair breaks."""
    truth = Truth(problem)
    out = []
    for v in report:
        if v.kind == "not_acceptable" and v.record in plan:
            sup = plan[v.record]
            rules = tuple(truth.broken_rules(truth.apps[v.record], sup))
            out.append(
                PlanViolation(kind=v.kind, record=v.record, message=v.message, supervisor=sup, rules=rules, note=v.note)
            )
        else:
            out.append(PlanViolation(kind=v.kind, record=v.record, message=v.message, note=v.note))
    return tuple(out)


def _gap(sense: str, plan: int, optimum: int | None) -> int | None:
    if optimum is None:
        return None
    return optimum - plan if sense == "max" else plan - optimum


def evaluate_plan(
    problem: Problem,
    plan: Plan | Mapping[str, str],
    *,
    optimum: Result | None = None,
    options: SolveOptions | None = None,
    explain: bool = True,
    stability: StabilityAudit | None = None,
) -> PlanEvaluation:
    """Evaluate a plan made by hand against the rules and the optimum of ``problem``.

    Args:
        problem: the round.
        plan: a :class:`~matchmaker.Plan`, or a mapping applicant id -> supervisor id. A unit-only entry
            gets its supervisor as :mod:`matchmaker.review._plan` describes (one who keeps every rule
            when there is one, then the fewest broken rules, the highest fit, the first id), within
            the unit the plan names.
        optimum: the optimal result to compare with (solved for ``problem`` if not given).
        options: solve options for the optimum and the re-solves.
        explain: explain each difference from the optimum by a re-solve (one per applicant placed
            differently); ``False`` skips them.
        stability: a stability audit (see :data:`StabilityAudit`); by default the library's own
            (:func:`default_stability_audit`), and when there is none the report says "not available".

    Returns:
        A :class:`PlanEvaluation`: broken rules, objective vector, gaps, blocking pairs and differences.

    Raises:
        ProblemValidationError: the plan names ids the problem lacks, or a supervisor outside the named unit.
        ResultMismatchError: ``optimum`` was solved for another problem.
    """
    if isinstance(plan, Plan):
        mapping, chosen = complete_plan(problem, plan)
        name = plan.name
    else:
        mapping, chosen = complete_plan(
            problem, Plan.model_validate({"entries": [{"applicant": a, "supervisor": s} for a, s in plan.items()]})
        )
        name = None
    hand = plan_result(problem, mapping)
    report = check(problem, hand)
    if optimum is None:
        optimum = solve(problem, options)
    else:
        require_same_problem(problem, optimum)
    best = {lv.name: lv.value for lv in optimum.decision.objective} if optimum.status.has_plan else {}
    values = {lv.name: (lv.sense, lv.value) for lv in hand.decision.objective if lv.value is not None}
    gaps = tuple(
        LevelGap(name=name, sense=sense, plan=value, optimum=best.get(name), gap=_gap(sense, value, best.get(name)))
        for name, (sense, value) in values.items()
    )
    audit = stability if stability is not None else default_stability_audit()
    differences = _differences(problem, mapping, chosen, optimum, options) if explain and best else ()
    assert hand.decision.metrics is not None
    return PlanEvaluation(
        plan_name=name,
        assignments=hand.decision.assignments,
        unplaced=hand.decision.unplaced,
        supervisor_chosen=tuple(sorted(chosen)),
        objective=hand.decision.objective,
        metrics=hand.decision.metrics,
        violations=_violations(problem, mapping, report),
        optimum=optimum.decision,
        gaps=gaps,
        first_better=next((g.name for g in gaps if g.gap is not None and g.gap > 0), None),
        first_difference=next((g.name for g in gaps if g.gap), None),
        stability=_stability(problem, mapping, audit),
        differences=differences,
    )
