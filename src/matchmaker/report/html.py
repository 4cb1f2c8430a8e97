"""The HTML report: one self-contained file for the people who read a result.

:func:`html_report` renders a result (and, if given, its problem) as one HTML page: a summary, charts
of the rank profile, the fill per unit and per municipality and the fit distribution (inline SVG drawn
here, from :mod:`matchmaker.report.charts`), the objective vector, the assignment table, and the
unplaced applicants with their reasons. English or Swedish.

The page loads nothing: no fonts, images, style sheets or scripts from anywhere, and not one
``http`` in its text (SVG inside HTML needs no namespace). It prints on A4 (charts and table rows are
not split across pages; the sorting hint is hidden). A small inline script sorts a table when its
header is clicked; without scripts the page reads the same.

Every chart bar carries its numbers for machines: ``data-label``, ``data-value`` and, for the fill
charts, ``data-capacity``; each chart's ``<figure>`` carries ``data-chart`` (its key) and
``data-total``. Ids only, never personal data; units and municipalities are shown by name where the
problem gives one.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from matchmaker.report.charts import Chart, all_charts

if TYPE_CHECKING:
    from matchmaker.io.tables import Lang
    from matchmaker.models import Problem
    from matchmaker.result import Result

__all__ = ["html_report"]

_WORDS: Mapping[str, tuple[str, str]] = {
    "title": ("Placement plan", "Placeringsplan"),
    "status": ("Status", "Status"),
    "placed": ("placed", "placerade"),
    "unplaced": ("unplaced", "utan plats"),
    "applicants": ("applicants", "sökande"),
    "places": ("places offered", "erbjudna platser"),
    "first_choice": ("at their first choice", "på sitt förstahandsval"),
    "mean_rank": ("mean rank", "medelrangplats"),
    "median_fit": ("median fit", "medianmatchning"),
    "summary": ("Summary", "Sammanfattning"),
    "charts": ("Charts", "Diagram"),
    "rank_profile": ("Rank profile: applicants placed at their choice", "Rangprofil: sökande placerade på sitt val"),
    "fill_units": ("Fill per unit: placed of maximum places", "Fyllnad per enhet: placerade av maxplatser"),
    "fill_municipalities": (
        "Fill per municipality: placed of offered places",
        "Fyllnad per kommun: placerade av erbjudna platser",
    ),
    "fit_distribution": ("Fit distribution: placements per fit interval", "Matchning: placeringar per intervall"),
    "objective": ("Objective vector", "Målvektor"),
    "level": ("level", "nivå"),
    "value": ("value", "värde"),
    "assignments": ("Assignments", "Placeringar"),
    "applicant": ("applicant", "sökande"),
    "unit": ("unit", "enhet"),
    "supervisor": ("supervisor", "handledare"),
    "municipality": ("municipality", "kommun"),
    "rank": ("choice", "val"),
    "fit": ("fit", "matchning"),
    "unplaced_title": ("Unplaced applicants", "Sökande utan plats"),
    "reason": ("reason", "skäl"),
    "none_unplaced": ("Every applicant has a place.", "Alla sökande har fått en plats."),
    "no_plan": ("There is no plan: {message}", "Det finns ingen plan: {message}"),
    "sort_hint": ("Click a column header to sort.", "Klicka på en kolumnrubrik för att sortera."),
    "footer": (
        "Input fingerprint {fp}, lottery seed {seed}; solved by {engine} in {time:.2f} s; matchmaker {version}.",
        "Indatans fingeravtryck {fp}, lottningsfrö {seed}; löst med {engine} på {time:.2f} s; matchmaker {version}.",
    ),
    "gap": ("not proven optimal: gap {gap:.2%}", "inte bevisat optimal: gap {gap:.2%}"),
}

_STATUS_SV = {"optimal": "optimal", "feasible": "tillåten", "infeasible": "omöjlig", "unknown": "okänd"}
_REASON = {
    "no_acceptable_option": ("no acceptable option", "inget godtagbart alternativ"),
    "not_selected": ("not selected: the places went to others", "ej vald: platserna gick till andra"),
    "no_plan": ("no plan", "ingen plan"),
}

_CSS = """
:root { --ink: #1d2733; --muted: #5b6776; --line: #d5dbe3; --bar: #2f6f9f; --cap: #dce7f1; --warn: #a4471f; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 10px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.status { font-weight: 600; }
.status.optimal { color: #1e7a3c; } .status.feasible { color: #8a6d00; }
.status.infeasible, .status.unknown { color: var(--warn); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card .n { font-size: 24px; font-weight: 600; display: block; }
.card .l { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 18px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px; break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .bar { fill: var(--bar); } svg .cap { fill: var(--cap); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f5f8; cursor: pointer; user-select: none; }
tr { break-inside: avoid; }
#unplaced td { white-space: pre-line; }
.muted { color: var(--muted); }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { padding: 0; max-width: none; font-size: 11px; }
  .no-print { display: none; }
  .charts { grid-template-columns: 1fr 1fr; }
  th { background: none; }
  thead { display: table-header-group; }
}
"""

# Sorting by a click on a column header; numbers (data-sort) sort as numbers.
_SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function (th) {
  th.addEventListener("click", function () {
    var col = th.cellIndex;
    var body = th.closest("table").tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var up = th.getAttribute("aria-sort") !== "ascending";
    var key = function (row) {
      var cell = row.cells[col];
      var n = cell.getAttribute("data-sort");
      return n === null ? cell.textContent : parseFloat(n);
    };
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return up ? c : -c;
    });
    th.closest("tr").querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
"""


def _w(key: str, lang: Lang) -> str:
    en, sv = _WORDS[key]
    return sv if lang == "sv" else en


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _vertical_chart(chart: Chart, title: str) -> str:
    """Vertical bars with the count above each bar and its label below."""
    bars = chart.bars
    width, height, top, bottom, left = 460, 220, 18, 34, 10
    slot = (width - 2 * left) / max(1, len(bars))
    peak = max((b.value for b in bars), default=0) or 1
    inner = height - top - bottom
    parts = []
    for i, b in enumerate(bars):
        h = inner * b.value / peak
        x = left + i * slot + slot * 0.15
        y = top + inner - h
        cx = left + i * slot + slot / 2
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'data-label="{_e(b.label)}" data-value="{b.value}"><title>{_e(b.label)}: {b.value}</title></rect>'
            f'<text x="{cx:.1f}" y="{y - 4:.1f}" text-anchor="middle">{b.value}</text>'
            f'<text x="{cx:.1f}" y="{height - bottom + 14:.1f}" text-anchor="middle">{_e(b.label)}</text>'
        )
    axis = f'<line class="axis" x1="{left}" y1="{top + inner}" x2="{width - left}" y2="{top + inner}"/>'
    return _figure(chart, title, width, height, axis + "".join(parts))


def _horizontal_chart(chart: Chart, title: str, names: Mapping[str, str]) -> str:
    """One row per bar: the label, the capacity as a light bar, the value as a dark bar over it."""
    bars = chart.bars
    row, label_w, width, pad = 18, 190, 460, 6
    height = pad * 2 + row * max(1, len(bars))
    span = width - label_w - 60
    peak = max((max(b.value, b.capacity or 0) for b in bars), default=0) or 1
    parts = []
    for i, b in enumerate(bars):
        y = pad + i * row
        name = names.get(b.label, b.label)
        short = name if len(name) <= 30 else name[:29] + "…"
        cap = "" if b.capacity is None else f' data-capacity="{b.capacity}"'
        of = "" if b.capacity is None else f" / {b.capacity}"
        cap_w = 0.0 if b.capacity is None else span * b.capacity / peak
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{_e(short)}<title>{_e(name)}</title></text>'
            f'<rect class="cap" x="{label_w}" y="{y + 2}" width="{cap_w:.1f}" height="{row - 5}"/>'
            f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{span * b.value / peak:.1f}" height="{row - 5}" '
            f'data-label="{_e(b.label)}" data-value="{b.value}"{cap}><title>{_e(name)}: {b.value}{of}</title></rect>'
            f'<text x="{label_w + max(cap_w, span * b.value / peak) + 4:.1f}" y="{y + 13}">{b.value}{of}</text>'
        )
    axis = f'<line class="axis" x1="{label_w}" y1="{pad}" x2="{label_w}" y2="{height - pad}"/>'
    return _figure(chart, title, width, height, axis + "".join(parts))


def _figure(chart: Chart, title: str, width: int, height: int, body: str) -> str:
    return (
        f'<figure data-chart="{chart.key}" data-total="{chart.total}"><figcaption>{_e(title)}</figcaption>'
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_e(title)}">{body}</svg></figure>'
    )


