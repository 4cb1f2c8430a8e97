"""The report's charts as inline SVG: bars with their numbers in ``data-`` attributes, escaped text."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

from matchmaker.report._charts import Chart
from matchmaker.report._format import number

if TYPE_CHECKING:
    from matchmaker._i18n import Lang

__all__ = ["escape", "figure", "horizontal_chart", "vertical_chart"]


def escape(text: object) -> str:
    """``text`` as HTML text or an attribute value (quotes escaped too)."""
    return html.escape(str(text), quote=True)


_e = escape


def vertical_chart(chart: Chart, title: str, shown: Mapping[str, str], lang: Lang) -> str:
    """Vertical bars with the count above each bar and its label (as ``shown``, if there) below."""
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
        label = shown.get(b.label, b.label)  # the tooltip too, as the language writes numbers
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'data-label="{_e(b.label)}" data-value="{b.value}"><title>{_e(label)}: {number(b.value, lang)}</title>'
            f'</rect><text x="{cx:.1f}" y="{y - 4:.1f}" text-anchor="middle">{number(b.value, lang)}</text>'
            f'<text x="{cx:.1f}" y="{height - bottom + 14:.1f}" text-anchor="middle">{_e(label)}</text>'
        )
    return figure(chart, title, (width, height), parts, axis=(left, top + inner, width - left, top + inner))


def horizontal_chart(chart: Chart, title: str, names: Mapping[str, str], lang: Lang) -> str:
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
        of = "" if b.capacity is None else f" / {number(b.capacity, lang)}"
        cap_w = 0.0 if b.capacity is None else span * b.capacity / peak
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{_e(short)}<title>{_e(name)}</title></text>'
            f'<rect class="cap" x="{label_w}" y="{y + 2}" width="{cap_w:.1f}" height="{row - 5}"/>'
            f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{span * b.value / peak:.1f}" height="{row - 5}" '
            f'data-label="{_e(b.label)}" data-value="{b.value}"{cap}>'
            f"<title>{_e(name)}: {number(b.value, lang)}{of}</title></rect>"
            f'<text x="{label_w + max(cap_w, span * b.value / peak) + 4:.1f}" y="{y + 13}">'
            f"{number(b.value, lang)}{of}</text>"
        )
    return figure(chart, title, (width, height), parts, axis=(label_w, pad, label_w, height - pad))


def figure(
    chart: Chart, title: str, size: tuple[int, int], parts: list[str], *, axis: tuple[float, float, float, float]
) -> str:
    """A chart's ``<figure>``: its caption, and an SVG of ``size`` with the axis line first, then the bars."""
    width, height = size
    x1, y1, x2, y2 = axis
    body = f'<line class="axis" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>' + "".join(parts)
    return (
        f'<figure data-chart="{chart.key}" data-total="{chart.total}"><figcaption>{_e(title)}</figcaption>'
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_e(title)}">{body}</svg></figure>'
    )
