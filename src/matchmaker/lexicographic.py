"""Exact lexicographic optimisation of the objective vector.

Levels are grouped into *stages*. Within a stage the levels are merged into one weighted objective,
``sum(M_l * level_l)``, with ``M_last = 1`` and ``M_l = M_(l+1) * (range_(l+1) + 1)``, where a level's
range is ``hi - lo`` over every plan. One unit of a level then outweighs any change of all later levels
in the stage together, so the merge cannot reorder levels. A stage is closed before the product of
ranges would exceed the engine's limit (:data:`STAGE_LIMIT`, 2**52, for the simplex and CP-SAT),
which keeps every objective value exact in both integer and double arithmetic; no big-M is guessed.
The min-cost flow computes in int64 alone: its stages may be wider (up to 2**62, each merged
coefficient within the flow's limit per arc), and such a stage is marked ``flow_only``. If the flow
cannot solve one, the stage is planned again within :data:`STAGE_LIMIT`. After a stage is
solved to optimality its value is held (an equality, or the LP's optimal face), and the next stage is
optimised. A stage stopped by the time limit keeps its
best value as a lower bound instead, and the result is ``feasible``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from matchmaker.build import Level
from matchmaker.engines.base import SPLIT_STAGE, CancelToken, IntArray, Objective, Session, StageStatus
from matchmaker.progress import Reporter

logger = logging.getLogger("matchmaker.lexicographic")

__all__ = ["STAGE_LIMIT", "LexicographicOutcome", "Stage", "StageRecord", "plan_stages", "run"]

#: The largest combined range of one stage's merged objective.
STAGE_LIMIT = 2**52


@dataclass(frozen=True, eq=False)
class Stage:
    """Consecutive levels merged into one maximised objective with the given multipliers."""

    levels: tuple[int, ...]
    multipliers: tuple[int, ...]
    objective: Objective


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


def _merge(levels: tuple[Level, ...], members: list[int], mults: list[int], *, flow_only: bool = False) -> Objective:
    idx_parts = []
    coef_parts = []
    for li, m in zip(members, mults, strict=True):
        lv = levels[li]
        sign = 1 if lv.sense == "max" else -1
        idx_parts.append(lv.indices)
        coef_parts.append(lv.coefs * np.int64(sign * m))
    if not idx_parts:
        return Objective(np.empty(0, np.int64), np.empty(0, np.int64), flow_only)
    idx = np.concatenate(idx_parts)
    cf = np.concatenate(coef_parts)
    order = np.argsort(idx, kind="stable")
    idx, cf = idx[order], cf[order]
    if idx.size == 0:
        return Objective(idx, cf, flow_only)
    starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
    summed = np.add.reduceat(cf, starts)
    keep = summed != 0
    return Objective(idx[starts][keep].astype(np.int64), summed[keep].astype(np.int64), flow_only)


def plan_stages(
    levels: tuple[Level, ...], limit: int = STAGE_LIMIT, coef_limit: int | None = None, start: int = 0
) -> list[Stage]:
    """Group ``levels[start:]`` into as few stages as the exactness limits allow; a threshold level,
    and a level marked ``alone``, is a stage of its own.

    ``limit`` bounds the product of a stage's level ranges (so its objective values stay exact);
    ``coef_limit``, when given, also bounds the largest coefficient of the merged objective (the
    network-flow engine's limit, which is per arc: far below the range product at scale). A stage
    wider than :data:`STAGE_LIMIT` is marked ``flow_only`` (see :class:`~matchmaker.engines.base.Objective`)."""
    groups: list[list[int]] = []
    current: list[int] = []
    product = 1
    largest = 0  # a bound on the merged objective's largest absolute coefficient
    for i in range(start, len(levels)):
        lv = levels[i]
        if lv.kind == "threshold" or lv.alone:
            if current:
                groups.append(current)
            groups.append([i])
            current, product, largest = [], 1, 0
            continue
        span = lv.hi - lv.lo + 1
        own = int(np.abs(lv.coefs).max(initial=0))
        if current and (product * span > limit or (coef_limit is not None and largest * span + own > coef_limit)):
            groups.append(current)
            current, product, largest = [], 1, 0
        current.append(i)
        product *= span
        largest = largest * span + own
    if current:
        groups.append(current)
    stages: list[Stage] = []
    for members in groups:
        mults = [1] * len(members)
        for k in range(len(members) - 2, -1, -1):
            nxt = levels[members[k + 1]]
            mults[k] = mults[k + 1] * (nxt.hi - nxt.lo + 1)
        wide = len(members) > 1 and mults[0] * (levels[members[0]].hi - levels[members[0]].lo + 1) > STAGE_LIMIT
        stages.append(Stage(tuple(members), tuple(mults), _merge(levels, members, mults, flow_only=wide)))
    return stages


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
) -> LexicographicOutcome:
    """Optimise ``levels`` in order on ``session``; see the module docstring. ``progress`` hears when
    each stage starts and ends (the session reports what happens within a stage)."""
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
            session.constrain(stage.objective, obj_value, obj_value)
        else:
            status = "feasible"
            session.constrain(stage.objective, obj_value, np.iinfo(np.int64).max // 4)
    cancelled = cancel is not None and cancel.cancelled
    if len(records) < len(stages):
        status = "feasible"
    return LexicographicOutcome(status, values, tuple(records), cancelled)
