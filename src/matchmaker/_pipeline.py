"""The public entry points solve() and reoptimise(): the solve floor's work, then the explanation of an
infeasible round as a step after it.

The solve floor (:mod:`matchmaker._solve`, :mod:`matchmaker._repair`) never reaches up to the
explanations; it takes the wording of an infeasible result as a function (``infeasibility_text``),
and this module, one floor above the explanations, passes :func:`explained_infeasibility`.
"""

from __future__ import annotations

from collections.abc import Iterable

from matchmaker._engines.base import CancelToken
from matchmaker._linear import LinearModel, Position
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._progress import ProgressCallback
from matchmaker._repair import reoptimise as _reoptimise
from matchmaker._repair import repeat_repair as _repeat_repair
from matchmaker._result import RepairBasis, Result
from matchmaker._solve import core_message, solve_problem
from matchmaker.explanations._infeasible import explain_infeasibility
from matchmaker.explanations._words import display_names

__all__ = ["explained_infeasibility", "reoptimise", "repeat_repair", "solve"]


def explained_infeasibility(problem: Problem, model: LinearModel, options: SolveOptions) -> str:
    """A minimal core and the smallest relaxation in words, or a quick core if that cannot be had."""
    explanation = explain_infeasibility(problem, options=options.model_copy(update={"workers": 1}))
    if explanation is None or not explanation.core:
        return core_message(model, options)
    return explanation.text("en", display_names(problem))


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    *,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
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
        progress: called with a :class:`~matchmaker.ProgressEvent` whenever a phase (score, build,
            solve, decode) or a stage starts or ends, the engine finds a better plan or bound, and by a
            timer every quarter second while Python runs: a native call that holds Python's lock (the
            min-cost flow of a large stage) delays the next event until it returns (see
            :mod:`matchmaker._progress`; the longest gaps measured are in ``benchmarks/README.md``);
            for a live display in a terminal or a notebook.

    Returns:
        A :class:`~matchmaker.Result`. Infeasible and unknown are statuses, not exceptions.

    Raises:
        TypeError: if ``problem`` is not a :class:`~matchmaker.Problem`.
        InputError: if ``problem`` is over the size limits in force (:func:`~matchmaker.use_limits`);
            checked before any memory is spent on scoring.
        SolverError: if an engine fails for a reason that is not about the input.
    """
    return solve_problem(problem, options, cancel=cancel, progress=progress, infeasibility_text=explained_infeasibility)


def reoptimise(
    problem: Problem,
    previous: Result,
    *,
    keep: Iterable[str] = (),
    position: Position | None = None,
    penalty: float | None = None,
    options: SolveOptions | None = None,
) -> Result:
    """Re-solve a changed round so that as few people as possible lose or change their placement.

    ``previous`` is a result with a plan (of the round before the change); ``problem`` is the round as
    it is now: a supervisor on leave (capacity 0, or unavailable), an applicant withdrawn, places added,
    a new pin. The plan is the best under the objective vector with one more level, ``moved``: the
    number of applicants placed in ``previous`` who are still in the round and lose or change their
    placement. By default it sits at :data:`REPAIR_POSITION` (2.5: after the priority tiers, the
    placed count and the soft levels, before the policy's objective), so keeping people in place
    outranks fit but never costs a placement. ``position`` puts it elsewhere (3.5: only among plans of
    the best fit). Or give ``penalty`` instead: no level of its own, but every move costs that much fit
    (0.3 = three tenths of a perfect fit) in level 3, which becomes ``total_fit_less_moves`` (only with
    ``policy.objective == "total_fit"``).

    ``keep`` names applicants whose previous placement is held fixed (hard keeps: the plan keeps them
    with the same supervisor, or has no plan). The solve is warm-started from the previous plan. The
    result's ``decision.repair`` records the settings and the :class:`~matchmaker.PlanDiff`;
    :func:`matchmaker.check` verifies it, and with ``previous=`` also against the previous result.

    Raises:
        InputError: ``previous`` has no plan, both or neither of ``position`` and ``penalty`` are
            usable, ``penalty`` with another objective than total fit, or a ``keep`` that names an
            applicant the previous result did not place or the problem no longer has.
    """
    return _reoptimise(
        problem,
        previous,
        keep=keep,
        position=position,
        penalty=penalty,
        options=options,
        infeasibility_text=explained_infeasibility,
    )


def repeat_repair(problem: Problem, basis: RepairBasis, *, options: SolveOptions | None = None) -> Result:
    """Re-solve ``problem`` as the repair ``basis`` describes (see :func:`matchmaker._repair.repeat_repair`),
    with an infeasible round explained as :func:`reoptimise` explains it: what reproducing and overriding
    a repaired plan use."""
    return _repeat_repair(problem, basis, options=options, infeasibility_text=explained_infeasibility)
