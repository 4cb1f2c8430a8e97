"""Helpers over sorted index arrays: where each group starts, where each run of equal keys starts."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["first_of_runs", "groups"]


def groups(values: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """CSR offsets of a sorted index array: entries of group ``g`` are ``offsets[g]:offsets[g + 1]``."""
    return np.searchsorted(values, np.arange(n + 1)).astype(np.int64)


def first_of_runs(*keys: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """On arrays sorted by ``keys``: True where a new run of equal keys starts."""
    n = keys[0].size
    first = np.ones(n, dtype=bool)
    if n > 1:
        change = np.zeros(n - 1, dtype=bool)
        for k in keys:
            change |= k[1:] != k[:-1]
        first[1:] = change
    return first
