"""The solve floor: score, build, optimise lexicographically, decode; the input is never changed.

The public :func:`matchmaker.solve` (:mod:`matchmaker._pipeline`) is :func:`solve_problem` with the
explanation of an infeasible round as a step after it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import platform
import time
from collections.abc import Callable, Iterator
from importlib import metadata

import numpy as np
import scipy.sparse as sp

from matchmaker._build import build_model
from matchmaker._decode import decode
from matchmaker._direct import direct_round, solve_direct
from matchmaker._engines.auto import AutoSession
from matchmaker._engines.base import CancelToken
from matchmaker._engines.cpsat import CpSatSession, infeasible_groups
from matchmaker._engines.deferred_acceptance import applies, deferred_acceptance, unit_proposing
from matchmaker._engines.flow import network_of
from matchmaker._engines.parametric import by_parameter
from matchmaker._engines.rotations import two_sided_plan
from matchmaker._engines.stable_start import stable_start
from matchmaker._lexicographic import LexicographicOutcome, StageRecord, run
from matchmaker._lift import lift, relax
from matchmaker._limits import check_problem_size
from matchmaker._linear import LinearModel, Objective, SlackRule, Stage, plan_stages
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._pieces import default_constraints
from matchmaker._progress import ProgressCallback, Reporter
from matchmaker._result import Result, RunStatistics, StageStatistics, Status
from matchmaker._scoring import Scores, score
from matchmaker._types import IntArray

__all__ = ["InfeasibilityText", "core_message", "solve_model", "solve_problem", "versions"]

logger = logging.getLogger("matchmaker")


#: Words the message of an infeasible result from the problem, its model and the options.
InfeasibilityText = Callable[[Problem, LinearModel, SolveOptions], str]


def versions() -> dict[str, str]:
    """Versions of matchmaker and the libraries that shape a decision."""
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    # Read once per process: the installed distributions' metadata cost milliseconds per lookup.
    out = {"python": platform.python_version()}
    for dist in ("matchmaker", "ortools", "pydantic", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return tuple(out.items())


def core_message(model: LinearModel, options: SolveOptions) -> str:
    """The infeasibility in one paragraph from a quick core of the model's constraint groups."""
    core = infeasible_groups(model, options)
    head = "No plan satisfies every constraint."
    if not core:
        return head + " Check unit and municipality minimums and pins against the acceptable applicants."
    labels = [model.groups[g].label for g in core]
    if len(labels) == 1:
        return f"{head} This constraint cannot hold: {labels[0]}."
    return f"{head} These {len(labels)} constraints cannot all hold together: " + "; ".join(labels) + "."


def _two_sided_by_poset(problem: Problem, scores: Scores) -> IntArray | None:
    """The plan of a two-sided objective among stable plans, from the rotation poset, when the round is a
    hospitals/residents instance with strict preferences and nothing beside stability that the poset does
    not know (links, balance); ``None`` otherwise. Minimums and targets do not stop it: every stable plan
    fills each unit alike, and a plan that fails them is refused when its levels are completed."""
    policy = problem.policy
    stability = policy.stability
    if stability is None or stability.mode != "optimise" or stability.ties != "lottery":
        return None
    if problem.links or policy.balance is not None:
        return None
    if policy.objective == "egalitarian_two_sided":
        return two_sided_plan(scores, "egalitarian", levels=True)
    if policy.objective == "minimum_regret_two_sided":
        return two_sided_plan(scores, "minimum_regret", levels=True)
    return None


