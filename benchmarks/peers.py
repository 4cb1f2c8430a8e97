"""The peers: what a user would write instead of calling matchmaker, each solving the same instance.

Every peer reads :class:`~benchmarks.instance.Arrays` (matchmaker's own acceptable pairs, fit points and
capacities) and returns the chosen pairs; :mod:`benchmarks.verify` then checks the plan and recomputes
its levels, so no peer is trusted on its own report. Peers written straightforwardly, with no
matchmaker tricks:

``flow``
    OR-Tools ``SimpleMinCostFlow``: source -> applicant (1) -> supervisor (pair arcs) -> unit ->
    municipality -> sink, plus a source -> sink bypass for the unplaced. The priority tiers, placed count
    and total fit are merged into one exact int64 cost per pair (:func:`~benchmarks.instance.merged_weights`).
    Pure nested-capacity instances only (no minimums, no fairness).
``scipy``
    ``scipy.sparse.csgraph.min_weight_full_bipartite_matching`` (LAPJVsp) with each supervisor expanded
    into one column per place and one private "unplaced" column per applicant. Only where nothing but
    supervisor capacities can bind, and only while the merged weights stay exact in float64 (< 2**53).
``highs``
    HiGHS' MIP through ``highspy``, **in its own process** (highspy and ortools clash when imported in one
    process): one binary per pair, one row per applicant, supervisor, unit and municipality, the fairness
    rows over an integer "placed" column. One merged objective while it is exact in float64, else the
    levels one after another (each level held by a row before the next is optimised); ``mip_rel_gap=0``.
``cpsat``
    A plain CP-SAT model: one Boolean per pair, ``add_at_most_one`` per applicant, linear capacity rows,
    the fairness rows, the merged int64 objective; the given workers and time limit.
``matching``
    The ``matching`` package's ``StudentAllocation`` (applicant-optimal stable matching with strict
    preferences): its "student" is our applicant, its "project" our supervisor (capacity), its
    "supervisor" our unit (``max_places``, ranking applicants by the unit's interview score). Only for
    instances whose units rank strictly (the stable variant) and without municipality caps or minimums.

The lexicographic peers solve the levels ``placed_tier_*``, ``placed`` and ``total_fit``
(:data:`~benchmarks.instance.level_names` without the lottery): matchmaker's lottery level only breaks
ties among optimal plans, and no single int64 or float64 weight can hold it beside the others.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from benchmarks.instance import INT64_SAFE, Arrays, IntArray, level_coefs, level_names, merged_weights

__all__ = [
    "PEERS",
    "Peer",
    "PeerOptions",
    "PeerOutcome",
    "PeerStatus",
    "optional_module",
]

PeerStatus = Literal["optimal", "feasible", "infeasible", "unknown", "error"]
Solves = Literal["lexicographic", "stable"]
#: Largest integer every float64 holds exactly.
FLOAT_EXACT = 2**53


@dataclass(frozen=True)
class PeerOptions:
    """What every peer gets: a time limit (seconds, for the peers that take one) and parallel workers."""

    time_limit: float = 300.0
    workers: int = 2
    #: CP-SAT's deterministic time limit (its own work units, not seconds): with one worker, the same
    #: answer however busy the machine is (tests use it; benchmarks leave it unset).
    deterministic_limit: float | None = None


@dataclass(frozen=True, eq=False)
class PeerOutcome:
    """A peer's answer: its status, the chosen pair indices (if it has a plan), the levels it optimised
    (in order), and solver details (its own status name, bound, mode)."""

    status: PeerStatus
    chosen: IntArray | None
    levels: tuple[str, ...]
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Peer:
    """A peer solver.

    Attributes:
        name: short name used on the command line and in the results.
        solves: ``"lexicographic"`` (matchmaker's levels) or ``"stable"`` (an applicant-optimal stable
            matching).
        module: the package it needs (for the "not installed" report).
        imports: the modules it uses, imported by :meth:`load` before the clock starts (matchmaker's
            import is not timed either).
        description: one line for the table and the README.
        why_not: ``None`` if the peer can solve the instance exactly, else the reason it cannot.
        solve: the solve itself; everything in it is timed.
    """

    name: str
    solves: Solves
    module: str
    imports: tuple[str, ...]
    description: str
    why_not: Callable[[Arrays], str | None]
    solve: Callable[[Arrays, PeerOptions], PeerOutcome]

    def load(self) -> None:
        """Import the peer's modules (raises ImportError if its package is not installed)."""
        with warnings.catch_warnings():
            # The matching package calls warnings.simplefilter("always") at import; keep that local.
            warnings.simplefilter("ignore")
            for name in self.imports:
                importlib.import_module(name)

    def installed(self) -> bool:
        """Whether the peer's package can be imported (without importing it)."""
        return importlib.util.find_spec(self.module) is not None

    def version(self) -> str:
        """The installed version of the peer's package, or ``"not installed"``."""
        from importlib import metadata

        dist = {"ortools": "ortools", "scipy": "scipy", "highspy": "highspy", "matching": "matching"}[self.module]
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"


