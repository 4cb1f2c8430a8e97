"""Canonical JSON and fingerprints: the same content always gives the same bytes.

Records are sorted by id (pins and adjustments by their fields, interview scores by criterion,
interviewer and unit), mapping keys are sorted, defaults are written out except ``None`` (a field
that is not set is left out, so that an optional field added in a later version does not change the
fingerprint of a problem that does not use it), and the text is compact UTF-8. Two problems that
differ only in record order or file formatting have one fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matchmaker.models import Problem

__all__ = ["canonical_bytes", "canonical_problem", "problem_fingerprint"]


def canonical_bytes(data: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON of ``data``."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _sort_key(item: Any) -> str:
    return canonical_bytes(item).decode("utf-8")


def _without_none(data: Any) -> Any:
    """``data`` with every mapping entry whose value is ``None`` left out, recursively."""
    if isinstance(data, dict):
        return {k: _without_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_none(v) for v in data]
    return data


def canonical_problem(problem: Problem) -> dict[str, Any]:
    """The problem as plain JSON data in canonical order (fields set to ``None`` left out)."""
    data: dict[str, Any] = _without_none(problem.model_dump(mode="json"))
    for key in ("municipalities", "units", "supervisors", "applicants", "criteria"):
        data[key] = sorted(data[key], key=lambda r: r["id"])
    for key in ("pins", "adjustments", "links"):
        data[key] = sorted(data[key], key=_sort_key)
    for applicant in data["applicants"]:
        applicant["interview"] = sorted(applicant["interview"], key=_sort_key)
        applicant["qualifications"] = sorted(applicant["qualifications"])
        applicant["conflicts"]["units"] = sorted(applicant["conflicts"]["units"])
        applicant["conflicts"]["supervisors"] = sorted(applicant["conflicts"]["supervisors"])
    for unit in data["units"]:
        unit["requirements"] = sorted(unit["requirements"])
    return data


def problem_fingerprint(problem: Problem) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``problem``."""
    return "sha256:" + hashlib.sha256(canonical_bytes(canonical_problem(problem))).hexdigest()
