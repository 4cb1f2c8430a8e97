"""What every engine provides, and cancellation.

An engine opens a :class:`Session` on a :class:`~matchmaker._linear.LinearModel`. The lexicographic driver
(:mod:`matchmaker._lexicographic`) asks the session to maximise one combined objective per stage and then
to hold that stage's value while it optimises the next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from matchmaker._linear import Objective, Threshold
from matchmaker._types import IntArray

__all__ = ["SPLIT_STAGE", "CancelToken", "Session", "StageOutcome", "StageStatus"]
StageStatus = Literal["optimal", "feasible", "infeasible", "unknown"]


#: The engine status of a ``flow_only`` stage the flow did not solve: split the stage and go on.
SPLIT_STAGE = "SPLIT_STAGE"


@dataclass(frozen=True, eq=False)
class StageOutcome:
    """What one optimisation returned: status, all variable values (if a plan was found), the
    objective value, the best proven bound, the engine's wall time and its own status name."""

    status: StageStatus
    values: IntArray | None
    objective: int | None
    bound: int | None
    wall_time: float
    engine_status: str


class Session(Protocol):
    """An engine's working copy of one model.

    ``stage_limit`` is the largest combined range of merged levels the engine handles exactly and
    well: CP-SAT's integer arithmetic takes 2**52, the LP engine prefers small coefficients.
    ``coef_limit``, when not ``None``, also bounds the merged objective's largest coefficient (the
    min-cost flow's limit per arc).
    """

    stage_limit: int
    coef_limit: int | None

    def optimise(self, objective: Objective, time_limit: float | None, hint: IntArray | None) -> StageOutcome:
        """Maximise ``objective`` subject to the model and every constraint added so far."""

    def constrain(self, objective: Objective, lb: int, ub: int, parts: Sequence[tuple[Objective, int]] = ()) -> None:
        """Add ``lb <= objective <= ub`` for the following stages; ``parts`` are the values of the levels
        merged into ``objective`` at its optimum, which an engine may hold one by one as well (implied,
        but a stronger relaxation)."""

    def probe(self, threshold: Threshold, time_limit: float | None) -> StageOutcome:
        """Is there a plan meeting ``threshold`` and everything held so far? Status ``feasible`` (with
        the plan), ``infeasible`` (proved) or ``unknown``. Leaves the session unchanged."""

    def tighten(self, threshold: Threshold) -> None:
        """Hold ``threshold`` for the following stages."""

    def stop(self) -> None:
        """Ask a running :meth:`optimise` (in another thread) to return its best plan now."""


class CancelToken:
    """Cancels a running solve from another thread; the solve returns the best plan found so far.

    Create one, pass it to :func:`matchmaker.solve`, and call :meth:`cancel` from any thread (a signal
    handler, a web request, a timer). A token can be used for one solve at a time.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._stoppers: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` has been called."""
        return self._cancelled

    def cancel(self) -> None:
        """Stop the solve as soon as possible, keeping the best plan found so far."""
        with self._lock:
            self._cancelled = True
            stoppers = list(self._stoppers)
        for stop in stoppers:
            stop()

    def _register(self, stop: Callable[[], None]) -> None:
        with self._lock:
            self._stoppers.append(stop)
            cancelled = self._cancelled
        if cancelled:
            stop()

    def _unregister(self, stop: Callable[[], None]) -> None:
        with self._lock:
            if stop in self._stoppers:
                self._stoppers.remove(stop)
