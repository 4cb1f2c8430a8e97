"""Pausing Python's cyclic garbage collector while a large input or model is built.

Reading a round creates hundreds of thousands of small containers that all stay alive (the records
of the problem). Each 700 allocations start a collection, and the older generations are traversed
again and again as they grow: at 10,000 applicants that doubled the time to load and validate. None
of those objects is garbage, so nothing is lost by collecting once afterwards instead. The same holds
for scoring, building the model and decoding the decision; an engine's search (which may run for
minutes, and calls back into the caller's code) is never run with the collector paused.

The pause is counted (nested and concurrent pauses end when the last one does) and restores the
state it found: a collector the caller had disabled stays disabled. Reference counting, which frees
almost everything, keeps working during the pause.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

__all__ = ["paused", "pausing"]

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector disabled (if it was enabled)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def pausing(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate ``fn`` to run with the collector paused: for the steps that build a round's large,
    live structures (scoring, the model, the decision), never for an engine's search."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused():
            return fn(*args, **kwargs)

    return wrapper
