"""Turn pydantic's ``ValidationError`` into matchmaker's issues: record by id, field, and a fix.

Input values are never echoed (they may be personal data); only ids are, and ids are opaque by design.
Messages and fixes are :class:`~matchmaker._i18n.Message` s, so the issues can be shown in Swedish too;
a validator of ours raises :class:`RuleError` to give its own in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from matchmaker._i18n import Message, msg, msg_n
from matchmaker._text import suggest
from matchmaker.errors import ValidationIssue

__all__ = ["RuleError", "issues_from_validation_error", "render_location"]


class RuleError(ValueError):
    """A validator's refusal with a translatable message and fix (``str()`` is ``"message; fix"`` in English)."""

    def __init__(self, message: Message, fix: Message) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message}; {fix}")


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


def _record_in(annotation: Any) -> type[BaseModel] | None:
    """The record class a field's annotation holds (``Policy | None``, ``tuple[Unit, ...]``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _record_in(arg)
        if found is not None:
            return found
    return None


def _fields_at(model: type[BaseModel] | None, path: Sequence[str | int]) -> list[str]:
    """The field names of the record at ``path`` below ``model`` (empty where unknown)."""
    for key in path:
        if model is None:
            return []
        if isinstance(key, int):  # an item of a tuple of records: the record class is known already
            continue
        info = model.model_fields.get(key)
        model = _record_in(info.annotation) if info is not None else None
    return list(model.model_fields) if model is not None else []


def _fix_for(err: Mapping[str, Any], model: type[BaseModel] | None = None) -> Message:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    field = str(err["loc"][-1]) if err.get("loc") else "?"
    allowed = ctx.get("expected")
    if kind == "extra_forbidden" and err.get("loc"):
        hint = suggest(field, _fields_at(model, err["loc"][:-1]))
        if hint is not None:
            return msg("write {hint!r} instead of {field!r}, the field it most likely means", hint=hint, field=field)
    fixes: dict[str, Message] = {
        "missing": msg("add the field {field!r}", field=field),
        "extra_forbidden": msg(
            "remove {field!r} or correct its spelling; `matchmaker schema` lists the allowed fields", field=field
        ),
        "int_type": msg("write a whole number without quotes"),
        "int_parsing": msg("write a whole number without quotes"),
        "int_from_float": msg("write a whole number"),
        "float_type": msg("write a number without quotes"),
        "float_parsing": msg("write a number without quotes"),
        "finite_number": msg("write a finite number (not NaN or infinity)"),
        "string_type": msg("write it as text in quotes (ids such as 001 must be quoted to keep the zeros)"),
        "string_too_short": msg("give a non-empty value"),
        "string_too_long": msg("shorten it to at most {limit} characters", limit=ctx.get("max_length", "?")),
        "greater_than_equal": msg("use a value of at least {limit}", limit=ctx.get("ge", "?")),
        "greater_than": msg("use a value above {limit}", limit=ctx.get("gt", "?")),
        "less_than_equal": msg("use a value of at most {limit}", limit=ctx.get("le", "?")),
        "less_than": msg("use a value below {limit}", limit=ctx.get("lt", "?")),
        "literal_error": msg("use one of {allowed}", allowed=allowed) if allowed else msg("use an allowed value"),
        "enum": msg("use one of {allowed}", allowed=allowed) if allowed else msg("use an allowed value"),
        "tuple_type": msg("give a list"),
        "list_type": msg("give a list"),
        "dict_type": msg("give an object (a mapping of names to values)"),
        "model_type": msg("give an object with the documented fields"),
        "model_attributes_type": msg("give an object with the documented fields"),
        "bool_type": msg("write true or false"),
        "recursion_loop": msg("remove the circular reference"),
    }
    return fixes.get(kind, msg("correct the value as described"))


def _message_for(err: Mapping[str, Any]) -> Message | None:
    """The message of ``err`` as a :class:`Message`, whose English is pydantic's own text word for word
    (``None`` where it would differ, e.g. after a pydantic upgrade: then pydantic's English stands)."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return msg("a required field is missing")
    if kind == "extra_forbidden":
        return msg("unknown field")
    messages: dict[str, Message] = {
        "int_type": msg("input should be a valid integer"),
        "int_parsing": msg("input should be a valid integer, unable to parse string as an integer"),
        "int_from_float": msg("input should be a valid integer, got a number with a fractional part"),
        "float_type": msg("input should be a valid number"),
        "float_parsing": msg("input should be a valid number, unable to parse string as a number"),
        "finite_number": msg("input should be a finite number"),
        "string_type": msg("input should be a valid string"),
        "greater_than_equal": msg("input should be greater than or equal to {limit}", limit=ctx.get("ge")),
        "greater_than": msg("input should be greater than {limit}", limit=ctx.get("gt")),
        "less_than_equal": msg("input should be less than or equal to {limit}", limit=ctx.get("le")),
        "less_than": msg("input should be less than {limit}", limit=ctx.get("lt")),
        "literal_error": msg("input should be {allowed}", allowed=ctx.get("expected")),
        "enum": msg("input should be {allowed}", allowed=ctx.get("expected")),
        "tuple_type": msg("input should be a valid tuple"),
        "list_type": msg("input should be a valid list"),
        "dict_type": msg("input should be a valid dictionary"),
        "bool_type": msg("input should be a valid boolean"),
    }
    found: Message | None
    if kind == "string_too_short":
        limit = int(ctx.get("min_length", 1))
        found = msg_n("string should have at least {n} character", "string should have at least {n} characters", limit)
    elif kind == "string_too_long":
        limit = int(ctx.get("max_length", 1))
        found = msg_n("string should have at most {n} character", "string should have at most {n} characters", limit)
    else:
        found = messages.get(kind)
    if found is None or str(found) != _pydantic_text(err):
        return None
    return found


def _pydantic_text(err: Mapping[str, Any]) -> str:
    text = str(err.get("msg", "invalid value"))
    if text.startswith("Value error, "):
        text = text[len("Value error, ") :]
    return text[:1].lower() + text[1:]


def issues_from_validation_error(
    exc: ValidationError, raw: Any, root: str = "Problem", model: type[BaseModel] | None = None
) -> list[ValidationIssue]:
    """Translate every error of ``exc`` into a :class:`ValidationIssue`; with ``model`` (the record class
    validated), an unknown field's fix names the allowed field it most likely means."""
    issues: list[ValidationIssue] = []
    for err in exc.errors(include_url=False, include_input=False):
        ctx = err.get("ctx") or {}
        original = ctx.get("error")
        bundled = getattr(original, "issues", None)
        if isinstance(bundled, list | tuple) and all(isinstance(i, ValidationIssue) for i in bundled):
            issues.extend(bundled)
            continue
        location = render_location(err.get("loc", ()), raw, root)
        if isinstance(original, RuleError):
            issues.append(ValidationIssue.of(location, original.message, original.fix))
        elif err.get("type") == "value_error":
            # A plain ValueError of a rule phrases "what; how to fix" in one English sentence.
            what, sep, fix = _pydantic_text(err).partition("; ")
            issues.append(ValidationIssue(location, what, fix if sep else "correct the value", None, None))
        else:
            message = _message_for(err)
            fix_key = _fix_for(err, model)
            if message is None:
                issues.append(ValidationIssue(location, _pydantic_text(err), str(fix_key), None, fix_key))
            else:
                issues.append(ValidationIssue.of(location, message, fix_key))
    return issues
