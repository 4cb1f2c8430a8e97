"""The review commands of the ``matchmaker`` command line: ``evaluate``, ``override``, ``approve``,
``audit`` and ``reproduce``. Registered on the group by :mod:`matchmaker.cli`; imported only from there."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Literal

import click

from matchmaker._text import plural
from matchmaker.cli import EXIT_BAD_INPUT, EXIT_NO_PLAN, EXIT_OK, _fail, _load, _run
from matchmaker.errors import MatchmakerError, ResultMismatchError
from matchmaker.explanations.render import display_names
from matchmaker.io.files import atomic_write_text
from matchmaker.io.formats import load_result, save_result
from matchmaker.options import SolveOptions
from matchmaker.pipeline import solve
from matchmaker.review.audit import ApprovalError, AuditRecord, approve, audit_record, reproduce
from matchmaker.review.evaluate import evaluate_plan
from matchmaker.review.io import load_plan
from matchmaker.review.overrides import Override, dump_overrides, load_overrides, solve_with_overrides
from matchmaker.review.render import render_overrides

__all__ = ["COMMANDS"]

_PATH = click.Path(path_type=Path)
_LANG = click.option("--lang", type=click.Choice(["en", "sv"]), default="en", show_default=True, help="Language.")


def _overrides(path: Path | None) -> tuple[Override, ...]:
    return _run(lambda: load_overrides(path)) if path is not None else ()


def _load_audit(path: Path) -> AuditRecord:
    from matchmaker.io.files import read_limited
    from matchmaker.io.json import parse_json

    return _run(lambda: AuditRecord.model_validate(parse_json(read_limited(path), str(path))))


@click.command("evaluate")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@click.argument("plan_path", metavar="PLAN", type=_PATH)
@click.option("--result", "result_path", type=_PATH, help="The optimum to compare with (solved if not given).")
@click.option("--no-explain", is_flag=True, help="Skip the re-solves that explain each difference.")
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON.")
@_LANG
def evaluate_cmd(
    problem_path: Path,
    plan_path: Path,
    result_path: Path | None,
    no_explain: bool,
    as_json: bool,
    lang: Literal["en", "sv"],
) -> None:
    """Evaluate PLAN, a plan made by hand (.json, .csv or .xlsx), against PROBLEM and its optimum:
    broken rules, objective levels, gap, blocking pairs, and every difference explained."""
    problem = _load(problem_path)
    plan = _run(lambda: load_plan(plan_path))
    optimum = _run(lambda: load_result(result_path)) if result_path is not None else None
    try:
        evaluation = _run(lambda: evaluate_plan(problem, plan, optimum=optimum, explain=not no_explain))
    except ResultMismatchError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    if as_json:
        click.echo(evaluation.model_dump_json(indent=2))
    else:
        click.echo(evaluation.text(lang, display_names(problem)))


@click.command("override")
@click.argument("overrides_path", metavar="OVERRIDES", type=_PATH)
@click.option("--problem", "problem_path", type=_PATH, required=True, help="The round the overrides apply to.")
@click.option(
    "--result",
    "result_path",
    type=_PATH,
    help="The recommendation (a result of PROBLEM) to override; a repaired one is re-solved as the repair. "
    "Default: solve PROBLEM.",
)
@click.option("--pin", "pin", metavar="APPLICANT", help="Add an override: pin APPLICANT (give --unit or --supervisor).")
@click.option("--forbid", "forbid", metavar="APPLICANT", help="Add an override: forbid APPLICANT a unit or supervisor.")
@click.option("--unit", help="The unit of the new override.")
@click.option("--supervisor", help="The supervisor of the new override.")
@click.option("--reason", help="Why (required with --pin or --forbid; recorded, never used by the solver).")
@click.option("--official", help="The opaque id of the official making the override (required with a new one).")
@_LANG
def override_cmd(
    overrides_path: Path,
    problem_path: Path,
    result_path: Path | None,
    pin: str | None,
    forbid: str | None,
    unit: str | None,
    supervisor: str | None,
    reason: str | None,
    official: str | None,
    lang: Literal["en", "sv"],
) -> None:
    """Add an override to OVERRIDES (a JSON file, created if missing), re-solve the round with every
    override in it, and print what each costs. A new override that conflicts is not added (exit 1).
    Overriding a repaired plan (give it with --result) re-solves as the same repair."""
    problem = _load(problem_path)
    base = _run(lambda: load_result(result_path)) if result_path is not None else None
    if base is not None and base.decision.input_fingerprint != problem.fingerprint():
        _fail(f"{result_path} was solved for a different problem than {problem_path}", EXIT_BAD_INPUT)
    current = _overrides(overrides_path) if overrides_path.exists() else ()
    new: Override | None = None
    if pin is not None and forbid is not None:
        _fail("give one of --pin and --forbid", EXIT_BAD_INPUT)
    if pin is not None or forbid is not None:
        if not reason or not official:
            _fail("an override needs --reason and --official", EXIT_BAD_INPUT)
        action: Literal["pin", "forbid"] = "pin" if pin is not None else "forbid"
        applicant = pin if pin is not None else forbid
        data = {"action": action, "applicant": applicant, "unit": unit, "supervisor": supervisor}
        new = _run(lambda: Override.model_validate({**data, "reason": reason, "official": official}))
    elif unit or supervisor or reason or official:
        _fail("--unit, --supervisor, --reason and --official describe a new override: give --pin or --forbid", 2)
    overrides = (*current, new) if new is not None else current
    outcome = solve_with_overrides(problem, overrides, base=base)
    click.echo(render_overrides(outcome, lang, display_names(problem)))
    if not outcome.ok:
        if new is not None:
            not_added = (
                f"den nya ändringen lades inte till i {overrides_path}"
                if lang == "sv"
                else f"the new override was not added to {overrides_path}"
            )
            click.echo(not_added, err=True)
        sys.exit(EXIT_NO_PLAN)
    if new is not None:
        _run(lambda: dump_overrides(overrides, overrides_path))
        click.echo(
            f"ändringen lades till i {overrides_path}" if lang == "sv" else f"override added to {overrides_path}"
        )


@click.command("approve")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@click.argument("result_path", metavar="RECOMMENDATION", type=_PATH)
@click.option("--official", required=True, help="The opaque id of the approving official.")
@click.option("--overrides", "overrides_path", type=_PATH, help="Approve with the overrides of this file.")
@click.option("-o", "--output", type=_PATH, required=True, help="Write the approved plan (an audit record) here.")
@click.option("--result-output", type=_PATH, help="Also write the approved plan as a result file.")
def approve_cmd(
    problem_path: Path,
    result_path: Path,
    official: str,
    overrides_path: Path | None,
    output: Path,
    result_output: Path | None,
) -> None:
    """Approve RECOMMENDATION (a result of PROBLEM), as it is or with overrides: write the approved plan
    as a separate audit record that references the recommendation by its fingerprint."""
    problem = _load(problem_path)
    recommendation = _run(lambda: load_result(result_path))
    overrides = _overrides(overrides_path)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    try:
        record = approve(
            problem, recommendation, official, overrides=overrides, approved_at=stamp, input=str(problem_path)
        )
    except ResultMismatchError as exc:
        _fail(f"{result_path}: {exc}", EXIT_BAD_INPUT)
    except ApprovalError as exc:
        _fail(str(exc), EXIT_NO_PLAN)
    _run(lambda: atomic_write_text(output, record.to_json(), protect=(problem_path, result_path)))
    if result_output is not None:
        result = recommendation.model_copy(update={"decision": record.decision})
        _run(lambda: save_result(result, result_output, protect=(problem_path, result_path)))
    with_ = f" with {plural(len(overrides), 'override')}" if overrides else ""
    click.echo(f"approved by {official}{with_}: {record.output_fingerprint}")
    click.echo(f"recommendation {record.recommendation_fingerprint}")
    click.echo(f"approved plan written to {output}")


@click.command("audit")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@click.option("-o", "--output", type=_PATH, required=True, help="Write the audit record here (.json).")
@click.option("--overrides", "overrides_path", type=_PATH, help="Solve with the overrides of this file.")
@click.option("--result-output", type=_PATH, help="Also write the result here.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds for the whole solve.")
def audit_cmd(
    problem_path: Path,
    output: Path,
    overrides_path: Path | None,
    result_output: Path | None,
    time_limit: float | None,
) -> None:
    """Solve PROBLEM (with overrides, if given) and write the run's audit record: fingerprints, policy and
    seed, options, versions, overrides with reasons. `matchmaker reproduce` checks it later."""
    problem = _load(problem_path)
    overrides = _overrides(overrides_path)
    options = SolveOptions(time_limit=time_limit)
    recommendation = solve(problem, options)
    outcome = solve_with_overrides(problem, overrides, base=recommendation, options=options, costs=False)
    if outcome.result is None or outcome.conflict is not None:
        _fail(f"the overrides cannot all hold: {outcome.conflict.message if outcome.conflict else ''}", EXIT_NO_PLAN)
    result = outcome.result if overrides else recommendation
    record = audit_record(
        problem, result, options=options, overrides=overrides, recommendation=recommendation, input=str(problem_path)
    )
    _run(lambda: atomic_write_text(output, record.to_json(), protect=(problem_path,)))
    if result_output is not None:
        _run(lambda: save_result(result, result_output, protect=(problem_path,)))
    click.echo(f"status: {result.status.value}; output {record.output_fingerprint}")
    click.echo(f"audit record written to {output}")
    if not result.status.has_plan:
        sys.exit(EXIT_NO_PLAN)


@click.command("reproduce")
@click.argument("audit_path", metavar="AUDIT", type=_PATH)
@click.option("--problem", "problem_path", type=_PATH, help="The problem (default: the file the record names).")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def reproduce_cmd(audit_path: Path, problem_path: Path | None, as_json: bool) -> None:
    """Re-run the run of AUDIT and confirm that the decision is byte-identical, or say exactly what
    differs (input, policy, seed, options, versions, decision). Exit 0 if identical, 1 if not."""
    record = _load_audit(audit_path)
    if problem_path is None:
        if record.input is None:
            _fail("give --problem PROBLEM (the record does not name its problem file)", EXIT_BAD_INPUT)
        problem_path = Path(record.input)
        beside = audit_path.parent / problem_path
        if not problem_path.exists() and not problem_path.is_absolute() and beside.exists():
            problem_path = beside  # the record was moved with its problem, relative to both
    problem = _load(problem_path)
    try:
        outcome = reproduce(record, problem)
    except MatchmakerError as exc:  # pragma: no cover - reproduce reports, it does not raise
        _fail(str(exc), EXIT_BAD_INPUT)
    if as_json:
        payload = {
            "identical": outcome.identical,
            "output_fingerprint": outcome.output_fingerprint,
            "differences": [d.model_dump(mode="json") for d in outcome.differences],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(outcome.text())
    sys.exit(EXIT_OK if outcome.identical else EXIT_NO_PLAN)


#: The commands :mod:`matchmaker.cli` adds to its group.
COMMANDS: tuple[click.Command, ...] = (evaluate_cmd, override_cmd, approve_cmd, audit_cmd, reproduce_cmd)
