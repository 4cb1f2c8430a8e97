"""JSON in and out, with errors that name the file, line and column.

The reader refuses what ``json.load`` would silently accept: duplicate keys (the later one would win),
``NaN`` and ``Infinity``, and files over the size limit. Writing is atomic (a temporary file in the
same folder, then a rename), so a failed write never leaves a half-written file.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matchmaker import _gc
from matchmaker._i18n import msg
from matchmaker._models import Problem
from matchmaker._pydantic_errors import RuleError, issues_from_validation_error
from matchmaker._result import Result
from matchmaker.errors import InputFileError, ProblemValidationError, ValidationIssue
from matchmaker.io._files import DEFAULT_MAX_BYTES, atomic_write_text, read_limited
from matchmaker.io._migrate import migrate_problem_data, migrate_result_data

__all__ = [
    "DEFAULT_MAX_BYTES",
    "atomic_write_text",
    "dump_problem",
    "dump_result",
    "load_problem",
    "load_result",
    "parse_json",
    "problem_from_json",
    "problem_json_schema",
    "result_from_json",
    "result_json_schema",
]

T = TypeVar("T", bound=BaseModel)


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)  # in C: the common case, no duplicate, costs no Python loop
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return out


def _no_constants(name: str) -> Any:
    raise RuleError(msg("{name} is not a number JSON allows", name=name), _FINITE)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 would silently become infinity
        raise RuleError(msg("a number is too large to be finite (over about 1.8e308)"), _FINITE)
    return value


_FINITE = msg("write a finite number, or null where allowed")


def parse_json(text: str | bytes, source: str = "<json>") -> Any:
    """Parse JSON strictly; raises :class:`InputFileError` naming ``source``, line and column."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputFileError(
                [
                    ValidationIssue.of(
                        source, msg("is not UTF-8 text (byte {byte})", byte=exc.start), msg("save the file as UTF-8")
                    )
                ],
                source=source,
            ) from exc
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants, parse_float=_finite_float
        )
    except _DuplicateKeyError as exc:
        raise InputFileError(
            [
                ValidationIssue.of(
                    source,
                    msg("the key {key!r} appears twice in one object (the first would be lost)", key=exc.args[0]),
                    msg("keep one entry per key"),
                )
            ],
            source=source,
        ) from exc
    except json.JSONDecodeError as exc:
        raise InputFileError(
            [
                ValidationIssue.of(
                    msg("{source} line {line}, column {column}", source=source, line=exc.lineno, column=exc.colno),
                    msg("is not valid JSON ({reason})", reason=exc.msg),
                    msg("correct the JSON syntax there (a missing comma, quote or bracket is typical)"),
                )
            ],
            source=source,
        ) from exc
    except RuleError as exc:  # NaN / Infinity / 1e400
        raise InputFileError([ValidationIssue.of(source, exc.message, exc.fix)], source=source) from exc
    except ValueError as exc:  # an integer of more than 4,300 digits: Python's own words
        raise InputFileError([ValidationIssue(source, str(exc), str(_FINITE), None, _FINITE)], source=source) from exc
    except RecursionError as exc:
        raise InputFileError(
            [ValidationIssue.of(source, msg("is nested too deeply"), msg("flatten the document"))], source=source
        ) from exc


def problem_from_json(
    text: str | bytes, source: str = "<json>", *, parsed: Callable[[], None] | None = None
) -> Problem:
    """A :class:`Problem` from JSON text; every error names ``source``. ``parsed`` is called between
    parsing and validating (the command line's progress)."""
    with _gc.paused():  # parsing and validating make only live objects (see matchmaker._gc)
        data = migrate_problem_data(parse_json(text, source), source)
    if parsed is not None:
        parsed()
    try:
        return Problem.model_validate(data)
    except ProblemValidationError as exc:
        raise ProblemValidationError(exc.issues, source=source) from exc


def load_problem(
    path: str | os.PathLike[str], *, max_bytes: int | None = None, parsed: Callable[[], None] | None = None
) -> Problem:
    """Read and validate a problem from a JSON file (``parsed`` as in :func:`problem_from_json`).

    A file of an older schema version is migrated with an :class:`~matchmaker.errors.InputWarning`.

    Raises:
        InputFileError: the file is missing, too large, not UTF-8, not valid JSON or of a newer schema.
        ProblemValidationError: the content breaks a rule; every issue is listed.
    """
    return problem_from_json(read_limited(path, max_bytes), str(path), parsed=parsed)


def _model_from_json(cls: type[T], text: str | bytes, source: str, what: str) -> T:
    with _gc.paused():  # parsing and validating make only live objects (see matchmaker._gc)
        data = migrate_result_data(parse_json(text, source), source)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InputFileError(issues_from_validation_error(exc, data, root=what), source=source) from exc


def result_from_json(text: str | bytes, source: str = "<json>") -> Result:
    """A :class:`Result` from JSON text."""
    return _model_from_json(Result, text, source, "result")


def load_result(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Result:
    """Read a result written by :func:`dump_result` (or ``matchmaker solve -o``); older versions are migrated."""
    return result_from_json(read_limited(path, max_bytes), str(path))


def _dump(write: Callable[[], str], path: str | os.PathLike[str] | None) -> str:
    text = write()
    if path is not None:
        atomic_write_text(path, text)
    return text


def dump_problem(problem: Problem, path: str | os.PathLike[str] | None = None) -> str:
    """The problem as indented JSON (written atomically to ``path`` if given)."""
    return _dump(lambda: problem.model_dump_json(indent=2) + "\n", path)


def dump_result(result: Result, path: str | os.PathLike[str] | None = None) -> str:
    """The result as indented JSON (written atomically to ``path`` if given)."""
    return _dump(lambda: result.to_json(indent=2) + "\n", path)


def problem_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a problem file."""
    schema = Problem.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "matchmaker:problem:v1"
    return schema


def result_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a result file."""
    schema = Result.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "matchmaker:result:v1"
    return schema
