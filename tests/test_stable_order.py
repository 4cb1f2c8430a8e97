"""stable_order: numpy's stable argsort of small keys, the same order whichever sort runs."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from matchmaker._scoring.arrays import stable_order


@given(n=st.sampled_from([1, 2, 7, 4_000, 1 << 16, (1 << 16) + 1, 1 << 20]), data=st.data())
def test_stable_order_is_the_stable_argsort(n: int, data: st.DataObject) -> None:
    keys = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=300)), dtype=np.int64)
    order = stable_order(keys, n)
    assert order.dtype == np.int64
    assert np.array_equal(order, np.argsort(keys, kind="stable"))


def test_keys_outside_the_range_are_sorted_as_they_are() -> None:
    keys = np.array([3, -1, 70_000, 0, 3, -1], dtype=np.int64)
    assert np.array_equal(stable_order(keys, 4), np.argsort(keys, kind="stable"))


def test_stable_order_keeps_equal_keys_in_place_at_scale() -> None:
    # Many equal keys (every supervisor with hundreds of pairs): within a key, pair order is kept.
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 4_000, 200_000)
    order = stable_order(keys, 4_000)
    assert np.all(np.diff(keys[order]) >= 0)
    same = np.diff(keys[order]) == 0
    assert np.all(np.diff(order)[same] > 0)
