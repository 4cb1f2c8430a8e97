"""OR-Tools, loaded first with a clear message when it clashes with highspy; CP-SAT's module on first use.

OR-Tools and highspy each bundle their own build of the HiGHS solver, and the two builds cannot live
in one process: whichever package is imported second fails with ``ImportError: ... undefined symbol``
naming a HiGHS function. This module loads OR-Tools' native library when matchmaker is imported
(through the min-cost flow's module, which every solve uses) and, when the failure is that clash,
re-raises it as an :class:`ImportError` that says what happened and what to do. The other order
(matchmaker first, highspy second) fails inside highspy's own import; :func:`highs_clash_message`
gives the same advice for callers who catch it.

**CP-SAT on first use.** OR-Tools' ``cp_model`` module imports pandas (and pandas imports pyarrow when it
is installed), which costs more than the rest of ``import matchmaker`` together, while a round that the
flow or the LP proves never calls CP-SAT. So ``cp_model`` and ``sat_parameters_pb2`` here are modules
that import themselves the first time one of their names is read (:class:`OnFirstUse`). Every module that
uses CP-SAT imports them from here at its top, as it would import OR-Tools' own (``from matchmaker._native
import cp_model``): the imports stay where the layers contract and a reader see them, and only the
loading of the third-party module waits. Nothing else is deferred this way.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__all__ = ["HIGHS_CLASH", "OnFirstUse", "cp_model", "highs_clash_message", "is_highs_clash", "sat_parameters_pb2"]

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


def _import_ortools(name: str) -> types.ModuleType:
    """Import OR-Tools' module ``name``; the clash with highspy becomes an :class:`ImportError` that says so."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        message = highs_clash_message(exc)
        if message is None:
            raise
        raise ImportError(f"matchmaker cannot load OR-Tools: {message}") from exc


def load_ortools() -> None:
    """Load OR-Tools' native library (through the min-cost flow's module).

    Raises:
        ImportError: OR-Tools cannot be loaded; when highspy was loaded first, the message says so.
    """
    _import_ortools("ortools.graph.python.min_cost_flow")


class OnFirstUse(types.ModuleType):
    """Stands for OR-Tools' module ``name`` and imports it the first time one of its names is read.

    After that first read every name of the real module is copied here, so later reads cost what a
    module's attribute costs. The import itself is Python's (thread-safe, once per process); two
    threads that copy at once copy the same values.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name, f"OR-Tools' {name}, imported on first use")

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # copy, pickle and introspection probe these: no import for them
            raise AttributeError(attr)
        module = _import_ortools(self.__name__)
        for key, value in vars(module).items():
            if not key.startswith("__"):
                setattr(self, key, value)
        return getattr(module, attr)


if TYPE_CHECKING:
    from ortools.sat import sat_parameters_pb2
    from ortools.sat.python import cp_model
else:
    cp_model = OnFirstUse("ortools.sat.python.cp_model")
    sat_parameters_pb2 = OnFirstUse("ortools.sat.sat_parameters_pb2")

load_ortools()
