"""Progress of a running solve, as a stream of :class:`ProgressEvent` for a callback.

Pass ``progress=callback`` to :func:`matchmaker.solve`. The callback receives an event whenever
something changes:

==============  ==================================================================================
``kind``        when
==============  ==================================================================================
``phase``       a phase of the run starts (``phase``): ``score``, ``build``, ``solve``, ``decode``;
                the command line adds ``load``, ``validate``, ``check`` and ``write``
``stage``       a stage of the lexicographic solve starts (``stage`` of ``stages``, its ``levels``)
``engine``      an engine takes up the stage (``"flow"`` or ``"lp"``, else ``"cp-sat"``)
``solution``    the engine found a better plan for the stage (``objective``)
``bound``       the engine proved a better bound for the stage (``bound``)
``log``         a line of CP-SAT's search log (``line``)
``tick``        a timer: at least every ``interval`` seconds while the solve runs (``elapsed``)
``stage_done``  the stage ended (``status``, and its final ``objective`` and ``bound``)
``done``        the solve ended (``status`` of the whole solve)
==============  ==================================================================================

Every event carries the whole current state (elapsed time, phase, stage, engine, best objective and
bound of the stage), so a display can redraw from the latest event alone. The objective of a stage is its
merged levels' weighted sum (see :mod:`matchmaker._lexicographic`), maximised; ``gap`` compares it with
the bound as :attr:`matchmaker.Result.gap` does.

The callback runs on the solving thread, a CP-SAT search thread or the timer thread, but never twice at
once; it should return quickly. An exception it raises is logged and switches progress off for the
rest of the solve; the solve itself goes on. Progress never changes a decision.

The ``tick`` comes from a timer thread, so it needs Python's interpreter lock: while a native call
holds it (the min-cost flow of a large stage, a large validation or parse), no event can be
delivered, and the next comes when the call returns (``benchmarks/progress_gaps.py`` measures the
largest gap; the figures are in ``benchmarks/README.md``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from matchmaker._i18n import Lang, tr

__all__ = ["PHASES", "Phase", "ProgressCallback", "ProgressEvent", "ProgressKind", "Reporter"]

logger = logging.getLogger("matchmaker.progress")

#: What happened; see the module docstring.
ProgressKind = Literal["phase", "stage", "engine", "solution", "bound", "log", "tick", "stage_done", "done"]

#: A phase of a run; :func:`matchmaker.solve` reports ``score`` to ``decode``, the command line the rest.
Phase = Literal["load", "validate", "score", "build", "solve", "decode", "check", "write"]
#: The phases in the order a run of ``matchmaker solve`` goes through them.
PHASES: tuple[Phase, ...] = ("load", "validate", "score", "build", "solve", "decode", "check", "write")


def _number(value: float) -> str:
    if abs(value) < 1e7:
        return f"{value:,.0f}".replace(",", " ") if value == int(value) else f"{value:.4f}"
    return f"{value:.6g}"


@dataclass(frozen=True)
class ProgressEvent:
    """The state of a running solve when something happened (see :mod:`matchmaker._progress`).

    Attributes:
        kind: what happened: ``phase``, ``stage``, ``engine``, ``solution``, ``bound``, ``log``, ``tick``,
            ``stage_done`` or ``done``.
        elapsed: seconds since the solve started.
        stage: the current stage, counted from 1 (0 before the first).
        stages: how many stages the solve has.
        levels: the names of the current stage's objective levels.
        engine: the engine working on the stage (``"flow"``, ``"lp"`` or ``"cp-sat"``), if one has started.
        objective: the best objective value of the current stage found so far.
        bound: the best proven bound on the current stage's objective.
        status: for ``stage_done`` the stage's status, for ``done`` the solve's.
        line: for ``log``, the engine's log line.
        phase: the phase the run is in (``None`` before the first ``phase`` event).
    """

    kind: ProgressKind
    elapsed: float
    stage: int = 0
    stages: int = 0
    levels: tuple[str, ...] = ()
    engine: str | None = None
    objective: float | None = None
    bound: float | None = None
    status: str | None = None
    line: str | None = None
    phase: Phase | None = None

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound of the current stage, ``None`` until both exist."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(1.0, abs(self.bound))

    def text(self, lang: Lang = "en") -> str:
        """A one-line summary in ``lang``, e.g. ``"4.2 s  stage 3/5 lowest_fit_per_place (cp-sat)  best 8 392
        bound 8 457  gap 0.77%"``."""
        parts = [f"{self.elapsed:.1f} s"]
        if self.stage:
            names = ", ".join(self.levels[:2]) + (f" +{len(self.levels) - 2}" if len(self.levels) > 2 else "")
            stage = tr("stage {stage}/{stages}", lang, stage=self.stage, stages=self.stages)
            parts.append(f"{stage} {names}" + (f" ({self.engine})" if self.engine else ""))
        if self.objective is not None:
            parts.append(tr("best {best}", lang, best=_number(self.objective)))
        if self.bound is not None:
            parts.append(tr("bound {bound}", lang, bound=_number(self.bound)))
        gap = self.gap
        if gap is not None:
            parts.append(tr("gap {gap}", lang, gap=f"{gap:.2%}"))
        if self.status is not None:
            parts.append(self.status)
        return "  ".join(parts)


