"""From one round to the next: step 2 drawn from a step-1 result, step 3 (employment) from step 2.

:func:`next_round` turns a solved round into the problem of a later one: the applicants the result
placed (all, or those named) become the new round's applicants, each with their placement as
``previous_unit`` and ``previous_supervisor`` (so staying earns the policy's continuity bonus), and
every placement whose dates still run when the new round starts becomes a :class:`~matchmaker.Commitment`
of that student that loads its supervisor (for a student who is in the new round, only until their
new period starts: :func:`matchmaker._timeline.commitment_span`). Units, supervisors and the policy
carry over; the caller changes what differs (places for step 2, posts for step 3, a supervisor on
leave) on the returned problem's data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from matchmaker._i18n import msg
from matchmaker._models import Problem, Round
from matchmaker._result import Result
from matchmaker._timeline import commitment_span
from matchmaker.errors import InputError, ValidationIssue

__all__ = ["next_round"]


def next_round(
    problem: Problem,
    result: Result,
    intake: Round,
    *,
    applicants: Iterable[str] | None = None,
    name: str | None = None,
) -> Problem:
    """The problem of the round after ``problem``, drawing its applicants from ``result``.

    ``intake`` is the new round (step 2 after step 1, step 2 again next term, or step 3: employment
    after step 2; with its own dated periods). The applicants are those ``result`` placed, or the
    placed ones among ``applicants``; each keeps their wishes, interview scores, qualifications and
    conflicts, gets ``previous_unit`` and ``previous_supervisor`` from their placement, and is placed
    in the new round's period for their university (or its default period). Placements of ``result``
    (and commitments of ``problem``) that still run on the first day of the new round's earliest period
    become commitments with their step's load, each naming its student: a student who continues is
    not counted twice, since their old placement stops loading its supervisor when their new period
    starts. Pins and the units' own rankings do not carry over; adjustments and links do, for
    applicants who continue.

    Raises:
        InputError: ``result`` has no plan or is not a result of ``problem``, or ``applicants`` names
            someone ``result`` did not place.
    """
    issues = []
    if not result.status.has_plan:
        issues.append(
            ValidationIssue.of(
                "result", msg("the result has no plan to continue from"), msg("solve the earlier round first")
            )
        )
    if result.decision.input_fingerprint != problem.fingerprint():
        issues.append(
            ValidationIssue.of(
                "result",
                msg("the result was not made from this problem"),
                msg("give the problem the result was solved from"),
            )
        )
    placed = {a.applicant: a for a in result.decision.assignments}
    chosen = sorted(placed) if applicants is None else list(dict.fromkeys(applicants))
    for i, ident in enumerate(chosen):
        if ident not in placed:
            issues.append(
                ValidationIssue.of(
                    f"applicants[{i}]",
                    msg("applicant {applicant!r} was not placed in the earlier round", applicant=ident),
                    msg("continue only applicants the earlier result placed"),
                )
            )
    if issues:
        raise InputError(issues)

    data: dict[str, Any] = problem.model_dump(mode="json")
    keep = set(chosen)
    records = []
    for record in data["applicants"]:
        if record["id"] in keep:
            where = placed[record["id"]]
            records.append(
                {**record, "period": None, "previous_unit": where.unit, "previous_supervisor": where.supervisor}
            )
    data["applicants"] = records
    data["round"] = intake.model_dump(mode="json")
    if name is not None:
        data["name"] = name
    data["pins"] = []
    data["adjustments"] = [a for a in data["adjustments"] if a["applicant"] in keep]
    data["links"] = [k for k in data["links"] if set(k["applicants"]) <= keep]
    for unit in data["units"]:
        unit["ranking"] = None

    starts = [p.start for p in intake.periods]
    first = min(starts) if starts else None
    step = problem.step
    commitments = []
    for c in problem.commitments:
        # A commitment of one of the earlier round's own students ended when their period there began.
        span = commitment_span(problem, c)
        if span.start <= span.end and (first is None or span.end >= first):
            commitments.append({**c.model_dump(mode="json"), "end": span.end.isoformat()})
    for a in result.decision.assignments:
        period = problem.period_of.get(a.applicant)
        if period is None or (first is not None and period.end < first):
            continue  # without dates a placement ends with its round; a dated one may still run
        commitments.append(
            {
                "supervisor": a.supervisor,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "step": step,
                "applicant": a.applicant,
            }
        )
    data["commitments"] = commitments
    return Problem.model_validate(data)
