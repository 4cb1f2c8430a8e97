"""Supervisor planning: what one more supervisor at each unit would add, and the fewest to place N more.

**A new supervisor** is a supervisor record with a fresh id, in the unit, with the given training and
capacity, no load limit and no unavailable periods. Nothing in the round names them, so every pair is
decided by what the round says about the *unit*: an applicant's wish for the unit or its area (a wish
for one named supervisor does not reach them), the unit's requirements, its own ranking and the
interview scores for it, adjustments and pair weights given for the unit, conflicts declared with the
unit, and the continuity bonus for an applicant's previous unit. This is what an existing supervisor
of the unit with the same training would get from the records, less whatever names that supervisor
by id. Training enters through the policy's ``supervisor_training`` rule only (it never changes a
fit): a new supervisor whose training falls short takes no one.

**Places follow supervisors** (``unit_places="grow"``, the default): each new supervisor brings their
capacity to the unit's ``max_places`` (and to the municipality's, when it has its own cap), as a unit
whose places are set by its supervisors would. With ``"keep"`` the caps stay as they are, and a new
supervisor helps only where the supervisors, not the unit's cap, were what ran short.

:func:`plan_supervisors` solves the round and, for each unit and each training status, the round
with one new supervisor there (training statuses the policy treats alike share one solve), on the
scenario machinery (any executor), every result checked by the independent checker. With ``more``,
it also finds the fewest new supervisors with which the round's plan places ``more`` applicants more:
an integer model (:mod:`matchmaker._engines.staffing`: how many new supervisors in each unit, cost 1
each, with every capacity and pin of the round) gives the fewest that any plan could use, the round
is solved again with them and checked, and if the policy's other rules (balance, group rules, links,
minimums, loads, stability) keep its plan short, that count vector is cut off and the next fewest is
tried: the first that the real solve confirms is the answer.

**Training a supervisor of the round** is the other way to more places where the policy's
``supervisor_training`` rule is not ``"any"``: each supervisor who falls short of it (and takes
students) is, in turn, given the least training that meets it (:class:`~matchmaker.TrainSupervisor`),
the round solved again and checked, and compared like a new supervisor (``SupervisorPlanning.trainings``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from matchmaker._checks import CheckReport, check
from matchmaker._cluster import share
from matchmaker._engines.staffing import StaffingModel, fewest_additions, most_placed
from matchmaker._i18n import msg
from matchmaker._models import Problem, TrainingStatus
from matchmaker._options import SolveOptions
from matchmaker._repair import plan_diff
from matchmaker._result import Result, Status
from matchmaker._rules import trained_enough
from matchmaker._scenarios import AddSupervisor, Change, ChangePlaces, Scenario, TrainSupervisor, apply_scenario
from matchmaker._scoring import FIT_SCALE, score
from matchmaker._solve import solve_problem
from matchmaker._text import norm_key
from matchmaker.errors import InputError, ProblemValidationError, ValidationIssue

__all__ = [
    "FewestSupervisors",
    "SupervisorAddition",
    "SupervisorOption",
    "SupervisorPlanning",
    "plan_supervisors",
]

#: The training statuses, least first.
_STATUSES = (TrainingStatus.NONE, TrainingStatus.IN_PROGRESS, TrainingStatus.COMPLETED)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class SupervisorOption(_Out):
    """The round with one new supervisor in ``unit`` with ``training``, against the round as it is.

    ``placed_gain`` and ``fit_gain`` (the total fit of the plan, in fit units) are the differences from
    the base plan; ``lowest_fill_rate`` is the lowest municipality fill rate of the plan (placed /
    offered places; the fairness of the municipality balance) and ``fill_rate_change`` its difference
    from the base plan's; ``lowest_group_rate`` and ``group_rate_change`` the same for the lowest placed
    rate of an applicant group of a family the policy's group rules name (``None`` without group rules).
    ``newly_placed`` are the applicants the plan places who the base plan did not, ``newly_unplaced``
    the reverse, ``moved`` how many placed in both change supervisor. ``status`` is ``None`` when the
    changed round is not valid (``message`` says why).
    """

    unit: str
    municipality: str
    training: TrainingStatus
    supervisor: str
    status: Status | None
    placed: int
    placed_gain: int
    fit: float
    fit_gain: float
    lowest_fill_rate: float | None
    fill_rate_change: float | None
    lowest_group_rate: float | None = None
    group_rate_change: float | None = None
    newly_placed: tuple[str, ...]
    newly_unplaced: tuple[str, ...]
    moved: int
    message: str | None = None
    #: ``True``: ``supervisor`` is a new supervisor; ``False``: a supervisor of the round, trained to
    #: ``training`` (see :attr:`SupervisorPlanning.trainings`).
    new: bool = True


class SupervisorAddition(_Out):
    """``count`` new supervisors in ``unit``, with ``training``."""

    unit: str
    training: TrainingStatus
    count: int


class FewestSupervisors(_Out):
    """The fewest new supervisors with which the round's plan places ``more`` applicants more.

    ``outcome``:

    * ``"found"``: ``additions`` (``total`` supervisors in all) are the fewest; the round solved again
      with them places ``placed`` (at least ``target``), checked; ``newly_placed`` are its new applicants;
    * ``"impossible"``: no number of new supervisors lets any plan place ``target``: at most
      ``most_placed`` applicants can be placed, ``without_option`` applicants have no acceptable option
      in any unit even with a new supervisor;
    * ``"blocked"``: some plan with new supervisors places ``target``, but with every count within the
      search bounds the policy's other rules keep the round's plan below it;
    * ``"unproven"``: ``tried`` count vectors were solved again without reaching ``target`` (or an
      integer model was not solved in time), and the search stopped; raise ``max_tries``.
    * ``"untrained"``: none of the training statuses asked for meets the policy's
      ``supervisor_training``, so a new supervisor takes no one;
    * ``"no_plan"``: the round as it is has no plan (see :func:`explain_infeasibility`), so there is no
      count to add to.
    """

    more: int
    target: int
    outcome: Literal["found", "impossible", "blocked", "unproven", "untrained", "no_plan"]
    additions: tuple[SupervisorAddition, ...] = ()
    total: int | None = None
    placed: int | None = None
    newly_placed: tuple[str, ...] = ()
    most_placed: int | None = None
    without_option: int | None = None
    tried: int = 0


class SupervisorPlanning(_Out):
    """What new supervisors would add to a round (see :func:`plan_supervisors`).

    ``options`` has one entry per unit and training status (sorted by unit, then training, least
    first); ``trainings`` one per supervisor of the round who falls short of the policy's
    ``supervisor_training`` and takes students (sorted by id): that supervisor trained to the least
    status that meets it, instead of a new supervisor (empty when the policy accepts any training);
    ``fewest`` answers ``more`` (``None`` when it was not asked).
    """

    base_status: Status
    base_placed: int
    base_fit: float
    base_lowest_fill_rate: float | None
    base_lowest_group_rate: float | None = None
    applicants: int
    capacity: int
    unit_places: Literal["grow", "keep"]
    supervisor_training: str
    options: tuple[SupervisorOption, ...]
    trainings: tuple[SupervisorOption, ...] = ()
    fewest: FewestSupervisors | None = None

    def best(self, by: Literal["placed", "fit"] = "placed") -> tuple[SupervisorOption, ...]:
        """The options that add the most placements (``by="placed"``; ties by fit) or the most fit
        (``by="fit"``; ties by placements), best first; ties keep the order of ``options``."""
        if by == "placed":
            return tuple(sorted(self.options, key=lambda o: (-o.placed_gain, -o.fit_gain)))
        return tuple(sorted(self.options, key=lambda o: (-o.fit_gain, -o.placed_gain)))


def _fit(result: Result) -> int:
    """The plan's total fit in points."""
    return sum(a.fit_points for a in result.assignments)


