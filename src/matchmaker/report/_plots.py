"""Plots of a result with matplotlib (the ``plot`` extra): the HTML report's four charts, for notebooks.

The numbers come from :mod:`matchmaker.report._charts`, so a plot shows what the report shows; titles,
axes and legends are in English or Swedish (the catalog of :mod:`matchmaker._i18n`). matplotlib is
imported when a plot is drawn, never at import of matchmaker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from matchmaker._extras import require
from matchmaker._i18n import Lang, Message, msg, tr
from matchmaker.report._charts import Chart, all_charts

if TYPE_CHECKING:
    from matplotlib.axes import Axes  # the plot extra
    from matplotlib.figure import Figure  # the plot extra

    from matchmaker._result import Result

__all__ = ["CHART_KEYS", "plot_chart", "plot_result"]

#: The charts :func:`plot_result` can draw, in the report's order.
CHART_KEYS = ("rank_profile", "fill_units", "fill_municipalities", "fit_distribution")

#: Each chart's title, x-axis and y-axis label (``None``: no label).
_TITLES: dict[str, tuple[Message, Message, Message | None]] = {
    "rank_profile": (msg("Rank profile"), msg("choice"), msg("applicants placed")),
    "fill_units": (msg("Fill per unit"), msg("places"), None),
    "fill_municipalities": (msg("Fill per municipality"), msg("places"), None),
    "fit_distribution": (msg("Fit distribution"), msg("fit"), msg("placements")),
}


def plot_chart(chart: Chart, ax: Axes, *, lang: Lang = "en") -> Axes:
    """Draw one chart on ``ax``: vertical bars, or for the fill charts horizontal bars of the places
    taken over the places offered. Each bar is labelled with its count; the words are in ``lang``."""
    title, xlabel, ylabel = _TITLES[chart.key]
    labels = [b.label for b in chart.bars]
    values = [b.value for b in chart.bars]
    if chart.key.startswith("fill_"):
        rows = list(range(len(labels)))
        capacities = [b.capacity if b.capacity is not None else b.value for b in chart.bars]
        ax.barh(rows, capacities, color="#dce7f1", label=tr("offered", lang))
        bars = ax.barh(rows, values, color="#2f6f9f", label=tr("placed", lang))
        ax.set_yticks(rows, labels)
        ax.invert_yaxis()
        ax.bar_label(bars, labels=[f"{v}/{c}" for v, c in zip(values, capacities, strict=True)], padding=2)
        ax.legend(loc="lower right", frameon=False)
    else:
        from matplotlib.ticker import MaxNLocator  # the plot extra

        bars = ax.bar(labels, values, color="#2f6f9f")
        ax.bar_label(bars, padding=2)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if chart.key == "fit_distribution":
            ax.tick_params(axis="x", labelrotation=45)
    ax.set_title(title.text(lang))
    ax.set_xlabel(xlabel.text(lang))
    if ylabel is not None:
        ax.set_ylabel(ylabel.text(lang))
    return ax


def plot_result(
    result: Result,
    *,
    charts: Sequence[str] = CHART_KEYS,
    axes: Sequence[Axes] | None = None,
    lang: Lang = "en",
    **figure: Any,
) -> Figure:
    """Plot ``charts`` of ``result`` (any of :data:`CHART_KEYS`), one per axes, with titles and labels
    in ``lang`` (``"en"`` or ``"sv"``), and return the figure.

    Without ``axes``, a new figure holds the charts side by side in rows of two (``figure`` keywords go
    to :func:`matplotlib.pyplot.figure`, e.g. ``figsize``). Needs matplotlib: ``pip install
    'matchmaker[plot]'``.

    Raises:
        MissingExtraError: matplotlib is not installed.
        ValueError: an unknown chart name, or not as many axes as charts.
    """
    require("matplotlib", "plots", "plot")
    unknown = [c for c in charts if c not in CHART_KEYS]
    if unknown:
        raise ValueError(f"unknown charts {unknown}; choose from {list(CHART_KEYS)}")
    by_key = {c.key: c for c in all_charts(result)}
    if axes is None:
        from matplotlib.figure import Figure  # the plot extra

        cols = min(2, len(charts))
        rows = -(-len(charts) // cols)
        figure.setdefault("figsize", (6.4 * cols, 4.2 * rows))
        figure.setdefault("layout", "constrained")
        fig = Figure(**figure)
        axes = list(fig.subplots(rows, cols, squeeze=False).flat)
        for extra in axes[len(charts) :]:
            extra.set_visible(False)
    elif len(axes) < len(charts):
        raise ValueError(f"{len(charts)} charts need as many axes, got {len(axes)}")
    for key, ax in zip(charts, axes, strict=False):
        plot_chart(by_key[key], ax, lang=lang)
    parent = axes[0].get_figure()
    assert parent is not None
    return parent  # type: ignore[return-value]
