"""The CP-SAT engine: the exact, general engine every model can use.

Variables exist only for acceptable pairs (and any auxiliaries a piece adds). Each group of rows can be
guarded by an enforcement literal, which is how infeasibility is explained: the guards become
assumptions and CP-SAT names a subset of them that cannot hold together.

CP-SAT's own Ctrl-C handling is always off (``catch_sigint_signal = False``): interruption goes through
:class:`~matchmaker._engines.base.CancelToken` instead, so importing code keeps its own signal handlers.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from matchmaker._engines.base import StageOutcome, StageStatus
from matchmaker._linear import LinearModel, Objective, Threshold
from matchmaker._native import cp_model
from matchmaker._options import SolveOptions
from matchmaker._progress import Reporter
from matchmaker._types import IntArray
from matchmaker.errors import SolverError

__all__ = ["CpSatSession", "infeasible_groups"]

logger = logging.getLogger("matchmaker.engines.cpsat")

#: CP-SAT's status names (``CpSolver.status_name``) as a stage's status.
_STATUS: dict[str, StageStatus] = {
    "OPTIMAL": "optimal",
    "FEASIBLE": "feasible",
    "INFEASIBLE": "infeasible",
    "UNKNOWN": "unknown",
}
#: The full-problem subsolvers used when fewer than 8 workers run, in order of need.
_FEW_WORKER_SUBSOLVERS = ("max_lp", "quick_restart", "reduced_costs", "pseudo_costs", "default_lp", "core", "no_lp")
#: The same for models declared not LP-tight (stable mode's blocking-pair rows): the strongest LP
#: worker spends its time on a weak relaxation there (figures: benchmarks/README.md, "CP-SAT workers").
_FEW_WORKER_SUBSOLVERS_COMBINATORIAL = (
    "default_lp",
    "quick_restart",
    "no_lp",
    "reduced_costs",
    "pseudo_costs",
    "max_lp",
    "core",
)
#: Beyond this many pairs, variables get short names to save memory.
_NAME_LIMIT = 100_000


class CpSatSession:
    """A CP-SAT model of a :class:`LinearModel`; see :class:`~matchmaker._engines.base.Session`.

    With ``guard=True`` every non-structural group gets an enforcement literal (``guards[g]``), fixed
    by nothing: callers add them as assumptions. ``bounds`` replaces the model's variable and row bounds
    (``var_lb, var_ub, row_lb, row_ub``), e.g. with the optimal face left by certified LP stages.
    ``progress`` hears of every better plan and bound (CP-SAT's solution and bound callbacks) and every
    line of the search log.
    """

    stage_limit = 2**52
    coef_limit: int | None = None

    def __init__(
        self,
        model: LinearModel,
        options: SolveOptions,
        *,
        guard: bool = False,
        bounds: tuple[IntArray, IntArray, IntArray, IntArray] | None = None,
        progress: Reporter | None = None,
    ) -> None:
        self.model = model
        self.progress = progress
        var_lb, var_ub, row_lb, row_ub = (
            bounds if bounds is not None else (model.var_lb, model.var_ub, model.row_lb, model.row_ub)
        )
        self.options = options
        self.cp = cp_model.CpModel()
        self.cp.name = "matchmaker"
        cp = self.cp
        named = model.n_pairs <= _NAME_LIMIT
        self.vars: list[cp_model.IntVar] = []
        for i in range(model.n_vars):
            lb, ub = int(var_lb[i]), int(var_ub[i])
            name = model.var_name(i) if named or i >= model.n_pairs else f"x{i}"
            if lb == 0 and ub == 1 and i < model.n_pairs:
                self.vars.append(cp.new_bool_var(name))
            else:
                self.vars.append(cp.new_int_var(lb, ub, name))
        self.guards: dict[int, cp_model.IntVar] = {}
        if guard:
            for g, group in enumerate(model.groups):
                if not group.structural:
                    self.guards[g] = cp.new_bool_var(f"guard[{group.kind}:{group.record}]")
        # One linear row per constraint; each is tagged with its group's guard when explaining.
        for r in range(model.n_rows):
            idx, cf = model.row(r)
            lit = self.guards.get(int(model.row_group[r]))
            expr = self._expr(idx, cf)
            ct = cp.add_linear_constraint(expr, int(row_lb[r]), int(row_ub[r]))
            if lit is not None:
                ct.only_enforce_if(lit)
        self._lock = threading.Lock()
        self._solver: cp_model.CpSolver | None = None
        self._stopped = False  # sticky: see stop()

    def _expr(self, idx: IntArray, coefs: IntArray) -> cp_model.LinearExprT:
        return cp_model.LinearExpr.weighted_sum([self.vars[i] for i in idx.tolist()], coefs.tolist())

    def _solver_for(self, time_limit: float | None, workers: int) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = workers
        p.random_seed = self.options.solver_seed
        p.catch_sigint_signal = False
        p.log_to_stdout = False
        if time_limit is not None:
            p.max_time_in_seconds = max(time_limit, 0.001)
        if workers < 8 and "subsolvers" not in self.options.cpsat_parameters:
            # CP-SAT's default portfolio for few workers lacks its strongest LP worker, and these models
            # are mostly LP-tight (figures: benchmarks/README.md, "CP-SAT workers").
            few = _FEW_WORKER_SUBSOLVERS if self.model.lp_tight else _FEW_WORKER_SUBSOLVERS_COMBINATORIAL
            p.subsolvers.extend(few[:workers])
        for name, value in self.options.cpsat_parameters.items():
            if name == "subsolvers":
                p.subsolvers.extend(str(value).split(","))
            else:
                setattr(p, name, value)
        progress = self.progress
        if self.options.log or progress is not None:
            p.log_search_progress = True
            solver.log_callback = _log_line if progress is None else _LogForward(progress, self.options.log)
        if progress is not None:
            solver.best_bound_callback = progress.bound
        return solver

    def optimise(self, objective: Objective, time_limit: float | None, hint: IntArray | None) -> StageOutcome:
        """Maximise ``objective``; see :meth:`Session.optimise`."""
        cp = self.cp
        cp.maximize(self._expr(objective.indices, objective.coefs))
        cp.clear_hints()  # type: ignore[no-untyped-call]
        if hint is not None:
            # A hint over every variable, or over the pair variables only (the search completes it).
            for var, val in zip(self.vars[: hint.size], hint.tolist(), strict=True):
                cp.add_hint(var, val)
        solver = self._solver_for(time_limit, self.options.workers)
        return self._run(solver, [])

    def _run(self, solver: cp_model.CpSolver, assumptions: Sequence[cp_model.IntVar]) -> StageOutcome:
        cp = self.cp
        cp.clear_assumptions()
        if assumptions:
            cp.add_assumptions(list(assumptions))
        with self._lock:
            self._solver = solver
            stopped = self._stopped
        start = time.perf_counter()
        if stopped:  # stop() came before the search started (e.g. while the model was built)
            with self._lock:
                self._solver = None
            return StageOutcome("unknown", None, None, None, 0.0, "STOPPED")
        on_solution = _solution_forward()(self.progress) if self.progress is not None and cp.has_objective() else None
        try:
            code = solver.solve(cp, on_solution)
        finally:
            with self._lock:
                self._solver = None
        wall = time.perf_counter() - start
        if code == cp_model.MODEL_INVALID:
            raise SolverError(
                f"CP-SAT rejected the model it was given ({cp.validate()}); this is a matchmaker bug, "
                "please report it with the problem's fingerprint"
            )
        status = _STATUS[solver.status_name(code)]
        values: IntArray | None = None
        objective: int | None = None
        bound: int | None = None
        if status in ("optimal", "feasible"):
            values = np.asarray(solver.response_proto.solution, dtype=np.int64)[: len(self.vars)]
            if cp.has_objective():
                objective = round(solver.objective_value)
                bound = int(np.floor(solver.best_objective_bound + 1e-6))
        return StageOutcome(status, values, objective, bound, wall, solver.status_name(code))

    def constrain(self, objective: Objective, lb: int, ub: int, parts: Sequence[tuple[Objective, int]] = ()) -> None:
        """Add ``lb <= objective <= ub``, and ``part == value`` for each of ``parts``."""
        self.cp.add_linear_constraint(self._expr(objective.indices, objective.coefs), lb, ub)
        for part, value in parts:
            self.cp.add_linear_constraint(self._expr(part.indices, part.coefs), value, value)

    def _threshold_constraints(self, threshold: Threshold) -> list[cp_model.Constraint]:
        cts = []
        if threshold.zero_vars.size:
            cts.append(self.cp.add(sum(self.vars[i] for i in threshold.zero_vars.tolist()) == 0))
        for row, lb in threshold.row_lbs:
            idx, cf = self.model.row(row)
            cts.append(self.cp.add_linear_constraint(self._expr(idx, cf), lb, cp_model.INT_MAX))
        return cts

    def probe(self, threshold: Threshold, time_limit: float | None) -> StageOutcome:
        """Feasibility of ``threshold`` under everything held so far (guarded, so the model is unchanged)."""
        lit = self.cp.new_bool_var("probe")
        for ct in self._threshold_constraints(threshold):
            ct.only_enforce_if(lit)
        self.cp.clear_objective()  # type: ignore[no-untyped-call]
        solver = self._solver_for(time_limit, self.options.workers)
        out = self._run(solver, [lit])
        status: StageStatus = "feasible" if out.status in ("optimal", "feasible") else out.status
        return StageOutcome(status, out.values, None, None, out.wall_time, out.engine_status)

    def tighten(self, threshold: Threshold) -> None:
        """Hold ``threshold`` from now on."""
        self._threshold_constraints(threshold)

    def stop(self) -> None:
        """Stop a running search from another thread, and every later one of this session."""
        with self._lock:
            self._stopped = True
            solver = self._solver
        if solver is not None:
            solver.stop_search()

    def feasible_with(self, groups: Sequence[int], time_limit: float | None) -> StageStatus:
        """Feasibility with only ``groups``' guards assumed true (every other guarded group is free);
        one worker, so the answer and its time are deterministic."""
        self.cp.clear_objective()  # type: ignore[no-untyped-call]
        self.cp.clear_hints()  # type: ignore[no-untyped-call]
        solver = self._solver_for(time_limit, 1)
        return self._run(solver, [self.guards[g] for g in sorted(groups)]).status

    def unsatisfiable_guards(self, time_limit: float | None) -> tuple[StageStatus, list[int]]:
        """Solve for feasibility with every guard assumed true (one worker, no objective).

        Returns the status and, if infeasible, the groups of a subset of guards that cannot all hold
        (CP-SAT's ``sufficient_assumptions_for_infeasibility``; not necessarily minimal).
        """
        self.cp.clear_objective()  # type: ignore[no-untyped-call]
        self.cp.clear_hints()  # type: ignore[no-untyped-call]
        solver = self._solver_for(time_limit, 1)
        order = sorted(self.guards)
        outcome = self._run(solver, [self.guards[g] for g in order])
        if outcome.status != "infeasible":
            return outcome.status, []
        by_index = {self.guards[g].index: g for g in order}
        core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
        return outcome.status, sorted(core)


def _log_line(line: str) -> None:
    logger.debug("cp-sat: %s", line)


class _LogForward:
    """CP-SAT's log callback: each line to the progress reporter, and to the logger if asked."""

    def __init__(self, progress: Reporter, log: bool) -> None:
        self.progress = progress
        self.log = log

    def __call__(self, line: str) -> None:
        if self.log:
            _log_line(line)
        self.progress.log(line)


@functools.cache
def _solution_forward() -> Callable[[Reporter], cp_model.CpSolverSolutionCallback]:
    """The class of CP-SAT's solution callback that forwards each better plan's objective to the progress
    reporter; made on first use, since its base class is CP-SAT's (see :mod:`matchmaker._native`)."""

    class SolutionForward(cp_model.CpSolverSolutionCallback):
        def __init__(self, progress: Reporter) -> None:
            super().__init__()
            self.progress = progress

        def on_solution_callback(self) -> None:
            """Report the new plan's objective value."""
            self.progress.solution(self.objective_value)

    return SolutionForward


def infeasible_groups(model: LinearModel, options: SolveOptions, time_limit: float | None = 10.0) -> list[int]:
    """Groups of ``model`` that cannot all hold together (empty if none were found within the limit)."""
    session = CpSatSession(model, options, guard=True)
    status, core = session.unsatisfiable_guards(time_limit)
    return core if status == "infeasible" else []
