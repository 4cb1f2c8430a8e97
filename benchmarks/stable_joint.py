"""Profile the joint example in a stable mode: the solve's stages, and the first stage's relaxation bound.

``python -m benchmarks.stable_joint --mode applicant_optimal`` solves
``examples/huddinge-nacka-tyreso/problem.json`` with its policy's stability set to the mode (``keep``:
``Stability(mode="optimise", ties="keep")``), checks the plan with the independent checker and prints
each stage's levels, status, value, bound and time. ``--lp`` prints instead the LP relaxation bound of the
first stage (OR-Tools' GLOP) with and without the stability rows, and per level: the first level alone,
and the last level with the others held at the values given by ``--hold`` (comma-separated, e.g. the
optimum's). It shows how much of stability the relaxation sees (benchmarks/README.md, "The joint example:
what the relaxation sees").
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

import matchmaker as mm
from matchmaker._build import build_model
from matchmaker._linear import LinearModel, plan_stages
from matchmaker._scoring import score

JOINT = Path(__file__).resolve().parent.parent / "examples" / "huddinge-nacka-tyreso" / "problem.json"


def _problem(path: Path, mode: str) -> mm.Problem:
    problem = mm.load_problem(path)
    stability = mm.Stability(mode="optimise", ties="keep") if mode == "keep" else mm.Stability(mode=mode)
    return problem.model_copy(update={"policy": problem.policy.model_copy(update={"stability": stability})})


def _lp(
    model: LinearModel, objective: list[tuple[int, int]], sense: str, held: list[tuple[int, int]], drop: str
) -> float:
    """The LP optimum of ``objective`` (variable, coefficient) over the model's rows (without the groups whose
    kind starts with ``drop``, if given) and the ``held`` levels (level index, value)."""
    pywraplp = importlib.import_module("ortools.linear_solver.pywraplp")  # untyped; only here
    solver = pywraplp.Solver.CreateSolver("GLOP")
    x = [solver.NumVar(float(model.var_lb[i]), float(model.var_ub[i]), "") for i in range(model.n_vars)]
    for r in range(model.n_rows):
        if drop and model.groups[int(model.row_group[r])].kind.startswith(drop):
            continue
        idx, cf = model.row(r)
        row = solver.RowConstraint(float(model.row_lb[r]), float(model.row_ub[r]), "")
        for i, c in zip(idx.tolist(), cf.tolist(), strict=True):
            row.SetCoefficient(x[i], c)
    for li, value in held:
        level = model.levels[li]
        row = solver.RowConstraint(float(value), float(value), "")
        for i, c in zip(level.indices.tolist(), level.coefs.tolist(), strict=True):
            row.SetCoefficient(x[i], c)
    goal = solver.Objective()
    for i, c in objective:
        goal.SetCoefficient(x[i], c)
    if sense == "max":
        goal.SetMaximization()
    else:
        goal.SetMinimization()
    solver.Solve()
    return float(goal.Value())


def first_stage_bounds(problem: mm.Problem) -> tuple[float, float]:
    """The LP bounds of the first stage's merged objective with and without the stability rows."""
    model = build_model(problem, score(problem))
    stage = plan_stages(model.levels)[0]
    merged = list(zip(stage.objective.indices.tolist(), stage.objective.coefs.tolist(), strict=True))
    return _lp(model, merged, "max", [], ""), _lp(model, merged, "max", [], "stability")


def profile_lp(problem: mm.Problem, hold: list[int]) -> None:
    """Print the first stage's LP bounds (see the module docstring)."""
    model = build_model(problem, score(problem))
    stage = plan_stages(model.levels)[0]
    print(f"pairs {model.n_pairs}, variables {model.n_vars}, rows {model.n_rows}")
    names = [model.levels[li].name for li in stage.levels]
    print(f"first stage: {names}, multipliers {list(stage.multipliers)}")
    kept, dropped = first_stage_bounds(problem)
    print(f"LP bound, stability rows kept: {kept:.1f}; dropped: {dropped:.1f}")
    first, last = model.levels[stage.levels[0]], model.levels[stage.levels[-1]]
    own = list(zip(first.indices.tolist(), first.coefs.tolist(), strict=True))
    print(f"LP bound of {first.name} alone: {_lp(model, own, first.sense, [], ''):.3f}")
    if hold:
        held = list(zip(stage.levels[:-1], hold, strict=True))
        own = list(zip(last.indices.tolist(), last.coefs.tolist(), strict=True))
        print(f"LP bound of {last.name} with {held}: {_lp(model, own, last.sense, held, ''):.2f}")


def main() -> None:
    """Parse the command line, then solve (or profile) once."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mode", choices=["applicant_optimal", "unit_optimal", "optimise", "keep"], default="applicant_optimal"
    )
    parser.add_argument("--problem", type=Path, default=JOINT)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--lp", action="store_true", help="print the first stage's LP bounds instead of solving")
    parser.add_argument(
        "--hold", default="", help="with --lp: the first stage's levels but the last, held at these values"
    )
    args = parser.parse_args()
    problem = _problem(args.problem, args.mode)
    if args.lp:
        profile_lp(problem, [int(v) for v in args.hold.split(",") if v])
        return
    start = time.perf_counter()
    result = mm.solve(problem, mm.SolveOptions(time_limit=args.time_limit))
    seconds = time.perf_counter() - start
    mm.check(problem, result).raise_if_invalid()
    print(f"{args.mode}: {result.status.value} in {seconds:.2f} s (checked)")
    for st in result.statistics.stages:
        print(f"  {','.join(st.levels)}: {st.status} {st.value} (bound {st.bound}) {st.wall_time:.2f} s")


if __name__ == "__main__":
    main()
