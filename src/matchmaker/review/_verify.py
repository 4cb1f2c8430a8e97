"""Verifying an audit record without solving again: its own consistency, its signature and its input.

:func:`verify_record` recomputes what a record says about itself (the decision's fingerprint, an
approval without overrides that must be the recommendation, the input fingerprint in the decision),
checks the office's signature over every part of it (:mod:`matchmaker.review._signing`), and, given
the problem, the input's fingerprints and policy. The answer, a :class:`Verification`, lists every
finding by the record field it concerns; ``ok`` only when there is none. :func:`matchmaker.reproduce`
goes further and solves again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matchmaker._i18n import Message, msg, tr, tr_n
from matchmaker._models import Problem
from matchmaker.errors import MatchmakerError
from matchmaker.explanations._types import Lang
from matchmaker.review._audit import AuditRecord, decision_fingerprint, migration_notice, records_fingerprint
from matchmaker.review._overrides import apply_overrides
from matchmaker.review._signing import PublicKey, part_digests, signature_valid

__all__ = ["Finding", "Verification", "verify_record"]

#: What a :class:`Finding` says, by its code (``str.format`` placeholders from its params).
_FINDINGS: dict[str, Message] = {
    "decision_edited": msg("the decision does not match its recorded fingerprint (it was edited)"),
    "approved_without_approval": msg("the record says approved but holds no approval"),
    "not_approved": msg("the record is a recommendation, not an approved plan"),
    "not_the_recommendation": msg(
        "without overrides the approved plan must be the recommendation, but its fingerprint differs"
    ),
    "decision_input": msg("the decision was solved for another input than the record names"),
    "input_differs": msg("the problem is not the one the record was made for (fingerprint {now}, recorded {was})"),
    "records_differ": msg("the problem's records differ from those the record was made for"),
    "policy_differs": msg("the record's policy is not the problem's policy"),
    "overrides_input": msg("the decision is not solved for the problem with the record's overrides"),
    "overrides_no_fit": msg("the record's overrides do not fit the problem: {error}"),
    "unsigned": msg("the record is not signed, and a signature is required"),
    "other_key": msg("signed by another key ({signed}), not the given public key ({given})"),
    "bad_signature": msg(
        "the signature is not valid for the given public key: the signature or its digests were edited"
    ),
    "changed": msg("changed after signing (its digest differs from the signed one)"),
    "added": msg("added after signing (not covered by the signature)"),
    "removed": msg("removed after signing"),
    "no_key": msg("a signature is required, but no public key was given to check it"),
}


class Finding(BaseModel):
    """One thing wrong with a record: ``kind`` (``decision``, ``approval``, ``signature``, ``input``),
    ``field``, the record field it concerns (a dotted path such as ``approval.official``), and what, as a
    message id with parameters; :meth:`text` says it in either language. ``cause``, the error behind a
    finding (not written out: ``params`` holds its English text), is said in the same language."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    kind: Literal["decision", "approval", "signature", "input"]
    field: str
    code: str
    params: dict[str, str] = {}
    cause: MatchmakerError | None = Field(default=None, exclude=True, repr=False)

    def text(self, lang: Lang = "en") -> str:
        """``field: what is wrong``, in ``lang``."""
        params = self.params if self.cause is None else {**self.params, "error": self.cause.text(lang)}
        return f"{self.field}: {replace(_FINDINGS[self.code], params=params).text(lang)}"


class Verification(BaseModel):
    """The outcome of :func:`verify_record`: every :class:`Finding` (``ok`` when there is none), the
    key whose signature was checked and holds (``signed_by``, else ``None``), and ``notices`` (message
    ids with parameters: a migrated record, a signature that was not checked)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    findings: tuple[Finding, ...]
    signed_by: str | None = None
    migrated_from: int | None = None
    unchecked_key: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the record passed every check."""
        return not self.findings

    def text(self, lang: Lang = "en") -> str:
        """A short report in ``lang``: verified or not, every finding, then the notices."""
        if self.ok and self.signed_by:
            head = tr("verified: the record is consistent and signed by key {key}", lang, key=self.signed_by)
        elif self.ok:
            head = tr("verified: the record is consistent", lang)
        else:
            head = tr_n("NOT verified: {n} finding", "NOT verified: {n} findings", len(self.findings), lang)
        lines = [head, *(f"- {f.text(lang)}" for f in self.findings)]
        if self.unchecked_key is not None:
            unchecked = tr(
                "signed by key {key}; the signature was not checked (give the office's public key)",
                lang,
                key=self.unchecked_key,
            )
            lines.append(tr("notice: {message}", lang, message=unchecked))
        if self.migrated_from is not None:
            lines.append(tr("notice: {message}", lang, message=migration_notice(self.migrated_from, lang)))
        return "\n".join(lines)