def _table(header: Sequence[tuple[str, bool]], rows: Sequence[Sequence[tuple[str, str | None]]], key: str) -> str:
    """A sortable table; ``header`` holds (title, numeric), each cell (text, sort key or None)."""
    head = "".join(f'<th class="num" scope="col">{_e(t)}</th>' if n else f"<th>{_e(t)}</th>" for t, n in header)
    body = []
    for r in rows:
        cells = []
        for (text, sort), (_, numeric) in zip(r, header, strict=True):
            attrs = (' class="num"' if numeric else "") + ("" if sort is None else f' data-sort="{_e(sort)}"')
            cells.append(f"<td{attrs}>{_e(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="sortable" id="{key}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _reasons(result: Result, problem: Problem | None, lang: Lang, explain: bool) -> dict[str, str]:
    """The reason shown for each unplaced applicant: the checked explanation with ``explain`` (each
    re-solves), else the short reason and its detail."""
    out: dict[str, str] = {}
    for u in result.unplaced:
        en, sv = _REASON[u.reason.value]
        short = sv if lang == "sv" else en
        out[u.applicant] = short if lang == "sv" or not u.detail else f"{short}: {u.detail}"
    if explain and problem is not None and result.status.has_plan:
        from matchmaker.explanations import display_names
        from matchmaker.explanations import explain as explain_one

        names = display_names(problem)
        for u in result.unplaced:
            text = explain_one(problem, result, u.applicant).text(lang, names)
            # The first line repeats "Applicant X is not placed."; the table already says who.
            out[u.applicant] = "\n".join(text.splitlines()[1:]).strip() or text
    return out


def html_report(
    result: Result,
    problem: Problem | None = None,
    *,
    lang: Lang = "en",
    title: str | None = None,
    explain: bool = False,
) -> str:
    """The result as one self-contained HTML page (see :mod:`matchmaker.report.html`).

    Args:
        result: the result to show.
        problem: the problem it was solved for; gives unit and municipality names, and the checked
            explanations of ``explain``.
        lang: ``"en"`` or ``"sv"``.
        title: the page's heading (default "Placement plan" / "Placeringsplan").
        explain: give each unplaced applicant the full explanation of :func:`matchmaker.explanations.explain`
            (needs ``problem``; re-solves for every wish of every unplaced applicant, so it takes longer),
            instead of the short reason.
    """
    from matchmaker import __version__
    from matchmaker.explanations.render import level_label

    if problem is not None and result.decision.input_fingerprint != problem.fingerprint():
        raise ValueError("the result was solved for a different problem")
    names: dict[str, str] = {}
    if problem is not None:
        names = {u.id: u.name for u in problem.units if u.name}
        names.update({m.id: m.name for m in problem.municipalities if m.name})
    d = result.decision
    heading = title or _w("title", lang)
    status = d.status.value
    status_word = _STATUS_SV.get(status, status) if lang == "sv" else status
    m = d.metrics
    n_placed, n_unplaced = len(d.assignments), len(d.unplaced)
    cards: list[tuple[object, str]] = [(n_placed, _w("placed", lang)), (n_unplaced, _w("unplaced", lang))]
    cards.append((n_placed + n_unplaced, _w("applicants", lang)))
    if m is not None and m.municipalities:
        cards.append((sum(x.offered for x in m.municipalities), _w("places", lang)))
    if m is not None and m.rank_profile:
        cards.append((m.rank_profile[0], _w("first_choice", lang)))
    if m is not None and m.mean_rank is not None:
        cards.append((f"{m.mean_rank:.2f}", _w("mean_rank", lang)))
    if m is not None and "50" in m.fit_percentiles:
        cards.append((f"{m.fit_percentiles['50']:.3f}", _w("median_fit", lang)))
    card_html = "".join(
        f'<div class="card"><span class="n">{_e(n)}</span><span class="l">{_e(t)}</span></div>' for n, t in cards
    )
    notes = []
    if d.message:
        notes.append(_w("no_plan", lang).format(message=d.message) if not d.status.has_plan else d.message)
    if result.gap not in (None, 0.0):
        notes.append(_w("gap", lang).format(gap=result.gap))
    note_html = "".join(f'<p class="muted">{_e(n)}</p>' for n in notes)

    charts_html = ""
    if d.status.has_plan:
        figures = []
        for chart in all_charts(result):
            title_text = _w(chart.key, lang)
            if chart.key.startswith("fill_"):
                figures.append(_horizontal_chart(chart, title_text, names))
            else:
                figures.append(_vertical_chart(chart, title_text))
        charts_html = f'<h2>{_w("charts", lang)}</h2><div class="charts">{"".join(figures)}</div>'

    levels = _table(
        [(_w("level", lang), False), ("", False), (_w("value", lang), True)],
        [
            [
                (lv.name, None),
                (level_label(lv.name, lang), None),
                ("-" if lv.value is None else str(lv.value), str(lv.value or 0)),
            ]
            for lv in d.objective
        ],
        "objective",
    )

    def _name(ident: str) -> str:
        return f"{names[ident]} ({ident})" if ident in names else ident

    assignments = _table(
        [
            (_w("applicant", lang), False),
            (_w("unit", lang), False),
            (_w("supervisor", lang), False),
            (_w("municipality", lang), False),
            (_w("rank", lang), True),
            (_w("fit", lang), True),
        ],
        [
            [
                (a.applicant, None),
                (_name(a.unit), None),
                (a.supervisor, None),
                (_name(a.municipality), None),
                (str(a.rank), str(a.rank)),
                (f"{a.fit:.4f}", str(a.fit_points)),
            ]
            for a in d.assignments
        ],
        "assignments",
    )
    if d.unplaced and d.status.has_plan:
        reasons = _reasons(result, problem, lang, explain)
        rows = [[(u.applicant, None), (reasons[u.applicant], None)] for u in d.unplaced]
        unplaced = _table([(_w("applicant", lang), False), (_w("reason", lang), False)], rows, "unplaced")
    elif d.status.has_plan:
        unplaced = f"<p>{_w('none_unplaced', lang)}</p>"
    else:
        unplaced = ""
    footer = _w("footer", lang).format(
        fp=d.input_fingerprint[:16],
        seed=d.lottery_seed,
        engine=result.statistics.engine,
        time=result.statistics.wall_time,
        version=__version__,
    )
    body = [
        f"<header><h1>{_e(heading)}</h1>",
        f'<p>{_w("status", lang)}: <span class="status {_e(status)}" id="status">{_e(status_word)}</span></p>',
        note_html,
        "</header>",
        f'<section id="summary"><h2>{_w("summary", lang)}</h2><div class="cards">{card_html}</div></section>',
        f'<section id="charts">{charts_html}</section>' if charts_html else "",
        f"<section><h2>{_w('objective', lang)}</h2>{levels}</section>",
    ]
    if d.status.has_plan:
        body += [
            f"<section><h2>{_w('assignments', lang)} ({n_placed})</h2>",
            f'<p class="muted no-print">{_w("sort_hint", lang)}</p>{assignments}</section>',
            f"<section><h2>{_w('unplaced_title', lang)} ({n_unplaced})</h2>{unplaced}</section>",
        ]
    body.append(f"<footer>{_e(footer)}</footer>")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(heading)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + f"\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