def solve_problem(
    problem: Problem,
    options: SolveOptions | None = None,
    *,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    infeasibility_text: InfeasibilityText | None = None,
) -> Result:
    """Score, build, solve and decode ``problem``: :func:`matchmaker.solve` without the step after it.

    ``infeasibility_text`` words the message of an infeasible result (the public ``solve`` passes the
    explanation of :mod:`matchmaker._pipeline`); without it the message is one plain sentence.
    """
    if not isinstance(problem, Problem):
        raise TypeError(
            f"solve() needs a matchmaker.Problem, not {type(problem).__name__}; build one with "
            "Problem.model_validate(data) or matchmaker.load_problem(path)"
        )
    opts = options if options is not None else SolveOptions()
    check_problem_size(problem)
    t0 = time.perf_counter()
    if progress is None or isinstance(progress, Reporter):
        return _solve_problem(problem, opts, cancel, progress, infeasibility_text, t0)
    # One reporter for the whole solve: its phases and a tick from scoring to the decoded plan.
    reporter = Reporter(progress, started=t0)
    reporter.start()
    status: str | None = None
    try:
        result = _solve_problem(problem, opts, cancel, reporter, infeasibility_text, t0)
        status = result.status.value
    finally:
        reporter.finish(status)
    return result


def _solve_problem(
    problem: Problem,
    opts: SolveOptions,
    cancel: CancelToken | None,
    reporter: Reporter | None,
    infeasibility_text: InfeasibilityText | None,
    t0: float,
) -> Result:
    """:func:`solve_problem` after its checks, reporting to ``reporter`` (started by the caller)."""
    if reporter is not None:
        reporter.phase("score")
    scores = score(problem)
    t1 = time.perf_counter()
    if reporter is not None:
        reporter.phase("build")
    hint = None
    full: IntArray | None = None  # a plan of the whole model, to take as the hint
    bound: Callable[[Objective], int | None] | None = None
    stability = problem.policy.stability
    if stability is not None and stability.ties == "lottery" and opts.engine == "auto":
        # A plan known to be the lexicographic optimum of the stable model: the two-sided optimum of a
        # hospitals/residents round from the rotation poset (engines/rotations.py), or the applicant- or
        # unit-optimal plan from deferred acceptance (engines/deferred_acceptance.py). Only the levels'
        # values are left to find, on the model without the stability rows (the decision's audit and the
        # checker confirm that the plan has no blocking pair).
        poset = _two_sided_by_poset(problem, scores)
        fast = poset is None and applies(problem, scores)
        plan = unit_proposing(scores) if fast and stability.mode == "unit_optimal" else deferred_acceptance(scores)
        known = (poset, "rotations") if poset is not None else (plan, "deferred-acceptance") if fast else None
        if known is not None and known[0] is not None:
            unstable = [c for c in default_constraints(problem) if c.name != "stability"]
            levels_only = build_model(problem, scores, constraints=unstable)
            if reporter is not None:
                reporter.phase("solve")
            completed = _complete(levels_only, opts, known[0])
            if completed is not None:
                times = (t0, t1, time.perf_counter())
                return _result(problem, levels_only, opts, completed, known[1], times, infeasibility_text, reporter)
        model = build_model(problem, scores)
        completed = None if plan is None else _complete(model, opts, plan)
        hint = None if completed is None else completed.values
    else:
        # A pure capacity round goes from the scores straight to the network's stages (_direct.py); any
        # other round, or one whose flow a stage does not certify, builds the general model.
        direct = direct_round(problem, scores, opts) if stability is None else None
        if direct is not None:
            t2 = time.perf_counter()
            if reporter is not None:
                reporter.phase("solve")
            outcome = solve_direct(direct, opts, cancel=cancel, progress=reporter)
            if outcome is not None:
                times = (t0, t1, t2)
                model, rows = direct.levels_model, direct.network.n_rows
                return _result(problem, model, opts, outcome, "flow", times, infeasibility_text, reporter, rows)
            del direct
        model = build_model(problem, scores)
    if (
        stability is not None
        and hint is None
        and opts.engine == "auto"
        and np.any(scores.encoding.municipality_max >= 0)
    ):
        # Municipality caps that can bind leave deferred acceptance without a plan the model takes: a
        # start from a walk to stability within the caps (engines/stable_start.py). When the model takes
        # it, and it reaches the first stage's bound without stability, that stage is proven; else that
        # bound is a cut for the stage's search.
        strict = stability.ties == "lottery"
        start = None
        # With unit minimums, first a walk from a start that keeps their places within the caps.
        for reserve in (True, False) if np.any(scores.encoding.unit_min > 0) else (False,):
            tried = stable_start(scores, strict=strict, reserve=reserve)
            start = tried if start is None else start
            full = None if tried is None else _completion(model, opts, tried)
            if full is not None:
                break
        bound = _relaxed_bound(problem, scores, model, opts)
        if full is not None:
            hint = full
        elif start is not None:
            hint = start  # the pair variables only: the search completes or repairs it
    return solve_model(
        problem,
        model,
        opts,
        cancel=cancel,
        hint=hint,
        started=t0,
        scored=t1,
        progress=reporter,
        infeasibility_text=infeasibility_text,
        bound=bound,
        hint_is_plan=full is not None,
    )


