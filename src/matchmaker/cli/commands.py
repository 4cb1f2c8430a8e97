"""The commands of the ``matchmaker`` command line, but the review commands (``cli/review.py``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import get_args

import click

from matchmaker._i18n import Lang, Message, msg, tr, tr_n
from matchmaker.blocking import blocking_pairs
from matchmaker.checks import check
from matchmaker.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_NO_PLAN, fail, load, require_same_problem, run
from matchmaker.cli.console import (
    CommandGroup,
    ProgressDisplay,
    configure_logging,
    current_lang,
    lang_option,
    say,
    solve_interruptibly,
)
from matchmaker.errors import MatchmakerError, SolverError
from matchmaker.io.formats import load_result, save_problem, save_result
from matchmaker.io.json import problem_json_schema, result_json_schema
from matchmaker.io.pseudonym import load_key, pseudonymise, read_secret, save_key, save_named_export, write_secret
from matchmaker.io.template import write_template
from matchmaker.limits import Limits, use_limits
from matchmaker.models import Objective, Problem
from matchmaker.options import SolveOptions
from matchmaker.popular import popular_plan, popularity
from matchmaker.report.text import format_result
from matchmaker.result import PlanDiff, Result

__all__ = ["cli", "main"]


def _deliver(
    result: Result,
    output: Path | None,
    *,
    quiet: bool,
    lang: Lang,
    protect: tuple[Path, ...],
    problem: Problem,
    after: str | None = None,
) -> None:
    """Write the result (never over an input), print the plan (and ``after``) in ``lang``, exit 1 without
    a plan."""
    if output is not None:
        run(lambda: save_result(result, output, lang=lang, protect=protect))
    if not quiet:
        click.echo(format_result(result, lang=lang, problem=problem))
        if after is not None:
            click.echo(after)
        if output is not None:
            click.echo(tr("result written to {path}", lang, path=output))
    if not result.status.has_plan:
        click.echo(tr("no plan: the solve ended {status}", lang, status=result.status.text(lang)), err=True)
        sys.exit(EXIT_NO_PLAN)


_PATH = click.Path(path_type=Path)


def _limits(given: tuple[str, ...]) -> Limits:
    values: dict[str, object] = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            fail(
                tr("--limit {item}: write NAME=NUMBER, e.g. --limit max_pairs=5000000", current_lang(), item=item),
                EXIT_BAD_INPUT,
            )
        values[name.strip()] = int(value)
    return run(lambda: Limits.model_validate(values))


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="matchmaker")
@click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="NAME=NUMBER",
    help="Change an input size limit for this command, e.g. --limit max_pairs=5000000 (repeatable).",
)
def cli(limits: tuple[str, ...]) -> None:
    """Place applicants with supervisors in units, optimally and explainably."""
    if limits:
        click.get_current_context().with_resource(use_limits(_limits(limits)))


@cli.command("solve")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@click.option("-o", "--output", type=_PATH, help="Write the result here (.json, .xlsx or a folder for CSV files).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds for the whole solve.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Lottery seed (overrides the policy's).")
@click.option(
    "--objective",
    type=click.Choice(get_args(Objective)),
    help=(
        "Level-3 objective (overrides the policy's; sex_equal, egalitarian_two_sided and "
        "minimum_regret_two_sided need --stability optimise)."
    ),
)
@click.option("--minimums", type=click.Choice(["hard", "soft"]), help="Minimums as constraints or as a goal.")
@click.option("--targets", type=click.Choice(["soft", "hard"]), help="Unit targets as a goal or as lower bounds.")
@click.option(
    "--balance",
    type=click.Choice(["none", "within", "ratio", "maximin"]),
    help="Balance between municipalities (overrides the policy's).",
)
@click.option("--balance-tolerance", type=click.FloatRange(0, 1), help="For --balance within (default 0.1).")
@click.option("--balance-ratio", type=click.FloatRange(0, 1), help="For --balance ratio (default 0.75).")
@click.option(
    "--stability",
    type=click.Choice(["none", "applicant_optimal", "unit_optimal", "optimise"]),
    help="Stable plans only, and which one (overrides the policy's).",
)
@click.option(
    "--stability-ties",
    type=click.Choice(["lottery", "keep"]),
    help="With --stability: break ties by lottery (default) or keep them (optimise only).",
)
@click.option("--workers", type=click.IntRange(1, 64), help="CP-SAT search workers (default: cores, max 8).")
@click.option(
    "--solver-seed",
    type=click.IntRange(0, 2**31 - 1),
    default=0,
    show_default=True,
    help="CP-SAT's own random seed (search order only).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for the engine's log).")
@click.option(
    "--progress-after",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Show the live progress (on a terminal only) once the solve has run this many seconds.",
)
@lang_option
def solve_cmd(
    problem_path: Path,
    output: Path | None,
    time_limit: float | None,
    seed: int | None,
    objective: str | None,
    minimums: str | None,
    targets: str | None,
    balance: str | None,
    balance_tolerance: float | None,
    balance_ratio: float | None,
    stability: str | None,
    stability_ties: str | None,
    workers: int | None,
    solver_seed: int,
    quiet: bool,
    verbose: int,
    progress_after: float,
    lang: Lang,
) -> None:
    """Solve PROBLEM (.json, .xlsx or a folder of CSV files): print the plan and write the result."""
    configure_logging(verbose, quiet)
    problem = load(problem_path)
    overrides: dict[str, object] = {
        key: value
        for key, value in (
            ("lottery_seed", seed),
            ("objective", objective),
            ("minimums", minimums),
            ("targets", targets),
        )
        if value is not None
    }
    if balance is not None:
        overrides["balance"] = None if balance == "none" else {"mode": balance}
    if balance_tolerance is not None or balance_ratio is not None:
        current = overrides.get("balance", problem.policy.balance and problem.policy.balance.model_dump(mode="json"))
        if not isinstance(current, dict):
            fail(tr("--balance-tolerance and --balance-ratio need a balance mode (--balance)", lang), EXIT_BAD_INPUT)
        current = dict(current)
        if balance_tolerance is not None:
            current["tolerance"] = balance_tolerance
        if balance_ratio is not None:
            current["ratio"] = balance_ratio
        overrides["balance"] = current
    if stability is not None:
        overrides["stability"] = None if stability == "none" else {"mode": stability}
    if stability_ties is not None:
        current_s = overrides.get(
            "stability", problem.policy.stability and problem.policy.stability.model_dump(mode="json")
        )
        if not isinstance(current_s, dict):
            fail(tr("--stability-ties needs a stable mode (--stability)", lang), EXIT_BAD_INPUT)
        overrides["stability"] = {**current_s, "ties": stability_ties}
    if overrides:
        data = problem.model_dump(mode="json")
        data["policy"].update(overrides)
        problem = run(lambda: Problem.model_validate(data))
    kwargs: dict[str, object] = {"time_limit": time_limit, "solver_seed": solver_seed, "log": verbose >= 2}
    if workers is not None:
        kwargs["workers"] = workers
    try:
        options = SolveOptions.model_validate(kwargs)
        display = None if quiet else ProgressDisplay.for_terminal(delay=progress_after, lang=lang)
        result, interrupted = solve_interruptibly(problem, options, progress=display, lang=lang)
    except SolverError as exc:
        fail(str(exc), EXIT_INTERNAL)
    if not overrides:  # `explain RESULT` can find the problem again (with overrides it is another problem)
        stats = result.statistics.model_copy(update={"input": str(problem_path)})
        result = result.model_copy(update={"statistics": stats})
    report = check(problem, result)
    if not report.ok:
        fail(tr("the result failed its independent check; please report this bug", lang) + f"\n{report}", EXIT_INTERNAL)
    if interrupted:
        click.echo(
            tr("interrupted: the search was stopped; status {status}", lang, status=result.status.text(lang)), err=True
        )
    _deliver(result, output, quiet=quiet, lang=lang, protect=(problem_path,), problem=problem)


@cli.command("explain")
@click.argument("result_path", metavar="[RESULT]", type=_PATH, required=False)
@click.argument("applicants", metavar="[APPLICANT_ID]...", nargs=-1)
@click.option("--problem", "problem_path", type=_PATH, help="The problem (default: the file RESULT was solved from).")
@click.option(
    "--overrides",
    "overrides_path",
    type=_PATH,
    help="For an approved plan with overrides (approve --result-output): the overrides file it was approved with.",
)
@click.option("--all", "everyone", is_flag=True, help="Explain every applicant.")
@click.option("--reserves", type=click.IntRange(0, 50), default=0, help="Also list this many reserves per unit.")
@click.option("--json", "as_json", is_flag=True, help="Print the structured explanations as JSON.")
@lang_option
def explain_cmd(
    result_path: Path | None,
    applicants: tuple[str, ...],
    problem_path: Path | None,
    overrides_path: Path | None,
    everyone: bool,
    reserves: int,
    as_json: bool,
    lang: Lang,
) -> None:
    """Explain a result: why each applicant got their place or none. Without RESULT (give --problem):
    pre-solve diagnostics, and if the round has no plan, a minimal set of clashing constraints and the
    smallest change that makes a plan possible."""
    from matchmaker.explanations import (
        diagnose,
        display_names,
        explain,
        explain_infeasibility,
        reserve_lists,
    )

    result = run(lambda: load_result(result_path)) if result_path is not None else None
    if problem_path is None:
        recorded = result.statistics.input if result is not None else None
        if recorded is None:
            fail(
                tr("give --problem PROBLEM (the result does not say which problem it was solved from)", lang),
                EXIT_BAD_INPUT,
            )
        problem_path = Path(recorded)
    problem = load(problem_path)
    if overrides_path is not None:
        from matchmaker.io.overrides import load_overrides
        from matchmaker.review.overrides import apply_overrides

        overrides = run(lambda: load_overrides(overrides_path))
        base = problem
        problem = run(lambda: apply_overrides(base, overrides))
    names = display_names(problem)
    out: list[str] = []
    payload: list[object] = []
    if result is None or not result.status.has_plan:
        diagnostics = diagnose(problem)
        infeasible = explain_infeasibility(problem)
        out.append(diagnostics.text(lang, names))
        payload.append(diagnostics.model_dump(mode="json"))
        if infeasible is not None:
            out.append(infeasible.text(lang, names))
            payload.append(infeasible.model_dump(mode="json"))
        elif result is None:
            out.append(tr("The round has a plan.", lang))
    else:
        if result.decision.input_fingerprint != problem.fingerprint():
            if overrides_path is None:
                what = tr(
                    "{result} was solved for a different problem than {problem}",
                    lang,
                    result=result_path,
                    problem=problem_path,
                )
            else:
                what = tr(
                    "{result} was solved for a different problem than {problem} with the overrides of {overrides}",
                    lang,
                    result=result_path,
                    problem=problem_path,
                    overrides=overrides_path,
                )
            fix = tr(
                "give the problem it was solved from with --problem PROBLEM, and for a plan approved with overrides "
                "(approve --result-output) also the overrides file with --overrides FILE",
                lang,
            )
            fail(f"{what}: {fix}", EXIT_BAD_INPUT)
        ids = sorted(problem.applicant_by_id) if everyone else list(applicants)
        unknown = [a for a in ids if a not in problem.applicant_by_id]
        if unknown:
            fail(tr("not applicants of the problem: {ids}", lang, ids=", ".join(unknown)), EXIT_BAD_INPUT)
        overridden = {o.applicant for o in overrides if o.action == "pin"} if overrides_path is not None else set()
        for ident in ids:
            e = explain(problem, result, ident)
            if ident in overridden:  # the pin is an official's override, not the round's own
                e = e.model_copy(update={"override": True})
            out.append(e.text(lang, names))
            payload.append(e.model_dump(mode="json"))
        if reserves:
            for rl in reserve_lists(problem, result, depth=reserves):
                entries = ", ".join(f"{r.position}. {r.applicant}" for r in rl.reserves) or "-"
                out.append(
                    tr("Reserves for {unit}: {entries}", lang, unit=names.get(rl.unit, rl.unit), entries=entries)
                )
                payload.append(rl.model_dump(mode="json"))
        if not ids and not reserves:
            fail(tr("name one or more APPLICANT_IDs, or give --all or --reserves N", lang), EXIT_BAD_INPUT)
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False) if as_json else "\n\n".join(out))


@cli.command("report")
@click.argument("result_path", metavar="RESULT", type=_PATH)
@click.option(
    "-o",
    "--output",
    type=_PATH,
    help="Write the report here (.html, .pdf printed by Chromium, or .txt for plain text); default: print.",
)
@click.option("--problem", "problem_path", type=_PATH, help="The problem (default: the file RESULT was solved from).")
@click.option(
    "--approval", "approval_path", type=_PATH, help="The approved plan (an audit record of `approve`) to show."
)
@click.option(
    "--public-key",
    "public_key_path",
    type=_PATH,
    help="The office's public key: the approval's signature is checked and its status shown.",
)
@lang_option
@click.option("--title", help="The report's heading (default: Placement plan / Placeringsplan).")
@click.option("--explain", is_flag=True, help="A checked explanation for every unplaced applicant (slower).")
def report_cmd(
    result_path: Path,
    output: Path | None,
    problem_path: Path | None,
    approval_path: Path | None,
    public_key_path: Path | None,
    lang: Lang,
    title: str | None,
    explain: bool,
) -> None:
    """Write RESULT as a report for people to read, approve and sign: the decision in plain words, the
    policy, the rules and how well the plan meets them, the placements, the unplaced with reasons and
    the approval. One self-contained HTML page (or its PDF print, or plain text) that loads nothing."""
    from matchmaker.io.files import atomic_write_bytes, atomic_write_text, read_limited
    from matchmaker.io.json import parse_json
    from matchmaker.io.keys import load_public_key
    from matchmaker.report.approval import approval_from_data
    from matchmaker.report.html import html_report
    from matchmaker.report.pdf import NoChromiumError, PdfError, html_to_pdf
    from matchmaker.report.text import text_report

    suffix = ".html" if output is None else output.suffix.lower()
    if suffix not in (".html", ".htm", ".txt", ".pdf"):
        fail(tr("{path}: a report's name ends in .html, .pdf or .txt", lang, path=output), EXIT_BAD_INPUT)
    result = run(lambda: load_result(result_path))
    recorded = result.statistics.input
    if problem_path is None and recorded is not None and Path(recorded).exists():
        problem_path = Path(recorded)
    problem = load(problem_path) if problem_path is not None else None
    if problem is None and explain:
        fail(tr("--explain needs the problem: give --problem PROBLEM", lang), EXIT_BAD_INPUT)
    approval = None
    if public_key_path is not None and approval_path is None:
        fail(tr("--public-key checks an approval's signature: give --approval APPROVED.json too", lang), EXIT_BAD_INPUT)
    if approval_path is not None:
        where = approval_path
        key = None
        if public_key_path is not None:
            key_path = public_key_path
            key = run(lambda: load_public_key(key_path))
        data = run(lambda: parse_json(read_limited(where), str(where)))
        approval = run(lambda: approval_from_data(data, result, source=str(where), public_key=key))
        if problem is not None and approval.overrides:  # the approved plan was solved with its overrides
            from matchmaker.review.overrides import apply_overrides

            base, overrides = problem, approval.overrides
            problem = run(lambda: apply_overrides(base, overrides))
    if problem is not None:
        require_same_problem(result, problem, result_path, problem_path or "")
    if suffix == ".txt":
        text = run(lambda: text_report(result, problem, lang=lang, title=title, approval=approval))
    else:
        text = run(
            lambda: html_report(
                result, problem, lang=lang, title=title, explain=explain, approval=approval, printable=suffix == ".pdf"
            )
        )
    given = [p for p in (result_path, problem_path, approval_path) if p is not None]
    if output is None:
        click.echo(text, nl=False)
        return
    if suffix == ".pdf":
        try:
            pdf = html_to_pdf(text)
        except NoChromiumError as exc:
            fail(exc.text(lang), EXIT_BAD_INPUT)
        except PdfError as exc:
            fail(exc.text(lang), EXIT_INTERNAL)
        run(lambda: atomic_write_bytes(output, pdf, protect=tuple(given)))
    else:
        run(lambda: atomic_write_text(output, text, protect=tuple(given)))
    say(tr("report written to {path}", lang, path=output))


@cli.command("validate")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@lang_option
def validate_cmd(problem_path: Path, lang: Lang) -> None:
    """Check PROBLEM (.json, .xlsx or a folder of CSV files) against every rule without solving."""
    problem = load(problem_path)
    places = sum(u.max_places for u in problem.units)
    counts = [
        tr_n("{n} applicant", "{n} applicants", len(problem.applicants), lang),
        tr_n("{n} municipality", "{n} municipalities", len(problem.municipalities), lang),
        tr_n("{n} unit", "{n} units", len(problem.units), lang),
        tr_n("{n} supervisor", "{n} supervisors", len(problem.supervisors), lang),
        tr_n("{n} place", "{n} places", places, lang),
    ]
    say(tr("{path}: valid. {counts} (sum of unit maximums).", lang, path=problem_path, counts=", ".join(counts)))


@cli.command("schema")
@click.option("--result", "which", flag_value="result", help="The schema of a result file instead.")
@click.option("--problem", "which", flag_value="problem", default=True, help="The schema of a problem file.")
def schema_cmd(which: str) -> None:
    """Print the JSON Schema of a problem (or result) file."""
    schema = result_json_schema() if which == "result" else problem_json_schema()
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))


@cli.command("template")
@click.option("--xlsx", "xlsx", type=_PATH, help="Write an Excel workbook here.")
@click.option("--csv", "csv_dir", type=_PATH, help="Write a folder of CSV files here.")
@lang_option
def template_cmd(xlsx: Path | None, csv_dir: Path | None, lang: Lang) -> None:
    """Write a round to fill in: every table, its headers and example rows."""
    if (xlsx is None) == (csv_dir is None):
        fail(tr("give exactly one of --xlsx FILE and --csv DIR", lang), EXIT_BAD_INPUT)
    target = xlsx if xlsx is not None else csv_dir
    assert target is not None
    if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
        fail(tr("{path}: a workbook's name ends in .xlsx", lang, path=xlsx), EXIT_BAD_INPUT)
    if csv_dir is not None and csv_dir.suffix:
        fail(tr("{path}: give a folder name without a suffix", lang, path=csv_dir), EXIT_BAD_INPUT)
    run(lambda: write_template(target, lang=lang))
    say(
        tr("template written to {path}: replace the example rows, then `matchmaker validate {path}`", lang, path=target)
    )


@cli.command("secret")
@click.argument("secret_path", metavar="SECRET_FILE", type=_PATH)
def secret_cmd(secret_path: Path) -> None:
    """Write a new random secret for `pseudonymise` (keep it safe; it keeps ids stable across rounds)."""
    run(lambda: write_secret(secret_path))
    say(
        tr(
            "secret written to {path} (readable by you only); keep it apart from the data",
            current_lang(),
            path=secret_path,
        )
    )


@cli.command("pseudonymise")
@click.argument("roster", metavar="ROSTER", type=_PATH)
@click.option("--secret", "secret_path", type=_PATH, required=True, help="The secret file (`matchmaker secret`).")
@click.option("-o", "--output", type=_PATH, required=True, help="Write the problem here (.json, .xlsx or folder).")
@click.option("--key", "key_path", type=_PATH, required=True, help="Write the private key here (.csv or .xlsx).")
@lang_option
def pseudonymise_cmd(roster: Path, secret_path: Path, output: Path, key_path: Path, lang: Lang) -> None:
    """Split ROSTER (a workbook or CSV folder with names) into a problem with ids and a private key."""
    secret = run(lambda: read_secret(secret_path))
    problem, key = run(lambda: pseudonymise(roster, secret))
    run(lambda: save_problem(problem, output, lang=lang))
    run(lambda: save_key(key, key_path, lang=lang))
    say(
        tr_n(
            "{n} applicant pseudonymised: problem written to {output}, key written to {key} (readable by you "
            "only; keep it apart from the problem)",
            "{n} applicants pseudonymised: problem written to {output}, key written to {key} (readable by you "
            "only; keep it apart from the problem)",
            len(problem.applicants),
            lang,
            output=output,
            key=key_path,
        )
    )


@cli.command("names")
@click.argument("result_path", metavar="RESULT", type=_PATH)
@click.option("--key", "key_path", type=_PATH, required=True, help="The key written by `pseudonymise`.")
@click.option("-o", "--output", type=_PATH, required=True, help="Write the list with names here (.xlsx or .csv).")
@lang_option
def names_cmd(result_path: Path, key_path: Path, output: Path, lang: Lang) -> None:
    """Write where each person goes, with names, for letters and approval (the only output with names)."""
    result = run(lambda: load_result(result_path))
    key = run(lambda: load_key(key_path))
    run(lambda: save_named_export(result, key, output, lang=lang))
    rows = len(result.assignments) + len(result.unplaced)
    say(
        tr_n(
            "{n} row written to {path} (readable by you only)",
            "{n} rows written to {path} (readable by you only)",
            rows,
            lang,
            path=output,
        )
    )


@cli.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion_cmd(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    For bash, add `eval "$(matchmaker completion bash)"` to ~/.bashrc."""
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    assert completion is not None  # every choice is one of click's shells
    click.echo(completion(cli, {}, "matchmaker", "_MATCHMAKER_COMPLETE").source())


