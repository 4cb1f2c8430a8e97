"""The checker as it was before it was vectorised, kept only to compare reports with (tests/test_checker_arrays.py).

Only what changed is kept: :class:`Truth`'s whole-round methods, the audit and both sides' orders, the
levels and :func:`check` itself; the rest is the library's own.
"""

from legacy_checks.checker import check
from legacy_checks.truth import Truth

__all__ = ["Truth", "check"]