#: The most time the bound without stability may take (it is a flow or an LP in the rounds it helps).
_BOUND_TIME = 5.0


def _relaxed_bound(
    problem: Problem, scores: Scores, model: LinearModel, options: SolveOptions
) -> Callable[[Objective], int | None]:
    """A stage objective's proven maximum over the model without its stability rows (a relaxation: the
    same pairs and every other row), or ``None`` if not proven quickly or not over the pairs alone."""
    unstable = [c for c in default_constraints(problem) if c.name != "stability"]

    def bound(objective: Objective) -> int | None:
        if objective.indices.size and int(objective.indices.max()) >= model.n_pairs:
            return None
        relaxed = build_model(problem, scores, constraints=unstable)
        limit = _BOUND_TIME if options.time_limit is None else min(_BOUND_TIME, options.time_limit / 10)
        out = AutoSession(relaxed, options).optimise(objective, limit, None)
        return out.objective if out.status == "optimal" else None

    return bound


def _reporting(
    progress: ProgressCallback | Reporter | None, started: float
) -> contextlib.AbstractContextManager[Reporter | None]:
    """The reporter to use: ``progress`` itself if it is one (its owner starts and stops it), else a new
    one on ``progress``, ticking while the block runs."""
    if progress is None or isinstance(progress, Reporter):
        return contextlib.nullcontext(progress)
    return _ticking(Reporter(progress, started=started))


@contextlib.contextmanager
def _ticking(reporter: Reporter) -> Iterator[Reporter]:
    reporter.start()
    try:
        yield reporter
    finally:
        reporter.finish()


def _without_slack_rules(
    problem: Problem,
    model: LinearModel,
    options: SolveOptions,
    cancel: CancelToken | None,
    progress: ProgressCallback | Reporter | None,
    started: float,
) -> tuple[LexicographicOutcome, str] | None:
    """The optimum of ``model`` found without its slack rules (:mod:`matchmaker._lift`), with the engine's
    name, or ``None`` when the round has none, the rest is not a network (only then is the first try a
    flow's few milliseconds), or the plan found breaks a rule."""
    rules = [c for c in default_constraints(problem) if isinstance(c, SlackRule) and c.only_rows(problem)]
    if not rules:
        return None
    part = relax(model, frozenset().union(*(rule.group_kinds for rule in rules)))
    if part is None or network_of(part) is None:
        return None
    with _reporting(progress, started) as reporter:
        session = AutoSession(part, options, progress=reporter)
        outcome = run(part.levels, session, time_limit=options.time_limit, cancel=cancel, progress=reporter)
    if outcome.status != "optimal" or outcome.values is None:
        return None
    values = lift(model, part, outcome.values)
    if values is None:
        return None
    return LexicographicOutcome("optimal", values, outcome.stages, False), f"slack-rules+{session.engine_name}"


def _complete(model: LinearModel, options: SolveOptions, plan: IntArray) -> LexicographicOutcome | None:
    """``model``'s optimum with every pair variable fixed to ``plan`` (the auxiliaries and the levels
    follow), or ``None`` if the plan breaks a constraint of the model."""
    n = model.n_pairs
    if np.any(plan < model.var_lb[:n]) or np.any(plan > model.var_ub[:n]):
        return None
    if model.n_vars == n:  # nothing left to choose: check the rows and evaluate the levels
        return _evaluated(model, plan)
    lb = model.var_lb.copy()
    ub = model.var_ub.copy()
    lb[:n] = plan
    ub[:n] = plan
    fixed = dataclasses.replace(model, var_lb=lb, var_ub=ub)
    outcome = run(fixed.levels, AutoSession(fixed, options), time_limit=options.time_limit)
    return outcome if outcome.status == "optimal" else None


