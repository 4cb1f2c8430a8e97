"""Engine choice: certified LP stages first, CP-SAT for any stage the LP cannot prove.

``engine="auto"`` opens an :class:`AutoSession`: each stage is tried on the LP engine, whose answer
counts only with an exact certificate (:mod:`matchmaker._engines.lp`). The first stage it cannot
certify, and every stage after it, goes to CP-SAT, built on the optimal face the LP stages left and
hinted with the LP's plan. ``engine="cp-sat"`` uses CP-SAT for every stage.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from matchmaker._engines.base import SPLIT_STAGE, StageOutcome
from matchmaker._engines.cpsat import CpSatSession
from matchmaker._engines.lp import LpSession
from matchmaker._linear import LinearModel, Objective, Threshold
from matchmaker._options import SolveOptions
from matchmaker._progress import Reporter
from matchmaker._types import IntArray

__all__ = ["AutoSession"]


class AutoSession:
    """A session that runs each stage on the fastest engine that can prove it."""

    def __init__(self, model: LinearModel, options: SolveOptions, *, progress: Reporter | None = None) -> None:
        self.model = model
        self.options = options
        self.progress = progress
        self._stopped = False  # sticky: a stop that comes between two engines must stop the second too
        self.lp: LpSession | None = (
            LpSession(model, options, flow=options.engine == "auto") if options.engine in ("auto", "lp") else None
        )
        self.cp: CpSatSession | None = None
        # Rows that are not a stage's value held (a cut, a lower bound): the LP's bounds, from which
        # CP-SAT is opened, do not carry them.
        self._rows: list[tuple[Objective, int, int]] = []
        self.engines: list[str] = []
        self._probing: CpSatSession | None = None
        self.stage_limit = self.lp.stage_limit if self.lp is not None else CpSatSession.stage_limit
        self.coef_limit = self.lp.coef_limit if self.lp is not None else CpSatSession.coef_limit

    def _open_cp(self) -> CpSatSession:
        if self.cp is None:
            lp = self.lp
            bounds = None if lp is None else (lp.var_lb, lp.var_ub, lp.row_lb, lp.row_ub)
            self.cp = CpSatSession(self.model, self.options, bounds=bounds, progress=self.progress)
            for objective, lb, ub in self._rows:
                self.cp.constrain(objective, lb, ub)
        return self.cp

    def _engine(self, name: str) -> None:
        if self.progress is not None:
            self.progress.engine(name)

    def optimise(self, objective: Objective, time_limit: float | None, hint: IntArray | None) -> StageOutcome:
        """Run the stage on LP if it can be certified there, else on CP-SAT (every stage tries the LP
        first: a stage after a CP-SAT stage is often LP-tight again)."""
        start = time.perf_counter()
        if self.lp is not None:
            self._engine("flow" if self.lp.network is not None else "lp")
            if self._stopped:
                return StageOutcome("unknown", None, None, None, 0.0, "STOPPED")
            out = self.lp.optimise(objective, time_limit, hint)
            if out.status == "optimal":
                self.engines.append(self.lp.last_engine)
                return out
            if out.engine_status == SPLIT_STAGE:  # the caller plans the stage again in smaller parts
                return out
            if out.values is not None and (hint is None or self.model.lp_tight):
                # The rounded LP plan of a model that is not LP-tight (stable mode) breaks rows; the
                # caller's hint there is a plan (the stage before, or a stable start).
                hint = out.values
            if self._stopped:  # interrupted: do not start CP-SAT on the stage
                return StageOutcome("unknown", None, None, None, time.perf_counter() - start, "STOPPED")
        cp = self._open_cp()
        remaining = None if time_limit is None else max(time_limit - (time.perf_counter() - start), 0.001)
        self._engine("cp-sat")
        out = cp.optimise(objective, remaining, hint)
        self.engines.append("cp-sat")
        return StageOutcome(
            out.status, out.values, out.objective, out.bound, time.perf_counter() - start, out.engine_status
        )

    def constrain(self, objective: Objective, lb: int, ub: int, parts: Sequence[tuple[Objective, int]] = ()) -> None:
        """Hold a stage's value in every engine that may run a later stage; ``parts`` in CP-SAT, for a
        model that is not LP-tight (there one row of merged levels relaxes far more than the levels held
        one by one)."""
        if lb != ub and not objective.flow_only:
            self._rows.append((objective, lb, ub))
        if self.cp is not None and objective.flow_only:
            # Only the flow proves a flow_only stage, and only while the model is still a network (no
            # row was added for a CP-SAT stage): the LP session's bounds then hold everything so far,
            # this stage's optimal face included. CP-SAT is opened again from them if a later stage
            # needs it; a row with these coefficients would overflow CP-SAT's int64 arithmetic.
            self.cp = None
        elif self.cp is not None:
            self.cp.constrain(objective, lb, ub, () if self.model.lp_tight else parts)
        if self.lp is not None:
            self.lp.constrain(objective, lb, ub)

    def probe(self, threshold: Threshold, time_limit: float | None) -> StageOutcome:
        """Feasibility of ``threshold``: the LP proves "feasible" with an integral plan; "infeasible"
        is proved by CP-SAT on the LP's current face, which otherwise finds the plan."""
        start = time.perf_counter()
        if self.lp is not None:
            self._engine("flow" if self.lp.network is not None else "lp")
            if self._stopped:
                return StageOutcome("unknown", None, None, None, 0.0, "STOPPED")
            out = self.lp.probe(threshold, time_limit)
            if out.status != "unknown":
                if out.status == "feasible":
                    self.engines.append(self.lp.last_engine)
                return out
        self._engine("cp-sat")
        if self.cp is not None:
            return self.cp.probe(threshold, time_limit)
        assert self.lp is not None
        bounds = self.lp.bounds_with(threshold)
        if bounds is None:
            return StageOutcome("infeasible", None, None, None, time.perf_counter() - start, "EMPTY_BOUNDS")
        remaining = None if time_limit is None else max(time_limit - (time.perf_counter() - start), 0.001)
        proof = CpSatSession(self.model, self.options, bounds=bounds, progress=self.progress)
        self._probing = proof
        try:
            status, _ = proof.unsatisfiable_guards(remaining)
        finally:
            self._probing = None
        if status == "infeasible":
            return StageOutcome("infeasible", None, None, None, time.perf_counter() - start, "CP-SAT_INFEASIBLE")
        if status != "feasible" and status != "optimal":
            return StageOutcome("unknown", None, None, None, time.perf_counter() - start, "UNDECIDED")
        # Feasible, but the proof holds no plan (and the LP none that is integral, e.g. a bottleneck
        # over both sides' ranks in stable mode): search the plan on CP-SAT, on the LP's face.
        remaining = None if time_limit is None else max(time_limit - (time.perf_counter() - start), 0.001)
        out = self._open_cp().probe(threshold, remaining)
        if out.status == "feasible":
            self.engines.append("cp-sat")
        return out

    def tighten(self, threshold: Threshold) -> None:
        """Hold ``threshold`` in every engine that may run a later stage."""
        if self.cp is not None:
            self.cp.tighten(threshold)
        if self.lp is not None:
            self.lp.tighten(threshold)

    def stop(self) -> None:
        """Stop whichever engine is running, and any this session would start after it."""
        self._stopped = True
        probing = self._probing
        if probing is not None:
            probing.stop()
        if self.lp is not None:
            self.lp.stop()
        if self.cp is not None:
            self.cp.stop()

    @property
    def engine_name(self) -> str:
        """The engines that ran, e.g. ``"lp"``, ``"cp-sat"`` or ``"lp+cp-sat"``."""
        seen = list(dict.fromkeys(self.engines))
        return "+".join(seen) if seen else "none"