#: The words for a blocking pair's case (:data:`matchmaker.stability.audit.Case`).
_BLOCKING_CASES: dict[str, Message] = {
    "undersubscribed": msg("undersubscribed"),
    "unit_full": msg("unit full"),
    "supervisor_full": msg("supervisor full"),
}


@cli.command("stability")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@click.argument("plan_path", metavar="RESULT", type=_PATH)
@click.option("--strict", is_flag=True, help="Break ties by the policy's lottery first (as stable mode does).")
@click.option("--json", "as_json", is_flag=True, help="Print the blocking pairs as JSON.")
def stability_cmd(problem_path: Path, plan_path: Path, strict: bool, as_json: bool) -> None:
    """List the blocking pairs of RESULT (a result file of PROBLEM): applicants and supervisors who
    would both rather be together. Exit code 0 if the plan is stable, 1 if not."""
    problem = load(problem_path)
    result = run(lambda: load_result(plan_path))
    pairs = run(lambda: blocking_pairs(problem, result, strict=strict))
    lang = current_lang()
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


@cli.command("popular")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@click.option("--check", "plan_path", type=_PATH, help="Only say whether this result's plan is popular.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds per solve.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def popular_cmd(problem_path: Path, plan_path: Path | None, time_limit: float | None, as_json: bool) -> None:
    """Find a popular plan for PROBLEM (no other plan is preferred by more applicants), or prove that
    none exists; with --check, say whether a result's plan is popular. Exit code 0 if popular, 1 if not."""
    problem = load(problem_path)
    options = SolveOptions(time_limit=time_limit)
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


def _options(time_limit: float | None, workers: int | None) -> SolveOptions:
    kwargs: dict[str, object] = {"time_limit": time_limit}
    if workers is not None:
        kwargs["workers"] = workers
    return SolveOptions.model_validate(kwargs)


def _diff_text(diff: PlanDiff, lang: Lang) -> str:
    lines = [
        tr(
            "{moved} moved (of whom {unplaced} now unplaced), {placed} newly placed, {withdrawn} withdrawn, "
            "{unchanged} unchanged",
            lang,
            moved=diff.moved_count,
            unplaced=len(diff.newly_unplaced),
            placed=len(diff.newly_placed),
            withdrawn=len(diff.withdrawn),
            unchanged=diff.unchanged,
        )
    ]
    for title, moves in (
        (tr("moved", lang), diff.moved),
        (tr("newly placed", lang), diff.newly_placed),
        (tr("newly unplaced", lang), diff.newly_unplaced),
        (tr("withdrawn", lang), diff.withdrawn),
    ):
        for m in moves:
            before = f"{m.before or '-'} ({m.before_unit or '-'})"
            lines.append(f"  {title}: {m.applicant}: {before} -> {m.after or '-'} ({m.after_unit or '-'})")
    return "\n".join(lines)


@cli.command("repair")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@click.option("--previous", "previous_path", type=_PATH, required=True, help="The result to repair.")
@click.option("-o", "--output", type=_PATH, help="Write the result here (.json, .xlsx or a folder for CSV files).")
@click.option("--keep", multiple=True, metavar="APPLICANT_ID", help="Keep this applicant's placement (repeatable).")
@click.option(
    "--position",
    type=click.FloatRange(min=0, min_open=True),
    help="Position of level 'moved' in the objective vector (default 2.5: after the placed count).",
)
@click.option(
    "--penalty", type=click.FloatRange(0, 100), help="Instead of a level, each move costs this much fit (e.g. 0.3)."
)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds for the whole solve.")
@click.option("--workers", type=click.IntRange(1, 64), help="CP-SAT search workers (default: cores, max 8).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@lang_option
def repair_cmd(
    problem_path: Path,
    previous_path: Path,
    output: Path | None,
    keep: tuple[str, ...],
    position: float | None,
    penalty: float | None,
    time_limit: float | None,
    workers: int | None,
    quiet: bool,
    lang: Lang,
) -> None:
    """Re-plan the changed round PROBLEM from the result --previous, moving as few people as possible."""
    from matchmaker.pipeline import reoptimise

    problem = load(problem_path)
    previous = run(lambda: load_result(previous_path))
    try:
        result = run(
            lambda: reoptimise(
                problem, previous, keep=keep, position=position, penalty=penalty, options=_options(time_limit, workers)
            )
        )
    except SolverError as exc:
        fail(str(exc), EXIT_INTERNAL)
    # `explain RESULT` can find the problem again.
    result = result.model_copy(update={"statistics": result.statistics.model_copy(update={"input": str(problem_path)})})
    report = check(problem, result, previous=previous)
    if not report.ok:
        fail(tr("the result failed its independent check; please report this bug", lang) + f"\n{report}", EXIT_INTERNAL)
    if not result.status.has_plan:  # no plan, so nothing to compare: the message above says what clashes
        after = tr(
            "the repair is {status}: there is no new plan, so nobody moves", lang, status=result.status.text(lang)
        )
    elif result.decision.repair is not None:
        after = _diff_text(result.decision.repair.diff, lang)
    else:  # pragma: no cover - reoptimise always records the repair
        after = None
    _deliver(
        result, output, quiet=quiet, lang=lang, protect=(problem_path, previous_path), problem=problem, after=after
    )


@cli.command("diff")
@click.argument("before_path", metavar="BEFORE", type=_PATH)
@click.argument("after_path", metavar="AFTER", type=_PATH)
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
def diff_cmd(before_path: Path, after_path: Path, as_json: bool) -> None:
    """Compare two results: who moved (from -> to), who is newly placed or unplaced, how many are unchanged."""
    from matchmaker.repair import plan_diff

    before = run(lambda: load_result(before_path))
    after = run(lambda: load_result(after_path))
    diff = plan_diff(before, after)
    click.echo(json.dumps(diff.model_dump(mode="json"), indent=2) if as_json else _diff_text(diff, current_lang()))


@cli.command("scenarios")
@click.argument("problem_path", metavar="PROBLEM", type=_PATH)
@click.argument("scenarios_path", metavar="SCENARIOS", type=_PATH)
@click.option("--processes", type=click.IntRange(1, 64), help="Solve the scenarios in this many processes.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds for each solve.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def scenarios_cmd(
    problem_path: Path, scenarios_path: Path, processes: int | None, time_limit: float | None, as_json: bool
) -> None:
    """Solve PROBLEM and each what-if of SCENARIOS (a JSON list) and compare the plans side by side."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from matchmaker.io.scenarios import load_scenarios
    from matchmaker.scenarios import compare_scenarios

    problem = load(problem_path)
    scenarios = run(lambda: load_scenarios(scenarios_path))
    options = SolveOptions(time_limit=time_limit, workers=1)
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


def main() -> None:
    """Run the CLI; library errors that escape a command end with exit code 3 and a one-line message."""
    try:
        cli.main(standalone_mode=True)
    except MatchmakerError as exc:  # pragma: no cover - every command handles its own errors
        fail(exc.text(current_lang()), EXIT_INTERNAL)
