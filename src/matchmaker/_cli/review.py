"""The review commands of the ``matchmaker`` command line: ``evaluate``, ``override``, ``approve``,
``audit``, ``reproduce``, ``keygen`` and ``verify``. Registered on the group by :mod:`matchmaker._cli`;
imported only from there."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Literal

import click

from matchmaker._cli.common import (
    EXIT_BAD_INPUT,
    EXIT_NO_PLAN,
    EXIT_OK,
    fail,
    load,
    require_same_problem,
    run,
    solve_options,
)
from matchmaker._cli.console import current_lang, lang_option, say
from matchmaker._i18n import tr, tr_n
from matchmaker._models import Problem
from matchmaker._pipeline import solve
from matchmaker.errors import MatchmakerError, ResultMismatchError
from matchmaker.explanations._types import Lang
from matchmaker.explanations._words import display_names
from matchmaker.io._audit import load_audit
from matchmaker.io._files import atomic_write_text
from matchmaker.io._formats import load_result, save_result
from matchmaker.io._keys import load_public_key, load_signing_key, public_key_path, write_keypair
from matchmaker.io._overrides import dump_overrides, load_overrides
from matchmaker.io._plans import load_plan
from matchmaker.report._review import render_overrides
from matchmaker.review._audit import ApprovalError, AuditRecord, approve, audit_record
from matchmaker.review._evaluate import evaluate_plan
from matchmaker.review._overrides import Override, solve_with_overrides
from matchmaker.review._reproduce import reproduce
from matchmaker.review._signing import PublicKey
from matchmaker.review._verify import Verification, verify_record
from matchmaker.review._words import conflict_text

__all__ = ["COMMANDS"]

_PATH = click.Path(path_type=Path)
_LANG = lang_option  # the one shared --lang option (default MATCHMAKER_LANG, then en)
_PUBLIC_KEY = click.option(
    "--public-key", "public_key_path_", type=_PATH, help="The office's public key (KEY.pub): check the signature."
)
_REQUIRE = click.option("--require-signature", is_flag=True, help="Fail if the record is not signed.")


def _public_key(path: Path | None) -> PublicKey | None:
    return run(lambda: load_public_key(path)) if path is not None else None


def _overrides(path: Path | None) -> tuple[Override, ...]:
    return run(lambda: load_overrides(path)) if path is not None else ()


def _load_audit(path: Path) -> AuditRecord:
    return run(lambda: load_audit(path))


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
    problem = load(problem_path)
    plan = run(lambda: load_plan(plan_path))
    optimum = run(lambda: load_result(result_path)) if result_path is not None else None
    try:
        evaluation = run(lambda: evaluate_plan(problem, plan, optimum=optimum, explain=not no_explain))
    except ResultMismatchError as exc:
        fail(exc.text(lang), EXIT_BAD_INPUT)
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
    problem = load(problem_path)
    base = run(lambda: load_result(result_path)) if result_path is not None else None
    if base is not None:
        require_same_problem(base, problem, result_path or "", problem_path)
    current = _overrides(overrides_path) if overrides_path.exists() else ()
    new: Override | None = None
    if pin is not None and forbid is not None:
        fail(tr("give one of --pin and --forbid", lang), EXIT_BAD_INPUT)
    if pin is not None or forbid is not None:
        if not reason or not official:
            fail(tr("an override needs --reason and --official", lang), EXIT_BAD_INPUT)
        action: Literal["pin", "forbid"] = "pin" if pin is not None else "forbid"
        applicant = pin if pin is not None else forbid
        data = {"action": action, "applicant": applicant, "unit": unit, "supervisor": supervisor}
        new = run(lambda: Override.model_validate({**data, "reason": reason, "official": official}))
    elif unit or supervisor or reason or official:
        fail(
            tr("--unit, --supervisor, --reason and --official describe a new override: give --pin or --forbid", lang),
            EXIT_BAD_INPUT,
        )
    overrides = (*current, new) if new is not None else current
    outcome = solve_with_overrides(problem, overrides, base=base)
    click.echo(render_overrides(outcome, lang, display_names(problem)))
    if not outcome.ok:
        if new is not None:
            click.echo(tr("the new override was not added to {path}", lang, path=overrides_path), err=True)
        sys.exit(EXIT_NO_PLAN)
    if new is not None:
        run(lambda: dump_overrides(overrides, overrides_path))
        click.echo(tr("override added to {path}", lang, path=overrides_path))


@click.command("approve")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@click.argument("result_path", metavar="RECOMMENDATION", type=_PATH)
@click.option("--official", required=True, help="The opaque id of the approving official.")
@click.option("--overrides", "overrides_path", type=_PATH, help="Approve with the overrides of this file.")
@click.option("-o", "--output", type=_PATH, required=True, help="Write the approved plan (an audit record) here.")
@click.option("--result-output", type=_PATH, help="Also write the approved plan as a result file.")
@click.option("--role", help="The approving official's role, such as enhetschef (never a name).")
@click.option("--approved-at", help="The date of the approval, ISO 8601 (default: today, UTC).")
@click.option("--key", "key_path", type=_PATH, help="Sign the approval with the office's private key (`keygen`).")
@_LANG
def approve_cmd(
    problem_path: Path,
    result_path: Path,
    official: str,
    overrides_path: Path | None,
    output: Path,
    result_output: Path | None,
    role: str | None,
    approved_at: str | None,
    key_path: Path | None,
    lang: Lang,
) -> None:
    """Approve RECOMMENDATION (a result of PROBLEM), as it is or with overrides: write the approved plan
    as a separate audit record that references the recommendation by its fingerprint. With --key the
    record is signed; `matchmaker verify RECORD --public-key KEY.pub` checks it."""
    if approved_at is None:
        approved_at = dt.datetime.now(dt.UTC).date().isoformat()
    else:
        try:
            dt.date.fromisoformat(approved_at)
        except ValueError:
            fail(
                tr("--approved-at {value!r} is not an ISO 8601 date: write it as 2026-05-12", lang, value=approved_at),
                EXIT_BAD_INPUT,
            )
    problem = load(problem_path)
    recommendation = run(lambda: load_result(result_path))
    overrides = _overrides(overrides_path)
    key = run(lambda: load_signing_key(key_path)) if key_path is not None else None
    try:
        record = approve(
            problem,
            recommendation,
            official,
            overrides=overrides,
            approved_at=approved_at,
            input=str(problem_path),
            role=role,
            signing_key=key,
        )
    except ResultMismatchError as exc:
        fail(f"{result_path}: {exc.text(lang)}", EXIT_BAD_INPUT)
    except ApprovalError as exc:
        fail(exc.text(lang), EXIT_NO_PLAN)
    inputs = (problem_path, result_path, *((key_path,) if key_path is not None else ()))
    run(lambda: atomic_write_text(output, record.to_json(), protect=inputs))
    if result_output is not None:
        result = recommendation.model_copy(update={"decision": record.decision})
        run(lambda: save_result(result, result_output, protect=inputs))
    count = "" if not overrides else tr_n(" with {n} override", " with {n} overrides", len(overrides), lang)
    shown_role = f" ({role.strip()})" if role else ""
    fingerprint = record.output_fingerprint
    click.echo(
        tr(
            "approved by {official}{role}{count}: {fingerprint}",
            lang,
            official=official.strip(),
            role=shown_role,
            count=count,
            fingerprint=fingerprint,
        )
    )
    click.echo(tr("recommendation {fingerprint}", lang, fingerprint=record.recommendation_fingerprint))
    if record.signature is not None:
        click.echo(tr("signed with key {key}", lang, key=record.signature.key_fingerprint))
    click.echo(tr("approved plan written to {path}", lang, path=output))


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
    lang = current_lang()
    problem = load(problem_path)
    overrides = _overrides(overrides_path)
    options = solve_options(time_limit=time_limit)
    recommendation = solve(problem, options)
    outcome = solve_with_overrides(problem, overrides, base=recommendation, options=options, costs=False)
    if outcome.result is None or outcome.conflict is not None:
        names = display_names(problem)
        why = conflict_text(outcome.conflict, outcome.overrides, lang, names) if outcome.conflict else ""
        fail(tr("the overrides cannot all hold: {why}", lang, why=why), EXIT_NO_PLAN)
    result = outcome.result if overrides else recommendation
    record = audit_record(
        problem, result, options=options, overrides=overrides, recommendation=recommendation, input=str(problem_path)
    )
    run(lambda: atomic_write_text(output, record.to_json(), protect=(problem_path,)))
    if result_output is not None:
        run(lambda: save_result(result, result_output, protect=(problem_path,)))
    status = result.status.text(lang)
    click.echo(tr("status: {status}; output {fingerprint}", lang, status=status, fingerprint=record.output_fingerprint))
    click.echo(tr("audit record written to {path}", lang, path=output))
    if not result.status.has_plan:
        sys.exit(EXIT_NO_PLAN)


@click.command("reproduce")
@click.argument("audit_path", metavar="AUDIT", type=_PATH)
@click.option("--problem", "problem_path", type=_PATH, help="The problem (default: the file the record names).")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@_PUBLIC_KEY
@_REQUIRE
@_LANG
def reproduce_cmd(
    audit_path: Path,
    problem_path: Path | None,
    as_json: bool,
    public_key_path_: Path | None,
    require_signature: bool,
    lang: Lang,
) -> None:
    """Re-run the run of AUDIT and confirm that the decision is byte-identical, or say exactly what
    differs (input, policy, seed, options, versions, decision), after checking the record as `verify`
    does. Exit 0 if identical and verified, 1 if not."""
    record = _load_audit(audit_path)
    public_key = _public_key(public_key_path_)
    problem = load(_problem_of(record, audit_path, problem_path, lang))
    verification = _verify(record, public_key, problem, require_signature)
    try:
        outcome = reproduce(record, problem)
    except MatchmakerError as exc:  # pragma: no cover - reproduce reports, it does not raise
        fail(exc.text(lang), EXIT_BAD_INPUT)
    ok = outcome.identical and verification.ok
    if as_json:
        payload = {
            "ok": ok,
            "identical": outcome.identical,
            "output_fingerprint": outcome.output_fingerprint,
            "differences": [d.model_dump(mode="json") for d in outcome.differences],
            "verification": _verification_data(verification),
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    elif verification.ok:
        click.echo(outcome.text(lang))
        click.echo(verification.text(lang))
    else:
        # Never "identical" beside a finding: the findings first, then only what the re-run found.
        click.echo(verification.text(lang))
        lines = outcome.text(lang).splitlines()
        click.echo("\n".join(lines if not outcome.identical else lines[1:]))
    sys.exit(EXIT_OK if ok else EXIT_NO_PLAN)


def _problem_of(record: AuditRecord, audit_path: Path, given: Path | None, lang: Lang) -> Path:
    """The problem file of ``record``: ``given``, or the file the record names (beside the record)."""
    if given is not None:
        return given
    if record.input is None:
        fail(tr("give --problem PROBLEM (the record does not name its problem file)", lang), EXIT_BAD_INPUT)
    path = Path(record.input)
    beside = audit_path.parent / path
    if not path.exists() and not path.is_absolute() and beside.exists():
        path = beside  # the record was moved with its problem, relative to both
    return path


def _verify(
    record: AuditRecord, public_key: PublicKey | None, problem: Problem | None, require_signature: bool
) -> Verification:
    return run(
        lambda: verify_record(record, public_key=public_key, problem=problem, require_signature=require_signature)
    )


def _verification_data(verification: Verification) -> dict[str, object]:
    data = verification.model_dump(mode="json")
    data["ok"] = verification.ok
    data["findings"] = [{**f.model_dump(mode="json"), "message": f.text()} for f in verification.findings]
    return data


@click.command("keygen")
@click.option(
    "--out", "out", type=_PATH, required=True, help="Write the private key here (and its public key to OUT.pub)."
)
@_LANG
def keygen_cmd(out: Path, lang: Lang) -> None:
    """Make the office's key pair for signing approvals: the private key to OUT (readable by you only;
    an existing file is never replaced) and the public key to OUT.pub."""
    public = run(lambda: write_keypair(out))
    say(
        tr(
            "private key written to {private} (readable by you only; the key holder keeps it)\n"
            "public key written to {public} (give it to whoever checks approvals)\nkey {key}",
            lang,
            private=out,
            public=public_key_path(out),
            key=public.fingerprint,
        )
    )


@click.command("verify")
@click.argument("audit_path", metavar="RECORD", type=_PATH)
@click.option("--problem", "problem_path", type=_PATH, help="Also check the record against this problem file.")
@_PUBLIC_KEY
@_REQUIRE
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@_LANG
def verify_cmd(
    audit_path: Path,
    problem_path: Path | None,
    public_key_path_: Path | None,
    require_signature: bool,
    as_json: bool,
    lang: Lang,
) -> None:
    """Check RECORD (an audit record) without solving again: the decision against its fingerprint, the
    approval against the decision, the signature (with --public-key) and the input (with --problem).
    Exit 0 if every check holds, 1 naming every finding."""
    record = _load_audit(audit_path)
    public_key = _public_key(public_key_path_)
    problem = load(problem_path) if problem_path is not None else None
    verification = _verify(record, public_key, problem, require_signature)
    if as_json:
        click.echo(json.dumps(_verification_data(verification), indent=2, ensure_ascii=False))
    else:
        click.echo(verification.text(lang))
    sys.exit(EXIT_OK if verification.ok else EXIT_NO_PLAN)


#: The commands :mod:`matchmaker._cli` adds to its group.
COMMANDS: tuple[click.Command, ...] = (
    evaluate_cmd,
    override_cmd,
    approve_cmd,
    audit_cmd,
    reproduce_cmd,
    keygen_cmd,
    verify_cmd,
)
