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
options, a version, and how the decision differs. A record whose decision does not match its own
fingerprint is never reported as reproduced.

**Signed and versioned.** An approval states the official's opaque id, role and date, and can be signed
with the office's key (:mod:`matchmaker.review._signing`, ``approve(..., signing_key=...)``); see
:func:`matchmaker.verify_record`. Records carry ``schema_version`` (:data:`AUDIT_SCHEMA_VERSION`): a
version-1 record is read as version 2 with a notice (logged, and kept as :attr:`AuditRecord.migrated_from`);
a newer version, or 0 and below, is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    PrivateAttr,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from matchmaker._canonical import canonical_bytes, canonical_problem
from matchmaker._checks import check
from matchmaker._i18n import Message, msg, tr
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._pydantic_errors import RuleError, issues_from_validation_error
from matchmaker._repair import repair_basis
from matchmaker._result import Decision, RepairBasis, Result
from matchmaker.errors import ApprovalError, ResultMismatchError
from matchmaker.explanations._types import Lang
from matchmaker.explanations._words import display_names
from matchmaker.review._overrides import Override, apply_overrides, solve_with_overrides
from matchmaker.review._signing import Signature, SigningKey, make_signature
from matchmaker.review._words import conflict_text

__all__ = [
    "AUDIT_SCHEMA_VERSION",
    "Approval",
    "ApprovalError",
    "AuditData",
    "AuditRecord",
    "approve",
    "audit_record",
    "decision_fingerprint",
    "migration_notice",
    "records_fingerprint",
    "verify_approval",
]


#: The version of the audit record layout this library writes. Version 2 added the approval's ``role``
#: and the ``signature``; a version-1 record is read as version 2 (the new fields empty).
AUDIT_SCHEMA_VERSION = 2


logger = logging.getLogger("matchmaker.review")


def migration_notice(version: int, lang: Lang = "en") -> str:
    """The notice, in ``lang``, that a record of schema ``version`` was read as the current version."""
    return tr(
        "a version-{version} audit record was read as version {current} (no role, no signature); "
        "it stays valid as it is, and records written from now on are version {current}",
        lang,
        version=version,
        current=AUDIT_SCHEMA_VERSION,
    )


class AuditData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


@dataclass(frozen=True, slots=True)
class _Text:
    """Text made in the language it is shown in: a parameter of a message that is itself rendered."""

    render: Callable[[Lang], str]

    def text(self, lang: Lang = "en") -> str:
        """The text in ``lang``."""
        return self.render(lang)


def decision_fingerprint(decision: Decision) -> str:
    """``sha256:<hex>`` of the decision's canonical JSON (the bytes of :meth:`Result.decision_json`)."""
    return "sha256:" + hashlib.sha256(canonical_bytes(decision.model_dump(mode="json"))).hexdigest()


def records_fingerprint(problem: Problem) -> str:
    """``sha256:<hex>`` of the problem's canonical JSON without its policy: the records alone."""
    data = canonical_problem(problem)
    data.pop("policy", None)
    return "sha256:" + hashlib.sha256(canonical_bytes(data)).hexdigest()


class Approval(AuditData):
    """Who approved: an opaque ``official`` id (never a name) and their ``role`` (such as
    ``"enhetschef"``, or ``None``), and when: ``approved_at``, an ISO 8601 date (or date and time) as the
    official states it, or ``None``."""

    official: str
    role: str | None = None
    approved_at: str | None = None

    @field_validator("role")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise RuleError(
                msg("the role is empty"), msg("give the official's role, such as enhetschef, or leave it out")
            )
        return value.strip() if value is not None else None

    @field_validator("approved_at")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            (dt.date if len(value) == 10 else dt.datetime).fromisoformat(value)
        except ValueError:
            raise RuleError(
                msg("{value!r} is not an ISO 8601 date", value=value), msg("write it as 2026-05-12")
            ) from None
        return value


