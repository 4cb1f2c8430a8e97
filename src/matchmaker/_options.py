"""Typed solve options. Unknown names and values are errors, never silently defaulted."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal, Self

from pydantic import Field, Strict, model_validator

from matchmaker._base import Record
from matchmaker._native import sat_parameters_pb2
from matchmaker._text import suggest
from matchmaker.errors import InputError, OptionsError

__all__ = ["Engine", "SolveOptions"]

#: The engines :func:`matchmaker.solve` can use: ``auto`` proves each stage with the fastest exact engine
#: (min-cost flow when the model is a network, else the certified LP, else CP-SAT); ``lp`` skips the
#: flow (the certified LP, else CP-SAT); ``cp-sat`` uses CP-SAT alone.
Engine = Literal["auto", "lp", "cp-sat"]

_RESERVED_PARAMETERS = {
    "catch_sigint_signal": "matchmaker keeps CP-SAT's own Ctrl-C handling off; cancel with a matchmaker.CancelToken",
    "max_time_in_seconds": "use SolveOptions.time_limit",
    "num_workers": "use SolveOptions.workers",
    "num_search_workers": "use SolveOptions.workers",
    "random_seed": "use SolveOptions.solver_seed",
    "log_search_progress": "use SolveOptions.log",
}


def _default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


class SolveOptions(Record):
    """How to run the solver. None of these change a proven-optimal decision.

    Attributes:
        time_limit: seconds for the whole solve (every stage together); ``None`` for no limit. When it
            runs out, the best plan found is returned with status ``feasible`` and its bound.
        workers: parallel search workers for CP-SAT; default: the number of cores, at most 8.
        solver_seed: CP-SAT's random seed (search order only; the decision's tie-break is the policy's
            ``lottery_seed``).
        engine: ``"auto"`` or a named engine.
        log: send the engine's search log to the ``matchmaker`` logger at DEBUG level.
        cpsat_parameters: raw CP-SAT parameters (an escape hatch), by their names in
            ``ortools.sat.sat_parameters_pb2.SatParameters``; a repeated field such as ``subsolvers``
            takes a comma-separated string. Unknown names are refused.
    """

    time_limit: Annotated[float, Strict(), Field(gt=0, le=7 * 24 * 3600)] | None = None
    workers: Annotated[int, Strict(), Field(ge=1, le=64)] = Field(default_factory=_default_workers)
    solver_seed: Annotated[int, Strict(), Field(ge=0, le=2**31 - 1)] = 0
    engine: Engine = "auto"
    log: bool = False
    cpsat_parameters: Mapping[str, bool | int | float | str] = Field(default_factory=dict)

    #: Options have their own error (an unknown name gets the one most likely meant).
    _error_type: ClassVar[type[InputError]] = OptionsError

    @model_validator(mode="after")
    def _known_parameters(self) -> Self:
        if not self.cpsat_parameters:
            return self

        known = set(sat_parameters_pb2.SatParameters.DESCRIPTOR.fields_by_name)
        for name in self.cpsat_parameters:
            if name in _RESERVED_PARAMETERS:
                raise ValueError(f"cpsat_parameters[{name!r}] is set by matchmaker; {_RESERVED_PARAMETERS[name]}")
            if name not in known:
                hint = suggest(name, known)
                meant = f" (did you mean {hint!r}?)" if hint is not None else ""
                raise ValueError(
                    f"cpsat_parameters[{name!r}] is not a CP-SAT parameter{meant}; check the name against "
                    "SatParameters in ortools/sat/sat_parameters.proto"
                )
        return self
