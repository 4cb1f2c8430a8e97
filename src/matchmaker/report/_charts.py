"""The numbers behind every chart of a result, computed once for the HTML report and the plots.

Four charts, each a tuple of :class:`Bar` s:

* ``rank_profile``: applicants placed at their choice 1, 2, ... (every rank up to the worst);
* ``fill_units`` and ``fill_municipalities``: placed against the places offered, per unit (grouped by
  municipality) and per municipality;
* ``fit_distribution``: placements per fit interval of width 0.1. An interval holds the fits above its
  lower end up to and including its upper end; the first also holds its lower end (so 0 counts in
  0-0.1 and 1 in 0.9-1). Every interval from 0-0.1 to 0.9-1 is shown, plus any a fit outside [0, 1]
  needs (adjustments can move a fit there).

The counts come from the result's metrics where it has them (every result of :func:`matchmaker.solve`
does) and otherwise from its assignments.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from matchmaker._result import Result

__all__ = [
    "BIN_POINTS",
    "Bar",
    "Chart",
    "all_charts",
    "fill_municipalities",
    "fill_units",
    "fit_bin",
    "fit_distribution",
    "rank_profile",
]

#: The width of one fit interval, in fit points (``FIT_SCALE`` = 10,000 points = fit 1).
BIN_POINTS = 1_000


@dataclass(frozen=True)
class Bar:
    """One bar: its ``label``, its ``value``, the ``capacity`` it is measured against (places offered,
    for the fill charts) and the ``group`` it belongs to (the municipality of a unit)."""

    label: str
    value: int
    capacity: int | None = None
    group: str | None = None


@dataclass(frozen=True)
class Chart:
    """A chart's ``key`` (``rank_profile``, ``fill_units``, ``fill_municipalities`` or
    ``fit_distribution``) and its bars, in display order."""

    key: str
    bars: tuple[Bar, ...]

    @property
    def total(self) -> int:
        """The sum of the bars' values."""
        return sum(b.value for b in self.bars)


def rank_profile(result: Result) -> Chart:
    """Applicants placed at each rank, from 1 to the worst rank given."""
    metrics = result.decision.metrics
    if metrics is not None:
        profile = list(metrics.rank_profile)
    else:
        counts = Counter(a.rank for a in result.assignments)
        profile = [counts.get(k, 0) for k in range(1, max(counts, default=0) + 1)]
    return Chart("rank_profile", tuple(Bar(str(k), n) for k, n in enumerate(profile, start=1)))


def fill_units(result: Result) -> Chart:
    """Placed against maximum places per unit, sorted by municipality and unit."""
    metrics = result.decision.metrics
    if metrics is not None:
        bars = [Bar(u.unit, u.placed, u.max_places, u.municipality) for u in metrics.units]
    else:
        placed = Counter((a.municipality, a.unit) for a in result.assignments)
        bars = [Bar(unit, n, None, muni) for (muni, unit), n in placed.items()]
    return Chart("fill_units", tuple(sorted(bars, key=lambda b: (b.group or "", b.label))))


def fill_municipalities(result: Result) -> Chart:
    """Placed against offered places per municipality."""
    metrics = result.decision.metrics
    if metrics is not None:
        bars = [Bar(m.municipality, m.placed, m.offered) for m in metrics.municipalities]
    else:
        placed = Counter(a.municipality for a in result.assignments)
        bars = [Bar(muni, n) for muni, n in placed.items()]
    return Chart("fill_municipalities", tuple(sorted(bars, key=lambda b: b.label)))


def fit_bin(points: int) -> int:
    """The index ``k`` of the interval (k/10, (k+1)/10] that holds a fit of ``points`` (0 is in bin 0)."""
    if points == 0:
        return 0
    return -(-points // BIN_POINTS) - 1


def bin_label(k: int) -> str:
    """The interval of bin ``k`` in words, e.g. ``"0.5-0.6"``."""
    return f"{k / 10:.1f}-{(k + 1) / 10:.1f}"


def fit_distribution(result: Result) -> Chart:
    """Placements per fit interval of width 0.1 (see the module docstring)."""
    counts = Counter(fit_bin(a.fit_points) for a in result.assignments)
    lo = min(0, *counts) if counts else 0
    hi = max(9, *counts) if counts else 9
    return Chart("fit_distribution", tuple(Bar(bin_label(k), counts.get(k, 0)) for k in range(lo, hi + 1)))


def all_charts(result: Result) -> tuple[Chart, ...]:
    """The four charts, in the report's order."""
    return (rank_profile(result), fill_units(result), fill_municipalities(result), fit_distribution(result))
