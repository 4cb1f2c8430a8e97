"""The HTML report: one self-contained page an official can read, print to PDF and sign.

:func:`html_report` renders a result (and, if given, its problem and approval) in this order: the
decision in plain words (who is placed, who is not and why, the rules in their order), summary cards,
the policy in words (:mod:`matchmaker.report._content`), the objective levels with plain names and
readable values, charts (inline SVG from :mod:`matchmaker.report._charts`), a summary per municipality,
the placements with a priority-tier column and a note on every unusual placement, the applicants not
placed with their reasons, and the approval block (filled from an audit record, or empty lines to sign
on paper). English or Swedish, numbers and dates as each language writes them.

The page loads nothing: no fonts, images, style sheets or scripts from anywhere, and not one
``http`` in its text (SVG inside HTML needs no namespace). It prints on A4: table headers repeat on
every page, no row is split across pages, ids never break. Long tables (a large round) are folded per
municipality in ``<details>``; ``printable=True`` unfolds them for the PDF. A small inline script sorts
a table when its header is clicked; without scripts the page reads the same.

Every chart bar carries its numbers for machines: ``data-label``, ``data-value`` and, for the fill
charts, ``data-capacity``; each chart's ``<figure>`` carries ``data-chart`` (its key) and
``data-total``. Ids only, never personal data; units and municipalities are shown by name where the
problem gives one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from matchmaker._i18n import msg, tr
from matchmaker.errors import ResultMismatchError
from matchmaker.explanations import display_names
from matchmaker.explanations import explain as explain_one
from matchmaker.report._charts import all_charts
from matchmaker.report._content import (
    approval_labels,
    chart_title,
    decision_lines,
    level_name,
    level_reading,
    no_plan_explanation,
    note_facts,
    override_line,
    placement_notes,
    policy_lines,
    round_line,
    signature_text,
    status_text,
    unchecked_text,
    unplaced_facts,
    unplaced_reason,
)
from matchmaker.report._format import date, decimal, number, percent
from matchmaker.report._lattice import stable_range_rows, stable_summary
from matchmaker.report._style import CSS, SCRIPT
from matchmaker.report._svg import escape as _e
from matchmaker.report._svg import horizontal_chart, vertical_chart

if TYPE_CHECKING:
    from matchmaker._i18n import Lang
    from matchmaker._lattice import StablePlans
    from matchmaker._models import Problem
    from matchmaker._result import Assignment, Result
    from matchmaker.report._approval import ReportApproval

__all__ = ["COLLAPSE_AT", "FOLD_BARS", "html_report", "sortable_table"]


#: A table with more rows than this is folded per municipality (``<details>``) on screen.
COLLAPSE_AT = 300


#: A fill chart with more bars than this is shown below the others, folded on screen in a large round.
FOLD_BARS = 40


# A column: its title and its cells' class ("id": never breaks, "num": right-aligned, "": wraps).
_Column = tuple[str, str]


# A cell: its HTML (already escaped) and its sort key (or None: sorted by its text).
_Cell = tuple[str, str | None]


def sortable_table(columns: Sequence[_Column], rows: Sequence[Sequence[_Cell]], key: str) -> str:
    """A sortable table with a header that repeats on every printed page."""
    head = "".join(
        f'<th class="{c}" scope="col">{_e(t)}</th>' if c else f'<th scope="col">{_e(t)}</th>' for t, c in columns
    )
    body = []
    for r in rows:
        cells = []
        for (content, sort), (_, css) in zip(r, columns, strict=True):
            attrs = (f' class="{css}"' if css else "") + ("" if sort is None else f' data-sort="{_e(sort)}"')
            cells.append(f"<td{attrs}>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="sortable" id="{key}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _list(items: Sequence[object]) -> str:
    """A (nested) list: a string is an item, a list is a sub-list of the item before it."""
    out: list[str] = []
    for item in items:
        if isinstance(item, list):
            sub = _list(item)
            if out and out[-1].endswith("</li>"):
                out[-1] = out[-1][: -len("</li>")] + sub + "</li>"
            else:
                out.append(f"<li>{sub}</li>")
        else:
            out.append(f"<li>{_e(item)}</li>")
    return f"<ul>{''.join(out)}</ul>"


def _explained(text: str) -> str:
    """An explanation's text as HTML: its lines ``- ...`` as list items, other lines as paragraphs."""
    out: list[str] = []
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append(f"<li>{_e(line[2:])}</li>")
            continue
        if items:
            out.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if line.strip():
            out.append(f"<p>{_e(line)}</p>")
    if items:
        out.append(f"<ul>{''.join(items)}</ul>")
    return "".join(out)


