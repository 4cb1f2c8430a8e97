"""The commands that weigh other plans: ``stability``, ``popular`` and ``scenarios``."""

from __future__ import annotations

import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

from matchmaker._blocking import blocking_pairs
from matchmaker._cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_NO_PLAN, PATH, fail, load, run, solve_options
from matchmaker._cli.console import current_lang
from matchmaker._cli.lattice import all_stable_plans
from matchmaker._i18n import Message, msg, tr, tr_n
from matchmaker._lattice import DEFAULT_LIMIT
from matchmaker._popular import popular_plan, popularity
from matchmaker._scenarios import compare_scenarios
from matchmaker.errors import SolverError
from matchmaker.io._formats import load_result
from matchmaker.io._scenarios import load_scenarios

__all__ = ["COMMANDS"]


#: The words for a blocking pair's case (:data:`matchmaker.stability.audit.Case`).
_BLOCKING_CASES: dict[str, Message] = {
    "undersubscribed": msg("undersubscribed"),
    "unit_full": msg("unit full"),
    "supervisor_full": msg("supervisor full"),
}


@click.command("stability")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@click.argument("plan_path", metavar="[RESULT]", type=PATH, required=False)
@click.option("--strict", is_flag=True, help="Break ties by the policy's lottery first (as stable mode does).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the blocking pairs (with --all: the stable plans) as JSON."
)
@click.option("--all", "every", is_flag=True, help="Count and list every stable plan of PROBLEM (no RESULT).")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="With --all: list at most this many stable plans.",
)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="With --all: seconds per solve.")
def stability_cmd(
    problem_path: Path,
    plan_path: Path | None,
    strict: bool,
    as_json: bool,
    every: bool,
    limit: int,
    time_limit: float | None,
) -> None:
    """List the blocking pairs of RESULT (a result file of PROBLEM): applicants and supervisors who
    would both rather be together. Exit code 0 if the plan is stable, 1 if not.

    With --all (and no RESULT): count the stable plans of PROBLEM (ties broken by the lottery), and
    show the rotations, each applicant's range and the two-sided optima. Exit code 0 if a stable plan
    exists, 1 if none does."""
    lang = current_lang()
    if every:
        if plan_path is not None:
            fail(tr("--all looks at every stable plan of PROBLEM: give no RESULT with it", lang), EXIT_BAD_INPUT)
        all_stable_plans(load(problem_path), limit, solve_options(time_limit=time_limit), as_json, lang)
        return
    if plan_path is None:
        fail(tr("give a RESULT to audit, or --all to list every stable plan", lang), EXIT_BAD_INPUT)
    problem = load(problem_path)
    result = run(lambda: load_result(plan_path))
    pairs = run(lambda: blocking_pairs(problem, result, strict=strict))
    if as_json:
        click.echo(json.dumps([p.model_dump(mode="json") for p in pairs], indent=2))
    elif not pairs:
        click.echo(tr("stable: no blocking pair", lang))
    else:
        click.echo(tr_n("{n} blocking pair:", "{n} blocking pairs:", len(pairs), lang))
        for p in pairs:
            case = _BLOCKING_CASES[p.case].text(lang) if p.case in _BLOCKING_CASES else p.case.replace("_", " ")
            click.echo(
                "  "
                + tr(
                    "{applicant} and {supervisor} ({unit}): {case}",
                    lang,
                    applicant=p.applicant,
                    supervisor=p.supervisor,
                    unit=p.unit,
                    case=case,
                )
            )
    if pairs:
        sys.exit(EXIT_NO_PLAN)


@click.command("popular")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@click.option("--check", "plan_path", type=PATH, help="Only say whether this result's plan is popular.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds per solve.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def popular_cmd(problem_path: Path, plan_path: Path | None, time_limit: float | None, as_json: bool) -> None:
    """Find a popular plan for PROBLEM (no other plan is preferred by more applicants), or prove that
    none exists; with --check, say whether a result's plan is popular. Exit code 0 if popular, 1 if not."""
    problem = load(problem_path)
    options = solve_options(time_limit=time_limit)
    lang = current_lang()
    if plan_path is not None:
        result = run(lambda: load_result(plan_path))
        verdict = run(lambda: popularity(problem, result, options))
        if as_json:
            click.echo(verdict.model_dump_json(indent=2))
        elif verdict.popular:
            click.echo(
                tr(
                    "popular: no plan is preferred by more applicants (best margin {margin})",
                    lang,
                    margin=verdict.margin,
                )
            )
        else:
            click.echo(
                tr_n(
                    "not popular: another plan is preferred by {n} applicant and this one by {this} (margin {margin})",
                    "not popular: another plan is preferred by {n} applicants and this one by {this} (margin {margin})",
                    verdict.prefer_other,
                    lang,
                    this=verdict.prefer_this,
                    margin=verdict.margin,
                )
            )
        if not verdict.popular:
            sys.exit(EXIT_NO_PLAN)
        return
    outcome = popular_plan(problem, options)
    if as_json:
        click.echo(outcome.model_dump_json(indent=2))
    else:
        click.echo(outcome.text(lang))
        for applicant, supervisor in sorted((outcome.plan or {}).items()):
            click.echo(f"  {applicant} -> {supervisor}")
    if outcome.plan is None:
        sys.exit(EXIT_NO_PLAN)


@click.command("scenarios")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@click.argument("scenarios_path", metavar="SCENARIOS", type=PATH)
@click.option("--processes", type=click.IntRange(1, 64), help="Solve the scenarios in this many processes.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds for each solve.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def scenarios_cmd(
    problem_path: Path, scenarios_path: Path, processes: int | None, time_limit: float | None, as_json: bool
) -> None:
    """Solve PROBLEM and each what-if of SCENARIOS (a JSON list) and compare the plans side by side."""

    problem = load(problem_path)
    scenarios = run(lambda: load_scenarios(scenarios_path))
    options = solve_options(time_limit=time_limit, workers=1)
    try:
        if processes is None:
            comparison = run(lambda: compare_scenarios(problem, scenarios, options=options))
        else:
            spawn = multiprocessing.get_context("spawn")  # the solver's threads do not survive fork
            with ProcessPoolExecutor(max_workers=processes, mp_context=spawn) as pool:
                comparison = run(lambda: compare_scenarios(problem, scenarios, executor=pool, options=options))
    except SolverError as exc:
        fail(str(exc), EXIT_INTERNAL)
    table = comparison.table(current_lang())
    click.echo(json.dumps(comparison.model_dump(mode="json"), indent=2) if as_json else table)


#: The commands :mod:`matchmaker._cli` adds to its group.
COMMANDS: tuple[click.Command, ...] = (
    stability_cmd,
    popular_cmd,
    scenarios_cmd,
)