def _completion(model: LinearModel, options: SolveOptions, plan: IntArray) -> IntArray | None:
    """Every variable of ``model`` with the pair variables fixed to ``plan`` (any values of the others
    that meet every row), or ``None`` if no such values exist (or none were found quickly)."""
    n = model.n_pairs
    if np.any(plan < model.var_lb[:n]) or np.any(plan > model.var_ub[:n]):
        return None
    lb = model.var_lb.copy()
    ub = model.var_ub.copy()
    lb[:n] = plan
    ub[:n] = plan
    bounds = (lb, ub, model.row_lb, model.row_ub)
    limit = _BOUND_TIME if options.time_limit is None else min(_BOUND_TIME, options.time_limit / 10)
    out = CpSatSession(model, options, bounds=bounds).optimise(Objective(plan[:0], plan[:0]), limit, None)
    return out.values if out.status in ("optimal", "feasible") else None


def _evaluated(model: LinearModel, plan: IntArray) -> LexicographicOutcome | None:
    """The outcome of a model without auxiliary variables whose every variable is fixed to ``plan``:
    ``None`` if a row fails, else each stage's value (each stage is trivially optimal)."""
    start = time.perf_counter()
    x = plan.astype(np.int64)
    if model.n_rows:
        a = sp.csr_matrix((model.coefs, model.indices, model.indptr), shape=(model.n_rows, model.n_vars))
        activity = np.asarray(a @ x)  # a product only: scipy never rewrites the model's arrays for it
        if np.any(activity < model.row_lb) or np.any(activity > model.row_ub):
            return None

    def value(stage: Stage) -> int:
        first = model.levels[stage.levels[0]]
        return first.value(x) if first.kind == "threshold" else stage.objective.value(x)

    records = tuple(
        StageRecord(
            tuple(model.levels[i].name for i in stage.levels),
            "optimal",
            value(stage),
            value(stage),
            time.perf_counter() - start,
            "FIXED",
        )
        for stage in plan_stages(model.levels)
    )
    return LexicographicOutcome("optimal", x, records, False)


def solve_model(
    problem: Problem,
    model: LinearModel,
    options: SolveOptions,
    *,
    cancel: CancelToken | None = None,
    hint: IntArray | None = None,
    started: float | None = None,
    scored: float | None = None,
    progress: ProgressCallback | Reporter | None = None,
    engine_prefix: str | None = None,
    infeasibility_text: InfeasibilityText | None = None,
    bound: Callable[[Objective], int | None] | None = None,
    hint_is_plan: bool = False,
) -> Result:
    """Solve an already built model of ``problem`` (used by :func:`solve` and by re-solves that add
    pieces, such as a forced pair or a disruption level) and decode the result. ``engine_prefix``
    names a step that ran before the engines (e.g. ``"lp-bound"``) in the statistics; ``infeasibility_text``
    as in :func:`solve_problem`.

    With the ``auto`` engine and no ``engine_prefix``, every such model takes the fast paths first: its
    slack rules as a check (:func:`_without_slack_rules`), then the search over the placed count
    (:func:`matchmaker._engines.parametric.by_parameter`), whose plan becomes the hint when it proves
    nothing (a caller's own hint goes first)."""
    opts = options
    t0 = started if started is not None else time.perf_counter()
    t1 = scored if scored is not None else t0
    if isinstance(progress, Reporter):
        progress.phase("solve")
    if opts.engine == "auto" and engine_prefix is None:
        built = time.perf_counter()
        first = _without_slack_rules(problem, model, opts, cancel, progress, t0)
        if first is not None:
            reporter = progress if isinstance(progress, Reporter) else None
            return _result(problem, model, opts, first[0], first[1], (t0, t1, built), infeasibility_text, reporter)
        found = by_parameter(model, opts)
        if found is not None and found.proven:
            # The first stage is proven on the network at the found placed count, and it fixes that
            # count: every later stage lives in that network (engines/parametric.py).
            return solve_model(
                problem,
                found.model,
                opts,
                cancel=cancel,
                started=t0,
                scored=t1,
                progress=progress,
                engine_prefix=f"{found.bound_by}-bound",
                infeasibility_text=infeasibility_text,
            )
        if found is not None and hint is None:
            hint = found.plan

    def session(reporter: Reporter | None) -> Result:
        return _solve_session(
            problem,
            model,
            opts,
            reporter,
            cancel,
            hint,
            (t0, t1),
            infeasibility_text,
            engine_prefix,
            bound,
            hint_is_plan,
        )

    if progress is None or isinstance(progress, Reporter):  # its owner reports the end of the solve
        return session(progress)
    with _reporting(progress, t0) as reporter:
        result = session(reporter)
    assert reporter is not None
    reporter.finish(result.status.value)
    return result


