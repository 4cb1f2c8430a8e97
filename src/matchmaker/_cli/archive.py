"""The ``matchmaker archive`` command group: ``add``, ``list``, ``show``, ``export``, ``cohorts`` and ``verify``.

Every command takes ``--archive PATH``: by default ``MATCHMAKER_ARCHIVE``, else
``matchmaker-archive.sqlite`` in the working folder. Exit codes: 0 ok, 1 ``verify`` found the archive
changed, 2 bad input or usage (no archive there, a round that is not approved, an unknown key).
Registered on the group by :mod:`matchmaker._cli`; imported only from there.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from matchmaker._cli.common import EXIT_NO_PLAN, EXIT_OK, PATH, load, run
from matchmaker._cli.console import CommandGroup, lang_option, say
from matchmaker._cohorts import CohortFigures
from matchmaker._i18n import Lang, tr, tr_n
from matchmaker.io._archive import ARCHIVE_ENV, DEFAULT_ARCHIVE, Archive, ArchiveEntry
from matchmaker.io._audit import load_audit
from matchmaker.io._cohorts import write_cohort_page, write_cohorts_csv, write_cohorts_excel
from matchmaker.io._formats import load_result
from matchmaker.io._keys import load_public_key
from matchmaker.io._pseudonym import load_key
from matchmaker.report._cohorts import DEFAULT_MIN_CELL, cohort_label
from matchmaker.report._format import number, percent

__all__ = ["COMMANDS"]


def _default_archive() -> str:
    return os.environ.get(ARCHIVE_ENV, "").strip() or DEFAULT_ARCHIVE


_ARCHIVE = click.option(
    "--archive",
    "archive_path",
    type=PATH,
    default=_default_archive,
    show_default=f"{ARCHIVE_ENV} or {DEFAULT_ARCHIVE}",
    help="The programme archive (an SQLite file).",
)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def _open(path: Path, *, create: bool = False) -> Archive:
    return run(lambda: Archive(path, create=create))


def _line(entry: ArchiveEntry, lang: Lang) -> str:
    approved = tr(
        "approved by {official} on {date}", lang, official=entry.official or "-", date=entry.approved_at or "-"
    )
    placed = tr("{n} of {total} placed", lang, n=entry.placed, total=entry.applicants)
    return f"{entry.position:>3}  {entry.key:<14} {placed}; {approved}; {entry.hash[:19]}"


@click.group("archive", cls=CommandGroup)
def archive_group() -> None:
    """The programme archive: every approved round (problem, recommendation, approval) in one SQLite file,
    hash-chained so that `archive verify` names any round edited, removed or reordered."""


@archive_group.command("add")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@click.argument("result_path", metavar="RECOMMENDATION", type=PATH)
@click.argument("record_path", metavar="APPROVAL", type=PATH)
@click.option("--key", help="The round's key (default: YEAR-TERM-STEP of the problem's round, e.g. 2026-HT-1).")
@click.option(
    "--names", "names_path", type=PATH, help="The round's pseudonym key: refuse free text holding a name in it."
)
@_ARCHIVE
@lang_option
def add_cmd(
    problem_path: Path,
    result_path: Path,
    record_path: Path,
    key: str | None,
    names_path: Path | None,
    archive_path: Path,
    lang: Lang,
) -> None:
    """Add an approved round: PROBLEM, RECOMMENDATION (its result) and APPROVAL (the audit record that
    `matchmaker approve` wrote). The archive is created if missing; a round without an approval is refused."""
    problem = load(problem_path)
    result = run(lambda: load_result(result_path))
    record = run(lambda: load_audit(record_path))
    people = run(lambda: load_key(names_path)) if names_path is not None else None
    with _open(archive_path, create=True) as archive:
        entry = run(lambda: archive.add(problem, result, record, key=key, people=people))
    say(
        tr(
            "round {key} added to {archive} at position {n}: {placed} placed; head of the chain {head}",
            lang,
            key=entry.key,
            archive=archive_path,
            n=entry.position,
            placed=entry.placed,
            head=entry.hash,
        )
    )


@archive_group.command("list")
@_ARCHIVE
@_JSON
@lang_option
def list_cmd(archive_path: Path, as_json: bool, lang: Lang) -> None:
    """List the archived rounds in chain order."""
    with _open(archive_path) as archive:
        entries = archive.rounds()
    if as_json:
        click.echo(json.dumps([e.model_dump(mode="json") for e in entries], indent=2, ensure_ascii=False))
        return
    if not entries:
        say(tr("the archive holds no round yet", lang))
    for entry in entries:
        click.echo(_line(entry, lang))


@archive_group.command("show")
@click.argument("key", required=False)
@_ARCHIVE
@_JSON
@lang_option
def show_cmd(key: str | None, archive_path: Path, as_json: bool, lang: Lang) -> None:
    """Show the round KEY (default: the last one added): when, who approved it, its fingerprints and
    every approved placement."""
    with _open(archive_path) as archive:
        stored = run(lambda: archive.round(key))
    if as_json:
        data = stored.model_dump(mode="json", exclude={"problem", "result", "record"})
        data["placements"] = [a.model_dump(mode="json") for a in stored.record.decision.assignments]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    lines = [
        _line(stored, lang),
        tr("added {added}; {n} overrides", lang, added=stored.added_at, n=stored.overrides),
        tr("problem {fingerprint}", lang, fingerprint=stored.input_fingerprint),
        tr("approved plan {fingerprint}", lang, fingerprint=stored.output_fingerprint),
        tr("follows {previous}", lang, previous=stored.previous_hash),
    ]
    lines += [
        f"  {a.applicant}: {a.unit} / {a.supervisor} ({a.municipality})" for a in stored.record.decision.assignments
    ]
    click.echo("\n".join(lines))


@archive_group.command("export")
@click.argument("output", metavar="OUT", type=PATH)
@_ARCHIVE
@lang_option
def export_cmd(output: Path, archive_path: Path, lang: Lang) -> None:
    """Write every approved placement of every round to OUT (.csv or .xlsx): round, term, year, step,
    applicant, unit, supervisor and municipality, ids only."""
    with _open(archive_path) as archive:
        rows = len(archive.placement_rows())
        run(lambda: archive.export(output, lang=lang))
    say(tr_n("{n} placement written to {path}", "{n} placements written to {path}", rows, lang, path=output))


def _write_cohorts(
    write: Callable[..., object], figures: CohortFigures, target: Path, lang: Lang, min_cell: int
) -> None:
    run(lambda: write(figures, target, lang=lang, min_cell=min_cell))
    say(tr("cohort figures written to {path}", lang, path=target))


def _cohort_lines(figures: CohortFigures, lang: Lang, min_cell: int) -> list[str]:
    """One line per cohort and one for every cohort together: step 1 -> step 2 -> employed, the rates."""
    lines = []
    for row in [*figures.select("all"), figures.total()]:
        label = cohort_label(row.year, row.term, lang)
        if row.suppressed(min_cell):
            lines.append(f"{label}: <{min_cell}")
            continue
        rates = " / ".join("-" if r is None else percent(r, lang) for r in (row.rate_2, row.rate_3, row.rate_1_3))
        line = tr(
            "{cohort}: step 1 {n1}, step 2 {n2}, employed {n3} ({rates})",
            lang,
            cohort=label,
            n1=number(row.step_1, lang),
            n2=number(row.step_2, lang),
            n3=number(row.step_3, lang),
            rates=rates,
        )
        if not row.complete:
            still = row.open_2 + row.open_3
            line += "; " + tr_n("{n} still open", "{n} still open", still, lang)
        lines.append(line)
    return lines


@archive_group.command("cohorts")
@click.option("--csv", "csv_dir", type=PATH, help="Write the figures as CSV files into this folder.")
@click.option("--xlsx", "xlsx_path", type=PATH, help="Write the figures as a workbook (.xlsx).")
@click.option("--report", "report_path", type=PATH, help="Write the cohort page with its flow chart (.html).")
@click.option("--family", default="university", show_default=True, help="The applicant group family to break down by.")
@click.option("--to-step-2", type=click.IntRange(min=0), default=2, show_default=True, help="Terms to step 2.")
@click.option("--to-step-3", type=click.IntRange(min=0), default=3, show_default=True, help="Terms to employment.")
@click.option(
    "--min-cell",
    type=click.IntRange(min=0),
    default=DEFAULT_MIN_CELL,
    show_default=True,
    help="Withhold the counts of a row with fewer students than this (0: show all).",
)
@_ARCHIVE
@_JSON
@lang_option
def cohorts_cmd(
    csv_dir: Path | None,
    xlsx_path: Path | None,
    report_path: Path | None,
    family: str,
    to_step_2: int,
    to_step_3: int,
    min_cell: int,
    archive_path: Path,
    as_json: bool,
    lang: Lang,
) -> None:
    """Cohort figures: per intake term, how many went from step 1 on to step 2 and to employment; by
    group, unit and municipality; retention, continuity and supervisor load. Prints a line per cohort;
    --csv, --xlsx and --report write the tables and the page. Counts and ids only."""
    with _open(archive_path) as archive:
        figures = run(lambda: archive.cohort_figures(family=family, to_step_2=to_step_2, to_step_3=to_step_3))
    if as_json:  # exact counts for machines: published files withhold small cells
        click.echo(json.dumps(figures.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(_cohort_lines(figures, lang, min_cell)))
    writers = ((csv_dir, write_cohorts_csv), (xlsx_path, write_cohorts_excel), (report_path, write_cohort_page))
    for target, write in writers:
        if target is not None:
            _write_cohorts(write, figures, target, lang, min_cell)


@archive_group.command("verify")
@click.option("--head", help="A head hash reported earlier: fail if it is no longer in the chain.")
@click.option(
    "--public-key",
    "public_key_path",
    type=PATH,
    help="The office's public key (KEY.pub): every approval must be signed with its private key.",
)
@_ARCHIVE
@_JSON
@lang_option
def verify_cmd(head: str | None, public_key_path: Path | None, archive_path: Path, as_json: bool, lang: Lang) -> None:
    """Recompute the hash chain and every round's fingerprints and approval (and with --public-key its
    signature); exit 1 naming each round that was edited, removed or reordered."""
    public_key = run(lambda: load_public_key(public_key_path)) if public_key_path is not None else None
    with _open(archive_path) as archive:
        verification = run(lambda: archive.verify(expect_head=head, public_key=public_key))
    if as_json:
        data = verification.model_dump(mode="json")
        data["findings"] = [{**f.model_dump(mode="json"), "text": f.text(lang)} for f in verification.findings]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(verification.text(lang))
    sys.exit(EXIT_OK if verification.ok else EXIT_NO_PLAN)


COMMANDS: tuple[click.Command, ...] = (archive_group,)
