"""Turn pydantic's ``ValidationError`` into matchmaker's issues: record by id, field, and a fix.

Input values are never echoed (they may be personal data); only ids are, and ids are opaque by design.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from matchmaker.errors import ValidationIssue

__all__ = ["issues_from_validation_error", "render_location"]

#: Collections whose items are named by their ``id`` in locations.
_ID_COLLECTIONS = frozenset({"applicants", "units", "supervisors", "municipalities", "criteria", "periods"})
#: Collections whose items are named by the applicant they concern.
_APPLICANT_COLLECTIONS = frozenset({"pins", "adjustments"})


def _step(node: Any, key: str | int) -> Any:
    if isinstance(node, Mapping):
        return node.get(key)
    if isinstance(node, Sequence) and not isinstance(node, str) and isinstance(key, int):
        return node[key] if 0 <= key < len(node) else None
    return None


def _id_of(item: Any, field: str) -> str | None:
    value = item.get(field) if isinstance(item, Mapping) else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _plain_key(key: str) -> bool:
    """A key that reads well unquoted: not blank, and no invisible or control characters."""
    return bool(key.strip()) and key.isprintable()


def render_location(loc: Sequence[str | int], raw: Any, root: str = "Problem") -> str:
    """``("applicants", 3, "ranking", "units")`` -> ``applicants['A17'].ranking.units``."""
    parts: list[str] = []
    node = raw
    parent_key: str | int | None = None
    for key in loc:
        child = _step(node, key)
        if isinstance(key, int):
            label = None
            if parent_key in _ID_COLLECTIONS:
                ident = _id_of(child, "id")
                label = f"[{ident!r}]" if ident else None
            elif parent_key in _APPLICANT_COLLECTIONS:
                ident = _id_of(child, "applicant")
                label = f"[{key}] (applicant {ident!r})" if ident else None
            parts.append(label or f"[{key}]")
        else:
            # Mapping keys that are user data (area names, unit ids) are shown quoted.
            is_data_key = isinstance(node, Mapping) and parent_key in {
                "areas",
                "units",
                "supervisors",
            }
            if (is_data_key and parts) or not _plain_key(key):
                parts.append(f"[{key!r}]")
            else:
                parts.append(("." if parts else "") + str(key))
        parent_key = key
        node = child
    text = "".join(parts)
    return text if text else root


def _fix_for(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    field = str(err["loc"][-1]) if err.get("loc") else "the field"
    fixes: dict[str, str] = {
        "missing": f"add the field {field!r}",
        "extra_forbidden": f"remove {field!r} or correct its spelling; `matchmaker schema` lists the allowed fields",
        "int_type": "write a whole number without quotes",
        "int_parsing": "write a whole number without quotes",
        "int_from_float": "write a whole number",
        "float_type": "write a number without quotes",
        "float_parsing": "write a number without quotes",
        "finite_number": "write a finite number (not NaN or infinity)",
        "string_type": "write it as text in quotes (ids such as 001 must be quoted to keep the zeros)",
        "string_too_short": "give a non-empty value",
        "string_too_long": f"shorten it to at most {ctx.get('max_length', '?')} characters",
        "greater_than_equal": f"use a value of at least {ctx.get('ge', '?')}",
        "greater_than": f"use a value above {ctx.get('gt', '?')}",
        "less_than_equal": f"use a value of at most {ctx.get('le', '?')}",
        "less_than": f"use a value below {ctx.get('lt', '?')}",
        "literal_error": f"use one of {ctx.get('expected', 'the allowed values')}",
        "enum": f"use one of {ctx.get('expected', 'the allowed values')}",
        "tuple_type": "give a list",
        "list_type": "give a list",
        "dict_type": "give an object (a mapping of names to values)",
        "model_type": "give an object with the documented fields",
        "model_attributes_type": "give an object with the documented fields",
        "bool_type": "write true or false",
        "recursion_loop": "remove the circular reference",
    }
    return fixes.get(kind, "correct the value as described")


def _message_for(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "a required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    msg = str(err.get("msg", "invalid value"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[:1].lower() + msg[1:]


def issues_from_validation_error(exc: ValidationError, raw: Any, root: str = "Problem") -> list[ValidationIssue]:
    """Translate every error of ``exc`` into a :class:`ValidationIssue`."""
    issues: list[ValidationIssue] = []
    for err in exc.errors(include_url=False, include_input=False):
        ctx = err.get("ctx") or {}
        original = ctx.get("error")
        bundled = getattr(original, "issues", None)
        if isinstance(bundled, list) and all(isinstance(i, ValidationIssue) for i in bundled):
            issues.extend(bundled)
            continue
        location = render_location(err.get("loc", ()), raw, root)
        message = _message_for(err)
        if err.get("type") == "value_error":
            # Our own rules phrase "what; how to fix" in one sentence separated by "; ".
            what, sep, fix = message.partition("; ")
            issues.append(ValidationIssue(location, what, fix if sep else "correct the value"))
        else:
            issues.append(ValidationIssue(location, message, _fix_for(err)))
    return issues
