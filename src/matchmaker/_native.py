"""OR-Tools' native library, loaded first, with a clear message when it clashes with highspy.

OR-Tools and highspy each bundle their own build of the HiGHS solver, and the two builds cannot live
in one process: whichever package is imported second fails with ``ImportError: ... undefined symbol``
naming a HiGHS function. This module imports OR-Tools when matchmaker is imported (it would be
imported a moment later anyway) and, when the failure is that clash, re-raises it as an
:class:`ImportError` that says what happened and what to do. The other order (matchmaker first,
highspy second) fails inside highspy's own import; :func:`highs_clash_message` gives the same
advice for callers who catch it.
"""

from __future__ import annotations

import sys

__all__ = ["HIGHS_CLASH", "highs_clash_message", "is_highs_clash"]

#: What to do when OR-Tools and highspy meet in one process.
HIGHS_CLASH = (
    "OR-Tools (used by matchmaker) and highspy bundle different builds of the HiGHS solver, which cannot "
    "be loaded into one process (whichever is imported second fails). Run HiGHS in its own process "
    "(for example with multiprocessing or a subprocess), or drop the highspy import from this process"
)


def is_highs_clash(exc: ImportError) -> bool:
    """Whether ``exc`` is the failure of loading OR-Tools or highspy after the other: a native symbol
    missing, naming HiGHS or with highspy already loaded."""
    text = str(exc)
    return "undefined symbol" in text and ("Highs" in text or "highs" in text or "highspy" in sys.modules)


def highs_clash_message(exc: ImportError) -> str | None:
    """The advice for ``exc`` if it is the HiGHS clash (see the module docstring), else ``None``."""
    return HIGHS_CLASH if is_highs_clash(exc) else None


def load_ortools() -> None:
    """Import OR-Tools' CP-SAT module (and with it the native library).

    Raises:
        ImportError: OR-Tools cannot be loaded; when highspy was loaded first, the message says so.
    """
    try:
        from ortools.sat.python import cp_model  # noqa: F401  (loaded here first, to name a clash with highspy)
    except ImportError as exc:
        message = highs_clash_message(exc)
        if message is None:
            raise
        raise ImportError(f"matchmaker cannot load OR-Tools: {message}") from exc


load_ortools()
