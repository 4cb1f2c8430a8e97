"""The ``plan-supervisors`` command: what one more supervisor per unit would add, and the fewest to add."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Literal

import click

from matchmaker._checks import CheckFailedError
from matchmaker._cli.common import EXIT_INTERNAL, PATH, fail, load, require_same_problem, run, solve_options
from matchmaker._cli.console import current_lang, say
from matchmaker._i18n import tr
from matchmaker._models import TrainingStatus
from matchmaker._planning import SupervisorPlanning, plan_supervisors
from matchmaker.errors import SolverError
from matchmaker.io._files import atomic_write_text
from matchmaker.io._formats import load_result
from matchmaker.report._planning import planning_html, planning_text

__all__ = ["COMMANDS"]


@click.command("plan-supervisors")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@click.argument("result_path", metavar="[RESULT]", type=PATH, required=False)
@click.option("--more", type=click.IntRange(min=0), help="Also find the fewest new supervisors to place N more.")
@click.option(
    "--capacity", type=click.IntRange(1, 1_000), default=1, show_default=True, help="Students per new supervisor."
)
@click.option(
    "--training",
    "statuses",
    multiple=True,
    type=click.Choice([str(t) for t in TrainingStatus]),
    help="Training status of a new supervisor (repeatable; default: every status).",
)
@click.option("--keep-places", is_flag=True, help="Keep the units' places as they are (default: they grow).")
@click.option("--processes", type=click.IntRange(1, 64), help="Solve the variants in this many processes.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds for each solve.")
@click.option("-o", "--output", type=PATH, help="Write the planning here (.json, or .html for a page).")
@click.option("--json", "as_json", is_flag=True, help="Print the planning as JSON.")
def plan_supervisors_cmd(
    problem_path: Path,
    result_path: Path | None,
    more: int | None,
    capacity: int,
    statuses: tuple[str, ...],
    keep_places: bool,
    processes: int | None,
    time_limit: float | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """For each unit of PROBLEM, what one more supervisor of each training status would add (placements,
    fit, fill rate, who would be placed), each variant solved again and checked; with --more, the fewest
    new supervisors with which the plan places N more. RESULT is the round's plan (default: solved here)."""
    lang = current_lang()
    problem = load(problem_path)
    result = None
    if result_path is not None:
        result = run(lambda: load_result(result_path))
        require_same_problem(result, problem, result_path, problem_path)
    options = solve_options(time_limit=time_limit, workers=1)
    places: Literal["grow", "keep"] = "keep" if keep_places else "grow"
    wanted = [TrainingStatus(s) for s in statuses] or None

    def plan(pool: ProcessPoolExecutor | None) -> SupervisorPlanning:
        return plan_supervisors(
            problem, result, statuses=wanted, more=more, capacity=capacity, unit_places=places, executor=pool,
            options=options,
        )  # fmt: skip

    try:
        if processes is None:
            planning = run(lambda: plan(None))
        else:
            spawn = multiprocessing.get_context("spawn")  # the solver's threads do not survive fork
            with ProcessPoolExecutor(max_workers=processes, mp_context=spawn) as pool:
                planning = run(lambda: plan(pool))
    except SolverError as exc:
        fail(str(exc), EXIT_INTERNAL)
    except CheckFailedError as exc:
        fail(tr("the result failed its independent check; please report this bug", lang) + f"\n{exc}", EXIT_INTERNAL)
    data = json.dumps(planning.model_dump(mode="json"), indent=2, ensure_ascii=False)
    click.echo(data if as_json else planning_text(planning, lang))
    if output is not None:
        given = tuple(p for p in (problem_path, result_path) if p is not None)
        text = planning_html(planning, lang) if output.suffix.lower() in (".html", ".htm") else data + "\n"
        run(lambda: atomic_write_text(output, text, protect=given))
        say(tr("planning written to {path}", lang, path=output))


#: The commands :mod:`matchmaker._cli` adds to its group.
COMMANDS: tuple[click.Command, ...] = (plan_supervisors_cmd,)
