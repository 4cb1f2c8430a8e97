"""The direct path of a pure capacity round: from the scoring arrays to certified flow stages, no model.

A round whose constraints are only one place per applicant and the supervisor, unit and municipality
maximums, with linear levels, is a min-cost flow network (:mod:`matchmaker._engines.flow`). The general
path writes every row of its model out (:mod:`matchmaker._build`), reads the network back off them,
and certifies each stage against the rows as a sparse matrix. Here the network comes straight from the
scores (:func:`matchmaker._engines.capacity.capacity_network`, the same network arc for arc), each stage
is certified on it (:func:`matchmaker._engines.capacity.verify_on_network`, the same exact check), and
the optimal face is held exactly as the LP session holds it, so the plan is the general path's plan.

Which rounds qualify is decided before anything large is built, and exactly: the policy's other
constraint pieces (load, pins, links, balance, group rules) run on an empty builder and must add
nothing, no unit or municipality has a hard minimum, and every level is linear over the pairs. Any
stage the flow does not certify sends the whole round back to the general path.
"""

from __future__ import annotations

import time

import numpy as np

from matchmaker._build import build_model
from matchmaker._engines.base import CancelToken, StageStatus
from matchmaker._engines.capacity import CapacityNetwork, capacity_network, verify_on_network
from matchmaker._engines.flow import FLOW_STAGE_LIMIT, flow_coef_limit, solve_network
from matchmaker._lexicographic import LexicographicOutcome, StageRecord
from matchmaker._linear import LinearModel, plan_stages
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._pieces import (
    MunicipalityCapacity,
    OnePlacePerApplicant,
    SupervisorCapacity,
    UnitCapacity,
    default_constraints,
)
from matchmaker._pieces.constraints import hard_unit_minimum
from matchmaker._progress import Reporter
from matchmaker._scoring import Scores
from matchmaker._types import IntArray

__all__ = ["DirectRound", "direct_round", "solve_direct"]

#: The pieces whose rows the network stands for.
_CAPACITY_PIECES = (OnePlacePerApplicant, SupervisorCapacity, UnitCapacity, MunicipalityCapacity)


class DirectRound:
    """A pure capacity round ready for the direct path: the levels (a model without rows: what the
    decision reads) and the network."""

    __slots__ = ("levels_model", "network")

    def __init__(self, levels_model: LinearModel, network: CapacityNetwork) -> None:
        self.levels_model = levels_model
        self.network = network


def direct_round(problem: Problem, scores: Scores, options: SolveOptions) -> DirectRound | None:
    """The round as a network with its levels, or ``None`` when it is not a pure capacity round (or the
    flow engine would not read its network straight off the rows): then the general path decides."""
    policy = problem.policy
    if options.engine != "auto" or policy.stability is not None:
        return None
    enc = scores.encoding
    if any(hard_unit_minimum(problem, ident) > 0 for ident in enc.unit_ids):
        return None
    if policy.minimums == "hard" and np.any(enc.municipality_min > 0):
        return None
    others = [c for c in default_constraints(problem) if not isinstance(c, _CAPACITY_PIECES)]
    # The other pieces (load, pins, links, balance, group rules) and every level piece on a builder
    # without the capacity rows: a pure capacity round gets levels from them and nothing else.
    levels_model = build_model(problem, scores, constraints=others)
    if levels_model.n_rows or levels_model.n_vars != levels_model.n_pairs:
        return None
    if any(lv.kind != "linear" or lv.evaluate is not None or lv.alone for lv in levels_model.levels):
        return None
    net = capacity_network(
        scores.applicant,
        scores.supervisor,
        enc.n_applicants,
        enc.supervisor_capacity,
        enc.supervisor_unit,
        enc.unit_max,
        enc.unit_municipality,
        enc.municipality_max,
    )
    return None if net is None else DirectRound(levels_model, net)


def solve_direct(
    direct: DirectRound,
    options: SolveOptions,
    *,
    cancel: CancelToken | None = None,
    progress: Reporter | None = None,
) -> LexicographicOutcome | None:
    """The lexicographic optimum of the round, stage by stage on the network (the stages the general
    path's flow session plans), or ``None`` if a stage is not certified (then nothing is kept: the
    general path solves the round). Stops between stages as :func:`matchmaker._lexicographic.run`
    does: a cancellation or the time limit after a first plan gives status ``feasible``."""
    model, cn = direct.levels_model, direct.network
    levels = model.levels
    deadline = None if options.time_limit is None else time.perf_counter() + options.time_limit
    stages = plan_stages(levels, FLOW_STAGE_LIMIT, flow_coef_limit(cn.network))
    n = model.n_pairs
    var_lb = np.zeros(n, dtype=np.int64)
    var_ub = np.ones(n, dtype=np.int64)
    row_lb = np.zeros(cn.n_rows, dtype=np.int64)
    row_ub = cn.row_ub.copy()
    records: list[StageRecord] = []
    values: IntArray | None = None
    for k, stage in enumerate(stages):
        if values is not None and (
            (cancel is not None and cancel.cancelled) or (deadline is not None and deadline <= time.perf_counter())
        ):
            break
        names = tuple(levels[i].name for i in stage.levels)
        if progress is not None:
            progress.stage(k + 1, len(stages), names)
            progress.engine("flow")
        start = time.perf_counter()
        c = np.zeros(n, dtype=np.int64)
        c[stage.objective.indices] = stage.objective.coefs
        bounds = (var_lb, var_ub, row_lb, row_ub)
        got = solve_network(cn.network, c, *bounds)
        cert = None if isinstance(got, str) else verify_on_network(cn, c, bounds, *got)
        if cert is None:
            return None
        del c
        records.append(StageRecord(names, "optimal", cert.value, cert.value, time.perf_counter() - start, "CERTIFIED"))
        if progress is not None:
            progress.stage_done("optimal", cert.value, cert.value)
        values = cert.x
        # The stage's optimal face, held as the LP session holds it (engines/lp.py, LpSession.constrain).
        up, down = cert.d > 0, cert.d < 0
        var_lb[up] = var_ub[up]
        var_ub[down] = var_lb[down]
        hi, lo = cert.y > 0, cert.y < 0
        row_lb[hi] = row_ub[hi]
        row_ub[lo] = row_lb[lo]
    cancelled = cancel is not None and cancel.cancelled
    status: StageStatus = "optimal" if len(records) == len(stages) else "feasible"
    return LexicographicOutcome(status, values, tuple(records), cancelled)
