"""Rules on time: the round's periods, step-1 placements and supervisors' commitments."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from matchmaker._i18n import Message, msg
from matchmaker._timeline import LOAD_SCALE, commitment_load, load_points, peak_dates
from matchmaker._validation.collector import (
    Collector,
    check_ref,
)

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = ["check_commitments", "check_periods", "check_previous"]


def _university(university: str | None, none: Message) -> Message:
    """A university named in a message, or ``none`` for no university."""
    return none if university is None else msg("university {university!r}", university=university)


def check_periods(out: Collector, p: Problem) -> None:
    periods = p.round.periods if p.round is not None else ()
    owners: dict[str | None, str] = {}
    for q in periods:
        where = f"round.periods[{q.id!r}]"
        if q.end < q.start:
            out.add(
                f"{where}.end",
                msg("the period ends ({end}) before it starts ({start})", end=q.end, start=q.start),
                msg("swap or correct the dates"),
            )
        if q.university in owners:
            whose = _university(q.university, msg("no university (the default)"))
            out.add(
                f"{where}.university",
                msg(
                    "periods {first!r} and {second!r} both belong to {whose}",
                    first=owners[q.university],
                    second=q.id,
                    whose=whose,
                ),
                msg("give each university one period, and set an applicant's own `period` where dates differ"),
            )
        else:
            owners[q.university] = q.id
    known = p.period_by_id
    for a in p.applicants:
        if a.period is not None:
            check_ref(out, f"applicants[{a.id!r}].period", "period", a.period, known)
        elif periods and p.period_of[a.id] is None:
            uni = _university(a.university, msg("no university"))
            out.add(
                f"applicants[{a.id!r}].period",
                msg(
                    "the applicant has no period: the round has none for {university} and no default period",
                    university=uni,
                ),
                msg("give the applicant a `period`, or add a period for the university or one without a university"),
            )
    for s in p.supervisors:
        for i, ref in enumerate(s.unavailable_periods):
            check_ref(out, f"supervisors[{s.id!r}].unavailable_periods[{i}]", "period", ref, known)


def check_previous(out: Collector, p: Problem) -> None:
    for a in p.applicants:
        where = f"applicants[{a.id!r}]"
        if a.previous_supervisor is not None and a.previous_unit is None:
            out.add(
                f"{where}.previous_supervisor",
                msg("a previous supervisor is given without the previous unit"),
                msg("give `previous_unit` too (the unit of the step-1 placement)"),
            )
        if a.previous_unit is None or not check_ref(
            out, f"{where}.previous_unit", "unit", a.previous_unit, p.unit_by_id
        ):
            continue
        sup = p.supervisor_by_id.get(a.previous_supervisor or "")
        if sup is not None and sup.unit != a.previous_unit:
            out.add(
                f"{where}.previous_supervisor",
                msg(
                    "supervisor {supervisor!r} works in unit {unit!r}, not in the previous unit {previous!r}",
                    supervisor=sup.id,
                    unit=sup.unit,
                    previous=a.previous_unit,
                ),
                msg("give the unit the applicant was placed in with that supervisor"),
            )


def check_commitments(out: Collector, p: Problem) -> None:
    for i, c in enumerate(p.commitments):
        where = f"commitments[{i}] (supervisor {c.supervisor!r})"
        check_ref(out, f"{where}.supervisor", "supervisor", c.supervisor, p.supervisor_by_id)
        if c.end < c.start:
            out.add(
                f"{where}.end",
                msg("the commitment ends ({end}) before it starts ({start})", end=c.end, start=c.start),
                msg("correct the dates"),
            )
    # A student is in one place at a time: two commitments of one student must not overlap.
    last: dict[str, tuple[int, dt.date]] = {}
    for i, c in sorted(
        ((i, c) for i, c in enumerate(p.commitments) if c.applicant is not None), key=lambda ic: ic[1].start
    ):
        who = c.applicant or ""
        before = last.get(who)
        if before is not None and c.start <= before[1]:
            out.add(
                f"commitments[{i}] (supervisor {c.supervisor!r}).applicant",
                msg(
                    "student {applicant!r} has two commitments at once (with commitment {other}); a student "
                    "is in one place at a time",
                    applicant=who,
                    other=before[0],
                ),
                msg("end the earlier placement the day before the later one starts"),
            )
        if before is None or c.end > before[1]:
            last[who] = (i, c.end)
    for s in p.supervisors:
        if s.load_limit is None:
            continue
        spans = [(span, pts) for span, pts in commitment_load(p, s.id) if span.start <= span.end]
        limit = load_points(s.load_limit)
        for day in peak_dates(span for span, _ in spans):
            total = sum(pts for span, pts in spans if span.contains(day))
            if total > limit:
                out.add(
                    f"supervisors[{s.id!r}].load_limit",
                    msg(
                        "the commitments alone load the supervisor with {load} on {day}, above the load limit of "
                        "{limit}",
                        load=f"{total / LOAD_SCALE:g}",
                        day=day,
                        limit=f"{s.load_limit:g}",
                    ),
                    msg("raise the load limit, or correct the commitments"),
                )
                break
