"""Verifying an audit record without solving again: its own consistency, its signature and its input.

:func:`verify_record` recomputes what a record says about itself (the decision's fingerprint, an
approval without overrides that must be the recommendation, the input fingerprint in the decision),
checks the office's signature over every part of it (:mod:`matchmaker.review.signing`), and, given
the problem, the input's fingerprints and policy. The answer, a :class:`Verification`, lists every
finding by the record field it concerns; ``ok`` only when there is none. :func:`matchmaker.reproduce`
goes further and solves again.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from matchmaker.errors import MatchmakerError
from matchmaker.explanations.types import Lang
from matchmaker.models import Problem
from matchmaker.review.audit import AuditRecord, decision_fingerprint, migration_notice, records_fingerprint
from matchmaker.review.overrides import apply_overrides
from matchmaker.review.signing import PublicKey, part_digests, signature_valid

__all__ = ["Finding", "Verification", "verify_record"]

#: Every sentence of this module a person reads, in both languages (``str.format`` placeholders).
_MESSAGES: dict[str, dict[Lang, str]] = {
    "verified": {"en": "verified: the record is consistent", "sv": "verifierad: posten är konsekvent"},
    "verified_signed": {
        "en": "verified: the record is consistent and signed by key {key}",
        "sv": "verifierad: posten är konsekvent och signerad med nyckeln {key}",
    },
    "failed_one": {"en": "NOT verified: 1 finding", "sv": "INTE verifierad: 1 avvikelse"},
    "failed_many": {"en": "NOT verified: {count} findings", "sv": "INTE verifierad: {count} avvikelser"},
    "decision_edited": {
        "en": "the decision does not match its recorded fingerprint (it was edited)",
        "sv": "beslutet stämmer inte med sitt registrerade fingeravtryck (det har ändrats)",
    },
    "approved_without_approval": {
        "en": "the record says approved but holds no approval",
        "sv": "posten säger godkänd men har inget godkännande",
    },
    "not_approved": {
        "en": "the record is a recommendation, not an approved plan",
        "sv": "posten är en rekommendation, inte en godkänd plan",
    },
    "not_the_recommendation": {
        "en": "without overrides the approved plan must be the recommendation, but its fingerprint differs",
        "sv": "utan ändringar måste den godkända planen vara rekommendationen, men fingeravtrycket skiljer sig",
    },
    "decision_input": {
        "en": "the decision was solved for another input than the record names",
        "sv": "beslutet togs fram för andra indata än posten anger",
    },
    "input_differs": {
        "en": "the problem is not the one the record was made for (fingerprint {now}, recorded {was})",
        "sv": "indata är inte de som posten gjordes för (fingeravtryck {now}, registrerat {was})",
    },
    "records_differ": {
        "en": "the problem's records differ from those the record was made for",
        "sv": "indatats poster skiljer sig från dem posten gjordes för",
    },
    "policy_differs": {
        "en": "the record's policy is not the problem's policy",
        "sv": "postens policy är inte indatats policy",
    },
    "overrides_input": {
        "en": "the decision is not solved for the problem with the record's overrides",
        "sv": "beslutet är inte framtaget för indata med postens ändringar",
    },
    "overrides_no_fit": {
        "en": "the record's overrides do not fit the problem: {error}",
        "sv": "postens ändringar passar inte indata: {error}",
    },
    "unsigned": {
        "en": "the record is not signed, and a signature is required",
        "sv": "posten är inte signerad, och en signatur krävs",
    },
    "other_key": {
        "en": "signed by another key ({signed}), not the given public key ({given})",
        "sv": "signerad med en annan nyckel ({signed}), inte den angivna publika nyckeln ({given})",
    },
    "bad_signature": {
        "en": "the signature is not valid for the given public key: the signature or its digests were edited",
        "sv": "signaturen är inte giltig för den angivna publika nyckeln: signaturen eller dess kontrollsummor "
        "har ändrats",
    },
    "changed": {
        "en": "changed after signing (its digest differs from the signed one)",
        "sv": "ändrad efter signering (kontrollsumman skiljer sig från den signerade)",
    },
    "added": {
        "en": "added after signing (not covered by the signature)",
        "sv": "tillagd efter signering (täcks inte av signaturen)",
    },
    "removed": {"en": "removed after signing", "sv": "borttagen efter signering"},
    "no_key": {
        "en": "a signature is required, but no public key was given to check it",
        "sv": "en signatur krävs, men ingen publik nyckel angavs för att kontrollera den",
    },
    "unchecked": {
        "en": "signed by key {key}; the signature was not checked (give the office's public key)",
        "sv": "signerad med nyckeln {key}; signaturen kontrollerades inte (ange kontorets publika nyckel)",
    },
    "notice": {"en": "notice: {text}", "sv": "observera: {text}"},
}


def _say(lang: Lang, message_id: str, /, **params: object) -> str:
    return _MESSAGES[message_id][lang].format(**params)


class Finding(BaseModel):
    """One thing wrong with a record: ``kind`` (``decision``, ``approval``, ``signature``, ``input``),
    ``field``, the record field it concerns (a dotted path such as ``approval.official``), and what, as a
    message id with parameters; :meth:`text` says it in either language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["decision", "approval", "signature", "input"]
    field: str
    code: str
    params: dict[str, str] = {}

    def text(self, lang: Lang = "en") -> str:
        """``field: what is wrong``, in ``lang``."""
        return f"{self.field}: {_say(lang, self.code, **self.params)}"


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
        if self.ok:
            head = _say(lang, "verified_signed", key=self.signed_by) if self.signed_by else _say(lang, "verified")
        else:
            head = _say(lang, "failed_one" if len(self.findings) == 1 else "failed_many", count=len(self.findings))
        lines = [head, *(f"- {f.text(lang)}" for f in self.findings)]
        if self.unchecked_key is not None:
            lines.append(_say(lang, "notice", text=_say(lang, "unchecked", key=self.unchecked_key)))
        if self.migrated_from is not None:
            lines.append(_say(lang, "notice", text=migration_notice(self.migrated_from, lang)))
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
            out.append(Finding(kind="input", field="overrides", code="overrides_no_fit", params={"error": str(exc)}))
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
