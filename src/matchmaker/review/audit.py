"""Approval and the audit record: what was decided, by whom, from what, and how to reproduce it.

A result is a **recommendation** (GDPR art. 22: it may not decide on its own). An official approves it,
as it is or with overrides, by :func:`approve`; the approved plan is a separate :class:`AuditRecord`
with an :class:`Approval`, which references the recommendation by the fingerprint of its decision.

**It cannot silently diverge.** The record holds the fingerprint of its own decision, the fingerprint of
the recommendation, and the overrides; :func:`verify_approval` recomputes all three: an approved plan
without overrides must be the recommendation byte for byte, and one with overrides must be exactly the
re-solve of the round with those overrides. Any edit of the decision, the overrides or the
recommendation shows.

**Reproduce.** An audit record holds the input's fingerprint (and that of its records without the
policy), the policy with its lottery seed, the solve options, the versions of the library and of
OR-Tools, the overrides with reasons, for a repaired plan the previous plan and the repair's settings,
and the output's fingerprint. :func:`reproduce` solves (or repairs) again and
says that the decision is byte-identical, or exactly what differs: the input, the policy, the seed, the
options, a version, and how the decision differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from matchmaker._text import plural
from matchmaker.canonical import canonical_bytes, canonical_problem
from matchmaker.checks import check
from matchmaker.errors import InputError, MatchmakerError, ResultMismatchError
from matchmaker.models import Problem
from matchmaker.options import SolveOptions
from matchmaker.pipeline import repeat_repair, solve
from matchmaker.repair import repair_basis
from matchmaker.result import Decision, RepairBasis, Result, Status
from matchmaker.review.overrides import Override, apply_overrides, solve_with_overrides
from matchmaker.solve import versions

__all__ = [
    "AUDIT_SCHEMA_VERSION",
    "Approval",
    "ApprovalError",
    "AuditRecord",
    "Discrepancy",
    "Reproduction",
    "approve",
    "audit_record",
    "decision_fingerprint",
    "records_fingerprint",
    "reproduce",
    "verify_approval",
]

#: The version of the audit record layout this library writes.
AUDIT_SCHEMA_VERSION = 1

#: The versions that can change a decision; a difference in another (Python) is reported as a notice.
_DECISIVE = ("matchmaker", "ortools", "numpy", "pydantic")


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class ApprovalError(MatchmakerError, ValueError):
    """An approved plan does not follow from its recommendation and overrides, or cannot be made."""


def decision_fingerprint(decision: Decision) -> str:
    """``sha256:<hex>`` of the decision's canonical JSON (the bytes of :meth:`Result.decision_json`)."""
    return "sha256:" + hashlib.sha256(canonical_bytes(decision.model_dump(mode="json"))).hexdigest()


def records_fingerprint(problem: Problem) -> str:
    """``sha256:<hex>`` of the problem's canonical JSON without its policy: the records alone."""
    data = canonical_problem(problem)
    data.pop("policy", None)
    return "sha256:" + hashlib.sha256(canonical_bytes(data)).hexdigest()


class Approval(_Out):
    """Who approved (an opaque ``official`` id, never a name) and when (``approved_at``, ISO 8601 as
    given, or ``None``)."""

    official: str
    approved_at: str | None = None


class AuditRecord(_Out):
    """Everything needed to review and reproduce one run.

    * ``state``: ``recommendation`` (no official has approved it) or ``approved`` (``approval`` says who);
    * ``input``: the problem file the run read, if any (so that ``matchmaker reproduce`` can find it);
      ``input_fingerprint`` and ``records_fingerprint`` (the records without the policy) of the problem
      *before* overrides; ``policy`` (with ``lottery_seed``), ``options``, ``versions``;
    * ``overrides``: every override with its reason and official, in the order given;
    * ``repair``: for a repaired plan (:func:`matchmaker.reoptimise`), the previous plan and the
      repair's settings, so that it is reproduced (and overridden) as the repair it is; else ``None``;
    * ``recommendation_fingerprint``: the decision without overrides; ``output_fingerprint``: the decision
      this record stands for (``decision``), which with overrides is the re-solve with them.
    """

    kind: Literal["matchmaker.audit"] = "matchmaker.audit"
    schema_version: int = AUDIT_SCHEMA_VERSION
    state: Literal["recommendation", "approved"]
    input: str | None = None
    input_fingerprint: str
    records_fingerprint: str
    policy: dict[str, Any]
    options: dict[str, Any]
    versions: dict[str, str]
    overrides: tuple[Override, ...] = ()
    repair: RepairBasis | None = None
    recommendation_fingerprint: str
    output_fingerprint: str
    decision: Decision
    approval: Approval | None = None

    def to_json(self) -> str:
        """The record as indented JSON text."""
        return self.model_dump_json(indent=2) + "\n"


