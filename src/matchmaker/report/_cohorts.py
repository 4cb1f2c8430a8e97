"""The cohort page: a programme's cohort figures as one self-contained HTML page, with a flow chart.

:func:`cohort_html` shows :class:`~matchmaker.CohortFigures` in Swedish or English: how each figure is
defined, a flow chart (step 1 -> step 2 -> employment, the widths in proportion, in inline SVG), one
bar per cohort, then the tables: per cohort, by group, unit and municipality, continuity, and supervisor
load. Nothing is loaded from anywhere. Counts only, ids of units and municipalities; a row of 1 to
``min_cell - 1`` students shows ``<min_cell`` instead of its counts (small cells).

Every flow and bar carries its numbers in ``data-`` attributes, for machines and the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from matchmaker._i18n import tr
from matchmaker.report._format import decimal, number, percent
from matchmaker.report._html import sortable_table
from matchmaker.report._style import CSS, SCRIPT
from matchmaker.report._svg import escape as _e

if TYPE_CHECKING:
    from matchmaker._cohorts import Breakdown, CohortFigures, CohortRow
    from matchmaker._i18n import Lang

__all__ = ["DEFAULT_MIN_CELL", "cohort_definitions", "cohort_html", "cohort_label"]

#: Published output withholds the counts of a row with fewer students than this (1 or more).
DEFAULT_MIN_CELL = 3

_EXTRA_CSS = """
svg .s1 { fill: #c9d9e8; } svg .s2 { fill: #6f9fc4; } svg .s3 { fill: #2f6f9f; }
svg .flow { fill: #2f6f9f; opacity: .25; } svg .left { fill: #e6e9ee; }
svg .open { fill: #ffffff; stroke: #5b6776; stroke-dasharray: 3 2; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
"""


def cohort_label(year: int | None, term: str | None, lang: Lang) -> str:
    """A cohort in words: ``HT 2018`` / ``autumn 2018``; every cohort together: ``all cohorts``."""
    if year is None:
        return tr("all cohorts", lang)
    if term == "HT":
        return tr("autumn {year}", lang, year=year)
    return tr("spring {year}", lang, year=year)


def _share(value: float | None, lang: Lang) -> str:
    return "–" if value is None else percent(value, lang)


def _flow_chart(total: CohortRow, lang: Lang) -> str:
    """Step 1 -> step 2 -> employment: three columns of boxes, the flows between them in proportion."""
    width, top, span, box = 660, 30, 200, 120
    scale = span / max(1, total.step_1)
    xs = (20, 270, 520)
    left_1 = total.step_1 - total.step_2 - total.open_2
    left_2 = total.step_2 - total.step_3 - total.open_3
    h1, h2, h3 = (n * scale for n in (total.step_1, total.step_2, total.step_3))
    parts: list[str] = []

    def rect(x: float, y: float, h: float, css: str, key: str, value: int, label: str) -> None:
        parts.append(
            f'<rect class="{css}" x="{x}" y="{y:.1f}" width="{box}" height="{max(h, 0.5):.1f}" '
            f'data-box="{key}" data-value="{value}"><title>{_e(label)}: {number(value, lang)}</title></rect>'
        )
        parts.append(
            f'<text x="{x + box / 2}" y="{y - 5:.1f}" text-anchor="middle">{_e(label)}: {number(value, lang)}</text>'
        )

    def flow(x1: float, x2: float, h: float, key: str, value: int) -> None:
        a, b = x1 + box, x2
        parts.append(
            f'<path class="flow" data-flow="{key}" data-value="{value}" d="M{a},{top} C{(a + b) / 2},{top} '
            f"{(a + b) / 2},{top} {b},{top} L{b},{top + h:.1f} C{(a + b) / 2},{top + h:.1f} "
            f'{(a + b) / 2},{top + h:.1f} {a},{top + h:.1f} Z"/>'
        )

    flow(xs[0], xs[1], h2, "1-2", total.step_2)
    flow(xs[1], xs[2], h3, "2-3", total.step_3)
    rect(xs[0], top, h1, "s1", "step_1", total.step_1, tr("step 1", lang))
    rect(xs[1], top, h2, "s2", "step_2", total.step_2, tr("step 2", lang))
    rect(xs[2], top, h3, "s3", "step_3", total.step_3, tr("employed", lang))
    rows = [(xs[1], h2, left_1, total.open_2, "1"), (xs[2], h3, left_2, total.open_3, "2")]
    for x, above, left, still_open, step in rows:
        y = top + above + 28
        rect(x, y, left * scale, "left", f"left_{step}", left, tr("did not go on", lang))
        rect(x, y + left * scale + 24, still_open * scale, "open", f"open_{step}", still_open, tr("still open", lang))
    height = top + span + 84  # the columns below step 2 and employment hold at most step 1's height
    caption = tr("Flow: step 1 → step 2 → employment, every cohort together", lang)
    return (
        f'<figure data-chart="flow" data-total="{total.step_1}"><figcaption>{_e(caption)}</figcaption>'
        f'<svg viewBox="0 0 {width} {height:.0f}" width="{width}" height="{height:.0f}" role="img" '
        f'aria-label="{_e(caption)}">{"".join(parts)}</svg></figure>'
    )


def _cohort_bars(rows: Sequence[CohortRow], lang: Lang, min_cell: int) -> str:
    """One bar per cohort: employed, in step 2 only, step 1 only, and still open, end to end."""
    row_h, label_w, width = 20, 110, 660
    peak = max((r.step_1 for r in rows), default=0) or 1
    scale = (width - label_w - 120) / peak
    parts = []
    for i, r in enumerate(rows):
        y = 8 + i * row_h
        label = cohort_label(r.year, r.term, lang)
        parts.append(f'<text x="0" y="{y + 13}">{_e(label)}</text>')
        if r.suppressed(min_cell):
            parts.append(f'<text x="{label_w}" y="{y + 13}">&lt;{min_cell}</text>')
            continue
        x = float(label_w)
        pieces = (
            ("s3", r.step_3),
            ("s2", r.step_2 - r.step_3 - r.open_3),
            ("open", r.open_3),
            ("left", r.step_1 - r.step_2 - r.open_2),
            ("open", r.open_2),
        )
        for css, n in pieces:
            if n <= 0:
                continue
            parts.append(
                f'<rect class="{css}" x="{x:.1f}" y="{y + 2}" width="{n * scale:.1f}" height="{row_h - 6}" '
                f'data-cohort="{r.year}-{r.term}" data-part="{css}" data-value="{n}"/>'
            )
            x += n * scale
        numbers = " → ".join(number(n, lang) for n in (r.step_1, r.step_2, r.step_3))
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{_e(numbers)}</text>')
    height = 16 + row_h * max(1, len(rows))
    caption = tr("Per cohort: step 1 → step 2 → employed", lang)
    legend = "".join(
        f'<span><i class="{css}" style="background:{color}"></i>{_e(text)}</span>'
        for css, color, text in (
            ("s3", "#2f6f9f", tr("employed", lang)),
            ("s2", "#6f9fc4", tr("step 2, not employed", lang)),
            ("left", "#e6e9ee", tr("step 1 only", lang)),
            ("open", "#ffffff", tr("still open", lang)),
        )
    )
    return (
        f'<figure data-chart="cohorts"><figcaption>{_e(caption)}</figcaption>'
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_e(caption)}">{"".join(parts)}</svg><p class="legend muted">{legend}</p></figure>'
    )


def _count(n: int, lang: Lang) -> tuple[str, str]:
    return number(n, lang), str(n)


def _funnel_table(rows: Sequence[CohortRow], first: str, key: str, lang: Lang, min_cell: int, by: Breakdown) -> str:
    columns = [
        (first, "id"),
        (tr("step 1", lang), "num"),
        (tr("step 2", lang), "num"),
        (tr("employed", lang), "num"),
        (tr("still open", lang), "num"),
        (tr("step 1 → 2", lang), "num"),
        (tr("step 2 → employed", lang), "num"),
        (tr("step 1 → employed", lang), "num"),
        (tr("complete", lang), ""),
    ]
    body = []
    for r in rows:
        name = cohort_label(r.year, r.term, lang) if by == "all" else (r.value or "–")
        head = (_e(name), str(r.year * 2 + (r.term == "HT")) if r.year is not None and by == "all" else None)
        if r.suppressed(min_cell):
            body.append([head, *[(f"&lt;{min_cell}", "0")] * 7, ("", None)])
            continue
        done = tr("yes", lang) if r.complete else tr("no, still open", lang)
        body.append(
            [
                head,
                _count(r.step_1, lang),
                _count(r.step_2, lang),
                _count(r.step_3, lang),
                _count(r.open_2 + r.open_3, lang),
                (_share(r.rate_2, lang), None),
                (_share(r.rate_3, lang), None),
                (_share(r.rate_1_3, lang), None),
                (_e(done), None),
            ]
        )
    return sortable_table(columns, body, key)


def _continuity_table(rows: Sequence[CohortRow], lang: Lang, min_cell: int) -> str:
    columns = [
        (tr("cohort", lang), "id"),
        (tr("step 2", lang), "num"),
        (tr("same supervisor", lang), "num"),
        (tr("same unit", lang), "num"),
        (tr("employed", lang), "num"),
        (tr("same supervisor", lang), "num"),
        (tr("same unit", lang), "num"),
    ]
    body = []
    for r in rows:
        head = (_e(cohort_label(r.year, r.term, lang)), None)
        if r.suppressed(min_cell):
            body.append([head, *[(f"&lt;{min_cell}", "0")] * 6])
            continue
        counts = (r.step_2, r.same_supervisor_2, r.same_unit_2, r.step_3, r.same_supervisor_3, r.same_unit_3)
        body.append([head, *(_count(n, lang) for n in counts)])
    return sortable_table(columns, body, "continuity")


def _load_table(figures: CohortFigures, lang: Lang) -> str:
    columns = [
        (tr("year", lang), "id"),
        (tr("step", lang), "num"),
        (tr("supervisors", lang), "num"),
        (tr("placements", lang), "num"),
        (tr("per supervisor, mean", lang), "num"),
        (tr("per supervisor, most", lang), "num"),
    ]
    body = [
        [
            (str(s.year), None),
            _count(s.step, lang),
            _count(s.supervisors, lang),
            _count(s.placements, lang),
            (decimal(s.mean, lang, 2, fixed=True), repr(s.mean)),
            _count(s.most, lang),
        ]
        for s in figures.load
    ]
    return sortable_table(columns, body, "load")


def cohort_definitions(figures: CohortFigures, lang: Lang, min_cell: int = DEFAULT_MIN_CELL) -> list[str]:
    """How each figure is defined, in sentences in ``lang`` (the page's first section, a workbook's read-me)."""
    return [
        tr(
            "A student's cohort is the term of their first placement in step 1. They count as in step 2 with a "
            "step-2 placement within {n2} terms of it, and as employed with a step-3 placement within {n3} terms "
            "of their step 2.",
            lang,
            n2=figures.to_step_2,
            n3=figures.to_step_3,
        ),
        tr(
            "Still open: not (yet) in the next step while the archive holds no round of that step at the end of "
            "their window. They are left out of the rates, never counted as leaving; a cohort with no one open "
            "is complete.",
            lang,
        ),
        tr(
            "Rates: step 1 → 2 is step 2 / (step 1 - open); step 2 → employed is employed / (step 2 - open); "
            "step 1 → employed is employed / (step 1 - everyone open).",
            lang,
        ),
        tr("Groups, units and municipalities are those of the step-1 placement.", lang),
        tr(
            "Rows of fewer than {n} students show <{n} instead of their counts (small cells).",
            lang,
            n=min_cell,
        )
        if min_cell > 1
        else tr("Every count is shown, however small.", lang),
    ]


def cohort_html(figures: CohortFigures, *, lang: Lang = "en", min_cell: int = DEFAULT_MIN_CELL) -> str:
    """The cohort figures as one self-contained HTML page in ``lang`` (see the module's description);
    rows of 1 to ``min_cell - 1`` students show ``<min_cell`` instead of their counts (0 or 1: none)."""
    cohorts = figures.select("all")
    total = figures.total()
    title = tr("Cohort figures: step 1 → step 2 → employment", lang)
    defs = cohort_definitions(figures, lang, min_cell)
    by_titles: tuple[tuple[Breakdown, str, str], ...] = (
        ("group", tr("By group ({family})", lang, family=figures.family), tr("group", lang)),
        ("unit", tr("By unit (of step 1)", lang), tr("unit", lang)),
        ("municipality", tr("By municipality (of step 1)", lang), tr("municipality", lang)),
    )
    sections = [
        f'<section id="definitions"><ul>{"".join(f"<li>{_e(d)}</li>" for d in defs)}</ul></section>',
        f'<section id="flow" class="charts">{_flow_chart(total, lang)}'
        f"{_cohort_bars(cohorts, lang, min_cell)}</section>",
        f"<h2>{_e(tr('Per cohort', lang))}</h2>"
        + _funnel_table([*cohorts, total], tr("cohort", lang), "per-cohort", lang, min_cell, "all"),
    ]
    for by, heading, first in by_titles:
        rows = figures.select(by, total=True)
        sections.append(f"<h2>{_e(heading)}</h2>" + _funnel_table(rows, first, f"by-{by}", lang, min_cell, by))
    sections.append(f"<h2>{_e(tr('Continuity', lang))}</h2>" + _continuity_table([*cohorts, total], lang, min_cell))
    sections.append(f"<h2>{_e(tr('Supervisor load per year', lang))}</h2>" + _load_table(figures, lang))
    footer = tr("Counts and ids only: no names or personal data.", lang)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{CSS}{_EXTRA_CSS}</style></head><body><h1>{_e(title)}</h1>{''.join(sections)}"
        f"<footer>{_e(footer)}</footer><script>{SCRIPT}</script></body></html>"
    )
