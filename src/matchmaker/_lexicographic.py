"""Exact lexicographic optimisation of the objective vector, stage by stage, on an engine's session.

The stages come from :func:`matchmaker._linear.plan_stages` (levels merged exactly, within each engine's
limits). A ``flow_only`` stage the flow cannot solve is planned again within
:data:`~matchmaker._linear.STAGE_LIMIT`. After a stage is
solved to optimality its value is held (an equality, or the LP's optimal face), and the next stage is
optimised. A stage stopped by the time limit keeps its
best value as a lower bound instead, and the result is ``feasible``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matchmaker._engines.base import SPLIT_STAGE, CancelToken, Session, StageStatus
from matchmaker._linear import STAGE_LIMIT, Level, Objective, plan_stages
from matchmaker._progress import Reporter
from matchmaker._types import IntArray

logger = logging.getLogger("matchmaker.lexicographic")

__all__ = ["LexicographicOutcome", "StageRecord", "run"]


@dataclass(frozen=True)
class StageRecord:
    """What happened in one stage."""

    levels: tuple[str, ...]
    status: StageStatus
    value: int | None
    bound: int | None
    wall_time: float
    engine_status: str


@dataclass(frozen=True, eq=False)
class LexicographicOutcome:
    """The overall status, the plan's variable values (if any) and one record per stage run."""

    status: StageStatus
    values: IntArray | None
    stages: tuple[StageRecord, ...]
    cancelled: bool


def _parts(levels: tuple[Level, ...], members: tuple[int, ...], values: IntArray) -> tuple[tuple[Objective, int], ...]:
    """Each linear level of a merged stage with its value in ``values`` (the stage's optimum): an exact
    merge means every plan with the optimal merged value has these values too."""
    if len(members) < 2:
        return ()
    out = []
    for i in members:
        lv = levels[i]
        if lv.kind == "linear" and lv.evaluate is None:
            out.append((Objective(lv.indices, lv.coefs), lv.value(values) - lv.offset))
    return tuple(out)


def _threshold_stage(
    level: Level,
    session: Session,
    deadline: float | None,
    values: IntArray | None,
) -> tuple[StageRecord, IntArray | None, bool]:
    """Binary-search the best threshold that still admits a plan; returns the record, the plan and
    whether the search was completed (proved)."""
    start = time.perf_counter()
    thresholds = level.thresholds
    if not thresholds:  # nothing to choose (no pair carries the level's key)
        value = level.value(values) if values is not None else 0
        return StageRecord((level.name,), "optimal", value, value, time.perf_counter() - start, "TRIVIAL"), values, True
    # The last threshold demands nothing the stages before did not already allow: ``values`` meets it.
    best = len(thresholds) - 1
    best_values = values
    lo, hi = 0, best - 1
    proved = True
    status_name = "PROVED"
    while lo <= hi:
        mid = (lo + hi) // 2
        remaining = None if deadline is None else deadline - time.perf_counter()
        if remaining is not None and remaining <= 0:
            proved, status_name = False, "TIME_LIMIT"
            break
        out = session.probe(thresholds[mid], remaining)
        if out.status in ("optimal", "feasible") and out.values is not None:
            best, best_values = mid, out.values
            hi = mid - 1
        elif out.status == "infeasible":
            lo = mid + 1
        else:
            proved, status_name = False, out.engine_status
            break
    session.tighten(thresholds[best])
    value = thresholds[best].value
    bound = thresholds[lo].value if not proved and lo < len(thresholds) else value
    record = StageRecord(
        (level.name,),
        "optimal" if proved else "feasible",
        value,
        bound,
        time.perf_counter() - start,
        status_name,
    )
    return record, best_values, proved