def _options_data(options: SolveOptions | None) -> dict[str, Any]:
    return (options or SolveOptions()).model_dump(mode="json")


def audit_record(
    problem: Problem,
    result: Result,
    *,
    options: SolveOptions | None = None,
    overrides: Sequence[Override] = (),
    recommendation: Result | None = None,
    input: str | None = None,
) -> AuditRecord:
    """The audit record of a run: ``result`` solved from ``problem`` (with ``overrides``, if any, applied
    to it) under ``options``. ``recommendation`` is the run without overrides (``result`` itself when there
    are none).

    Raises:
        ResultMismatchError: ``result`` was not solved for ``problem`` with these overrides.
    """
    expected = apply_overrides(problem, overrides) if overrides else problem
    if result.decision.input_fingerprint != expected.fingerprint():
        raise ResultMismatchError("the result was solved for another problem (or other overrides) than the one given")
    base = recommendation if recommendation is not None else result
    if base.decision.input_fingerprint != problem.fingerprint():
        raise ResultMismatchError("the recommendation was solved for another problem than the one given")
    return AuditRecord(
        state="recommendation",
        input=input,
        input_fingerprint=problem.fingerprint(),
        records_fingerprint=records_fingerprint(problem),
        policy=problem.policy.model_dump(mode="json"),
        options=_options_data(options),
        versions=dict(result.statistics.versions),
        overrides=tuple(overrides),
        repair=repair_basis(base),
        recommendation_fingerprint=decision_fingerprint(base.decision),
        output_fingerprint=decision_fingerprint(result.decision),
        decision=result.decision,
    )


def approve(
    problem: Problem,
    recommendation: Result,
    official: str,
    *,
    overrides: Sequence[Override] = (),
    approved_at: str | None = None,
    options: SolveOptions | None = None,
    input: str | None = None,
) -> AuditRecord:
    """An official approves ``recommendation``, as it is or with ``overrides``: the approved plan.

    Without overrides the approved decision is the recommendation's, byte for byte. With overrides the
    round is re-solved with them (:func:`matchmaker.solve_with_overrides`), the new plan is checked by the
    independent checker, and the record keeps the recommendation's fingerprint beside its own.

    Raises:
        ResultMismatchError: the recommendation was solved for another problem.
        ApprovalError: the recommendation has no plan, the official's id is empty, the overrides
            conflict (the message names them and why), or the re-solved plan fails its check.
    """
    if recommendation.decision.input_fingerprint != problem.fingerprint():
        raise ResultMismatchError("the recommendation was solved for another problem than the one given")
    if not recommendation.status.has_plan:
        raise ApprovalError(f"a recommendation without a plan ({recommendation.status.value}) cannot be approved")
    if not official.strip():
        raise ApprovalError("an approval needs the official's id")
    result = recommendation
    if overrides:
        outcome = solve_with_overrides(problem, overrides, base=recommendation, options=options, costs=False)
        if outcome.conflict is not None or outcome.result is None or not outcome.result.status.has_plan:
            why = outcome.conflict.message if outcome.conflict is not None else "no plan"
            raise ApprovalError(f"the overrides cannot all hold: {why}")
        result = outcome.result
        report = check(apply_overrides(problem, overrides), result)
        if not report.ok:  # pragma: no cover - the checker guards the solver
            raise ApprovalError(f"the re-solved plan failed its independent check:\n{report}")
    record = audit_record(
        problem, result, options=options, overrides=overrides, recommendation=recommendation, input=input
    )
    return record.model_copy(
        update={"state": "approved", "approval": Approval(official=official.strip(), approved_at=approved_at)}
    )


