"""Supervisor load over time: loads as integers, and the dates at which overlapping periods peak.

A supervisor's load at a date is the sum of the loads of every placement running then: this round's
students (each with the load of the round's step, over their period) and the round's commitments
(placements of other rounds that still run; a student of the round no longer loads their old
supervisor once their period in the round starts). Periods are closed intervals of days. The load is a step
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
    from matchmaker._models import Commitment, Period, Problem

__all__ = ["ALWAYS", "LOAD_SCALE", "Span", "commitment_load", "commitment_span", "load_points", "peak_dates", "span_of"]

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

#: An empty span: a commitment that counts on no day.
NEVER = Span(dt.date.max, dt.date.min)


def load_points(load: float) -> int:
    """A load as integer points: ``round_half_even(load * LOAD_SCALE)``."""
    return round(load * LOAD_SCALE)


def span_of(period: Period | None) -> Span:
    """The span of a period; :data:`ALWAYS` for a placement without one."""
    return ALWAYS if period is None else Span(period.start, period.end)


def peak_dates(spans: Iterable[Span]) -> list[dt.date]:
    """The distinct first days of ``spans``, in order: the dates at which a load can peak."""
    return sorted({s.start for s in spans})


def commitment_span(problem: Problem, commitment: Commitment) -> Span:
    """The days on which ``commitment`` loads its supervisor in ``problem``: all its days, or, when its
    student is an applicant of the round, the days before their period in it starts (the round decides
    where they are from then on, so the old placement never counts on top of the new one). The span may
    be empty (``end < start``)."""
    who = commitment.applicant
    if who is None or who not in problem.applicant_by_id:
        return Span(commitment.start, commitment.end)
    period = problem.period_of.get(who)
    if period is None or period.start <= commitment.start:
        return NEVER  # an undated round runs alongside every commitment: it replaces this one whole
    return Span(commitment.start, min(commitment.end, period.start - dt.timedelta(days=1)))


def commitment_load(problem: Problem, supervisor: str) -> Sequence[tuple[Span, int]]:
    """The supervisor's commitments as (span, load points), over the days each counts
    (:func:`commitment_span`); commitments that count on no day are left out."""
    out = []
    for c in problem.commitments:
        if c.supervisor != supervisor:
            continue
        span = commitment_span(problem, c)
        if span.start <= span.end:
            out.append((span, load_points(c.load if c.load is not None else problem.policy.load_of(c.step))))
    return out
