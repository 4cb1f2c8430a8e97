"""Pausing Python's cyclic garbage collector while a large input or model is built.

Reading a round creates hundreds of thousands of small containers that all stay alive (the records
of the problem). Each 700 allocations start a collection, and the older generations are traversed
again and again as they grow: at 10,000 applicants that doubled the time to load and validate. None
of those objects is garbage, so nothing is lost by collecting once afterwards instead. The same holds
for scoring, building the model and decoding the decision; an engine's search (which may run for
minutes, and calls back into the caller's code) is never run with the collector paused.

The pause is counted (nested and concurrent pauses end when the last one does) and restores the
state it found: a collector the caller had disabled stays disabled. A process forked during a pause
starts with the collector as it was before the pause. Code elsewhere that saves the collector's state,
disables it and restores it while a pause runs would restore "disabled": a limit of any such toggle.
Reference counting, which frees almost everything, keeps working during the pause.
"""

from __future__ import annotations

import functools
import gc
import os
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


def _after_fork_in_child() -> None:
    # A child forked while another thread held a pause would inherit a disabled collector and a count
    # no thread of its own will ever bring back to 0 (and perhaps a held lock): start afresh.
    global _lock, _depth
    _lock = threading.Lock()
    if _depth > 0:
        _depth = 0
        if _was_enabled:
            gc.enable()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


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
            _depth = max(0, _depth - 1)  # 0 already in a child forked inside this very pause
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
