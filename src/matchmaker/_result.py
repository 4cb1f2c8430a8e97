"""The result of a solve: an immutable decision, kept apart from the run's statistics.

The *decision* (status, objective levels, assignments, unplaced applicants, the input's fingerprint and
the lottery seed) depends only on the problem and its policy: for a proven optimum its canonical JSON
(:meth:`Result.decision_json`) is byte-identical across runs, processes, worker counts and record
order. The *statistics* (times, engine, workers, versions) describe one run and may differ.
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from matchmaker._canonical import canonical_bytes
from matchmaker._i18n import Lang, Message, msg
from matchmaker._metrics import Metrics
from matchmaker.errors import ResultStatusError

if TYPE_CHECKING:
    import pandas as pd

    from matchmaker._models import Problem
    from matchmaker.explanations._types import ApplicantExplanation

__all__ = [
    "RESULT_SCHEMA_VERSION",
    "Assignment",
    "Decision",
    "LevelValue",
    "Move",
    "Placement",
    "PlanDiff",
    "RepairBasis",
    "RepairRecord",
    "Result",
    "RunStatistics",
    "StageStatistics",
    "Status",
    "Unplaced",
    "UnplacedReason",
]

#: The version of the result schema this library writes.
RESULT_SCHEMA_VERSION = 1


class Status(enum.StrEnum):
    """How a solve ended.

    * ``optimal``: the plan is proven best on every level of the objective vector;
    * ``feasible``: a plan was found but a limit (time, cancellation) stopped the proof; see the bound;
    * ``infeasible``: no plan satisfies every constraint (the decision's ``message`` says which clash);
    * ``unknown``: a limit was hit before any plan was found.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"

    @property
    def is_optimal(self) -> bool:
        """Proven optimal."""
        return self is Status.OPTIMAL

    @property
    def has_plan(self) -> bool:
        """A plan exists (optimal or feasible)."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)

    def text(self, lang: Lang = "en") -> str:
        """The status as a word of ``lang`` (the value itself in English)."""
        return _STATUS_TEXT[self].text(lang)


_STATUS_TEXT: dict[Status, Message] = {
    Status.OPTIMAL: msg("optimal"),
    Status.FEASIBLE: msg("feasible"),
    Status.INFEASIBLE: msg("infeasible"),
    Status.UNKNOWN: msg("unknown"),
}


class UnplacedReason(enum.StrEnum):
    """Why an applicant has no placement.

    * ``no_acceptable_option``: every option they wished for was removed by a rule (or they gave none);
    * ``not_selected``: they had acceptable options, but the optimal plan gave those places to others;
    * ``no_plan``: the solve found no plan at all (infeasible or unknown).
    """

    NO_ACCEPTABLE_OPTION = "no_acceptable_option"
    NOT_SELECTED = "not_selected"
    NO_PLAN = "no_plan"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Assignment(_Out):
    """One placement: applicant with supervisor in unit (of municipality), with its fit.

    ``fit`` is the pair's fit rounded to the solver's 4 decimals (``fit_points / 10,000``); ``rank`` is
    the applicant's own rank of this option (1 = first choice); ``continuity`` is the continuity bonus
    the fit includes (the applicant stays with their step-1 supervisor or unit), 0 if none.
    """

    applicant: str
    supervisor: str
    unit: str
    municipality: str
    fit: float
    fit_points: int
    rank: int
    continuity: float = 0.0


class Unplaced(_Out):
    """An applicant without a placement, and why (a code and a short sentence)."""

    applicant: str
    reason: UnplacedReason
    detail: str


class LevelValue(_Out):
    """The value of one level of the objective vector in this plan (``None`` without a plan)."""

    name: str
    sense: Literal["max", "min"]
    value: int | None


class Move(_Out):
    """An applicant whose placement differs between two plans (``None`` = unplaced)."""

    applicant: str
    before: str | None
    before_unit: str | None
    after: str | None
    after_unit: str | None


class PlanDiff(_Out):
    """How a plan differs from an earlier one, applicant by applicant (each list sorted by id).

    * ``moved``: placed in both, with another supervisor (``before`` -> ``after``);
    * ``newly_placed``: unplaced before (or new to the round), placed now;
    * ``newly_unplaced``: placed before, still in the round, unplaced now;
    * ``withdrawn``: placed before, no longer in the round;
    * ``unchanged``: how many keep the same supervisor.
    """

    moved: tuple[Move, ...]
    newly_placed: tuple[Move, ...]
    newly_unplaced: tuple[Move, ...]
    withdrawn: tuple[Move, ...]
    unchanged: int

    @property
    def moved_count(self) -> int:
        """People of the earlier plan who lose or change their placement: what level ``moved`` counts
        (``moved`` and ``newly_unplaced``; withdrawn applicants are not counted)."""
        return len(self.moved) + len(self.newly_unplaced)

    def before_plan(self, after: Mapping[str, str]) -> dict[str, str]:
        """The earlier plan (applicant id -> supervisor id), given the later plan ``after``."""
        changed = {m.applicant for m in (*self.moved, *self.newly_placed)}
        plan = {a: s for a, s in after.items() if a not in changed}
        for m in (*self.moved, *self.newly_unplaced, *self.withdrawn):
            if m.before is not None:
                plan[m.applicant] = m.before
        return plan


class RepairRecord(_Out):
    """What a repair was asked to do, and what changed (see :func:`matchmaker.reoptimise`).

    ``previous_fingerprint`` is the input fingerprint of the repaired result. Level ``moved`` sat at
    ``position`` of the objective vector, or every move cost ``penalty`` fit in level
    ``total_fit_less_moves`` (exactly one of the two is set). ``keep`` lists the applicants held at
    their previous supervisor (hard keeps). ``diff`` compares the new plan with the previous one.
    """

    previous_fingerprint: str
    position: float | None
    penalty: float | None
    keep: tuple[str, ...]
    diff: PlanDiff


class Placement(_Out):
    """One placement of a plan, ids only: ``applicant`` with ``supervisor`` in ``unit``."""

    applicant: str
    supervisor: str
    unit: str


class RepairBasis(_Out):
    """What a repair re-solves from besides the changed round: the ``previous`` plan (sorted by
    applicant), the input fingerprint of the result it came from, and the settings of
    :func:`matchmaker.reoptimise` (``position`` or ``penalty``, and the hard keeps, ``keep``).

    :func:`matchmaker._repair.repair_basis` reads it from a repaired result (its ``decision.repair``
    leads back to the previous plan); an audit record keeps it, so that a repaired plan can be
    reproduced and overridden as a repair (:func:`matchmaker._repair.repeat_repair`).
    """

    previous_fingerprint: str
    previous: tuple[Placement, ...]
    position: float | None
    penalty: float | None
    keep: tuple[str, ...]


class Decision(_Out):
    """Everything that is decided: the part that must be reproducible byte for byte.

    ``metrics`` is always set by :func:`matchmaker.solve`; it is ``None`` only in a result migrated from
    a schema version that did not record them. ``repair`` is set on a result of
    :func:`matchmaker.reoptimise`: how it was asked, and what changed.
    """

    status: Status
    objective: tuple[LevelValue, ...]
    assignments: tuple[Assignment, ...]
    unplaced: tuple[Unplaced, ...]
    input_fingerprint: str
    lottery_seed: int
    metrics: Metrics | None = None
    message: str | None = None
    repair: RepairRecord | None = None


class StageStatistics(_Out):
    """One stage of the lexicographic solve."""

    levels: tuple[str, ...]
    status: str
    value: int | None
    bound: int | None
    wall_time: float
    engine_status: str


class RunStatistics(_Out):
    """How this run went: not part of the decision. ``input`` is the problem file the command line
    read (so that ``matchmaker explain RESULT`` can find it), if any. ``unchecked`` marks a plan the
    command line wrote before the independent check finished (Ctrl-C during the check); ``matchmaker
    check`` checks it later and clears the mark. It is run metadata, outside the decision and its
    fingerprint, and a file writes it only when it is set, so a checked result's bytes are as before."""

    engine: str
    wall_time: float
    score_time: float
    build_time: float
    solve_time: float
    workers: int
    solver_seed: int
    time_limit: float | None
    cancelled: bool
    n_pairs: int
    n_rows: int
    stages: tuple[StageStatistics, ...]
    input: str | None = None
    versions: Mapping[str, str]
    parameters: Mapping[str, Any] = Field(default_factory=dict)
    unchecked: bool = Field(default=False, exclude_if=lambda marked: not marked)


#: The properties :class:`Result` caches (computed from its decision).
_CACHED = ("objective", "placement_of")


class Result(_Out):
    """The outcome of :func:`matchmaker.solve`: a :class:`Decision` and :class:`RunStatistics`.

    Infeasible and unknown are statuses, not exceptions; call :meth:`raise_for_status` to turn a
    missing plan into :class:`~matchmaker.errors.ResultStatusError`.
    """

    schema_version: int = RESULT_SCHEMA_VERSION
    kind: Literal["matchmaker.result"] = "matchmaker.result"
    decision: Decision
    statistics: RunStatistics

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, the lookups cached from the old decision (``objective``,
        ``placement_of``) are computed again from the new one."""
        copied = super().model_copy(update=update, deep=deep)
        for name in _CACHED:
            copied.__dict__.pop(name, None)
        return copied

    @property
    def status(self) -> Status:
        """How the solve ended."""
        return self.decision.status

    @property
    def assignments(self) -> tuple[Assignment, ...]:
        """Placements, sorted by applicant id."""
        return self.decision.assignments

    @property
    def unplaced(self) -> tuple[Unplaced, ...]:
        """Applicants without a placement, sorted by id, each with a reason."""
        return self.decision.unplaced

    @cached_property
    def objective(self) -> Mapping[str, int | None]:
        """Each objective level's value by name, in lexicographic order."""
        return {lv.name: lv.value for lv in self.decision.objective}

    @property
    def is_optimal(self) -> bool:
        """Proven optimal."""
        return self.decision.status.is_optimal

    @property
    def unchecked(self) -> bool:
        """The plan was written before the independent check finished (see :class:`RunStatistics`)."""
        return self.statistics.unchecked

    def marked(self, *, unchecked: bool) -> Result:
        """A copy with the unchecked mark set or cleared; the decision is the same object."""
        stats = self.statistics.model_copy(update={"unchecked": unchecked})
        return self.model_copy(update={"statistics": stats})

    @property
    def gap(self) -> float | None:
        """Relative gap of the first stage not proven optimal (0.0 when optimal, None without plan)."""
        if not self.status.has_plan:
            return None
        for st in self.statistics.stages:
            if st.status != "optimal" and st.value is not None and st.bound is not None:
                return abs(st.bound - st.value) / max(1.0, abs(st.bound))
        return 0.0

    @cached_property
    def placement_of(self) -> Mapping[str, Assignment]:
        """Assignments by applicant id."""
        return {a.applicant: a for a in self.decision.assignments}

    def raise_for_status(self) -> Result:
        """Return ``self`` if it holds a plan, else raise :class:`ResultStatusError`."""
        if not self.status.has_plan:
            detail = f": {self.decision.message}" if self.decision.message else ""
            raise ResultStatusError(f"the solve ended {self.status.value} without a plan{detail}")
        return self

    def decision_json(self) -> bytes:
        """The decision as canonical JSON bytes (sorted keys, compact, UTF-8)."""
        return canonical_bytes(self.decision.model_dump(mode="json"))

    def to_json(self, *, indent: int | None = 2) -> str:
        """The whole result (decision and statistics) as JSON text."""
        return self.model_dump_json(indent=indent)

    def explain(self, problem: Problem, applicant: str) -> ApplicantExplanation:
        """Deprecated alias of :func:`matchmaker.explain` (``mm.explain(problem, result, applicant)``):
        warns, and goes in 0.3. A result is data; the explanations sit floors above it."""
        warnings.warn(
            "Result.explain(problem, applicant) is deprecated and goes in 0.3: "
            "use matchmaker.explain(problem, result, applicant)",
            DeprecationWarning,
            stacklevel=2,
        )
        from matchmaker.explanations._applicant import explain  # the deprecated alias only

        return explain(problem, self, applicant)

    def to_frame(self) -> pd.DataFrame:
        """One row per applicant: the placement or the reason for none (needs the ``pandas`` extra);
        see :func:`matchmaker.report._frame.result_frame`."""
        from matchmaker.report._frame import result_frame  # the pandas extra, imported on use

        return result_frame(self)

    def _repr_html_(self) -> str:
        # Jupyter's display protocol: the summary is rendered on the report floor, reached on use only.
        from matchmaker.report._notebook import result_html_summary

        return result_html_summary(self)

    def __repr__(self) -> str:
        """One line: status, placed and unplaced counts, engine and the start of the input's fingerprint."""
        from matchmaker.report._notebook import result_repr  # on the report floor, reached on use only

        return result_repr(self)