def _own(record: AuditRecord) -> list[Finding]:
    """What the record says about itself that can be recomputed from it alone."""
    out = []
    if decision_fingerprint(record.decision) != record.output_fingerprint:
        out.append(Finding(kind="decision", field="decision", code="decision_edited"))
    if record.state == "approved" and record.approval is None:
        out.append(Finding(kind="approval", field="approval", code="approved_without_approval"))
    if record.state == "recommendation" and (record.approval is not None or record.signature is not None):
        out.append(Finding(kind="approval", field="state", code="not_approved"))
    if not record.overrides:
        if record.state == "approved" and record.output_fingerprint != record.recommendation_fingerprint:
            out.append(Finding(kind="approval", field="recommendation_fingerprint", code="not_the_recommendation"))
        if record.repair is None and record.decision.input_fingerprint != record.input_fingerprint:
            out.append(Finding(kind="decision", field="decision.input_fingerprint", code="decision_input"))
    return out


def _signature(record: AuditRecord, public_key: PublicKey | None, required: bool) -> tuple[list[Finding], str | None]:
    """Findings about the signature, and the key fingerprint whose valid signature covers the record."""
    signature = record.signature
    if signature is None:
        return ([Finding(kind="signature", field="signature", code="unsigned")] if required else []), None
    out = []
    if public_key is None and required:
        out.append(Finding(kind="signature", field="signature", code="no_key"))
    if public_key is not None:
        if signature.key_fingerprint != public_key.fingerprint:
            given = public_key.fingerprint
            params = {"signed": signature.key_fingerprint, "given": given}
            out.append(Finding(kind="signature", field="signature.key_fingerprint", code="other_key", params=params))
        elif not signature_valid(signature, record.schema_version, public_key):
            out.append(Finding(kind="signature", field="signature.value", code="bad_signature"))
    now = part_digests(record.model_dump(mode="json"))
    for path in sorted(set(now) | set(signature.digests)):
        if path not in signature.digests:
            out.append(Finding(kind="signature", field=path, code="added"))
        elif path not in now:
            out.append(Finding(kind="signature", field=path, code="removed"))
        elif now[path] != signature.digests[path]:
            out.append(Finding(kind="signature", field=path, code="changed"))
    valid = public_key is not None and not out
    return out, (signature.key_fingerprint if valid else None)


def _input(record: AuditRecord, problem: Problem) -> list[Finding]:
    """The record against the problem it says it was made for."""
    out = []
    if problem.fingerprint() != record.input_fingerprint:
        params = {"now": problem.fingerprint(), "was": record.input_fingerprint}
        out.append(Finding(kind="input", field="input_fingerprint", code="input_differs", params=params))
    if records_fingerprint(problem) != record.records_fingerprint:
        out.append(Finding(kind="input", field="records_fingerprint", code="records_differ"))
    if problem.policy.model_dump(mode="json") != record.policy:
        out.append(Finding(kind="input", field="policy", code="policy_differs"))
    if record.overrides and record.repair is None and not out:
        try:
            changed = apply_overrides(problem, record.overrides).fingerprint()
        except MatchmakerError as exc:
            params = {"error": str(exc)}
            out.append(Finding(kind="input", field="overrides", code="overrides_no_fit", params=params, cause=exc))
        else:
            if changed != record.decision.input_fingerprint:
                out.append(Finding(kind="decision", field="decision.input_fingerprint", code="overrides_input"))
    return out


def verify_record(
    record: AuditRecord,
    *,
    public_key: PublicKey | None = None,
    problem: Problem | None = None,
    require_signature: bool = False,
) -> Verification:
    """Check ``record`` without solving again, and say every way it fails.

    * its own consistency: the decision against its fingerprint; an approved record holds an approval;
      without overrides the approved plan is the recommendation and was solved for the recorded input;
    * the signature, when there is one: every part of the record against the signed digests (a change is
      named by its field), and with ``public_key`` the signature itself and the key that made it. A
      record without a signature fails when ``public_key`` is given or ``require_signature`` is set, and
      ``require_signature`` without ``public_key`` fails (a signature that is not checked proves nothing);
    * with ``problem``: its fingerprints and policy against the record's, and that the decision was
      solved for the problem with the record's overrides.

    Raises:
        MissingExtraError: a signature is to be checked and the ``sign`` extra is not installed.
    """
    findings = _own(record)
    signed, signed_by = _signature(record, public_key, require_signature or public_key is not None)
    findings += signed
    if problem is not None:
        findings += _input(record, problem)
    unchecked = record.signature.key_fingerprint if record.signature is not None and public_key is None else None
    return Verification(
        findings=tuple(findings), signed_by=signed_by, migrated_from=record.migrated_from, unchecked_key=unchecked
    )
