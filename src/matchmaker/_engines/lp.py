"""The LP engine: GLOP's simplex, with an exact optimality certificate checked in integers.

The core model (one place per applicant, pins, capacities of supervisors within units within
municipalities) has a totally unimodular constraint matrix: the applicant rows and pins form one laminar
family, the supervisor, unit and municipality rows another. Its linear relaxation therefore has integral
optimal vertices, and the simplex method finds one in milliseconds where a branch-and-bound search may
take seconds.

Floating point is never trusted. After each stage the primal values and the duals are rounded to
integers and the Karush-Kuhn-Tucker conditions are verified in exact integer arithmetic: primal
feasibility, and complementary slackness of every variable and row with the reduced costs
``d = c - A^T y``. If they hold, then for every feasible plan ``x``,
``c.x = y.Ax + d.x <= c.x*``, which proves the stage optimal. The same certificate describes the set of
*all* optimal plans exactly (complementary slackness with any optimal dual): variables with ``d != 0``
and rows with ``y != 0`` are fixed, which restricts the next stage to the optimal face without an
equality row on the objective. When a certificate cannot be made (a fractional vertex, fractional
duals, a numerical doubt, or infeasibility to be proven), the stage goes to CP-SAT instead, hinted
with the LP's plan.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from matchmaker._engines.base import SPLIT_STAGE, StageOutcome
from matchmaker._engines.flow import FLOW_STAGE_LIMIT, Network, flow_coef_limit, network_of, solve_network
from matchmaker._linear import LinearModel, Objective, Threshold
from matchmaker._options import SolveOptions
from matchmaker._types import IntArray

__all__ = ["Certificate", "LpSession", "certify", "slack_certificate", "verify"]

logger = logging.getLogger("matchmaker.engines.lp")

_INT_TOL = 1e-6
_DUAL_TOL = 1e-4


class Certificate:
    """A verified optimal primal-dual pair of one stage: integer plan ``x``, row duals ``y`` and
    reduced costs ``d``."""

    __slots__ = ("d", "value", "x", "y")

    def __init__(self, x: IntArray, y: IntArray, d: IntArray, value: int) -> None:
        self.x = x
        self.y = y
        self.d = d
        self.value = value


def certify(
    a_int: sp.csr_matrix,
    c: IntArray,
    var_lb: IntArray,
    var_ub: IntArray,
    row_lb: IntArray,
    row_ub: IntArray,
    x_float: npt.NDArray[np.float64],
    y_float: npt.NDArray[np.float64],
) -> Certificate | None:
    """Verify ``max c.x`` optimality of rounded ``x_float`` with rounded duals ``y_float``, exactly."""
    if x_float.shape[0] != c.shape[0] or y_float.shape[0] != row_lb.shape[0]:
        return None
    x = np.rint(x_float)
    if x.size and float(np.abs(x - x_float).max()) > _INT_TOL:
        return None
    x_int = x.astype(np.int64)
    for sign in (1.0, -1.0):
        yf = sign * y_float
        y = np.rint(yf)
        if y.size and float(np.abs(y - yf).max()) > _DUAL_TOL:
            continue
        if y.size and float(np.abs(y).max()) >= 2.0**52:
            return None
        cert = verify(a_int, c, var_lb, var_ub, row_lb, row_ub, x_int, y.astype(np.int64))
        if cert is not None:
            return cert
    return None


def verify(
    a_int: sp.csr_matrix,
    c: IntArray,
    var_lb: IntArray,
    var_ub: IntArray,
    row_lb: IntArray,
    row_ub: IntArray,
    x: IntArray,
    y: IntArray,
) -> Certificate | None:
    """The exact check of an integer primal-dual pair for ``max c.x``: ``x`` within its bounds and the
    rows', and complementary slackness of every variable and row with ``d = c - A^T y``. Returns the
    certificate, or ``None`` if any condition fails (or an int64 product could overflow)."""
    if x.shape[0] != c.shape[0] or y.shape[0] != row_lb.shape[0]:
        return None
    if np.any(x < var_lb) or np.any(x > var_ub):
        return None
    activity = a_int @ x if a_int.shape[0] else np.zeros(0, np.int64)
    if np.any(activity < row_lb) or np.any(activity > row_ub):
        return None
    if y.size and a_int.nnz:
        # |A^T y| <= max|y| * (largest column's absolute sum): keep it well inside int64
        # (from the raw arrays: np.abs(a_int) would sum duplicate entries in place, and the matrix
        # shares its arrays with the model)
        col_weight = float(np.bincount(a_int.indices, weights=np.abs(a_int.data), minlength=1).max())
        if float(np.abs(y).max()) * col_weight + float(np.abs(c).max(initial=0)) >= 2.0**62:
            return None
    d = c - (a_int.T @ y if a_int.shape[0] else np.zeros_like(c))
    return slack_certificate(c, (var_lb, var_ub, row_lb, row_ub), x, y, activity, d)


def slack_certificate(
    c: IntArray,
    bounds: tuple[IntArray, IntArray, IntArray, IntArray],
    x: IntArray,
    y: IntArray,
    activity: IntArray,
    d: IntArray,
) -> Certificate | None:
    """The last part of :func:`verify`: complementary slackness of every variable (reduced costs ``d``)
    and row (``activity``) within ``bounds``; the certificate, or ``None`` if a condition fails."""
    var_lb, var_ub, row_lb, row_ub = bounds
    if np.any((d > 0) & (x != var_ub)) or np.any((d < 0) & (x != var_lb)):
        return None
    if np.any((y > 0) & (activity != row_ub)) or np.any((y < 0) & (activity != row_lb)):
        return None
    return Certificate(x, y, d.astype(np.int64), int(np.dot(c, x)))


class LpSession:
    """Stages solved by GLOP and certified exactly; see the module docstring.

    :meth:`optimise` returns status ``"unknown"`` with engine status ``"UNCERTIFIED"`` when it cannot
    prove a stage; the caller then hands over to CP-SAT with :attr:`var_lb` and friends, which hold the
    optimal face of every certified stage so far.
    """

    #: Levels are merged only while coefficients stay small enough for double-precision simplex.
    stage_limit = 2**31
    #: With a network: the flow's own limit per coefficient (see :func:`flow_coef_limit`).
    coef_limit: int | None = None

    def __init__(self, model: LinearModel, options: SolveOptions, *, flow: bool = False) -> None:
        self.model = model
        self.options = options
        n_rows, n_vars = model.n_rows, model.n_vars
        self.a_int = sp.csr_matrix((model.coefs, model.indices, model.indptr), shape=(n_rows, n_vars))
        self._a_float: sp.csr_matrix | None = None
        self._a_float_csc: sp.csc_matrix | None = None
        #: The model as a circulation network, when it is one and ``flow`` is asked for: stages then
        #: go to min-cost flow first (:mod:`matchmaker._engines.flow`).
        self.network: Network | None = network_of(model, self.a_int) if flow else None
        if self.network is not None:
            self.stage_limit = FLOW_STAGE_LIMIT
            self.coef_limit = flow_coef_limit(self.network)
        #: The engine that proved the last stage or probe: ``"flow"`` or ``"lp"``.
        self.last_engine = "lp"
        self.var_lb = model.var_lb.copy()
        self.var_ub = model.var_ub.copy()
        self.row_lb = model.row_lb.copy()
        self.row_ub = model.row_ub.copy()
        self.last: Certificate | None = None
        self._last_objective: Objective | None = None
        self._lock = threading.Lock()
        self._solver: mbh.ModelSolverHelper | None = None

    def _solve_lp(
        self,
        c: IntArray,
        bounds: tuple[IntArray, IntArray, IntArray, IntArray],
        time_limit: float | None,
        columns: IntArray | None = None,
    ) -> mbh.ModelSolverHelper:
        var_lb, var_ub, row_lb, row_ub = bounds
        matrix = self.a_float
        if columns is not None:  # a restricted master: only these columns
            matrix = self.a_float_csc[:, columns].tocsr()
            var_lb, var_ub, c = var_lb[columns], var_ub[columns], c[columns]
        helper = mbh.ModelBuilderHelper()
        fill: Any = helper.fill_model_from_sparse_data  # ortools' stubs spell the array types wrongly
        fill(
            var_lb.astype(np.float64),
            var_ub.astype(np.float64),
            c.astype(np.float64),
            row_lb.astype(np.float64),
            row_ub.astype(np.float64),
            matrix,
        )
        helper.set_maximize(True)
        solver = mbh.ModelSolverHelper("glop")
        if time_limit is not None:
            solver.set_time_limit_in_seconds(max(time_limit, 0.001))
        with self._lock:
            self._solver = solver
        try:
            solver.solve(helper)
        finally:
            with self._lock:
                self._solver = None
        return solver

    @property
    def a_float(self) -> sp.csr_matrix:
        """The constraint matrix in floating point, for GLOP (made when first needed)."""
        if self._a_float is None:
            self._a_float = self.a_int.astype(np.float64)
        return self._a_float

    def flow_certificate(self, c: IntArray, bounds: tuple[IntArray, IntArray, IntArray, IntArray]) -> Certificate | str:
        """``max c.x`` on the network within ``bounds``: a verified certificate, or why there is none."""
        assert self.network is not None
        got = solve_network(self.network, c, *bounds)
        if isinstance(got, str):
            return got
        x, y = got
        cert = verify(self.a_int, c, *bounds, x, y)
        return "UNVERIFIED" if cert is None else cert

    @property
    def a_float_csc(self) -> sp.csc_matrix:
        """The floating-point matrix by columns (for restricted masters), made when first needed."""
        if self._a_float_csc is None:
            self._a_float_csc = self.a_float.tocsc()
        return self._a_float_csc

    def priced_relaxation(
        self, c: IntArray, time_limit: float | None, start: npt.NDArray[np.bool_], *, rounds: int = 30
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
        """:meth:`relaxation` by column generation: GLOP on the columns ``start`` marks, then the
        columns whose reduced cost ``c - A^T y`` says they would improve it are added, until none does
        (then ``y`` is optimal for the whole LP) or ``rounds`` run out (then ``y`` is still a dual, only
        a weaker one: the caller's bound must hold for any ``y``). ``None`` if a master has no optimum
        (e.g. infeasible on its columns)."""
        cols = start.copy()
        var_lb, var_ub = self.var_lb, self.var_ub
        movable = var_lb < var_ub
        a_t = self.a_float.T.tocsr()
        x_full = np.zeros(self.model.n_vars, dtype=np.float64)
        y = np.zeros(self.model.n_rows, dtype=np.float64)
        for _ in range(rounds):
            idx = np.flatnonzero(cols)
            solver = self._solve_lp(c, self.bounds, time_limit, columns=idx)
            if solver.status() != mbh.SolveStatus.OPTIMAL:
                return None
            x_full[:] = 0.0
            x_full[idx] = np.asarray(solver.variable_values(), dtype=np.float64)
            y = np.asarray(solver.dual_values(), dtype=np.float64)
            # GLOP's sign convention: the one under which the master's own columns price out
            best_sign, best_viol = 1.0, np.inf
            for sign in (1.0, -1.0):
                d = c - sign * (a_t @ y)
                viol = float(
                    np.max(
                        np.where((x_full[idx] <= var_lb[idx] + 1e-9) & movable[idx], d[idx], -np.inf), initial=-np.inf
                    )
                )
                if viol < best_viol:
                    best_sign, best_viol = sign, viol
            d = c - best_sign * (a_t @ y)
            tol = 1e-7 * max(1.0, float(np.abs(c).max(initial=0)))
            enter = np.flatnonzero(~cols & movable & (d > tol) & (var_lb == 0))
            enter_down = np.flatnonzero(~cols & movable & (d < -tol) & (var_lb < 0))
            if enter.size == 0 and enter_down.size == 0:
                return x_full, y
            cols[enter] = True
            cols[enter_down] = True
        return x_full, y

    def relaxation(
        self, c: IntArray, time_limit: float | None
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
        """GLOP's optimal primal values and row duals of ``max c.x`` over the current face, uncertified
        (for bounds that are checked exactly elsewhere); ``None`` if GLOP does not report an optimum."""
        solver = self._solve_lp(c, self.bounds, time_limit)
        if solver.status() != mbh.SolveStatus.OPTIMAL:
            return None
        return (
            np.asarray(solver.variable_values(), dtype=np.float64),
            np.asarray(solver.dual_values(), dtype=np.float64),
        )

    def optimise(self, objective: Objective, time_limit: float | None, hint: IntArray | None) -> StageOutcome:
        """Maximise ``objective`` over the current face and certify the result (by min-cost flow when
        the model is a network, else, or if the flow cannot be certified, by GLOP)."""
        start = time.perf_counter()
        n = self.model.n_vars
        c = np.zeros(n, dtype=np.int64)
        c[objective.indices] = objective.coefs
        if self.network is not None:
            got = self.flow_certificate(c, self.bounds)
            if isinstance(got, Certificate):
                self.last_engine = "flow"
                self.last = got
                self._last_objective = objective
                return StageOutcome("optimal", got.x, got.value, got.value, time.perf_counter() - start, "CERTIFIED")
            logger.debug("min-cost flow stage not certified (%s); trying GLOP", got)
        if objective.flow_only:  # too wide for the simplex and CP-SAT: the caller splits the stage
            return self._uncertified(start, SPLIT_STAGE)
        self.last_engine = "lp"
        if c.size and float(np.abs(c).max()) >= 2.0**40:
            return self._uncertified(start, "COEFFICIENTS_TOO_LARGE")
        solver = self._solve_lp(c, self.bounds, time_limit)
        status = solver.status()
        if status != mbh.SolveStatus.OPTIMAL:
            return self._uncertified(start, f"GLOP_{status.name}")
        cert = certify(
            self.a_int,
            c,
            self.var_lb,
            self.var_ub,
            self.row_lb,
            self.row_ub,
            np.asarray(solver.variable_values(), dtype=np.float64),
            np.asarray(solver.dual_values(), dtype=np.float64),
        )
        if cert is None:
            logger.debug("LP stage could not be certified; handing over to CP-SAT")
            x = np.rint(np.asarray(solver.variable_values(), dtype=np.float64))
            return StageOutcome("unknown", x.astype(np.int64), None, None, time.perf_counter() - start, "UNCERTIFIED")
        self.last = cert
        self._last_objective = objective
        return StageOutcome("optimal", cert.x, cert.value, cert.value, time.perf_counter() - start, "CERTIFIED")

    def _uncertified(self, start: float, why: str) -> StageOutcome:
        return StageOutcome("unknown", None, None, None, time.perf_counter() - start, why)

    def add_row(self, indices: IntArray, coefs: IntArray, lb: int, ub: int) -> None:
        """Append ``lb <= sum(coefs * var[indices]) <= ub`` (e.g. a stage value CP-SAT proved)."""
        row = sp.csr_matrix(
            (coefs.astype(np.int64), indices.astype(np.int64), np.array([0, indices.size])),
            shape=(1, self.model.n_vars),
        )
        self.a_int = sp.vstack([self.a_int, row], format="csr")
        self._a_float = None
        self._a_float_csc = None
        self.network = None  # a row over a stage's objective is not a network row
        self.row_lb = np.r_[self.row_lb, lb].astype(np.int64)
        self.row_ub = np.r_[self.row_ub, ub].astype(np.int64)

    def constrain(self, objective: Objective, lb: int, ub: int, parts: Sequence[tuple[Objective, int]] = ()) -> None:
        """Hold a stage's value: the exact optimal face when this session certified the stage, else a row."""
        cert = self.last
        if cert is None or self._last_objective is not objective or lb != ub or lb != cert.value:
            self.last = None
            self.add_row(objective.indices, objective.coefs, lb, ub)
            return
        up = cert.d > 0
        down = cert.d < 0
        self.var_lb[up] = self.var_ub[up]
        self.var_ub[down] = self.var_lb[down]
        hi = cert.y > 0
        lo = cert.y < 0
        self.row_lb[hi] = self.row_ub[hi]
        self.row_ub[lo] = self.row_lb[lo]
        self.last = None

    @property
    def bounds(self) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """The current variable and row bounds (the optimal face of the stages so far)."""
        return self.var_lb, self.var_ub, self.row_lb, self.row_ub

    def bounds_with(self, threshold: Threshold) -> tuple[IntArray, IntArray, IntArray, IntArray] | None:
        """The current bounds tightened by ``threshold``; ``None`` if they become empty."""
        var_lb, var_ub = self.var_lb.copy(), self.var_ub.copy()
        row_lb, row_ub = self.row_lb.copy(), self.row_ub.copy()
        var_ub[threshold.zero_vars] = 0
        for row, lb in threshold.row_lbs:
            row_lb[row] = max(int(row_lb[row]), lb)
        if np.any(var_lb > var_ub) or np.any(row_lb > row_ub):
            return None
        return var_lb, var_ub, row_lb, row_ub

    def probe(self, threshold: Threshold, time_limit: float | None) -> StageOutcome:
        """Feasibility of ``threshold``: a certified integral plan, else ``unknown`` (the LP cannot prove
        infeasibility; the caller asks CP-SAT)."""
        start = time.perf_counter()
        bounds = self.bounds_with(threshold)
        if bounds is None:
            return StageOutcome("infeasible", None, None, None, time.perf_counter() - start, "EMPTY_BOUNDS")
        zero = np.zeros(self.model.n_vars, dtype=np.int64)
        if self.network is not None:
            got = self.flow_certificate(zero, bounds)
            if isinstance(got, Certificate):
                self.last_engine = "flow"
                return StageOutcome("feasible", got.x, None, None, time.perf_counter() - start, "CERTIFIED")
        self.last_engine = "lp"
        solver = self._solve_lp(zero, bounds, time_limit)
        if solver.status() != mbh.SolveStatus.OPTIMAL:
            return self._uncertified(start, f"GLOP_{solver.status().name}")
        x = np.asarray(solver.variable_values(), dtype=np.float64)
        xi = np.rint(x)
        var_lb, var_ub, row_lb, row_ub = bounds
        if x.size and float(np.abs(xi - x).max()) > _INT_TOL:
            return self._uncertified(start, "FRACTIONAL")
        x_int = xi.astype(np.int64)
        activity = np.asarray(self.a_int @ x_int) if self.a_int.shape[0] else np.zeros(0, np.int64)
        ok = (
            np.all(x_int >= var_lb)
            and np.all(x_int <= var_ub)
            and np.all(activity >= row_lb)
            and np.all(activity <= row_ub)
        )
        if not ok:
            return self._uncertified(start, "INFEASIBLE_ROUNDING")
        return StageOutcome("feasible", x_int, None, None, time.perf_counter() - start, "CERTIFIED")

    def tighten(self, threshold: Threshold) -> None:
        """Hold ``threshold`` from now on."""
        self.var_ub[threshold.zero_vars] = 0
        for row, lb in threshold.row_lbs:
            self.row_lb[row] = max(int(self.row_lb[row]), lb)

    def stop(self) -> None:
        """Interrupt a running LP solve."""
        with self._lock:
            solver = self._solver
        if solver is not None:
            solver.interrupt_solve()
