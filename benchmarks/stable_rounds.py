"""Stable rounds of the programme's shape, and the plain textbook model of them as a peer.

The rounds (:func:`build_round`, seeded, synthetic ids): supervisors for 40 % of the applicants
(capacity 1 or 2), municipalities of three areas' units each, applicants who rank two to four units of
their region (every supervisor of a unit tied), units that rank the applicants who wished them by their
own interview score on a 1-5 scale (ties), unit caps at 90 % of their supervisors' capacity and
municipality caps at 80 % of their units' caps (they bind). Sizes 90, 300, 1,000 and 5,000.

matchmaker solves a round with ``Stability(mode="optimise", ties="keep")``: the largest weakly stable
plan, then its later levels. The peer (:func:`plain_rows`) is the plain model of the first stage, one
Boolean per acceptable pair, the capacity rows, a "full" Boolean per supervisor, unit and capped
municipality, and three stability rows per pair (the per-pair formulation surveyed by Delorme et al.,
"Mathematical models for stable matching problems with ties and incomplete lists", EJOR 2019, written
for the student-project allocation definition of a blocking pair of Abraham, Irving & Manlove 2007,
with the municipality caps as side constraints), solved by CP-SAT or by HiGHS (in its own process:
highspy and OR-Tools clash when imported together). Every matchmaker plan is checked by the
independent checker, and the peers' placed count must equal matchmaker's first stage. ::

    python -m benchmarks.stable_rounds --sizes 90,300,1000 --time-limit 120
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["SIZES", "PlainModel", "build_round", "export", "main", "plain_rows", "solve_cpsat", "solve_highs"]

IntArray = npt.NDArray[np.int64]
#: Applicants per round, and the municipalities (in regions of four) of each size.
SIZES: dict[int, int] = {90: 3, 300: 4, 1_000: 8, 5_000: 20}
_AREAS = ("Barn och ungdom", "Vuxenenhet", "Arbete och försörjning")


def build_round(size: int, seed: int = 1) -> dict[str, Any]:
    """A stable round of ``size`` applicants as problem JSON data (see the module docstring); sizes
    outside :data:`SIZES` (the tests' small rounds) get one municipality per 100 applicants, at least 2."""
    rng = np.random.default_rng([21, size, seed])
    n_muni = SIZES.get(size, max(2, size // 100))
    n_sup = 2 * size // 5
    per_area = max(1, round(n_sup / (n_muni * len(_AREAS) * 4)))
    unit_ids = [f"m{m + 1:02d}-{a + 1}-{k + 1}" for m in range(n_muni) for a in range(3) for k in range(per_area)]
    unit_muni = np.array([m for m in range(n_muni) for _ in range(3 * per_area)], dtype=np.int64)
    sup_unit = np.sort(np.r_[np.arange(len(unit_ids)), rng.integers(0, len(unit_ids), n_sup - len(unit_ids))])
    caps = rng.choice(np.array([1, 2]), size=n_sup, p=[0.7, 0.3])
    supervisors = [
        {"id": f"S{i + 1:05d}", "unit": unit_ids[int(u)], "capacity": int(c), "training": "completed"}
        for i, (u, c) in enumerate(zip(sup_unit, caps, strict=True))
    ]
    unit_cap = np.bincount(sup_unit, weights=caps, minlength=len(unit_ids)).astype(np.int64)
    unit_max = np.maximum(1, np.floor(0.9 * unit_cap)).astype(np.int64)
    units = [
        {"id": uid, "municipality": f"m{int(unit_muni[u]) + 1:02d}", "area": _AREAS[(u // per_area) % 3]}
        | {"max_places": int(unit_max[u])}
        for u, uid in enumerate(unit_ids)
    ]
    municipalities = [
        {"id": f"m{m + 1:02d}", "max_places": max(1, int(0.8 * unit_max[unit_muni == m].sum()))} for m in range(n_muni)
    ]
    popularity = rng.uniform(0.3, 1.7, len(unit_ids))
    region = unit_muni // 4
    applicants = []
    for i in range(size):
        home = int(rng.integers(0, int(region.max()) + 1))
        candidates = np.flatnonzero(region == home)
        k = min(int(rng.integers(2, 5)), candidates.size)
        chosen = rng.choice(candidates, size=k, replace=False, p=popularity[candidates] / popularity[candidates].sum())
        applicants.append(
            {
                "id": f"A{i + 1:05d}",
                "ranking": {"units": {unit_ids[int(u)]: r + 1 for r, u in enumerate(chosen)}},
                "interview": [
                    {"criterion": "bedomning", "score": float(rng.integers(1, 6)), "unit": unit_ids[int(u)]}
                    for u in chosen
                ],
            }
        )
    return {
        "schema_version": 1,
        "name": f"stable round {size} s{seed}",
        "policy": {"lottery_seed": seed, "stability": {"mode": "optimise", "ties": "keep"}},
        "criteria": [{"id": "bedomning", "scale_min": 1.0, "scale_max": 5.0}],
        "municipalities": municipalities,
        "units": units,
        "supervisors": supervisors,
        "applicants": applicants,
    }


def export(problem: Any, path: Path) -> None:
    """The round's acceptable pairs, both sides' (weak) ranks and the caps, from matchmaker's scoring."""
    from matchmaker._scoring import score  # the HiGHS process reads the file without importing matchmaker

    sc = score(problem)
    enc = sc.encoding
    np.savez(
        path,
        applicant=sc.applicant.astype(np.int64),
        supervisor=sc.supervisor.astype(np.int64),
        unit=sc.unit.astype(np.int64),
        municipality=sc.municipality.astype(np.int64),
        arank=sc.rank.astype(np.int64),
        urank=sc.unit_rank.astype(np.int64),
        sup_cap=np.asarray(enc.supervisor_capacity, dtype=np.int64),
        unit_cap=np.asarray(enc.unit_max, dtype=np.int64),
        muni_cap=np.asarray(enc.municipality_max, dtype=np.int64),
    )


@dataclass(frozen=True)
class PlainModel:
    """Rows ``lo <= sum(coef * var) <= hi`` over the pair variables (first) and the full flags."""

    n_pairs: int
    n_vars: int
    rows: list[tuple[list[int], list[int], int, int]]


def plain_rows(path: Path) -> PlainModel:
    """The plain model of the largest weakly stable plan (see the module docstring), maximising the
    pair variables' sum."""
    z = np.load(path)
    pa, ps, pu, pm = z["applicant"], z["supervisor"], z["unit"], z["municipality"]
    arank, urank = z["arank"], z["urank"]
    caps = {"s": z["sup_cap"], "u": z["unit_cap"], "m": z["muni_cap"]}
    n = int(pa.size)
    rows: list[tuple[list[int], list[int], int, int]] = []
    nv = n
    full: dict[str, dict[int, int]] = {"s": {}, "u": {}, "m": {}}
    members: dict[str, dict[int, IntArray]] = {}
    for kind, key in (("s", ps), ("u", pu), ("m", pm)):
        members[kind] = {int(e): np.flatnonzero(key == e) for e in np.unique(key)}
        for e, mine in members[kind].items():
            cap = int(caps[kind][e])
            if cap < 0:
                continue
            full[kind][e] = nv
            ones = [1] * mine.size
            rows.append(([*mine.tolist(), nv], [*ones, -cap], 0, mine.size))  # full => count = cap
            rows.append(([*mine.tolist(), nv], [*ones, -1], -1, cap - 1))  # count = cap => full
            nv += 1
    by_app = {int(a): np.flatnonzero(pa == a) for a in np.unique(pa)}
    for mine in by_app.values():
        rows.append((mine.tolist(), [1] * mine.size, 0, 1))
    closed: dict[tuple[int, int], int] = {}  # m full and a not in m
    for p in range(n):
        a, s, u, m = int(pa[p]), int(ps[p]), int(pu[p]), int(pm[p])
        mine = by_app[a]
        better = mine[arank[mine] <= arank[p]].tolist()
        fs, fu = full["s"][s], full["u"][u]
        idx, cf = [*better, fs, fu], [1] * (len(better) + 2)
        if m in full["m"]:
            if (a, m) not in closed:
                in_m = mine[pm[mine] == m].tolist()
                zv = nv
                nv += 1
                closed[(a, m)] = zv
                fm = full["m"][m]
                rows.append(([zv, fm], [1, -1], -1, 0))
                rows.append(([zv, *in_m], [1] * (1 + len(in_m)), 0, 1))
                rows.append(([zv, fm, *in_m], [1, -1, *[1] * len(in_m)], 0, 2 + len(in_m)))
            idx.append(closed[(a, m)])
            cf.append(1)
        rows.append((idx, cf, 1, len(idx)))
        nb = len(better)
        # s full: nobody at s whom the unit likes less than a, unless a has something as good.
        cs = int(caps["s"][s])
        worse_s = members["s"][s][urank[members["s"][s]] > urank[p]].tolist()
        if worse_s:
            rows.append(([*worse_s, fs, *better], [1] * len(worse_s) + [cs] + [-cs] * nb, -cs * nb, cs))
        # u full and s not: a not elsewhere in u and nobody in u whom the unit likes less.
        cu = int(caps["u"][u])
        here = members["u"][u]
        worse_u = here[(urank[here] > urank[p]) | (pa[here] == a)].tolist()
        rows.append(
            (
                [*worse_u, fu, fs, *better],
                [1] * len(worse_u) + [cu, -cu] + [-cu] * nb,
                -cu * (nb + 1),
                cu,
            )
        )
    return PlainModel(n, nv, rows)


def solve_cpsat(path: Path, time_limit: float, workers: int, fixed: IntArray | None = None) -> dict[str, Any]:
    """The plain model in CP-SAT: the largest weakly stable plan's size, proven or not, the time and
    the chosen pairs (``chosen``, pair indices); ``fixed`` fixes every pair variable (0/1 per pair)."""
    from ortools.sat.python import cp_model  # only this peer needs OR-Tools

    start = time.perf_counter()
    pm = plain_rows(path)
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"v{i}") for i in range(pm.n_vars)]
    for idx, cf, lo, hi in pm.rows:
        m.add_linear_constraint(sum(c * x[i] for i, c in zip(idx, cf, strict=True)), lo, hi)
    m.maximize(sum(x[: pm.n_pairs]))
    if fixed is not None:
        for var, value in zip(x[: pm.n_pairs], fixed.tolist(), strict=True):
            m.add(var == value)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(m)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {
        "chosen": [i for i in range(pm.n_pairs) if found and solver.value(x[i])],
        "placed": int(solver.objective_value) if found else None,
        "bound": round(solver.best_objective_bound) if found else None,
        "proven": status == cp_model.OPTIMAL,
        "seconds": time.perf_counter() - start,
    }


def solve_highs(path: Path, time_limit: float, workers: int) -> dict[str, Any]:
    """The plain model in HiGHS, in a process of its own (highspy clashes with OR-Tools)."""
    return _own_process("highs", path, time_limit, workers)


def _own_process(peer: str, path: Path, time_limit: float, workers: int) -> dict[str, Any]:
    """A peer in a process of its own: a long CP-SAT search left matchmaker's next solve in the same
    process several times slower (2.75 s alone, 20 s after it, at 300 applicants)."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.stable_rounds", f"--{peer}", str(path), str(time_limit), str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _highs_here(path: Path, time_limit: float, workers: int) -> dict[str, Any]:
    # the bench group's peer, never imported with OR-Tools; untyped, hence Any
    highspy: Any = importlib.import_module("highspy")

    start = time.perf_counter()
    pm = plain_rows(path)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", workers)
    h.setOptionValue("mip_rel_gap", 0.0)
    inf = highspy.kHighsInf
    for i in range(pm.n_vars):
        h.addVar(0.0, 1.0)
        h.changeColIntegrality(i, highspy.HighsVarType.kInteger)
        if i < pm.n_pairs:
            h.changeColCost(i, -1.0)
    for idx, cf, lo, hi in pm.rows:
        h.addRow(float(lo), float(hi) if hi < inf else inf, len(idx), np.array(idx, np.int32), np.array(cf, float))
    h.run()
    info = h.getInfo()
    status = h.getModelStatus()
    found = info.primal_solution_status == 2
    return {
        "placed": round(-info.objective_function_value) if found else None,
        "bound": round(-info.mip_dual_bound) if found else None,
        "proven": status == highspy.HighsModelStatus.kOptimal,
        "seconds": time.perf_counter() - start,
    }


def _matchmaker(problem: Any, time_limit: float, workers: int) -> dict[str, Any]:
    import matchmaker as mm

    start = time.perf_counter()
    result = mm.solve(problem, mm.SolveOptions(time_limit=time_limit, workers=workers))
    seconds = time.perf_counter() - start
    report = mm.check(problem, result)
    stages = result.statistics.stages
    placed = {lv.name: lv.value for lv in result.decision.objective}.get("placed")
    first = next((s for s in stages if "placed" in s.levels), None)
    return {
        "status": result.status.value,
        "placed": placed,
        # From the call to the end of that stage: scoring, building and any start before the stages count.
        "first_stage_seconds": None
        if first is None
        else seconds - sum(s.wall_time for s in stages[stages.index(first) + 1 :]),
        "first_stage_proven": first is not None and first.status == "optimal",
        "seconds": seconds,
        "checked": report.ok,
        "stages": [(list(s.levels), s.status, s.value, s.bound, round(s.wall_time, 3)) for s in stages],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: time matchmaker and the plain model on each size; print one Markdown row each."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--highs"]:
        print(json.dumps(_highs_here(Path(args[1]), float(args[2]), int(args[3]))))
        return 0
    if args[:1] == ["--cpsat"]:
        found = solve_cpsat(Path(args[1]), float(args[2]), int(args[3]))
        del found["chosen"]
        print(json.dumps(found))
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stable_rounds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="90,300,1000", help="comma-separated, from 90,300,1000,5000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--peers", default="cpsat,highs,matchmaker", help="comma-separated")
    opts = parser.parse_args(args)
    import matchmaker as mm

    ok = True
    print("| applicants | pairs | matchmaker: placed (first stage; all levels) | CP-SAT plain | HiGHS plain |")
    print("|---|---|---|---|---|")
    for size in (int(s) for s in opts.sizes.split(",")):
        problem = mm.Problem.model_validate(build_round(size, opts.seed))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "round.npz"
            export(problem, path)
            n_pairs = int(np.load(path)["applicant"].size)
            cells: dict[str, dict[str, Any]] = {}
            for peer in opts.peers.split(","):
                if peer == "matchmaker":
                    cells[peer] = _matchmaker(problem, opts.time_limit, opts.workers)
                elif peer == "cpsat":
                    cells[peer] = _own_process("cpsat", path, opts.time_limit, opts.workers)
                elif peer == "highs":
                    cells[peer] = solve_highs(path, opts.time_limit, opts.workers)
        proven = {c["placed"] for c in cells.values() if c.get("proven") or c.get("first_stage_proven")}
        if len(proven) > 1 or not cells.get("matchmaker", {"checked": True})["checked"]:
            ok = False
        print(
            f"| {size:,} | {n_pairs:,} | {_cell(cells.get('matchmaker'))} | {_cell(cells.get('cpsat'))} | "
            f"{_cell(cells.get('highs'))} |",
            flush=True,
        )
        print(json.dumps({"size": size, **cells}), file=sys.stderr)
    if not ok:
        print("MISMATCH: proven placed counts differ, or a plan failed the checker")
    return 0 if ok else 1


def _cell(c: dict[str, Any] | None) -> str:
    if c is None:
        return ""
    if "first_stage_seconds" in c:
        first = c["first_stage_seconds"]
        tag = "" if c["first_stage_proven"] else " (unproven)"
        return (
            f"{c['placed']} ({first if first is None else round(first, 2)} s{tag}; {c['seconds']:.2f} s {c['status']}; "
            f"{'checked' if c['checked'] else 'CHECK FAILED'})"
        )
    tag = "" if c["proven"] else f" (unproven, bound {c['bound']})"
    return f"{c['placed']} ({c['seconds']:.2f} s{tag})"


if __name__ == "__main__":
    raise SystemExit(main())
