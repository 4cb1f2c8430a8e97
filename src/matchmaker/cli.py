"""The ``matchmaker`` command line.

Exit codes:

====  ==================================================================
0     a plan was found (optimal, or feasible when a limit stopped the proof)
1     no plan: the problem is infeasible, or no plan was found in time
2     bad input or usage: the message names the record, field and fix
3     internal error: an engine failed or a result failed its check
====  ==================================================================
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import NoReturn

import click

from matchmaker.checks import check
from matchmaker.errors import InputError, MatchmakerError, SolverError
from matchmaker.io.json import atomic_write_text, load_problem, problem_json_schema, result_json_schema
from matchmaker.models import Problem
from matchmaker.options import SolveOptions
from matchmaker.report.text import format_result
from matchmaker.solve import solve

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_NO_PLAN", "EXIT_OK", "cli", "main"]

EXIT_OK = 0
EXIT_NO_PLAN = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    elif verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1:
        level = logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _load(path: Path) -> Problem:
    try:
        return load_problem(path)
    except InputError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="matchmaker")
def cli() -> None:
    """Place applicants with supervisors in units, optimally and explainably."""


@cli.command("solve")
@click.argument("problem_path", metavar="PROBLEM.json", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the result JSON here.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds for the whole solve.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Lottery seed (overrides the policy's).")
@click.option(
    "--objective",
    type=click.Choice(["total_fit", "rank_maximal", "generous", "minimum_regret", "egalitarian", "leximin"]),
    help="Level-3 objective (overrides the policy's).",
)
@click.option("--workers", type=click.IntRange(1, 64), help="CP-SAT search workers (default: cores, max 8).")
@click.option("--solver-seed", type=click.IntRange(0, 2**31 - 1), default=0, show_default=True)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for the engine's log).")
def solve_cmd(
    problem_path: Path,
    output: Path | None,
    time_limit: float | None,
    seed: int | None,
    objective: str | None,
    workers: int | None,
    solver_seed: int,
    quiet: bool,
    verbose: int,
) -> None:
    """Solve PROBLEM.json: print the plan and write the result."""
    _configure_logging(verbose, quiet)
    problem = _load(problem_path)
    if seed is not None or objective is not None:
        data = problem.model_dump(mode="json")
        if seed is not None:
            data["policy"]["lottery_seed"] = seed
        if objective is not None:
            data["policy"]["objective"] = objective
        problem = Problem.model_validate(data)
    kwargs: dict[str, object] = {"time_limit": time_limit, "solver_seed": solver_seed, "log": verbose >= 2}
    if workers is not None:
        kwargs["workers"] = workers
    try:
        options = SolveOptions.model_validate(kwargs)
        result = solve(problem, options)
    except SolverError as exc:
        _fail(str(exc), EXIT_INTERNAL)
    report = check(problem, result)
    if not report.ok:
        _fail(f"the result failed its independent check; please report this bug\n{report}", EXIT_INTERNAL)
    if output is not None:
        try:
            atomic_write_text(output, result.to_json(indent=2) + "\n", protect=(problem_path,))
        except InputError as exc:
            _fail(str(exc), EXIT_BAD_INPUT)
    if not quiet:
        click.echo(format_result(result))
        if output is not None:
            click.echo(f"result written to {output}")
    if not result.status.has_plan:
        click.echo(f"no plan: the solve ended {result.status.value}", err=True)
        sys.exit(EXIT_NO_PLAN)


@cli.command("validate")
@click.argument("problem_path", metavar="PROBLEM.json", type=click.Path(path_type=Path, dir_okay=False))
def validate_cmd(problem_path: Path) -> None:
    """Check PROBLEM.json against every rule without solving."""
    problem = _load(problem_path)
    places = sum(u.max_places for u in problem.units)
    click.echo(
        f"{problem_path}: valid. {len(problem.applicants)} applicants, {len(problem.municipalities)} "
        f"municipalities, {len(problem.units)} units, {len(problem.supervisors)} supervisors, "
        f"{places} places (sum of unit maximums)."
    )


@cli.command("schema")
@click.option("--result", "which", flag_value="result", help="The schema of a result file instead.")
@click.option("--problem", "which", flag_value="problem", default=True, help="The schema of a problem file.")
def schema_cmd(which: str) -> None:
    """Print the JSON Schema of a problem (or result) file."""
    schema = result_json_schema() if which == "result" else problem_json_schema()
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))


def main() -> None:
    """Run the CLI; library errors that escape a command end with exit code 3 and a one-line message."""
    try:
        cli.main(standalone_mode=True)
    except MatchmakerError as exc:  # pragma: no cover - every command handles its own errors
        _fail(str(exc), EXIT_INTERNAL)
