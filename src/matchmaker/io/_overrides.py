"""Overrides files: an official's pins and forbidden pairs with their reasons, read and written as JSON."""

from __future__ import annotations

import os
from collections.abc import Sequence

from matchmaker.io._files import atomic_write_text, read_limited
from matchmaker.io._json import parse_json
from matchmaker.review._overrides import Override, OverrideList

__all__ = ["dump_overrides", "load_overrides"]


def load_overrides(path: str | os.PathLike[str]) -> tuple[Override, ...]:
    """The overrides of an overrides file (JSON, see :class:`OverrideList`).

    Raises:
        InputFileError: the file cannot be read or is not JSON.
        ProblemValidationError: an override lacks a reason or an official, or names both a unit and a
            supervisor.
    """
    return OverrideList.model_validate(parse_json(read_limited(path), str(path))).overrides


def dump_overrides(overrides: Sequence[Override], path: str | os.PathLike[str]) -> None:
    """Write an overrides file (JSON), atomically."""
    text = OverrideList(overrides=tuple(overrides)).model_dump_json(indent=2, exclude_none=True)
    atomic_write_text(path, text + "\n")
