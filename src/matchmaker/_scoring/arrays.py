"""Helpers over index arrays: where each group starts, where each run of equal keys starts, the stable
order of small keys."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["by_key_then_value", "first_of_runs", "groups", "stable_order"]


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


def stable_order(keys: npt.NDArray[Any], n: int) -> npt.NDArray[np.int64]:
    """``np.argsort(keys, kind="stable")`` for keys in ``range(n)``: the same order (a stable sort has
    one answer), by numpy's radix sort when every key fits 16 bits (several times faster than its
    merge sort on the millions of pairs of a large round)."""
    fits = n <= 1 << 16 and (keys.size == 0 or (int(keys.min()) >= 0 and int(keys.max()) < n))
    small = keys.astype(np.uint16) if fits else keys  # a key out of range would wrap: sorted as it is
    return np.argsort(small, kind="stable").astype(np.int64)


def by_key_then_value(keys: npt.NDArray[Any], values: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.int64]:
    """``np.lexsort((-values, keys))`` for keys in ``range(n)``: the same order (each stable sort has one
    answer), as a stable sort by value, highest first, then by key with :func:`stable_order`."""
    by_value = np.argsort(-values, kind="stable")
    return by_value[stable_order(keys[by_value], n)]
