"""Reading an audit record file, with every error naming the file and the field."""

from __future__ import annotations

import os

from pydantic import ValidationError

from matchmaker._i18n import msg
from matchmaker._pydantic_errors import issues_from_validation_error
from matchmaker.errors import InputFileError, ValidationIssue
from matchmaker.io._files import DEFAULT_MAX_BYTES, read_limited
from matchmaker.io._json import parse_json
from matchmaker.review._audit import AuditRecord

__all__ = ["load_audit"]


def load_audit(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> AuditRecord:
    """Read an audit record (``matchmaker audit`` or ``approve``); a version-1 record is migrated with a
    notice (:attr:`AuditRecord.migrated_from`).

    Raises:
        InputFileError: the file cannot be read, is not JSON, or breaks the record's layout (every issue
            named by its field), including a schema version that is newer than this library, or 0.
    """
    source = str(path)
    data = parse_json(read_limited(path, max_bytes), source)
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind is not None and kind != "matchmaker.audit":
        if isinstance(kind, str) and kind.startswith("matchmaker."):
            what = msg("is a {kind} file, not an audit record (kind matchmaker.audit)", kind=kind)
        else:
            what = msg("is not an audit record (kind matchmaker.audit)")
        fix = msg("give the record that `matchmaker approve -o` or `matchmaker audit -o` wrote")
        raise InputFileError([ValidationIssue.of(f"{source} kind", what, fix)], source=source)
    try:
        return AuditRecord.model_validate(data)
    except ValidationError as exc:
        raise InputFileError(issues_from_validation_error(exc, data, root="audit record"), source=source) from exc
