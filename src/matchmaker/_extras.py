"""Optional dependencies: a missing one is a :class:`~matchmaker.errors.MissingExtraError` with the install hint."""

from __future__ import annotations

import importlib

from matchmaker.errors import MissingExtraError

__all__ = ["require"]


def require(module: str, feature: str, extra: str) -> None:
    """Import ``module`` or raise :class:`MissingExtraError` saying that ``feature`` needs ``matchmaker[extra]``."""
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(feature, extra, module) from exc