def verify_approval(
    problem: Problem, recommendation: Result, record: AuditRecord, *, options: SolveOptions | None = None
) -> None:
    """Verify that ``record`` is an approval that follows from ``recommendation`` and its overrides.

    Raises:
        ApprovalError: naming every discrepancy: not approved, a decision that does not match its own
            fingerprint, another recommendation, another problem, or a decision that is not the
            recommendation (without overrides) or the re-solve with the overrides.
    """
    found: list[str] = []
    if record.state != "approved" or record.approval is None:
        found.append("the record is a recommendation, not an approved plan")
    if decision_fingerprint(record.decision) != record.output_fingerprint:
        found.append("the approved decision does not match its recorded fingerprint (it was edited)")
    if decision_fingerprint(recommendation.decision) != record.recommendation_fingerprint:
        found.append("the recommendation is not the one the approval references")
    if problem.fingerprint() != record.input_fingerprint:
        found.append("the problem is not the one the approval was made for")
    if not found:
        if not record.overrides:
            if record.output_fingerprint != record.recommendation_fingerprint:
                found.append("without overrides the approved plan must be the recommendation, but it differs")
        else:
            opts = SolveOptions.model_validate(record.options) if options is None else options
            outcome = solve_with_overrides(problem, record.overrides, base=recommendation, options=opts, costs=False)
            if outcome.result is None or decision_fingerprint(outcome.result.decision) != record.output_fingerprint:
                found.append("the approved plan is not the re-solve of the recommendation with its overrides")
    if found:
        raise ApprovalError("the approved plan diverges from its recommendation: " + "; ".join(found))


class Discrepancy(_Out):
    """One thing that differs between an audit record and its reproduction: ``kind`` (``input``,
    ``policy``, ``seed``, ``options``, ``version``, ``decision``) and what, in words (ids only)."""

    kind: Literal["input", "policy", "seed", "options", "version", "decision"]
    message: str


class Reproduction(_Out):
    """The outcome of :func:`reproduce`: ``identical`` when the decision is byte-identical (its
    fingerprint equals the record's ``output_fingerprint``); ``differences`` says exactly what differs
    (a version or an option may differ while the decision is still identical); ``result`` is the new run."""

    identical: bool
    output_fingerprint: str
    differences: tuple[Discrepancy, ...]
    result: Result

    def text(self) -> str:
        """A short report: identical or not, then every difference."""
        head = (
            f"reproduced: the decision is byte-identical ({self.output_fingerprint})"
            if self.identical
            else "not reproduced: the decision differs"
        )
        return "\n".join([head, *(f"- {d.kind}: {d.message}" for d in self.differences)])


def _policy_changes(before: dict[str, Any], after: dict[str, Any]) -> list[Discrepancy]:
    out = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if canonical_bytes(old) == canonical_bytes(new):
            continue
        if key == "lottery_seed":
            out.append(Discrepancy(kind="seed", message=f"the lottery seed was {old}, now {new}"))
        else:
            out.append(
                Discrepancy(
                    kind="policy",
                    message=f"policy {key} was {canonical_bytes(old).decode()}, now {canonical_bytes(new).decode()}",
                )
            )
    return out


def _decision_changes(before: Decision, after: Decision) -> str:
    parts = []
    if before.status != after.status:
        parts.append(f"status {before.status.value} -> {after.status.value}")
    old = {lv.name: lv.value for lv in before.objective}
    new = {lv.name: lv.value for lv in after.objective}
    levels = [f"{k} {old.get(k)} -> {new.get(k)}" for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]
    if levels:
        parts.append("levels " + ", ".join(levels))
    was = {a.applicant: a.supervisor for a in before.assignments}
    now = {a.applicant: a.supervisor for a in after.assignments}
    moved = sorted(a for a in set(was) | set(now) if was.get(a) != now.get(a))
    if moved:
        shown = ", ".join(f"{a} {was.get(a) or '-'} -> {now.get(a) or '-'}" for a in moved[:10])
        more = f" and {len(moved) - 10} more" if len(moved) > 10 else ""
        parts.append(f"{plural(len(moved), 'placement differs', 'placements differ')}: {shown}{more}")
    if before.input_fingerprint != after.input_fingerprint and not parts:
        parts.append("the input fingerprint recorded in the decision differs")
    return "; ".join(parts) or "the bytes differ (same placements and levels; a message or metric differs)"