class AuditRecord(AuditData):
    """Everything needed to review and reproduce one run.

    * ``state``: ``recommendation`` (no official has approved it) or ``approved`` (``approval`` says who);
    * ``input``: the problem file the run read, if any (so that ``matchmaker reproduce`` can find it);
      ``input_fingerprint`` and ``records_fingerprint`` (the records without the policy) of the problem
      *before* overrides; ``policy`` (with ``lottery_seed``), ``options``, ``versions``;
    * ``overrides``: every override with its reason and official, in the order given;
    * ``repair``: for a repaired plan (:func:`matchmaker.reoptimise`), the previous plan and the
      repair's settings, so that it is reproduced (and overridden) as the repair it is; else ``None``;
    * ``recommendation_fingerprint``: the decision without overrides; ``output_fingerprint``: the decision
      this record stands for (``decision``), which with overrides is the re-solve with them;
    * ``signature``: the office key's signature of every other part (:mod:`matchmaker.review._signing`),
      or ``None`` for an unsigned record.

    ``schema_version`` 1 is read as 2 with a notice (``migrated_from`` is then 1); a newer version than
    :data:`AUDIT_SCHEMA_VERSION`, or 0 and below, is refused.
    """

    kind: Literal["matchmaker.audit"] = "matchmaker.audit"
    schema_version: Annotated[int, Strict()] = AUDIT_SCHEMA_VERSION
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
    signature: Signature | None = None

    _migrated_from: int | None = PrivateAttr(default=None)

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value < 1:
            raise RuleError(
                msg(
                    "{value} is not an audit schema version (1 to {current}): the record was not written by "
                    "matchmaker or was edited",
                    value=value,
                    current=AUDIT_SCHEMA_VERSION,
                ),
                msg("use the file matchmaker wrote"),
            )
        if value > AUDIT_SCHEMA_VERSION:
            raise RuleError(
                msg(
                    "audit schema {value} is newer than this matchmaker knows ({current})",
                    value=value,
                    current=AUDIT_SCHEMA_VERSION,
                ),
                msg("upgrade matchmaker"),
            )
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _migrate(cls, data: Any, handler: ModelWrapValidatorHandler[AuditRecord]) -> AuditRecord:
        """Read a version-1 record as the current version, with a notice (logged and kept)."""
        version = data.get("schema_version") if isinstance(data, dict) else None
        if not isinstance(version, int) or isinstance(version, bool) or version != 1:
            return handler(data)
        record = handler({**data, "schema_version": AUDIT_SCHEMA_VERSION})
        record._migrated_from = version
        logger.warning("%s", migration_notice(version))
        return record

    @property
    def migrated_from(self) -> int | None:
        """The schema version the record was read from when it was migrated on read, else ``None``."""
        return self._migrated_from

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
        raise ResultMismatchError(
            msg("the result was solved for another problem (or other overrides) than the one given")
        )
    base = recommendation if recommendation is not None else result
    if base.decision.input_fingerprint != problem.fingerprint():
        raise ResultMismatchError(msg("the recommendation was solved for another problem than the one given"))
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
    role: str | None = None,
    signing_key: SigningKey | None = None,
) -> AuditRecord:
    """An official approves ``recommendation``, as it is or with ``overrides``: the approved plan.

    Without overrides the approved decision is the recommendation's, byte for byte. With overrides the
    round is re-solved with them (:func:`matchmaker.solve_with_overrides`), the new plan is checked by the
    independent checker, and the record keeps the recommendation's fingerprint beside its own. A
    recommendation marked unchecked (written before its check finished) is checked here first.

    ``role`` is the official's role (such as ``"enhetschef"``); ``approved_at`` an ISO 8601 date as the
    official states it. With ``signing_key`` (the office's key, :func:`matchmaker.generate_keypair`) the
    record is signed: every part of it, so that :func:`matchmaker.verify_record` names any later change.

    Raises:
        ResultMismatchError: the recommendation was solved for another problem.
        ApprovalError: the recommendation has no plan, the official's id is empty, the overrides
            conflict (the message names them and why), an unchecked recommendation or the re-solved
            plan fails its check.
    """
    if recommendation.decision.input_fingerprint != problem.fingerprint():
        raise ResultMismatchError(msg("the recommendation was solved for another problem than the one given"))
    if not recommendation.status.has_plan:
        status = recommendation.status
        raise ApprovalError(msg("a recommendation without a plan ({status}) cannot be approved", status=status))
    if not official.strip():
        raise ApprovalError(msg("an approval needs the official's id"))
    if recommendation.unchecked:  # written before its check finished: nobody signs a plan the checker never saw
        report = check(problem, recommendation)
        if not report.ok:
            raise ApprovalError(
                msg("the unchecked recommendation failed its independent check:\n{report}", report=report)
            )
    result = recommendation
    if overrides:
        outcome = solve_with_overrides(problem, overrides, base=recommendation, options=options, costs=False)
        if outcome.conflict is not None or outcome.result is None or not outcome.result.status.has_plan:
            conflict, names = outcome.conflict, display_names(problem)
            why = _Text(
                lambda lang: (
                    tr("no plan", lang) if conflict is None else conflict_text(conflict, tuple(overrides), lang, names)
                )
            )
            raise ApprovalError(msg("the overrides cannot all hold: {why}", why=why))
        result = outcome.result
        report = check(apply_overrides(problem, overrides), result)
        if not report.ok:  # pragma: no cover - the checker guards the solver
            raise ApprovalError(msg("the re-solved plan failed its independent check:\n{report}", report=report))
    record = audit_record(
        problem, result, options=options, overrides=overrides, recommendation=recommendation, input=input
    )
    try:
        approval = Approval(official=official.strip(), role=role, approved_at=approved_at)
    except ValidationError as exc:
        issues = issues_from_validation_error(exc, {"role": role, "approved_at": approved_at}, root="approval")
        why = _Text(lambda lang: "; ".join(i.text(lang) for i in issues))
        raise ApprovalError(msg("the approval is not valid: {issues}", issues=why)) from None
    record = record.model_copy(update={"state": "approved", "approval": approval})
    if signing_key is not None:
        signature = make_signature(record.model_dump(mode="json"), record.schema_version, signing_key)
        record = record.model_copy(update={"signature": signature})
    return record


