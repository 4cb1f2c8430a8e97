"""The command that chains rounds: ``next-round`` (step 2 from step 1, step 3 from step 2)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from matchmaker._cli.common import EXIT_BAD_INPUT, PATH, fail, load, run
from matchmaker._cli.console import lang_option
from matchmaker._i18n import Lang, msg, tr
from matchmaker._models import Period, Round
from matchmaker._rounds import next_round
from matchmaker.io._formats import load_result, save_problem

__all__ = ["COMMANDS"]

#: The steps in words, for the line the command prints.
_STEPS = {
    2: msg("step 2 (studentmedarbetare)"),
    3: msg("step 3 (employment)"),
}


@click.command("next-round")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@click.option("--result", "result_path", type=PATH, required=True, help="The result of PROBLEM to continue from.")
@click.option("--step", type=click.IntRange(2, 3), required=True, help="The new round's step: 2, or 3 (employment).")
@click.option("--term", type=click.Choice(["VT", "HT"]), required=True, help="The new round's term.")
@click.option("--year", type=click.IntRange(2000, 2200), required=True, help="The new round's year.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day of its period.")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day of its period.")
@click.option(
    "--applicant", "applicants", multiple=True, metavar="APPLICANT_ID", help="Continue only these (repeatable)."
)
@click.option("--name", help="The new round's name.")
@click.option("-o", "--output", type=PATH, required=True, help="Write the new round here (.json, .xlsx or a folder).")
@lang_option
def next_round_cmd(
    problem_path: Path,
    result_path: Path,
    step: int,
    term: str,
    year: int,
    start: dt.datetime,
    end: dt.datetime,
    applicants: tuple[str, ...],
    name: str | None,
    output: Path,
    lang: Lang,
) -> None:
    """Write the round after PROBLEM: the applicants --result placed (or those named) with that placement
    as their previous unit and supervisor, and every placement still running as a commitment of its
    student. Units, supervisors and the policy carry over; change what differs in the file written."""

    if output.resolve() in (problem_path.resolve(), result_path.resolve()):
        fail(tr("{path}: the new round would overwrite an input; give another -o", lang, path=output), EXIT_BAD_INPUT)
    problem = load(problem_path)
    result = run(lambda: load_result(result_path))
    period = Period(id=f"{term.lower()}{year}-{step}", start=start.date(), end=end.date())
    intake = run(lambda: Round.model_validate({"term": term, "year": year, "step": step, "periods": [period]}))
    chosen = applicants or None
    new = run(lambda: next_round(problem, result, intake, applicants=chosen, name=name))
    run(lambda: save_problem(new, output, lang=lang))
    click.echo(
        tr(
            "{step}, {term} {year}: applicants {applicants}, commitments {commitments}; written to {path}",
            lang,
            step=_STEPS[step].text(lang),
            term=term,
            year=str(year),
            applicants=len(new.applicants),
            commitments=len(new.commitments),
            path=output,
        )
    )


COMMANDS = [next_round_cmd]