def _rerun(record: AuditRecord, problem: Problem, options: SolveOptions, diffs: list[Discrepancy]) -> Result:
    """The run again: a fresh solve, or the repair the record describes."""
    if record.repair is None:
        return solve(problem, options)
    try:
        return repeat_repair(problem, record.repair, options=options)
    except InputError as exc:
        diffs.append(Discrepancy(kind="input", message=f"the recorded repair no longer fits the problem: {exc}"))
        return solve(problem, options)


def reproduce(
    record: AuditRecord,
    problem: Problem,
    *,
    options: SolveOptions | None = None,
    current_versions: dict[str, str] | None = None,
) -> Reproduction:
    """Solve ``problem`` again as ``record`` says (its overrides, options and, for a repaired plan, the
    repair from its previous plan) and compare.

    Args:
        record: the audit record of the run.
        problem: the problem as it is now (its fingerprint is compared with the record's).
        options: solve options to use instead of the recorded ones (reported if they differ).
        current_versions: the versions to compare with (default: this installation's).

    Returns:
        A :class:`Reproduction`: ``identical``, or every difference of input, policy, seed, options,
        version and decision. Overrides that no longer fit the problem are reported as an input
        difference.
    """
    diffs: list[Discrepancy] = []
    if decision_fingerprint(record.decision) != record.output_fingerprint:
        diffs.append(Discrepancy(kind="decision", message="the record's decision does not match its own fingerprint"))
    if problem.fingerprint() != record.input_fingerprint:
        if records_fingerprint(problem) != record.records_fingerprint:
            diffs.append(
                Discrepancy(
                    kind="input",
                    message=f"the problem's records differ (fingerprint was {record.input_fingerprint}, "
                    f"now {problem.fingerprint()})",
                )
            )
        diffs += _policy_changes(record.policy, problem.policy.model_dump(mode="json"))
        if len(diffs) == 0:  # pragma: no cover - a fingerprint covers exactly records and policy
            diffs.append(Discrepancy(kind="input", message="the problem's fingerprint differs"))
    opts = options if options is not None else SolveOptions.model_validate(record.options)
    now_options = opts.model_dump(mode="json")
    for key in sorted(set(record.options) | set(now_options)):
        if key == "workers":
            continue  # the number of workers never changes a proven-optimal decision
        if canonical_bytes(record.options.get(key)) != canonical_bytes(now_options.get(key)):
            diffs.append(
                Discrepancy(
                    kind="options",
                    message=f"option {key} was {record.options.get(key)!r}, now {now_options.get(key)!r}",
                )
            )
    now_versions = current_versions if current_versions is not None else versions()
    for name in _DECISIVE:
        was, now = record.versions.get(name), now_versions.get(name)
        if was != now:
            diffs.append(Discrepancy(kind="version", message=f"{name} was {was}, now {now}"))
    try:
        changed = apply_overrides(problem, record.overrides) if record.overrides else problem
    except MatchmakerError as exc:
        diffs.append(Discrepancy(kind="input", message=f"the recorded overrides no longer fit the problem: {exc}"))
        changed = problem
    result = _rerun(record, changed, opts, diffs)
    got = decision_fingerprint(result.decision)
    identical = got == record.output_fingerprint
    if not identical:
        note = _decision_changes(record.decision, result.decision)
        if not result.status.is_optimal or record.decision.status is not Status.OPTIMAL:
            note += " (a run stopped by a limit is not proven optimal and need not repeat)"
        diffs.append(Discrepancy(kind="decision", message=note))
    return Reproduction(identical=identical, output_fingerprint=got, differences=tuple(diffs), result=result)
