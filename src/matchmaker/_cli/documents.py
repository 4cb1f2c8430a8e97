"""The commands that write documents: ``report``, ``schema``, ``template``, ``secret``, ``pseudonymise``,
``names`` and ``completion``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.shell_completion import get_completion_class

from matchmaker._cli.common import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    PATH,
    fail,
    load,
    problem_of_result,
    require_same_problem,
    run,
)
from matchmaker._cli.console import current_lang, lang_option, say
from matchmaker._i18n import Lang, tr, tr_n
from matchmaker._lattice import DEFAULT_LIMIT, stable_plans
from matchmaker.io._files import atomic_write_bytes, atomic_write_text, read_limited
from matchmaker.io._formats import load_result, save_problem
from matchmaker.io._json import parse_json, problem_json_schema, result_json_schema
from matchmaker.io._keys import load_public_key
from matchmaker.io._pseudonym import load_key, pseudonymise, read_secret, save_key, save_named_export, write_secret
from matchmaker.io._template import write_template
from matchmaker.report._approval import approval_from_data
from matchmaker.report._html import html_report
from matchmaker.report._pdf import NoChromiumError, PdfError, html_to_pdf
from matchmaker.report._text import text_report
from matchmaker.review._overrides import apply_overrides

__all__ = ["COMMANDS"]


@click.command("report")
@click.argument("result_path", metavar="RESULT", type=PATH)
@click.option(
    "-o",
    "--output",
    type=PATH,
    help="Write the report here (.html, .pdf printed by Chromium, or .txt for plain text); default: print.",
)
@problem_of_result
@click.option(
    "--approval", "approval_path", type=PATH, help="The approved plan (an audit record of `approve`) to show."
)
@click.option(
    "--public-key",
    "public_key_path",
    type=PATH,
    help="The office's public key: the approval's signature is checked and its status shown.",
)
@lang_option
@click.option("--title", help="The report's heading (default: Placement plan / Placeringsplan).")
@click.option("--explain", is_flag=True, help="A checked explanation for every unplaced applicant (slower).")
@click.option(
    "--stable-plans",
    "stable_limit",
    type=click.IntRange(min=1),
    is_flag=False,
    flag_value=DEFAULT_LIMIT,
    default=None,
    help=f"A section on the round's stable plans: how many, whether this plan is one, each applicant's range "
    f"(lists up to N plans; default {DEFAULT_LIMIT}).",
)
def report_cmd(
    result_path: Path,
    output: Path | None,
    problem_path: Path | None,
    approval_path: Path | None,
    public_key_path: Path | None,
    lang: Lang,
    title: str | None,
    explain: bool,
    stable_limit: int | None,
) -> None:
    """Write RESULT as a report for people to read, approve and sign: the decision in plain words, the
    policy, the rules and how well the plan meets them, the placements, the unplaced with reasons and
    the approval. One self-contained HTML page (or its PDF print, or plain text) that loads nothing."""

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
    if problem is None and stable_limit is not None:
        fail(tr("--stable-plans needs the problem: give --problem PROBLEM", lang), EXIT_BAD_INPUT)
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
            base, overrides = problem, approval.overrides
            problem = run(lambda: apply_overrides(base, overrides))
    if problem is not None:
        require_same_problem(result, problem, result_path, problem_path or "")
    stable = None
    if problem is not None and stable_limit is not None:
        round_, limit = problem, stable_limit
        stable = run(lambda: stable_plans(round_, limit=limit))
    if suffix == ".txt":
        text = run(lambda: text_report(result, problem, lang=lang, title=title, approval=approval, stable=stable))
    else:
        text = run(
            lambda: html_report(
                result,
                problem,
                lang=lang,
                title=title,
                explain=explain,
                approval=approval,
                printable=suffix == ".pdf",
                stable=stable,
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


@click.command("schema")
@click.option("--result", "which", flag_value="result", help="The schema of a result file instead.")
@click.option("--problem", "which", flag_value="problem", default=True, help="The schema of a problem file.")
def schema_cmd(which: str) -> None:
    """Print the JSON Schema of a problem (or result) file."""
    schema = result_json_schema() if which == "result" else problem_json_schema()
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))


@click.command("template")
@click.option("--xlsx", "xlsx", type=PATH, help="Write an Excel workbook here.")
@click.option("--csv", "csv_dir", type=PATH, help="Write a folder of CSV files here.")
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


@click.command("secret")
@click.argument("secret_path", metavar="SECRET_FILE", type=PATH)
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


@click.command("pseudonymise")
@click.argument("roster", metavar="ROSTER", type=PATH)
@click.option("--secret", "secret_path", type=PATH, required=True, help="The secret file (`matchmaker secret`).")
@click.option("-o", "--output", type=PATH, required=True, help="Write the problem here (.json, .xlsx or folder).")
@click.option("--key", "key_path", type=PATH, required=True, help="Write the private key here (.csv or .xlsx).")
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


@click.command("names")
@click.argument("result_path", metavar="RESULT", type=PATH)
@click.option("--key", "key_path", type=PATH, required=True, help="The key written by `pseudonymise`.")
@click.option("-o", "--output", type=PATH, required=True, help="Write the list with names here (.xlsx or .csv).")
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


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion_cmd(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    For bash, add `eval "$(matchmaker completion bash)"` to ~/.bashrc."""

    completion = get_completion_class(shell)
    assert completion is not None  # every choice is one of click's shells
    group = click.get_current_context().find_root().command  # the matchmaker group this command is on
    click.echo(completion(group, {}, "matchmaker", "_MATCHMAKER_COMPLETE").source())


#: The commands :mod:`matchmaker._cli` adds to its group.
COMMANDS: tuple[click.Command, ...] = (
    report_cmd,
    schema_cmd,
    template_cmd,
    secret_cmd,
    pseudonymise_cmd,
    names_cmd,
    completion_cmd,
)
