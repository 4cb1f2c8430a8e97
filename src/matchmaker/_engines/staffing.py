"""The fewest supervisors to add so that some plan places a target number: a CP-SAT model on arrays.

Each *pool* stands for the new supervisors one unit could get, all alike: an integer ``y[c]`` counts
them (cost 1 each) and a pair variable ``x[p]`` per acceptable (applicant, pool) pair carries the
students they take. The model keeps the capacities (supervisor, unit, municipality), one place per
applicant and the pins; it leaves out every other rule of a policy, so its optimum is a lower bound
that the caller verifies by solving the round again with the real engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from matchmaker._native import cp_model
from matchmaker._types import IntArray

__all__ = ["StaffingModel", "StaffingOutcome", "fewest_additions", "most_placed"]


@dataclass(frozen=True, eq=False)
class StaffingModel:
    """The arrays of a round with one pool per unit that may get new supervisors.

    ``pair_applicant[p]`` and ``pair_supervisor[p]`` index the round's applicants and supervisors;
    ``supervisor_pool[s]`` is ``-1`` for a supervisor of the round and the pool's index for a pool.
    ``municipality_max`` is ``-1`` for a municipality without a cap. Each new supervisor takes
    ``new_capacity`` students; with ``grow`` the unit's places (and a capped municipality's) grow by as
    many. ``pins`` lists, per pin, the pairs that satisfy it.
    """

    n_applicants: int
    pair_applicant: IntArray
    pair_supervisor: IntArray
    supervisor_capacity: IntArray
    supervisor_pool: IntArray
    supervisor_unit: IntArray
    unit_max: IntArray
    unit_municipality: IntArray
    municipality_max: IntArray
    pool_unit: IntArray
    pool_bound: IntArray
    new_capacity: int
    grow: bool
    pins: tuple[IntArray, ...]


@dataclass(frozen=True)
class StaffingOutcome:
    """``counts[c]`` new supervisors per pool and the plan's placed count, or ``None`` when no count
    reaches the target (``status`` ``"infeasible"``) or none was proven in time (``"unknown"``)."""

    status: Literal["optimal", "infeasible", "unknown"]
    counts: tuple[int, ...] | None
    placed: int | None


def _build(model: StaffingModel) -> tuple[cp_model.CpModel, list[cp_model.IntVar], list[cp_model.IntVar]]:
    cp = cp_model.CpModel()
    n_pairs = len(model.pair_applicant)
    x = [cp.new_bool_var(f"x{p}") for p in range(n_pairs)]
    y = [cp.new_int_var(0, int(b), f"y{c}") for c, b in enumerate(model.pool_bound)]
    unit_of_pair = model.supervisor_unit[model.pair_supervisor]
    muni_of_pair = model.unit_municipality[unit_of_pair]
    cap = model.new_capacity
    # Each applicant is placed at most once.
    for a in range(model.n_applicants):
        pairs = np.flatnonzero(model.pair_applicant == a)
        if pairs.size > 1:
            cp.add(sum(x[p] for p in pairs) <= 1)
    # A supervisor of the round takes at most their capacity; a pool at most `cap` per new supervisor.
    for s, c in enumerate(model.supervisor_pool):
        pairs = np.flatnonzero(model.pair_supervisor == s)
        if c < 0:
            if pairs.size > model.supervisor_capacity[s]:
                cp.add(sum(x[p] for p in pairs) <= int(model.supervisor_capacity[s]))
        elif pairs.size:
            cp.add(sum(x[p] for p in pairs) <= cap * y[c])
    # A unit takes at most its places, grown by each new supervisor's when places follow supervisors.
    for u, top in enumerate(model.unit_max):
        pairs = np.flatnonzero(unit_of_pair == u)
        grown = [y[c] for c in np.flatnonzero(model.pool_unit == u)] if model.grow else []
        if pairs.size:
            cp.add(sum(x[p] for p in pairs) <= int(top) + cap * sum(grown))
    # A capped municipality takes at most its places, grown likewise.
    pool_muni = model.unit_municipality[model.pool_unit]
    for m, top in enumerate(model.municipality_max):
        if top < 0:
            continue
        pairs = np.flatnonzero(muni_of_pair == m)
        grown = [y[c] for c in np.flatnonzero(pool_muni == m)] if model.grow else []
        if pairs.size:
            cp.add(sum(x[p] for p in pairs) <= int(top) + cap * sum(grown))
    # Each pin is kept.
    for pairs in model.pins:
        cp.add(sum(x[int(p)] for p in pairs) == 1)
    return cp, x, y


def _solver(seed: int, time_limit: float | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker: the same answer on every run
    solver.parameters.random_seed = seed
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = time_limit
    return solver


def fewest_additions(
    model: StaffingModel,
    target: int,
    *,
    excluded: Sequence[tuple[int, ...]] = (),
    seed: int = 0,
    time_limit: float | None = None,
) -> StaffingOutcome:
    """The fewest new supervisors (then the most placed) with which some plan places ``target``,
    other than the count vectors in ``excluded``."""
    cp, x, y = _build(model)
    # The plan places at least the target.
    cp.add(sum(x) >= target)
    # Each excluded count vector is cut off: some pool's count differs from it.
    for k, counts in enumerate(excluded):
        differs = [cp.new_bool_var(f"d{k}_{c}") for c in range(len(y))]
        for c, d in enumerate(differs):
            cp.add(y[c] != counts[c]).only_enforce_if(d)
        cp.add_bool_or(differs)
    # Fewest new supervisors first; among those, the most placed.
    cp.minimize((len(x) + 1) * sum(y) - sum(x))
    solver = _solver(seed, time_limit)
    status = solver.solve(cp)
    if status == cp_model.INFEASIBLE:
        return StaffingOutcome("infeasible", None, None)
    if status != cp_model.OPTIMAL:
        return StaffingOutcome("unknown", None, None)
    counts = tuple(int(solver.value(v)) for v in y)
    return StaffingOutcome("optimal", counts, sum(int(solver.value(v)) for v in x))


def most_placed(model: StaffingModel, *, seed: int = 0, time_limit: float | None = None) -> int | None:
    """The most applicants any plan places with as many new supervisors as the pools allow (``None``
    if not proven in time)."""
    cp, x, _ = _build(model)
    cp.maximize(sum(x))
    solver = _solver(seed, time_limit)
    status = solver.solve(cp)
    return int(solver.objective_value) if status == cp_model.OPTIMAL else None
