"""The approval a report shows: who approved the plan, in what role, when, the signature's status and the
overrides with their reasons, read from an audit record (:class:`matchmaker.review._audit.AuditRecord`).

The report renders a :class:`ReportApproval`, not the audit record itself. :func:`approval_from_record`
takes an approved audit record and refuses one that approved another plan than the report's result; with
the office's public key it checks the record's signature (:func:`matchmaker.verify_record`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from matchmaker._i18n import msg
from matchmaker._pydantic_errors import issues_from_validation_error
from matchmaker._result import Result
from matchmaker.errors import InputError, InputFileError, ValidationIssue
from matchmaker.review._audit import AuditRecord, decision_fingerprint
from matchmaker.review._overrides import Override
from matchmaker.review._signing import PublicKey
from matchmaker.review._verify import verify_record

__all__ = ["ReportApproval", "SignatureStatus", "approval_from_data", "approval_from_record"]

#: What is known of the approval's signature: none recorded, recorded but not checked (no public key
#: given), checked and valid, or checked and invalid.
SignatureStatus = Literal["none", "unchecked", "valid", "invalid"]


@dataclass(frozen=True)
class ReportApproval:
    """An approval as the report shows it: the approving ``official`` (an opaque id), their ``role``
    (``None`` when the record has none), the ``date`` (ISO 8601 text as recorded, or ``None``), the
    ``signature`` status and the ``overrides`` the plan was approved with (each with its reason)."""

    official: str
    role: str | None = None
    date: str | None = None
    signature: SignatureStatus = "none"
    overrides: tuple[Override, ...] = ()


def approval_from_record(
    record: AuditRecord, result: Result, *, source: str = "the audit record", public_key: PublicKey | None = None
) -> ReportApproval:
    """The approval of ``record``, which must be an approved plan whose decision is ``result``'s; with
    ``public_key`` its signature is checked (any finding of :func:`matchmaker.verify_record` makes it
    ``invalid``, and so does a record without a signature).

    Raises:
        InputError: the record is only a recommendation, or it approved another plan (it names
            ``source`` and says what to give instead).
    """
    if record.state != "approved" or record.approval is None:
        raise InputError(
            [
                ValidationIssue.of(
                    f"{source}: state",
                    msg("the record is a recommendation that no official has approved"),
                    msg("give the approved plan written by `matchmaker approve ... -o FILE`"),
                )
            ],
            source=source,
        )
    if record.output_fingerprint != decision_fingerprint(result.decision):
        raise InputError(
            [
                ValidationIssue.of(
                    f"{source}: output_fingerprint",
                    msg("the record approved another plan than the result of this report"),
                    msg(
                        "report on the approved plan itself (`matchmaker approve ... --result-output RESULT`), "
                        "or give the approval of this result"
                    ),
                )
            ],
            source=source,
        )
    approval = record.approval
    signature: SignatureStatus
    if public_key is not None:
        signature = "valid" if verify_record(record, public_key=public_key).ok else "invalid"
    else:
        signature = "none" if record.signature is None else "unchecked"
    return ReportApproval(
        official=approval.official,
        role=approval.role,
        date=approval.approved_at,
        signature=signature,
        overrides=record.overrides,
    )


def approval_from_data(
    data: object, result: Result, *, source: str, public_key: PublicKey | None = None
) -> ReportApproval:
    """The approval of ``result`` in ``data``, the parsed JSON of an audit record read from ``source``
    (older record versions migrated as :func:`matchmaker.load_audit` does); ``public_key`` as in
    :func:`approval_from_record`.

    Raises:
        InputFileError: ``data`` is not an audit record (each issue names the field and the fix).
        InputError: see :func:`approval_from_record`.
    """
    try:
        record = AuditRecord.model_validate(data)
    except ValidationError as exc:
        raise InputFileError(issues_from_validation_error(exc, data, "AuditRecord"), source=source) from exc
    return approval_from_record(record, result, source=source, public_key=public_key)