def _folded(tables: Sequence[tuple[str, int, str]], lang: Lang, fold: bool) -> str:
    """Tables (title, rows, HTML), each in a ``<details>`` when ``fold``, else one after another."""
    if not fold:
        return "".join(table for _, _, table in tables)
    return "".join(
        f"<details><summary>{_e(tr('{name}: {n} rows', lang, name=title, n=number(n, lang)))}</summary>"
        f"{table}</details>"
        for title, n, table in tables
    )


def _reasons(
    result: Result, problem: Problem | None, lang: Lang, explain: bool, names: Mapping[str, str]
) -> dict[str, str]:
    """The reason (HTML) shown for each applicant not placed: the checked explanation with ``explain``
    (each re-solves), else the reason with the numbers of the records (with the problem)."""
    d = result.decision
    facts = unplaced_facts(problem, [u.applicant for u in d.unplaced]) if problem is not None else {}
    out = {u.applicant: _e(unplaced_reason(u, lang, facts.get(u.applicant))) for u in d.unplaced}
    if explain and problem is not None and d.status.has_plan:
        for u in d.unplaced:
            text = explain_one(problem, result, u.applicant).text(lang, display_names(problem))
            # The first line repeats "Applicant X is not placed."; the table already says who.
            out[u.applicant] = _explained("\n".join(text.splitlines()[1:]).strip() or text)
    return out


def _approval_html(approval: ReportApproval | None, lang: Lang, names: Mapping[str, str]) -> str:
    """The approval block: who approved, role, date, signature status and overrides; without an
    approval, empty lines to fill in and sign on paper."""
    heading = f'<section id="approval" class="approval"><h2>{tr("Approval", lang)}</h2>'
    if approval is None:
        lines = "".join(f"<p>{label}</p>" for label in approval_labels(lang))
        unsigned = tr("Not approved yet. The approving official fills in and signs:", lang)
        return f'{heading}<p>{unsigned}</p><div class="sign">{lines}</div></section>'
    missing = tr("not recorded", lang)
    overrides = [override_line(o, lang, names) for o in approval.overrides]
    rows = [
        (tr("Official", lang), _e(approval.official)),
        (tr("Role", lang), _e(approval.role or missing)),
        (tr("Date", lang), _e(date(approval.date, lang) if approval.date else missing)),
        (tr("Signature", lang), _e(signature_text(approval.signature, lang))),
        (
            tr("Overrides", lang),
            _list(overrides) if overrides else _e(tr("none: approved as recommended", lang)),
        ),
    ]
    fields = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows)
    return f"{heading}<dl>{fields}</dl></section>"


def _assignment_rows(
    assignments: Sequence[Assignment],
    lang: Lang,
    named: Mapping[str, str],
    tiers: Mapping[str, int],
    notes: Mapping[str, list[str]],
) -> list[list[_Cell]]:
    return [
        [
            (_e(a.applicant), None),
            (_e(tiers.get(a.applicant, "-")), str(tiers.get(a.applicant, 1000))),
            (_name_html(a.unit, named), None),
            (_e(a.supervisor), None),
            (_e(number(a.rank, lang)), str(a.rank)),
            (_e(decimal(a.fit, lang, fixed=True)), str(a.fit_points)),
            (f'<span class="note">{_e("; ".join(notes[a.applicant]))}</span>' if notes.get(a.applicant) else "", None),
        ]
        for a in assignments
    ]


