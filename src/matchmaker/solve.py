"""``solve()``: score, build, optimise lexicographically, decode. The input is never changed."""

from __future__ import annotations

import logging
import platform
import time
from importlib import metadata

from matchmaker.build import LinearModel, build_model
from matchmaker.decode import decode
from matchmaker.engines.auto import AutoSession
from matchmaker.engines.base import CancelToken
from matchmaker.engines.cpsat import infeasible_groups
from matchmaker.lexicographic import run
from matchmaker.models import Problem
from matchmaker.options import SolveOptions
from matchmaker.result import Result, RunStatistics, StageStatistics, Status
from matchmaker.scoring import score

__all__ = ["solve", "versions"]

logger = logging.getLogger("matchmaker")


def versions() -> dict[str, str]:
    """Versions of matchmaker and the libraries that shape a decision."""
    out = {"python": platform.python_version()}
    for dist in ("matchmaker", "ortools", "pydantic", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


def _infeasibility_message(model: LinearModel, options: SolveOptions) -> str:
    core = infeasible_groups(model, options)
    head = "No plan satisfies every constraint."
    if not core:
        return head + " Check unit and municipality minimums and pins against the acceptable applicants."
    labels = [model.groups[g].label for g in core]
    if len(labels) == 1:
        return f"{head} This constraint cannot hold: {labels[0]}."
    return f"{head} These {len(labels)} constraints cannot all hold together: " + "; ".join(labels) + "."


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    *,
    cancel: CancelToken | None = None,
) -> Result:
    """Find the best placement plan for ``problem``.

    The plan maximises the objective vector lexicographically (see the README's table): applicants
    placed per priority tier, applicants placed, the policy's objective (total fit), and finally the
    seeded lottery, so the optimum is unique. Every constraint of the problem holds.

    Args:
        problem: a validated :class:`~matchmaker.Problem`; it is not modified.
        options: time limit, workers, seed and engine; defaults to :class:`~matchmaker.SolveOptions()`.
        cancel: a :class:`~matchmaker.CancelToken` to stop the solve from another thread; the best plan
            found so far is returned with status ``feasible``.

    Returns:
        A :class:`~matchmaker.Result`. Infeasible and unknown are statuses, not exceptions.

    Raises:
        TypeError: if ``problem`` is not a :class:`~matchmaker.Problem`.
        SolverError: if an engine fails for a reason that is not about the input.
    """
    if not isinstance(problem, Problem):
        raise TypeError(
            f"solve() needs a matchmaker.Problem, not {type(problem).__name__}; build one with "
            "Problem.model_validate(data) or matchmaker.load_problem(path)"
        )
    opts = options if options is not None else SolveOptions()
    t0 = time.perf_counter()
    scores = score(problem)
    t1 = time.perf_counter()
    model = build_model(problem, scores)
    session = AutoSession(model, opts)
    t2 = time.perf_counter()
    logger.debug(
        "solving: %d applicants, %d pairs, %d rows, %d levels",
        scores.encoding.n_applicants,
        model.n_pairs,
        model.n_rows,
        len(model.levels),
    )
    outcome = run(model.levels, session, time_limit=opts.time_limit, cancel=cancel)
    t3 = time.perf_counter()
    status = Status(outcome.status)
    message = None
    if status is Status.INFEASIBLE:
        message = _infeasibility_message(model, opts)
    elif status is Status.UNKNOWN:
        message = "No plan was found before the time limit or cancellation; allow more time."
    decision = decode(problem, model, status, outcome.values, message)
    t4 = time.perf_counter()
    stats = RunStatistics(
        engine=session.engine_name,
        wall_time=t4 - t0,
        score_time=t1 - t0,
        build_time=t2 - t1,
        solve_time=t3 - t2,
        workers=opts.workers,
        solver_seed=opts.solver_seed,
        time_limit=opts.time_limit,
        cancelled=outcome.cancelled,
        n_pairs=model.n_pairs,
        n_rows=model.n_rows,
        stages=tuple(
            StageStatistics(
                levels=s.levels,
                status=s.status,
                value=s.value,
                bound=s.bound,
                wall_time=s.wall_time,
                engine_status=s.engine_status,
            )
            for s in outcome.stages
        ),
        versions=versions(),
        parameters=dict(opts.cpsat_parameters),
    )
    logger.info("solve ended %s in %.3f s", status.value, stats.wall_time)
    return Result(decision=decision, statistics=stats)
