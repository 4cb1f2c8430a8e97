"""Supervisor load over time: loads as integers, and the dates at which overlapping periods peak.

A supervisor's load at a date is the sum of the loads of every placement running then: this round's
students (each with the load of the round's step, over their period) and the round's commitments
(placements of other rounds that still run). Periods are closed intervals of days. The load is a step
function that only rises at the first day of some interval, so it is highest at one of those first
days: checking the limit at every first day checks it at every date. The intervals that contain one
first day are exactly a clique of the interval graph, and every maximal clique is found this way, which
is why one row per first day models overlapping periods exactly (no time grid, no approximation).

Loads are counted in thousandths (:data:`LOAD_SCALE`): 0.5 days is 500 points, rounded half to even,
so loads and limits are exact to three decimals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matchmaker._models import Period, Problem

__all__ = ["ALWAYS", "LOAD_SCALE", "Span", "commitment_load", "load_points", "peak_dates", "span_of"]

#: Load points per unit of load (a day of a supervisor's week, or the whole week).
LOAD_SCALE = 1000


@dataclass(frozen=True, slots=True)
class Span:
    """A closed interval of days."""

    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` lies in the span (ends included)."""
        return self.start <= day <= self.end


#: The span of a placement in a round without periods: it overlaps everything.
ALWAYS = Span(dt.date.min, dt.date.max)


def load_points(load: float) -> int:
    """A load as integer points: ``round_half_even(load * LOAD_SCALE)``."""
    return round(load * LOAD_SCALE)


def span_of(period: Period | None) -> Span:
    """The span of a period; :data:`ALWAYS` for a placement without one."""
    return ALWAYS if period is None else Span(period.start, period.end)


def peak_dates(spans: Iterable[Span]) -> list[dt.date]:
    """The distinct first days of ``spans``, in order: the dates at which a load can peak."""
    return sorted({s.start for s in spans})


def commitment_load(problem: Problem, supervisor: str) -> Sequence[tuple[Span, int]]:
    """The supervisor's commitments as (span, load points)."""
    return [
        (Span(c.start, c.end), load_points(c.load if c.load is not None else problem.policy.load_of(c.step)))
        for c in problem.commitments
        if c.supervisor == supervisor
    ]