def _lowest_fill(result: Result) -> float | None:
    metrics = result.decision.metrics
    if metrics is None:
        return None
    rates = [m.fill_rate for m in metrics.municipalities if m.fill_rate is not None]
    return min(rates) if rates else None


def _lowest_group_rate(problem: Problem, result: Result) -> float | None:
    """The lowest placed / size over the groups of the families the policy's group rules name."""
    families = {rule.family for rule in problem.policy.group_rules}
    if not families:
        return None
    placed = {a.applicant for a in result.assignments}
    size: dict[tuple[str, str], int] = {}
    got: dict[tuple[str, str], int] = {}
    for applicant in problem.applicants:
        for family, group in applicant.groups.items():
            if family in families:
                size[family, group] = size.get((family, group), 0) + 1
                got[family, group] = got.get((family, group), 0) + (applicant.id in placed)
    return min((got[key] / n for key, n in size.items()), default=None)


def _change(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before


def _fresh_id(problem: Problem, stem: str) -> str:
    """``stem``, or ``stem-2``, ``stem-3``, ...: the first that no supervisor of ``problem`` has."""
    taken = {norm_key(s.id) for s in problem.supervisors}
    ident, k = stem, 1
    while norm_key(ident) in taken:
        k += 1
        ident = f"{stem}-{k}"
    return ident


def _additions(
    problem: Problem, unit: str, idents: Sequence[str], training: TrainingStatus, capacity: int, *, grow: bool
) -> list[Change]:
    """The changes that add supervisors ``idents`` to ``unit`` (and, with ``grow``, their places)."""
    changes: list[Change] = [
        AddSupervisor(supervisor=ident, unit=unit, capacity=capacity, training=training) for ident in idents
    ]
    if grow and idents:
        places = capacity * len(idents)
        changes.append(ChangePlaces(unit=unit, places=places))
        muni = problem.municipality_by_id[problem.unit_by_id[unit].municipality]
        if muni.max_places is not None:
            changes.append(ChangePlaces(municipality=muni.id, places=places))
    return changes


#: What a solve in the batch brings back: the result and its check, or why the round is not valid.
_Solved = tuple[Result | None, CheckReport | None, str | None]


def _solve_checked(problem: Problem, scenario: Scenario | None, options: SolveOptions) -> _Solved:
    """Solve the round or one variant of it and check the result (module level, for a process pool)."""
    try:
        changed = problem if scenario is None else apply_scenario(problem, scenario)
    except (ProblemValidationError, InputError) as exc:
        return None, None, "; ".join(f"{i.location}: {i.message}" for i in exc.issues)
    # The solve without the explanation of an infeasible round: the planning shows no round's message.
    result = solve_problem(changed, options)
    return result, check(changed, result), None


def _batch(
    problem: Problem, jobs: Sequence[Scenario | None], executor: Executor | None, options: SolveOptions
) -> list[_Solved]:
    if executor is None:
        done = [_solve_checked(problem, job, options) for job in jobs]
    else:
        shipped = share(executor, problem)
        futures = [executor.submit(_solve_checked, shipped, job, options) for job in jobs]
        done = [f.result() for f in futures]
    for _, report, _ in done:
        if report is not None:
            report.raise_if_invalid()  # a solver result that fails its check is a bug, never a plan
    return done


def _option(
    problem: Problem, unit: str, training: TrainingStatus, ident: str, solved: _Solved, base: Result
) -> SupervisorOption:
    result, _, message = solved
    muni = problem.unit_by_id[unit].municipality
    base_fill = _lowest_fill(base)
    if result is None or not result.status.has_plan:
        return SupervisorOption(
            unit=unit, municipality=muni, training=training, supervisor=ident,
            status=None if result is None else result.status, placed=0, placed_gain=-len(base.assignments),
            fit=0.0, fit_gain=-_fit(base) / FIT_SCALE, lowest_fill_rate=None, fill_rate_change=None,
            newly_placed=(), newly_unplaced=(), moved=0,
            message=message if result is None else result.decision.message,
        )  # fmt: skip
    diff = plan_diff(base, result)
    fill = _lowest_fill(result)
    groups = _lowest_group_rate(problem, result)
    return SupervisorOption(
        unit=unit,
        municipality=muni,
        training=training,
        supervisor=ident,
        status=result.status,
        placed=len(result.assignments),
        placed_gain=len(result.assignments) - len(base.assignments),
        fit=_fit(result) / FIT_SCALE,
        fit_gain=(_fit(result) - _fit(base)) / FIT_SCALE,
        lowest_fill_rate=fill,
        fill_rate_change=_change(fill, base_fill),
        lowest_group_rate=groups,
        group_rate_change=_change(groups, _lowest_group_rate(problem, base)),
        newly_placed=tuple(m.applicant for m in diff.newly_placed),
        newly_unplaced=tuple(m.applicant for m in diff.newly_unplaced),
        moved=len(diff.moved),
    )


def _pool_model(
    problem: Problem, training: TrainingStatus, capacity: int, *, grow: bool
) -> tuple[StaffingModel, list[str], int]:
    """The integer model's arrays: the round with one pool per unit that can hold every applicant, and
    the units in pool order; also how many applicants have no acceptable option even then."""
    n = len(problem.applicants)
    units = sorted(u.id for u in problem.units)
    bound = math.ceil(n / capacity)
    changes: list[Change] = []
    pool_ids: list[str] = []
    for unit in units:
        ident = _fresh_id(problem, f"pool-{unit}")
        pool_ids.append(ident)
        changes.append(AddSupervisor(supervisor=ident, unit=unit, capacity=bound * capacity, training=training))
        if grow:
            changes.append(ChangePlaces(unit=unit, places=bound * capacity))
    if grow:
        for muni in problem.municipalities:
            if muni.max_places is not None:
                k = sum(1 for u in problem.units if u.municipality == muni.id)
                changes.append(ChangePlaces(municipality=muni.id, places=k * bound * capacity))
    pooled = apply_scenario(problem, Scenario(name="pools", changes=tuple(changes)))
    sc = score(pooled)
    enc = sc.encoding
    pool_of = {ident: c for c, ident in enumerate(pool_ids)}
    supervisor_pool = np.array([pool_of.get(s, -1) for s in enc.supervisor_ids], dtype=np.int64)
    model = StaffingModel(
        n_applicants=enc.n_applicants,
        pair_applicant=sc.applicant.astype(np.int64),
        pair_supervisor=sc.supervisor.astype(np.int64),
        supervisor_capacity=enc.supervisor_capacity,
        supervisor_pool=supervisor_pool,
        supervisor_unit=enc.supervisor_unit,
        unit_max=np.array([problem.unit_by_id[u].max_places for u in enc.unit_ids], dtype=np.int64),
        unit_municipality=enc.unit_municipality,
        municipality_max=np.array(
            [-1 if (m := problem.municipality_by_id[i].max_places) is None else m for i in enc.municipality_ids],
            dtype=np.int64,
        ),
        pool_unit=np.array([enc.unit_index[u] for u in units], dtype=np.int64),
        pool_bound=np.full(len(units), bound, dtype=np.int64),
        new_capacity=capacity,
        grow=grow,
        pins=tuple(pairs for _, pairs in sc.pins),
    )
    without = n - len(np.unique(sc.applicant))
    return model, units, without


def _fewest(
    problem: Problem,
    base: Result,
    more: int,
    training: TrainingStatus | None,
    capacity: int,
    *,
    grow: bool,
    executor: Executor | None,
    options: SolveOptions,
    max_tries: int,
) -> FewestSupervisors:
    base_placed = len(base.assignments)
    target = base_placed + more
    if not base.status.has_plan:
        return FewestSupervisors(more=more, target=target, outcome="no_plan")
    if more == 0:
        return FewestSupervisors(more=0, target=target, outcome="found", total=0, placed=base_placed)
    if training is None:
        return FewestSupervisors(more=more, target=target, outcome="untrained")
    model, units, without = _pool_model(problem, training, capacity, grow=grow)
    tried: list[tuple[int, ...]] = []
    seed, limit = options.solver_seed, options.time_limit
    while len(tried) < max_tries:
        found = fewest_additions(model, target, excluded=tried, seed=seed, time_limit=limit)
        if found.status == "unknown" or found.counts is None:
            break
        counts = found.counts
        changes: list[Change] = []
        for unit, k in zip(units, counts, strict=True):
            idents: list[str] = []
            for j in range(k):
                idents.append(_fresh_id(problem, f"new-{unit}-{j + 1}"))
            changes.extend(_additions(problem, unit, idents, training, capacity, grow=grow))
        scenario = Scenario(name="fewest", changes=tuple(changes))
        ((result, _, _),) = _batch(problem, [scenario], executor, options)
        tried.append(counts)
        if result is not None and result.status.has_plan and len(result.assignments) >= target:
            diff = plan_diff(base, result)
            additions = tuple(
                SupervisorAddition(unit=u, training=training, count=k)
                for u, k in zip(units, counts, strict=True)
                if k > 0
            )
            return FewestSupervisors(
                more=more,
                target=target,
                outcome="found",
                additions=additions,
                total=sum(counts),
                placed=len(result.assignments),
                newly_placed=tuple(m.applicant for m in diff.newly_placed),
                tried=len(tried),
            )
    else:
        return FewestSupervisors(more=more, target=target, outcome="unproven", tried=len(tried))
    if found.status == "unknown":
        return FewestSupervisors(more=more, target=target, outcome="unproven", tried=len(tried))
    if not tried:
        most = most_placed(model, seed=seed, time_limit=limit)
        return FewestSupervisors(
            more=more, target=target, outcome="impossible", most_placed=most, without_option=without, tried=0
        )
    return FewestSupervisors(more=more, target=target, outcome="blocked", tried=len(tried))


def plan_supervisors(
    problem: Problem,
    result: Result | None = None,
    *,
    statuses: Sequence[TrainingStatus | str] | None = None,
    more: int | None = None,
    capacity: int = 1,
    unit_places: Literal["grow", "keep"] = "grow",
    executor: Executor | None = None,
    options: SolveOptions | None = None,
    max_tries: int = 20,
) -> SupervisorPlanning:
    """What one more supervisor in each unit would add to the round, and the fewest to place ``more``.

    For each unit and each training status of ``statuses`` (default: all three), the round is solved
    again with one new supervisor there who takes ``capacity`` students (see the module docstring for
    what a new supervisor may take, and ``unit_places`` for the unit's cap), and compared with the
    round's plan (``result``, or the round solved here): placements gained, total fit gained, the change
    of the lowest municipality fill rate, and who would be placed. Statuses that the policy's
    ``supervisor_training`` treats alike share one solve. The solves go through ``executor`` when given
    (as :func:`compare_scenarios` does), with ``options`` (default: one worker per solve); every result
    is checked by the independent checker. Likewise, each supervisor of the round who falls short of
    ``supervisor_training`` and takes students, trained to the least status that meets it
    (``SupervisorPlanning.trainings``).

    With ``more``, also the fewest new supervisors (each with the least training of ``statuses`` that
    the policy accepts, and ``capacity``) with which the round's plan places ``more`` applicants more,
    exactly: see :class:`FewestSupervisors`. ``max_tries`` bounds how many count vectors are solved again
    when the policy's other rules keep the plan below the target.

    Raises:
        InputError: ``result`` is not a plan of ``problem``, or an argument is out of range.
        CheckFailedError: a solve's result fails the independent check (a bug).
    """
    issues: list[ValidationIssue] = []
    if capacity < 1:
        issues.append(ValidationIssue.of("capacity", msg("must be at least 1"), msg("give a whole number of students")))
    if more is not None and more < 0:
        issues.append(ValidationIssue.of("more", msg("must be at least 0"), msg("give how many more to place")))
    if max_tries < 1:
        issues.append(ValidationIssue.of("max_tries", msg("must be at least 1"), msg("give a whole number")))
    if result is not None and result.decision.input_fingerprint != problem.fingerprint():
        issues.append(
            ValidationIssue.of(
                "result", msg("was solved for a different problem"), msg("give the result of this problem")
            )
        )
    known = {str(t): t for t in _STATUSES}
    given = [str(s) for s in (statuses if statuses is not None else _STATUSES)]
    for word in sorted({w for w in given if w not in known}):
        issues.append(
            ValidationIssue.of(
                "statuses",
                msg("{value!r} is not a training status", value=word),
                msg("use none, in_progress or completed"),
            )
        )
    wanted = tuple(t for t in _STATUSES if str(t) in given)
    if not given:
        issues.append(ValidationIssue.of("statuses", msg("is empty"), msg("give at least one training status")))
    if unit_places not in ("grow", "keep"):
        issues.append(ValidationIssue.of("unit_places", msg("must be 'grow' or 'keep'"), msg("use one of them")))
    if issues:
        raise InputError(issues)
    opts = options if options is not None else SolveOptions(workers=1)
    grow = unit_places == "grow"
    policy = problem.policy.supervisor_training
    # The policy treats statuses alike when each meets its rule or each falls short: one solve per class.
    classes = sorted({trained_enough(t, policy) for t in wanted}, reverse=True)
    units = sorted(problem.units, key=lambda u: u.id)
    jobs: list[Scenario | None] = [] if result is not None else [None]
    idents = {u.id: _fresh_id(problem, f"new-{u.id}") for u in units}
    keys: list[tuple[str, bool]] = []
    for unit in units:
        for trained in classes:
            training = next(t for t in wanted if trained_enough(t, policy) == trained)
            changes = _additions(problem, unit.id, [idents[unit.id]], training, capacity, grow=grow)
            jobs.append(Scenario(name=f"{unit.id}:{training}", changes=tuple(changes)))
            keys.append((unit.id, trained))
    # Each supervisor who falls short of the training rule, trained to the least status that meets it.
    least = next(t for t in _STATUSES if trained_enough(t, policy))
    short = sorted(
        (s for s in problem.supervisors if s.capacity > 0 and not trained_enough(s.training, policy)),
        key=lambda s: s.id,
    )
    trained_jobs = [
        Scenario(name=f"train:{s.id}", changes=(TrainSupervisor(supervisor=s.id, training=least),)) for s in short
    ]
    done = _batch(problem, [*jobs, *trained_jobs], executor, opts)
    done, trained_done = done[: len(done) - len(trained_jobs)], done[len(done) - len(trained_jobs) :]
    if result is None:
        base_solved, done = done[0], done[1:]
        base = base_solved[0]
        assert base is not None  # the round itself is valid: it was constructed
    else:
        check(problem, result).raise_if_invalid()
        base = result
    by_key = dict(zip(keys, done, strict=True))
    option_list = [
        _option(problem, unit.id, t, idents[unit.id], by_key[unit.id, trained_enough(t, policy)], base)
        for unit in units
        for t in wanted
    ]
    trainings = tuple(
        _option(problem, s.unit, least, s.id, solved, base).model_copy(update={"new": False})
        for s, solved in zip(short, trained_done, strict=True)
    )
    accepted = next((t for t in wanted if trained_enough(t, policy)), None)
    fewest = None
    if more is not None:
        fewest = _fewest(
            problem, base, more, accepted, capacity, grow=grow, executor=executor, options=opts, max_tries=max_tries
        )
    return SupervisorPlanning(
        base_status=base.status,
        base_placed=len(base.assignments),
        base_fit=_fit(base) / FIT_SCALE,
        base_lowest_fill_rate=_lowest_fill(base),
        base_lowest_group_rate=_lowest_group_rate(problem, base),
        applicants=len(problem.applicants),
        capacity=capacity,
        unit_places=unit_places,
        supervisor_training=policy,
        options=tuple(option_list),
        trainings=trainings,
        fewest=fewest,
    )
