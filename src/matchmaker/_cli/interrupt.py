"""Ctrl-C as cancellation: the command line's way of stopping a solve and keeping the best plan.

A running engine holds the main thread inside native code, where Python cannot run a signal handler,
and CP-SAT's own Ctrl-C handling is off inside matchmaker (it would take over the process's handler).
So :func:`run_interruptible` runs the work in a worker thread and waits for it in the main thread,
where a SIGINT handler can run: the first Ctrl-C cancels the work's :class:`CancelToken` (the solve
returns the best plan found so far), a second one raises :class:`KeyboardInterrupt` as usual. The
previous handler is restored afterwards. Outside the main thread the work runs directly, with no
handler (signals are the main thread's business). The worker runs in a copy of the caller's context,
so that context variables (the size limits of :func:`matchmaker.use_limits`) hold there too. A native
call that holds Python's lock (the min-cost flow of a large stage) delays the handler until it
returns. :func:`deferred` holds Ctrl-C off while a file is written, so that a plan is never half-kept.
"""

from __future__ import annotations

import contextlib
import contextvars
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TypeVar

from matchmaker._engines.base import CancelToken

__all__ = ["deferred", "run_interruptible"]

T = TypeVar("T")


def run_interruptible(work: Callable[[CancelToken], T], on_interrupt: Callable[[], None] | None = None) -> T:
    """``work(token)``, where Ctrl-C cancels ``token`` (see the module docstring).

    Args:
        work: the work, given the token to pass on (to :func:`matchmaker.solve`).
        on_interrupt: called in the main thread on the first Ctrl-C (to tell the user).

    Returns:
        What ``work`` returned. An exception it raised is raised here.
    """
    token = CancelToken()
    if threading.current_thread() is not threading.main_thread():
        return work(token)

    outcome: list[T] = []
    failure: list[BaseException] = []
    context = contextvars.copy_context()  # the command's settings (its --limit) hold in the worker too

    def target() -> None:
        try:
            outcome.append(context.run(work, token))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which raises it
            failure.append(exc)

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel()
        if on_interrupt is not None:
            on_interrupt()

    worker = threading.Thread(target=target, name="matchmaker-solve", daemon=True)
    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.2)  # wakes up regularly so that the handler runs promptly
    finally:
        signal.signal(signal.SIGINT, previous)
    if failure:
        raise failure[0]
    return outcome[0]


@contextlib.contextmanager
def deferred(on_interrupt: Callable[[], None]) -> Iterator[list[bool]]:
    """Hold Ctrl-C off while the block runs (a file being written finishes first): ``on_interrupt`` is
    called in the main thread when it is pressed, and the list yielded holds ``True`` once it was.
    Outside the main thread nothing changes."""
    heard: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield heard
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if not heard:
            heard.append(True)
            on_interrupt()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield heard
    finally:
        signal.signal(signal.SIGINT, previous)
