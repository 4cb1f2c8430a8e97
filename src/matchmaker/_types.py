"""The array types shared by every floor: one definition each."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "FloatArray", "IntArray"]

#: Indices, counts, points: always int64, so sums never wrap on any platform.
IntArray = npt.NDArray[np.int64]
#: Fits and other real values before they become points.
FloatArray = npt.NDArray[np.float64]
#: Masks.
BoolArray = npt.NDArray[np.bool_]
