"""Scenario files: a JSON list of named what-if changes, read and validated."""

from __future__ import annotations

import os

from pydantic import TypeAdapter, ValidationError

from matchmaker._pydantic_errors import issues_from_validation_error
from matchmaker._scenarios import Scenario
from matchmaker.errors import InputFileError
from matchmaker.io._files import read_limited
from matchmaker.io._json import parse_json

__all__ = ["load_scenarios"]

_SCENARIOS: TypeAdapter[tuple[Scenario, ...]] = TypeAdapter(tuple[Scenario, ...])


def load_scenarios(path: str | os.PathLike[str]) -> tuple[Scenario, ...]:
    """Read scenarios from a JSON file: a list of ``{"name": ..., "changes": [{"kind": ...}, ...]}``.

    Raises:
        InputError: the file cannot be read, is not strict JSON, or a scenario is not valid.
    """
    source = os.fspath(path)
    raw = parse_json(read_limited(path), source)
    try:
        return _SCENARIOS.validate_python(raw)
    except ValidationError as exc:
        raise InputFileError(issues_from_validation_error(exc, raw, root="scenarios"), source=source) from exc