#: A progress callback: called with each :class:`ProgressEvent`.
ProgressCallback = Callable[[ProgressEvent], None]


class Reporter:
    """Turns what the lexicographic driver and the engines report into events for one callback.

    Thread-safe: engines call it from their search threads. Holds the current state, so each event
    is complete. ``start()`` starts the timer thread, ``finish()`` stops it (always call it).
    """

    def __init__(self, callback: ProgressCallback, *, started: float | None = None, interval: float = 0.25) -> None:
        self._callback: ProgressCallback | None = callback
        self._t0 = started if started is not None else time.perf_counter()
        self._interval = interval
        self._lock = threading.RLock()
        self._state = ProgressEvent("tick", 0.0)
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None

    @property
    def state(self) -> ProgressEvent:
        """The latest event (the current phase, stage and engine); read without the lock, so that a
        signal handler may ask while the reporter is busy."""
        return self._state

    def start(self) -> None:
        """Start the timer thread (a ``tick`` at least every ``interval`` seconds)."""
        if self._timer is None:
            self._timer = threading.Thread(target=self._tick, name="matchmaker-progress", daemon=True)
            self._timer.start()

    def _tick(self) -> None:
        while not self._stop.wait(self._interval):
            self._emit("tick")

    def _emit(self, kind: ProgressKind, **changes: Any) -> None:
        with self._lock:
            if self._callback is None:
                return
            state = replace(self._state, kind=kind, elapsed=time.perf_counter() - self._t0, **changes)
            if kind != "log":
                self._state = replace(state, line=None)
            try:
                self._callback(state)
            except Exception:
                logger.exception("the progress callback failed; progress is off for the rest of this solve")
                self._callback = None

    def phase(self, name: Phase) -> None:
        """The run enters phase ``name``."""
        self._emit("phase", phase=name)

    def relay(self, event: ProgressEvent) -> None:
        """Pass on an event of another reporter (a solve inside a longer run), timed by this one's clock."""
        changes = {f.name: getattr(event, f.name) for f in fields(event) if f.name not in ("kind", "elapsed")}
        self._emit(event.kind, **changes)

    def stage(self, index: int, count: int, levels: tuple[str, ...]) -> None:
        """Stage ``index`` (from 1) of ``count`` starts, optimising ``levels``."""
        fresh = {"engine": None, "objective": None, "bound": None, "status": None}
        self._emit("stage", stage=index, stages=count, levels=levels, **fresh)

    def engine(self, name: str) -> None:
        """``name`` takes up the current stage (a new engine's objective and bound start afresh)."""
        self._emit("engine", engine=name, objective=None, bound=None)

    def solution(self, objective: float) -> None:
        """A better plan of the current stage."""
        self._emit("solution", objective=objective)

    def bound(self, bound: float) -> None:
        """A better bound of the current stage."""
        self._emit("bound", bound=bound)

    def log(self, line: str) -> None:
        """A line of the engine's log."""
        self._emit("log", line=line)

    def stage_done(self, status: str, objective: int | None, bound: int | None) -> None:
        """The current stage ended."""
        value = None if objective is None else float(objective)
        proved = None if bound is None else float(bound)
        self._emit("stage_done", status=status, objective=value, bound=proved)

    def finish(self, status: str | None = None) -> None:
        """Stop the timer; with ``status``, report the end of the solve."""
        self._stop.set()
        timer = self._timer
        if timer is not None and timer is not threading.current_thread():
            timer.join()
        if status is not None:
            self._emit("done", status=status)
