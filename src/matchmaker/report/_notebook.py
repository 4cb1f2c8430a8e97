"""The notebook view of a result: its HTML summary for Jupyter and its one-line ``repr``.

The HTML shows the status with the placed and unplaced counts, each objective level in plain words with
its reading (as the report says it), and the first rows of the placements and of the unplaced
applicants, each table closed by how many rows it leaves out. Everything taken from the result is
escaped. The ``repr`` is one line for a developer's console: status, counts, engine and the start of the
input's fingerprint.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from matchmaker._i18n import tr, tr_n
from matchmaker.report._content import level_name, level_reading, reason_label
from matchmaker.report._format import decimal

if TYPE_CHECKING:
    from matchmaker._i18n import Lang
    from matchmaker._result import Result

__all__ = ["NOTEBOOK_ROWS", "result_html_summary", "result_repr"]

#: How many placements and unplaced applicants the notebook view lists (the rest are counted).
NOTEBOOK_ROWS = 10
#: How many characters of the input's fingerprint the ``repr`` shows.
_FINGERPRINT_SHOWN = 12


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], total: int, lang: Lang) -> str:
    """An HTML table of ``rows`` (already escaped) with a last line counting the ``total - len(rows)`` left out."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    more = total - len(rows)
    if more > 0:
        text = tr_n("... and {n} more", "... and {n} more", more, lang)
        body += f'<tr><td colspan="{len(header)}"><em>{html.escape(text)}</em></td></tr>'
    return f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{body}</table>"


def result_html_summary(result: Result, lang: Lang = "en", rows: int = NOTEBOOK_ROWS) -> str:
    """The result as HTML for a notebook, in ``lang``: the summary, the objective levels in plain words
    and the first ``rows`` placements and unplaced applicants."""
    esc = html.escape
    d = result.decision

    def fit(value: float) -> str:
        return esc(decimal(value, lang, 4, fixed=True))

    summary = tr(
        "{status}: {placed} placed, {unplaced} unplaced; solved by {engine}",
        lang,
        status=d.status.text(lang),
        placed=len(d.assignments),
        unplaced=len(d.unplaced),
        engine=result.statistics.engine,
    )
    levels = _table(
        tr("Objective levels, most important first", lang),
        [tr("level", lang), tr("objective", lang), tr("value", lang)],
        [
            [
                str(i),
                esc(level_name(lv.name, lang)),
                esc(level_reading(lv, lang, placed=len(d.assignments), seed=d.lottery_seed)),
            ]
            for i, lv in enumerate(d.objective, start=1)
        ],
        len(d.objective),
        lang,
    )
    placed = _table(
        tr("Placed", lang),
        [tr("applicant", lang), tr("unit", lang), tr("supervisor", lang), tr("municipality", lang), tr("fit", lang)],
        [
            [*(esc(cell) for cell in (x.applicant, x.unit, x.supervisor, x.municipality)), fit(x.fit)]
            for x in d.assignments[:rows]
        ],
        len(d.assignments),
        lang,
    )
    parts = [f"<div><p><strong>matchmaker Result</strong>: {esc(summary)}</p>", levels, placed]
    if d.unplaced:
        parts.append(
            _table(
                tr("Not placed", lang),
                [tr("applicant", lang), tr("reason", lang)],
                [[esc(y.applicant), esc(reason_label(y.reason.value, lang))] for y in d.unplaced[:rows]],
                len(d.unplaced),
                lang,
            )
        )
    parts.append("</div>")
    return "".join(parts)


def result_repr(result: Result) -> str:
    """One line for a developer's console: status, placed and unplaced counts, engine and the start of the
    input's fingerprint (English, like every ``repr``)."""
    d = result.decision
    fingerprint = d.input_fingerprint.removeprefix("sha256:")
    return (
        f"<Result {d.status.value}: {len(d.assignments)} placed, {len(d.unplaced)} unplaced, "
        f"engine {result.statistics.engine!r}, input {fingerprint[:_FINGERPRINT_SHOWN]}...>"
    )