def _solve_session(
    problem: Problem,
    model: LinearModel,
    opts: SolveOptions,
    reporter: Reporter | None,
    cancel: CancelToken | None,
    hint: IntArray | None,
    times: tuple[float, float],
    infeasibility_text: InfeasibilityText | None,
    engine_prefix: str | None = None,
    bound: Callable[[Objective], int | None] | None = None,
    hint_is_plan: bool = False,
) -> Result:
    session = AutoSession(model, opts, progress=reporter)
    t2 = time.perf_counter()
    logger.debug(
        "solving: %d applicants, %d pairs, %d rows, %d levels",
        model.scores.encoding.n_applicants,
        model.n_pairs,
        model.n_rows,
        len(model.levels),
    )
    outcome = run(
        model.levels,
        session,
        time_limit=opts.time_limit,
        cancel=cancel,
        hint=hint,
        progress=reporter,
        bound=bound,
        hint_is_plan=hint_is_plan,
    )
    engine = session.engine_name if engine_prefix is None else f"{engine_prefix}+{session.engine_name}"
    return _result(problem, model, opts, outcome, engine, (*times, t2), infeasibility_text, reporter)


def _result(
    problem: Problem,
    model: LinearModel,
    opts: SolveOptions,
    outcome: LexicographicOutcome,
    engine: str,
    times: tuple[float, float, float],
    infeasibility_text: InfeasibilityText | None,
    reporter: Reporter | None = None,
    n_rows: int | None = None,
) -> Result:
    """Decode ``outcome`` and attach the run statistics (``times``: started, scored, built; ``n_rows``:
    the rows solved, when ``model`` holds only the levels)."""
    t0, t1, t2 = times
    t3 = time.perf_counter()
    if reporter is not None:
        reporter.phase("decode")
    status = Status(outcome.status)
    message = None
    if status is Status.INFEASIBLE:
        message = (
            infeasibility_text(problem, model, opts)
            if infeasibility_text is not None
            else "No plan satisfies every constraint."
        )
    elif status is Status.UNKNOWN:
        message = "No plan was found before the time limit or cancellation; allow more time."
    decision = decode(problem, model, status, outcome.values, message)
    t4 = time.perf_counter()
    stats = RunStatistics(
        engine=engine,
        wall_time=t4 - t0,
        score_time=t1 - t0,
        build_time=t2 - t1,
        solve_time=t3 - t2,
        workers=opts.workers,
        solver_seed=opts.solver_seed,
        time_limit=opts.time_limit,
        cancelled=outcome.cancelled,
        n_pairs=model.n_pairs,
        n_rows=model.n_rows if n_rows is None else n_rows,
        # A stage's statistics are the fields of the same name on the driver's record of it.
        stages=tuple(
            StageStatistics(**{f: getattr(s, f) for f in StageStatistics.model_fields}) for s in outcome.stages
        ),
        versions=versions(),
        parameters=dict(opts.cpsat_parameters),
    )
    logger.info("solve ended %s in %.3f s", status.value, stats.wall_time)
    return Result(decision=decision, statistics=stats)