def verify_approval(
    problem: Problem, recommendation: Result, record: AuditRecord, *, options: SolveOptions | None = None
) -> None:
    """Verify that ``record`` is an approval that follows from ``recommendation`` and its overrides.

    Raises:
        ApprovalError: naming every discrepancy: not approved, a decision that does not match its own
            fingerprint, another recommendation, another problem, or a decision that is not the
            recommendation (without overrides) or the re-solve with the overrides.
    """
    found: list[Message] = []
    if record.state != "approved" or record.approval is None:
        found.append(msg("the record is a recommendation, not an approved plan"))
    if decision_fingerprint(record.decision) != record.output_fingerprint:
        found.append(msg("the approved decision does not match its recorded fingerprint (it was edited)"))
    if decision_fingerprint(recommendation.decision) != record.recommendation_fingerprint:
        found.append(msg("the recommendation is not the one the approval references"))
    if problem.fingerprint() != record.input_fingerprint:
        found.append(msg("the problem is not the one the approval was made for"))
    if not found:
        if not record.overrides:
            if record.output_fingerprint != record.recommendation_fingerprint:
                found.append(msg("without overrides the approved plan must be the recommendation, but it differs"))
        else:
            opts = SolveOptions.model_validate(record.options) if options is None else options
            outcome = solve_with_overrides(problem, record.overrides, base=recommendation, options=opts, costs=False)
            if outcome.result is None or decision_fingerprint(outcome.result.decision) != record.output_fingerprint:
                found.append(msg("the approved plan is not the re-solve of the recommendation with its overrides"))
    if found:
        what = _Text(lambda lang: "; ".join(m.text(lang) for m in found))
        raise ApprovalError(msg("the approved plan diverges from its recommendation: {what}", what=what))