def run(
    levels: tuple[Level, ...],
    session: Session,
    *,
    time_limit: float | None,
    cancel: CancelToken | None = None,
    hint: IntArray | None = None,
    progress: Reporter | None = None,
    bound: Callable[[Objective], int | None] | None = None,
    hint_is_plan: bool = False,
) -> LexicographicOutcome:
    """Optimise ``levels`` in order on ``session``; see the module docstring. ``progress`` hears when
    each stage starts and ends (the session reports what happens within a stage). ``bound`` gives a
    proven upper bound of a stage objective (from a relaxation), or ``None``: when the ``hint`` is a
    plan (``hint_is_plan``: every variable, every row met) that reaches it in the first stage, that
    stage is proven without a search; else the bound is a cut for that stage's search."""
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    stages = plan_stages(levels, session.stage_limit, session.coef_limit)
    records: list[StageRecord] = []
    values: IntArray | None = None
    status: StageStatus = "optimal"
    k = -1
    while k + 1 < len(stages):
        k += 1
        stage = stages[k]
        names = tuple(levels[i].name for i in stage.levels)
        if cancel is not None and cancel.cancelled and values is not None:
            status = "feasible"
            break
        remaining = None if deadline is None else deadline - time.perf_counter()
        if remaining is not None and remaining <= 0 and values is not None:
            status = "feasible"
            break
        first = levels[stage.levels[0]]
        if progress is not None:
            progress.stage(k + 1, len(stages), names)
        if k == 0 and bound is not None and first.kind == "linear":
            start = time.perf_counter()
            most = bound(stage.objective)
            reached = None if hint is None or not hint_is_plan else stage.objective.value(hint)
            if most is not None and most == reached:
                assert hint is not None
                records.append(StageRecord(names, "optimal", most, most, time.perf_counter() - start, "BOUND"))
                if progress is not None:
                    progress.stage_done("optimal", most, most)
                values = hint
                session.constrain(stage.objective, most, most, _parts(levels, stage.levels, values))
                continue
            if most is not None and not stage.objective.flow_only:
                # A valid cut (every plan of the model is one of the relaxation's): the search's bound
                # starts there, and a plan that reaches it ends the stage.
                session.constrain(stage.objective, np.iinfo(np.int64).min // 4, most)
        if first.kind == "threshold":
            if values is None:
                raise AssertionError("a threshold level needs a plan from the stages before it")
            if cancel is not None:
                cancel._register(session.stop)
            try:
                record, values, proved = _threshold_stage(first, session, deadline, values)
            finally:
                if cancel is not None:
                    cancel._unregister(session.stop)
            records.append(record)
            if progress is not None:
                progress.stage_done(record.status, record.value, record.bound)
            if not proved:
                status = "feasible"
                break
            continue
        if cancel is not None:
            cancel._register(session.stop)
        try:
            out = session.optimise(stage.objective, remaining, values if values is not None else hint)
        finally:
            if cancel is not None:
                cancel._unregister(session.stop)
        if out.engine_status == SPLIT_STAGE:
            # a stage only the flow could take exactly, which it did not solve: plan it (and the rest)
            # again within the limits of the simplex and CP-SAT, and run its first part now
            logger.debug("stage %s needs the flow and was not certified there; splitting it", names)
            stages[k:] = plan_stages(levels, STAGE_LIMIT, None, start=stage.levels[0])
            k -= 1
            continue
        records.append(StageRecord(names, out.status, out.objective, out.bound, out.wall_time, out.engine_status))
        if progress is not None:
            progress.stage_done(out.status, out.objective, out.bound)
        if out.status == "infeasible":
            if k == 0:
                return LexicographicOutcome("infeasible", None, tuple(records), False)
            raise AssertionError("a later stage cannot be infeasible: its start is a plan")
        if out.status == "unknown" or out.values is None:
            if values is None:
                cancelled = cancel is not None and cancel.cancelled
                return LexicographicOutcome("unknown", None, tuple(records), cancelled)
            status = "feasible"
            break
        values = out.values
        assert values is not None
        obj_value = stage.objective.value(values)
        if out.status == "optimal":
            session.constrain(stage.objective, obj_value, obj_value, _parts(levels, stage.levels, values))
        else:
            status = "feasible"
            session.constrain(stage.objective, obj_value, np.iinfo(np.int64).max // 4)
    cancelled = cancel is not None and cancel.cancelled
    if len(records) < len(stages):
        status = "feasible"
    return LexicographicOutcome(status, values, tuple(records), cancelled)