def _name_html(ident: str, named: Mapping[str, str]) -> str:
    """A unit's or municipality's name (it may wrap) and its id in brackets (it never breaks)."""
    if ident not in named:
        return f'<span class="id">{_e(ident)}</span>'
    name = named[ident].removesuffix(f" ({ident})")
    return f'{_e(name)} <span class="id">({_e(ident)})</span>'


def _by_municipality(items: Sequence[Assignment], named: Mapping[str, str]) -> list[tuple[str, list[Assignment]]]:
    groups: dict[str, list[Assignment]] = {}
    for a in items:
        groups.setdefault(a.municipality, []).append(a)
    return [(named.get(m, m), groups[m]) for m in sorted(groups)]


def html_report(
    result: Result,
    problem: Problem | None = None,
    *,
    lang: Lang = "en",
    title: str | None = None,
    explain: bool = False,
    approval: ReportApproval | None = None,
    printable: bool = False,
    stable: StablePlans | None = None,
) -> str:
    """The result as one self-contained HTML page (see :mod:`matchmaker.report._html`).

    Args:
        result: the result to show.
        problem: the problem it was solved for; gives the policy, unit and municipality names, priority
            tiers, pins, the numbers behind each reason, and the explanation of a round without a plan.
        lang: ``"en"`` or ``"sv"``.
        title: the page's heading (default "Placement plan" / "Placeringsplan").
        explain: give each applicant not placed the full explanation of
            :func:`matchmaker.explanations.explain` (needs ``problem``; re-solves for every wish of every
            one of them, so it takes longer), instead of the reason from the records.
        approval: the approval to show (see :mod:`matchmaker.report._approval`); without it the approval
            block has empty lines to sign on paper.
        printable: unfold every table (for printing to PDF) instead of folding long ones.
        stable: the round's stable plans (:func:`matchmaker.stable_plans`): a section with how many there
            are, whether this plan is one, and each applicant's range across them beside their place here.

    Raises:
        ResultMismatchError: ``problem`` is not the problem ``result`` was solved for (a ``ValueError``).
    """
    if problem is not None and result.decision.input_fingerprint != problem.fingerprint():
        raise ResultMismatchError(msg("the result was solved for a different problem"))
    names: dict[str, str] = {}
    if problem is not None:
        names = {u.id: u.name for u in problem.units if u.name}
        names.update({m.id: m.name for m in problem.municipalities if m.name})
    named = {k: f"{v} ({k})" for k, v in names.items()}
    d = result.decision
    heading = title or tr("Placement plan", lang)
    status = d.status.value
    m = d.metrics
    n_placed, n_unplaced = len(d.assignments), len(d.unplaced)
    fold = not printable and n_placed + n_unplaced > COLLAPSE_AT

    decision = _list(decision_lines(result, lang, approval))
    intake = round_line(problem, lang)
    why = no_plan_explanation(result, problem, lang)
    if why is not None:
        decision += f"<h3>{tr('Why there is no plan', lang)}</h3>{_explained(why)}"
    if result.gap not in (None, 0.0):
        gap = tr(
            "Not proven optimal: at most {gap} from the best possible.", lang, gap=percent(result.gap or 0.0, lang)
        )
        decision += f'<p class="muted">{_e(gap)}</p>'

    cards: list[tuple[str, str]] = [
        (number(n_placed, lang), tr("placed", lang)),
        (number(n_unplaced, lang), tr("not placed", lang)),
        (number(n_placed + n_unplaced, lang), tr("applicants", lang)),
    ]
    if m is not None and m.municipalities:
        cards.append((number(sum(x.offered for x in m.municipalities), lang), tr("places offered", lang)))
    if m is not None and m.rank_profile:
        cards.append((number(m.rank_profile[0], lang), tr("at their first choice", lang)))
    if d.assignments:
        mean_fit = sum(a.fit_points for a in d.assignments) / len(d.assignments) / 10_000
        cards.append((decimal(mean_fit, lang), tr("mean fit (of 1)", lang)))
    if m is not None and m.mean_rank is not None:
        cards.append((decimal(m.mean_rank, lang), tr("mean choice placed at", lang)))
    card_html = "".join(
        f'<div class="card"><span class="n">{_e(n)}</span><span class="l">{label}</span></div>' for n, label in cards
    )

    policy = (
        _list(policy_lines(problem.policy, lang, weights=problem.pair_weights is not None))
        if problem is not None
        else f"<p>{tr('The policy is in the problem file; give it (--problem) to show the policy here.', lang)}</p>"
    )

    levels = sortable_table(
        [(tr("order", lang), "num"), (tr("rule", lang), ""), (tr("value", lang), "")],
        [
            [
                (_e(number(i, lang)), str(i)),
                (_e(level_name(lv.name, lang)), None),
                (_e(level_reading(lv, lang, placed=n_placed, seed=d.lottery_seed)), None),
            ]
            for i, lv in enumerate(d.objective, start=1)
        ],
        "objective",
    )

    body = [
        f"<header><h1>{_e(heading)}</h1>",
        f'<p>{tr("Status", lang)}: <span class="status {_e(status)}" id="status">'
        f"{status_text(status, lang)}</span></p>",
        *([f'<p class="unchecked" id="unchecked"><strong>{_e(unchecked_text(lang))}</strong></p>'] * result.unchecked),
        *([] if intake is None else [f'<p id="round">{_e(intake)}</p>']),
        "</header>",
        f'<section id="decision"><h2>{tr("The decision", lang)}</h2>{decision}</section>',
        f'<section id="summary"><h2>{tr("Summary", lang)}</h2><div class="cards">{card_html}</div></section>',
        f'<section id="policy"><h2>{tr("The policy in force", lang)}</h2>{policy}</section>',
        f'<section id="levels"><h2>{tr("The rules and how well the plan meets them", lang)}</h2>{levels}</section>',
    ]
    if d.status.has_plan:
        body += _plan_sections(result, problem, lang, names, named, explain, approval, fold)
    if stable is not None:
        headers, rows = stable_range_rows(stable, result, lang)
        table = sortable_table(
            [(h, "") for h in headers], [[(_e(c), None) for c in row] for row in rows], "stable-ranges"
        )
        body.append(
            f'<section id="stable"><h2>{_e(tr("The stable plans", lang))}</h2>'
            f"<p>{_e(stable_summary(stable, result, lang))}</p>{table if rows else ''}</section>"
        )
    body.append(_approval_html(approval, lang, names))
    footer = tr(
        "Input fingerprint {fp}; lottery seed {seed}; solved by {engine} in {time} s; matchmaker {version}.",
        lang,
        fp=d.input_fingerprint[:16],
        seed=str(d.lottery_seed),
        engine=result.statistics.engine,
        time=decimal(result.statistics.wall_time, lang),
        version=result.statistics.versions.get("matchmaker", "unknown"),
    )
    body.append(f"<footer>{_e(footer)}</footer>")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(heading)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + f"\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _plan_sections(
    result: Result,
    problem: Problem | None,
    lang: Lang,
    names: Mapping[str, str],
    named: Mapping[str, str],
    explain: bool,
    approval: ReportApproval | None,
    fold: bool,
) -> list[str]:
    """The charts, the summary per municipality, the placements and the applicants not placed."""
    d = result.decision
    m = d.metrics
    figures = []
    wide = ""  # a chart of many units: below the others, folded on screen
    for chart in all_charts(result):
        title_text = chart_title(chart.key, lang)
        if chart.key.startswith("fill_"):
            figure = horizontal_chart(chart, title_text, names, lang)
            if len(chart.bars) > FOLD_BARS:
                wide = _folded([(title_text, len(chart.bars), figure)], lang, fold)
                continue
            figures.append(figure)
        elif chart.key == "fit_distribution":
            shown = {b.label: "–".join(decimal(float(x), lang, 1) for x in b.label.rsplit("-", 1)) for b in chart.bars}
            figures.append(vertical_chart(chart, title_text, shown, lang))
        else:
            figures.append(vertical_chart(chart, title_text, {}, lang))
    out = [
        f'<section id="charts"><h2>{tr("Charts", lang)}</h2><div class="charts">{"".join(figures)}</div>'
        f"{wide}</section>"
    ]
    if m is not None and m.municipalities:
        rows: list[list[_Cell]] = [
            [
                (_name_html(x.municipality, named), None),
                (_e(number(x.placed, lang)), str(x.placed)),
                (_e(number(x.offered, lang)), str(x.offered)),
                (_e("-" if x.fill_rate is None else decimal(x.fill_rate * 100, lang, 0) + " %"), str(x.fill_rate or 0)),
                (_e("-" if x.mean_fit is None else decimal(x.mean_fit, lang, fixed=True)), str(x.mean_fit or 0)),
            ]
            for x in m.municipalities
        ]
        table = sortable_table(
            [
                (tr("municipality", lang), "name"),
                (tr("placed", lang), "num"),
                (tr("places offered", lang), "num"),
                (tr("share filled", lang), "num"),
                (tr("mean fit", lang), "num"),
            ],
            rows,
            "municipalities",
        )
        out.append(f'<section id="per-municipality"><h2>{tr("Per municipality", lang)}</h2>{table}</section>')
    facts = note_facts(problem, approval)
    notes = {a.applicant: placement_notes(a, lang, facts) for a in d.assignments}
    columns: list[_Column] = [
        (tr("applicant", lang), "id"),
        (tr("priority tier", lang), "num"),
        (tr("unit", lang), "name"),
        (tr("supervisor", lang), "id"),
        (tr("choice", lang), "num"),
        (tr("fit", lang), "num"),
        (tr("note", lang), ""),
    ]
    if fold:
        tables = [
            (
                name,
                len(group),
                sortable_table(columns, _assignment_rows(group, lang, named, facts.tiers, notes), f"assignments-{i}"),
            )
            for i, (name, group) in enumerate(_by_municipality(d.assignments, named), start=1)
        ]
    else:
        tables = [
            (
                "",
                len(d.assignments),
                sortable_table(
                    columns, _assignment_rows(d.assignments, lang, named, facts.tiers, notes), "assignments"
                ),
            )
        ]
    out.append(
        f'<section id="placements"><h2>{tr("Placements ({n})", lang, n=number(len(d.assignments), lang))}</h2>'
        f'<p class="muted no-print">{tr("Click a column header to sort.", lang)}</p>'
        f"{_folded(tables, lang, fold)}</section>"
    )
    title = tr("Applicants not placed ({n})", lang, n=number(len(d.unplaced), lang))
    if not d.unplaced:
        every = tr("Every applicant has a place.", lang)
        out.append(f'<section id="not-placed"><h2>{title}</h2><p>{every}</p></section>')
        return out
    reasons = _reasons(result, problem, lang, explain, names)
    unplaced_rows: list[list[_Cell]] = [
        [
            (_e(u.applicant), None),
            (_e(facts.tiers.get(u.applicant, "-")), str(facts.tiers.get(u.applicant, 1000))),
            (reasons[u.applicant], None),
        ]
        for u in d.unplaced
    ]
    table = sortable_table(
        [(tr("applicant", lang), "id"), (tr("priority tier", lang), "num"), (tr("reason", lang), "")],
        unplaced_rows,
        "unplaced",
    )
    out.append(
        f'<section id="not-placed"><h2>{title}</h2>{_folded([(title, len(d.unplaced), table)], lang, fold)}</section>'
    )
    return out