def optional_module(name: str) -> ModuleType | None:
    """Import a peer's package if it is installed (typed as a plain module: peers are untyped)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _core_levels(arrays: Arrays) -> tuple[str, ...]:
    return tuple(level_names(arrays, lottery=False))


def _weights_why_not(arrays: Arrays, limit: int = INT64_SAFE) -> str | None:
    """Why the core levels cannot be merged into one exact weight below ``limit``, or ``None``."""
    if merged_weights(arrays, _core_levels(arrays), limit) is None:
        return f"the merged level weights are not exact below 2**{limit.bit_length() - 1}"
    return None


def _merged(arrays: Arrays, limit: int = INT64_SAFE) -> tuple[tuple[str, ...], IntArray]:
    """The core levels and their exact merged weight per pair (see :func:`_weights_why_not`)."""
    levels = _core_levels(arrays)
    weights = merged_weights(arrays, levels, limit)
    if weights is None:
        raise ValueError(_weights_why_not(arrays, limit))
    return levels, weights


def _grouped(keys: IntArray, n_groups: int) -> tuple[IntArray, IntArray]:
    """Pairs grouped by ``keys``: CSR ``(starts, pair indices)`` with one row per group."""
    order = np.argsort(keys, kind="stable").astype(np.int64)
    counts = np.bincount(keys, minlength=n_groups)
    starts = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return starts, order


@dataclass(frozen=True, eq=False)
class _Rows:
    """The constraint rows every MIP peer builds: ``lb <= sum(coef * column) <= ub`` in CSR form.

    Columns are the pairs, then (with the fairness or a group-rate rule) one integer column ``placed``.
    """

    n_cols: int
    starts: IntArray
    index: IntArray
    value: IntArray
    lb: npt.NDArray[np.float64]
    ub: npt.NDArray[np.float64]

    @property
    def n_rows(self) -> int:
        return int(self.lb.shape[0])


def _rows(arrays: Arrays, *, with_applicants: bool = True) -> _Rows:
    """Applicant (at most one), supervisor, unit and municipality rows, the fairness and the group-rate rows."""
    n = arrays.n_pairs
    parts_starts: list[IntArray] = []
    parts_index: list[IntArray] = []
    parts_value: list[IntArray] = []
    lbs: list[npt.NDArray[np.float64]] = []
    ubs: list[npt.NDArray[np.float64]] = []
    offset = 0

    def add(starts: IntArray, index: IntArray, value: IntArray, lb: npt.ArrayLike, ub: npt.ArrayLike) -> None:
        nonlocal offset
        parts_starts.append(starts[:-1] + offset)
        parts_index.append(index)
        parts_value.append(value)
        lbs.append(np.asarray(lb, dtype=np.float64))
        ubs.append(np.asarray(ub, dtype=np.float64))
        offset += int(starts[-1])

    ones = np.ones(n, dtype=np.int64)
    groups: list[tuple[IntArray, int, npt.ArrayLike, npt.ArrayLike]] = []
    if with_applicants:
        groups.append((arrays.pair_applicant, arrays.n_applicants, 0.0, 1.0))
    groups += [
        (arrays.pair_supervisor, arrays.n_supervisors, 0.0, arrays.supervisor_capacity),
        (arrays.pair_unit, arrays.n_units, arrays.unit_min, arrays.unit_max),
        (
            arrays.pair_municipality,
            arrays.n_municipalities,
            arrays.municipality_min,
            np.where(arrays.municipality_max < 0, np.inf, arrays.municipality_max),
        ),
    ]
    for keys, count, lb, ub in groups:
        starts, index = _grouped(keys, count)
        add(starts, index, ones, np.broadcast_to(lb, (count,)), np.broadcast_to(ub, (count,)))
    n_cols = n
    placed = n  # the column of the placed count, where a rule needs one
    if arrays.fairness is not None or arrays.group_rate is not None:
        n_cols = n + 1
        # placed - sum(x) = 0
        add(
            np.array([0, n + 1], dtype=np.int64),
            np.r_[np.arange(n, dtype=np.int64), placed],
            np.r_[-ones, 1],
            [0.0],
            [0.0],
        )
    if arrays.fairness is not None:
        # den * P * load_m - num * P_m * placed >= 0 for each municipality m.
        num, den = arrays.fairness
        places = arrays.municipality_places
        total = int(places.sum())
        starts, index = _grouped(arrays.pair_municipality, arrays.n_municipalities)
        fair_starts = starts + np.arange(arrays.n_municipalities + 1, dtype=np.int64)
        fair_index = np.empty(int(fair_starts[-1]), dtype=np.int64)
        fair_value = np.empty(int(fair_starts[-1]), dtype=np.int64)
        for m in range(arrays.n_municipalities):
            lo, hi = int(fair_starts[m]), int(fair_starts[m + 1])
            fair_index[lo : hi - 1] = index[starts[m] : starts[m + 1]]
            fair_value[lo : hi - 1] = den * total
            fair_index[hi - 1] = placed
            fair_value[hi - 1] = -num * int(places[m])
        add(
            fair_starts,
            fair_index,
            fair_value,
            np.zeros(arrays.n_municipalities),
            np.full(arrays.n_municipalities, np.inf),
        )
    if arrays.group_rate is not None:
        # Group g's rate at least num/den of the overall rate: den * N * placed_g - num * size_g * placed >= 0.
        num, den, _ = arrays.group_rate
        everyone = arrays.n_applicants
        for members in arrays.rate_groups():
            member_pairs = np.flatnonzero(np.isin(arrays.pair_applicant, members)).astype(np.int64)
            add(
                np.array([0, member_pairs.size + 1], dtype=np.int64),
                np.r_[member_pairs, placed],
                np.r_[np.full(member_pairs.size, den * everyone, dtype=np.int64), -num * int(members.size)],
                [0.0],
                [np.inf],
            )
    starts_all = np.r_[np.concatenate(parts_starts), offset].astype(np.int64)
    return _Rows(
        n_cols=n_cols,
        starts=starts_all,
        index=np.concatenate(parts_index).astype(np.int64),
        value=np.concatenate(parts_value).astype(np.int64),
        lb=np.concatenate(lbs),
        ub=np.concatenate(ubs),
    )


# ----------------------------------------------------------------------------------------------------
# OR-Tools SimpleMinCostFlow


def _flow_why_not(arrays: Arrays) -> str | None:
    if not arrays.pure_network:
        return "minimums or the fairness rule are not network constraints"
    return _weights_why_not(arrays)


def _flow_solve(arrays: Arrays, options: PeerOptions) -> PeerOutcome:
    from ortools.graph.python import min_cost_flow

    levels, weights = _merged(arrays)
    n, s, u, m = arrays.n_applicants, arrays.n_supervisors, arrays.n_units, arrays.n_municipalities
    # Nodes: source, applicants, supervisors, units, municipalities, sink.
    source, a0, s0, u0, m0 = 0, 1, 1 + n, 1 + n + s, 1 + n + s + u
    sink = m0 + m
    muni_cap = np.where(arrays.municipality_max < 0, n, arrays.municipality_max)
    tails = np.concatenate(
        [
            np.zeros(n, np.int64),
            a0 + arrays.pair_applicant,
            s0 + np.arange(s, dtype=np.int64),
            u0 + np.arange(u, dtype=np.int64),
            m0 + np.arange(m, dtype=np.int64),
            [source],
        ]
    )
    heads = np.concatenate(
        [
            a0 + np.arange(n, dtype=np.int64),
            s0 + arrays.pair_supervisor,
            u0 + arrays.supervisor_unit,
            m0 + arrays.unit_municipality,
            np.full(m, sink, np.int64),
            [sink],
        ]
    )
    caps = np.concatenate(
        [
            np.ones(n, np.int64),
            np.ones(arrays.n_pairs, np.int64),
            arrays.supervisor_capacity,
            arrays.unit_max,
            muni_cap,
            [n],
        ]
    )
    costs = np.concatenate([np.zeros(n, np.int64), -weights, np.zeros(s + u + m + 1, np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n, -n]))
    status = flow.solve()
    name = status.name if hasattr(status, "name") else str(status)
    if status != flow.OPTIMAL:
        return PeerOutcome("error", None, levels, {"solver_status": name})
    pair_arcs = np.asarray(arcs)[n : n + arrays.n_pairs]
    chosen = np.flatnonzero(np.asarray(flow.flows(pair_arcs)) > 0).astype(np.int64)
    return PeerOutcome("optimal", chosen, levels, {"solver_status": name, "cost": int(flow.optimal_cost())})


# ----------------------------------------------------------------------------------------------------
# scipy sparse assignment


def _scipy_why_not(arrays: Arrays) -> str | None:
    if not arrays.assignment_only:
        return "unit or municipality caps (or minimums, fairness) bind: not a bipartite assignment"
    return _weights_why_not(arrays, FLOAT_EXACT)


def _scipy_solve(arrays: Arrays, options: PeerOptions) -> PeerOutcome:
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    levels, weights = _merged(arrays, FLOAT_EXACT)
    n = arrays.n_applicants
    # Columns: every place of every supervisor, then one "unplaced" column per applicant. All weights are
    # shifted by the same positive constant, so each applicant's unplaced column weighs exactly the shift.
    shift = 1 - min(int(weights.min()) if weights.size else 0, 0)
    cap = arrays.supervisor_capacity
    first_col = np.zeros(arrays.n_supervisors + 1, dtype=np.int64)
    np.cumsum(cap, out=first_col[1:])
    n_slots = int(first_col[-1])
    per_pair = cap[arrays.pair_supervisor]
    pair_of_edge = np.repeat(np.arange(arrays.n_pairs, dtype=np.int64), per_pair)
    slot_offset = np.arange(pair_of_edge.size, dtype=np.int64) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    rows = np.r_[arrays.pair_applicant[pair_of_edge], np.arange(n, dtype=np.int64)]
    cols = np.r_[first_col[arrays.pair_supervisor[pair_of_edge]] + slot_offset, n_slots + np.arange(n, dtype=np.int64)]
    data = np.r_[(weights[pair_of_edge] + shift).astype(np.float64), np.full(n, float(shift))]
    graph = csr_array((data, (rows, cols)), shape=(n, n_slots + n))
    row_ind, col_ind = min_weight_full_bipartite_matching(graph, maximize=True)
    placed = col_ind < n_slots
    applicants = np.asarray(row_ind, dtype=np.int64)[placed]
    supervisors = np.searchsorted(first_col, np.asarray(col_ind, dtype=np.int64)[placed], side="right") - 1
    keys = arrays.pair_applicant * arrays.n_supervisors + arrays.pair_supervisor
    chosen = np.searchsorted(keys, applicants * arrays.n_supervisors + supervisors).astype(np.int64)
    return PeerOutcome("optimal", np.sort(chosen), levels, {"edges": int(graph.nnz)})


# ----------------------------------------------------------------------------------------------------
# HiGHS (highspy), in its own process


def _highs_why_not(arrays: Arrays) -> str | None:
    """HiGHS takes every lexicographic instance (level by level where one weight would not be exact)."""
    return None


def _highs_solve(arrays: Arrays, options: PeerOptions) -> PeerOutcome:
    highspy = optional_module("highspy")
    if highspy is None:
        raise ImportError("highspy is not installed; pip install --group bench")
    start = time.perf_counter()
    levels = _core_levels(arrays)
    weights = merged_weights(arrays, levels, limit=FLOAT_EXACT)
    stages: list[IntArray] = [weights] if weights is not None else [level_coefs(arrays, lv) for lv in levels]
    rows = _rows(arrays)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", options.workers)
    h.setOptionValue("mip_rel_gap", 0.0)
    # Every objective is an integer, so a gap below 1 proves the optimum.
    h.setOptionValue("mip_abs_gap", 0.5)
    n = arrays.n_pairs
    ub = np.r_[np.ones(n), float(arrays.n_applicants)] if rows.n_cols > n else np.ones(n)
    h.addVars(rows.n_cols, np.zeros(rows.n_cols), ub)
    h.changeColsIntegrality(
        rows.n_cols,
        np.arange(rows.n_cols, dtype=np.int32),
        np.full(rows.n_cols, highspy.HighsVarType.kInteger),
    )
    h.addRows(
        rows.n_rows,
        rows.lb,
        rows.ub,
        int(rows.index.size),
        rows.starts[:-1].astype(np.int32),
        rows.index.astype(np.int32),
        rows.value.astype(np.float64),
    )
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    all_cols = np.arange(n, dtype=np.int32)
    detail: dict[str, Any] = {"mode": "merged" if weights is not None else "levels", "stages": []}
    values: npt.NDArray[np.float64] | None = None
    status: PeerStatus = "optimal"
    for k, coefs in enumerate(stages):
        remaining = options.time_limit - (time.perf_counter() - start)
        if remaining <= 0:
            status = "feasible" if values is not None else "unknown"
            break
        h.setOptionValue("time_limit", remaining)
        h.changeColsCost(n, all_cols, coefs.astype(np.float64))
        h.run()
        model_status = h.getModelStatus()
        info = h.getInfo()
        detail["stages"].append(
            {
                "status": h.modelStatusToString(model_status),
                "objective": float(info.objective_function_value),
                "bound": float(info.mip_dual_bound),
            }
        )
        if model_status == highspy.HighsModelStatus.kInfeasible:
            return PeerOutcome("infeasible", None, levels, detail)
        if int(info.primal_solution_status) != 2:  # kSolutionStatusFeasible
            status = "feasible" if values is not None else "unknown"
            break
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)[:n]
        if model_status != highspy.HighsModelStatus.kOptimal:
            status = "feasible"
            break
        if k + 1 < len(stages):
            # Hold this level at its optimum before optimising the next.
            value = float(np.dot(coefs, np.rint(values)))
            h.addRow(value, highspy.kHighsInf, n, all_cols, coefs.astype(np.float64))
    chosen = None if values is None else np.flatnonzero(values > 0.5).astype(np.int64)
    return PeerOutcome(status, chosen, levels, detail)


# ----------------------------------------------------------------------------------------------------
# A plain CP-SAT model


def _cpsat_solve(arrays: Arrays, options: PeerOptions) -> PeerOutcome:
    from ortools.sat.python import cp_model

    levels, weights = _merged(arrays)
    model = cp_model.CpModel()
    ids_a = arrays.applicant_ids
    ids_s = arrays.supervisor_ids
    x = [
        model.new_bool_var(f"x[{ids_a[a]},{ids_s[s]}]")
        for a, s in zip(arrays.pair_applicant.tolist(), arrays.pair_supervisor.tolist(), strict=True)
    ]
    columns: list[Any] = list(x)
    rows = _rows(arrays, with_applicants=False)
    if rows.n_cols > arrays.n_pairs:
        columns.append(model.new_int_var(0, arrays.n_applicants, "placed"))
    # Each applicant is placed at most once.
    starts, index = _grouped(arrays.pair_applicant, arrays.n_applicants)
    for a in range(arrays.n_applicants):
        members = index[starts[a] : starts[a + 1]].tolist()
        if len(members) > 1:
            model.add_at_most_one(x[p] for p in members)
    # Capacities and minimums of supervisors, units and municipalities; the fairness rows.
    for r in range(rows.n_rows):
        lo, hi = int(rows.starts[r]), int(rows.starts[r + 1])
        expr = cp_model.LinearExpr.weighted_sum(
            [columns[i] for i in rows.index[lo:hi].tolist()], rows.value[lo:hi].tolist()
        )
        if np.isfinite(rows.ub[r]):
            model.add_linear_constraint(expr, int(rows.lb[r]), int(rows.ub[r]))
        else:
            model.add(expr >= int(rows.lb[r]))
    # The objective: tiers, placed and total fit merged exactly.
    model.maximize(cp_model.LinearExpr.weighted_sum(x, weights.tolist()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = options.workers
    solver.parameters.max_time_in_seconds = options.time_limit
    if options.deterministic_limit is not None:
        solver.parameters.max_deterministic_time = options.deterministic_limit
    code = solver.solve(model)
    name = solver.status_name(code)
    detail: dict[str, Any] = {
        "solver_status": name,
        "objective": float(solver.objective_value) if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None,
        "bound": float(solver.best_objective_bound),
    }
    if code == cp_model.INFEASIBLE:
        return PeerOutcome("infeasible", None, levels, detail)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PeerOutcome("unknown", None, levels, detail)
    solution = np.asarray(solver.response_proto.solution, dtype=np.int64)[: arrays.n_pairs]
    chosen = np.flatnonzero(solution > 0).astype(np.int64)
    return PeerOutcome("optimal" if code == cp_model.OPTIMAL else "feasible", chosen, levels, detail)


# ----------------------------------------------------------------------------------------------------
# The matching package (stable matchings)


def _matching_why_not(arrays: Arrays) -> str | None:
    if not arrays.unit_ranked:
        return "units do not rank applicants strictly in this instance"
    if not arrays.pure_network or (arrays.municipality_max >= 0).any():
        return "StudentAllocation has no municipality caps, minimums or fairness rule"
    key = arrays.pair_applicant * (int(arrays.pair_rank.max(initial=0)) + 1) + arrays.pair_rank
    if np.unique(key).size != key.size:
        return "an applicant's ranking has ties"
    return None


def _matching_game(arrays: Arrays, games: ModuleType) -> tuple[list[int], list[int]]:
    """Build the StudentAllocation game from the arrays, solve it, return (applicants, supervisors)."""
    pa, ps, pu = arrays.pair_applicant, arrays.pair_supervisor, arrays.pair_unit
    # Students rank supervisors (its projects) by the applicant's own strict rank.
    order = np.lexsort((arrays.pair_rank, pa))
    student_prefs: dict[int, list[int]] = {}
    for a, s in zip(pa[order].tolist(), ps[order].tolist(), strict=True):
        student_prefs.setdefault(a, []).append(s)
    # Units (its supervisors) rank each applicant once, in the unit's strict order, best first.
    first = np.r_[True, (pa[1:] != pa[:-1]) | (pu[1:] != pu[:-1])]
    unit_pairs = np.flatnonzero(first)
    unit_order = unit_pairs[np.lexsort((arrays.unit_key[unit_pairs], pu[unit_pairs]))]
    unit_prefs: dict[int, list[int]] = {u: [] for u in range(arrays.n_units)}
    for u, a in zip(pu[unit_order].tolist(), pa[unit_order].tolist(), strict=True):
        unit_prefs[u].append(a)
    project_units = {s: int(arrays.supervisor_unit[s]) for s in range(arrays.n_supervisors)}
    project_caps = {s: int(c) for s, c in enumerate(arrays.supervisor_capacity.tolist())}
    unit_caps = {u: int(c) for u, c in enumerate(arrays.unit_max.tolist())}
    game = games.StudentAllocation.create_from_dictionaries(
        student_prefs, unit_prefs, project_units, project_caps, unit_caps
    )
    matching = game.solve(optimal="student")
    applicants: list[int] = []
    supervisors: list[int] = []
    for project, students in matching.items():
        for student in students:
            applicants.append(int(student.name))
            supervisors.append(int(project.name))
    return applicants, supervisors


#: The package deep-copies its players on construction, which recurses once per linked player: at 1,000
#: applicants that passes Python's default limit, so the game runs in a thread with a large stack.
_MATCHING_STACK = 1 << 29
_MATCHING_RECURSION = 1_000_000


def _matching_solve(arrays: Arrays, options: PeerOptions) -> PeerOutcome:
    games = importlib.import_module("matching.games")
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            with warnings.catch_warnings():
                # The package warns about unreciprocated or oversized preferences; neither changes the
                # matching.
                warnings.simplefilter("ignore")
                box["out"] = _matching_game(arrays, games)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread below
            box["error"] = exc

    old_stack = threading.stack_size(_MATCHING_STACK)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_MATCHING_RECURSION)
    try:
        thread = threading.Thread(target=work, name="matching-peer")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    applicants, supervisors = box["out"]
    keys = arrays.pair_applicant * arrays.n_supervisors + arrays.pair_supervisor
    wanted = np.array(applicants, dtype=np.int64) * arrays.n_supervisors + np.array(supervisors, dtype=np.int64)
    chosen = np.sort(np.searchsorted(keys, wanted)).astype(np.int64)
    return PeerOutcome("optimal", chosen, ("stable (applicant-optimal)",), {})


PEERS: dict[str, Peer] = {
    p.name: p
    for p in (
        Peer(
            "flow",
            "lexicographic",
            "ortools",
            ("ortools.graph.python.min_cost_flow",),
            "OR-Tools SimpleMinCostFlow, levels merged into one int64 cost",
            _flow_why_not,
            _flow_solve,
        ),
        Peer(
            "scipy",
            "lexicographic",
            "scipy",
            ("scipy.sparse", "scipy.sparse.csgraph"),
            "scipy min_weight_full_bipartite_matching, supervisor places expanded",
            _scipy_why_not,
            _scipy_solve,
        ),
        Peer(
            "highs",
            "lexicographic",
            "highspy",
            ("highspy",),
            "HiGHS MIP (own process), merged objective or level by level",
            _highs_why_not,
            _highs_solve,
        ),
        Peer(
            "cpsat",
            "lexicographic",
            "ortools",
            ("ortools.sat.python.cp_model",),
            "plain CP-SAT model, merged int64 objective",
            _weights_why_not,
            _cpsat_solve,
        ),
        Peer(
            "matching",
            "stable",
            "matching",
            ("matching.games",),
            "matching.games.StudentAllocation, applicant-optimal",
            _matching_why_not,
            _matching_solve,
        ),
    )
}
