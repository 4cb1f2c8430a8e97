"""What-if scenarios: named changes to a base problem, solved in a batch and compared side by side.

A :class:`Scenario` is a name and a list of changes: places added to or removed from a unit or a
municipality (:class:`ChangePlaces`), a supervisor added (:class:`AddSupervisor`) or removed
(:class:`RemoveSupervisor`: no students this round), the fit's weights changed
(:class:`ChangeWeights`), or an applicant-unit or applicant-supervisor pair forbidden
(:class:`ForbidPair`). :func:`apply_scenario` makes the changed problem (validated like any other).

:func:`compare_scenarios` solves the base problem and every scenario and returns a
:class:`ScenarioComparison`: per scenario the status, the placed count, every objective level, the rank
profile, the fill per municipality and who changes against the base plan. The solves go through any
:class:`concurrent.futures.Executor` the caller passes (a ``ProcessPoolExecutor`` on one machine, or an
executor of Dask, ``Client.get_executor()``, or a :class:`~matchmaker.RayExecutor` across machines); on
Dask and Ray the base problem is shipped to the cluster once, not with every scenario. Without an executor
they run one after the other. Decisions are reproducible, so a batch gives the same comparison however it
is run.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from matchmaker._cluster import share
from matchmaker._i18n import Lang, Message, msg, tr
from matchmaker._models import Id, Problem, TrainingStatus
from matchmaker._options import SolveOptions
from matchmaker._pipeline import solve
from matchmaker._repair import plan_diff
from matchmaker._result import LevelValue, PlanDiff, Result, Status
from matchmaker.errors import InputError, ProblemValidationError, ValidationIssue

__all__ = [
    "AddSupervisor",
    "ChangePlaces",
    "ChangeWeights",
    "ForbidPair",
    "RemoveSupervisor",
    "Scenario",
    "ScenarioComparison",
    "ScenarioOutcome",
    "TrainSupervisor",
    "apply_scenario",
    "compare_scenarios",
]


class _Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class ChangePlaces(_Change):
    """Add ``places`` (negative: remove) to the ``max_places`` of a unit or of a municipality (give one)."""

    kind: Literal["places"] = "places"
    unit: Id | None = None
    municipality: Id | None = None
    places: Annotated[int, Field(ge=-1_000_000, le=1_000_000)]


class AddSupervisor(_Change):
    """A new supervisor in ``unit`` who takes ``capacity`` students (the unit's places are not changed:
    add them with :class:`ChangePlaces` if the unit's cap binds)."""

    kind: Literal["add_supervisor"] = "add_supervisor"
    supervisor: Id
    unit: Id
    capacity: Annotated[int, Field(ge=0, le=1_000_000)] = 1
    training: TrainingStatus = TrainingStatus.COMPLETED
    load_limit: Annotated[float, Field(ge=0.0, le=1e6)] | None = None


class RemoveSupervisor(_Change):
    """The supervisor takes no students this round (capacity 0; conflicts and pins naming them stay
    valid, and a pin to them makes the scenario infeasible)."""

    kind: Literal["remove_supervisor"] = "remove_supervisor"
    supervisor: Id


class TrainSupervisor(_Change):
    """The supervisor has ``training`` this round (has finished, or started, the supervisor training)."""

    kind: Literal["train_supervisor"] = "train_supervisor"
    supervisor: Id
    training: TrainingStatus = TrainingStatus.COMPLETED


class ChangeWeights(_Change):
    """New weights of interest and interview in the fit."""

    kind: Literal["weights"] = "weights"
    interest_weight: Annotated[float, Field(ge=0.0, le=1.0)]
    interview_weight: Annotated[float, Field(ge=0.0, le=1.0)]


class ForbidPair(_Change):
    """The applicant may not be placed in ``unit`` or with ``supervisor`` (give one): a conflict."""

    kind: Literal["forbid"] = "forbid"
    applicant: Id
    unit: Id | None = None
    supervisor: Id | None = None


Change = Annotated[
    ChangePlaces | AddSupervisor | RemoveSupervisor | TrainSupervisor | ChangeWeights | ForbidPair,
    Field(discriminator="kind"),
]


class Scenario(BaseModel):
    """A named what-if: ``changes`` applied in order to the base problem."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    changes: tuple[Change, ...] = ()


#: The kinds of record a change names, as words.
_WHAT: dict[str, Message] = {
    "unit": msg("unit"),
    "supervisor": msg("supervisor"),
    "applicant": msg("applicant"),
    "municipality": msg("municipality"),
}


def _find(records: list[dict[str, Any]], ident: str, what: str, where: str) -> dict[str, Any]:
    for record in records:
        if record["id"] == ident:
            return record
    raise InputError(
        [
            ValidationIssue.of(
                where,
                msg("there is no {what} {id!r}", what=_WHAT[what], id=ident),
                msg("name a {what} of the base problem", what=_WHAT[what]),
            )
        ]
    )


def apply_scenario(problem: Problem, scenario: Scenario) -> Problem:
    """The base ``problem`` with the scenario's changes, validated.

    Raises:
        InputError: a change names a record the problem does not have, or gives both or neither of
            its alternatives.
        ProblemValidationError: the changed problem breaks a rule (a minimum no longer reachable, ...).
    """
    data: dict[str, Any] = problem.model_dump(mode="json")
    for i, change in enumerate(scenario.changes):
        where = f"scenarios[{scenario.name!r}].changes[{i}]"
        if isinstance(change, ChangePlaces):
            if (change.unit is None) == (change.municipality is None):
                raise InputError(
                    [ValidationIssue.of(where, msg("names both or neither of unit and municipality"), msg("give one"))]
                )
            if change.unit is not None:
                unit = _find(data["units"], change.unit, "unit", where)
                unit["max_places"] = max(0, unit["max_places"] + change.places)
            else:
                muni = _find(data["municipalities"], change.municipality or "", "municipality", where)
                offered = muni["max_places"]
                if offered is None:
                    offered = sum(u["max_places"] for u in data["units"] if u["municipality"] == muni["id"])
                muni["max_places"] = max(0, offered + change.places)
        elif isinstance(change, AddSupervisor):
            _find(data["units"], change.unit, "unit", where)
            data["supervisors"].append(
                {
                    "id": change.supervisor,
                    "unit": change.unit,
                    "capacity": change.capacity,
                    "training": str(change.training),
                    "load_limit": change.load_limit,
                }
            )
        elif isinstance(change, RemoveSupervisor):
            _find(data["supervisors"], change.supervisor, "supervisor", where)["capacity"] = 0
        elif isinstance(change, TrainSupervisor):
            _find(data["supervisors"], change.supervisor, "supervisor", where)["training"] = str(change.training)
        elif isinstance(change, ChangeWeights):
            data["policy"]["interest_weight"] = change.interest_weight
            data["policy"]["interview_weight"] = change.interview_weight
        else:
            if (change.unit is None) == (change.supervisor is None):
                raise InputError(
                    [ValidationIssue.of(where, msg("names both or neither of unit and supervisor"), msg("give one"))]
                )
            applicant = _find(data["applicants"], change.applicant, "applicant", where)
            conflicts = applicant.setdefault("conflicts", {"units": [], "supervisors": []})
            if change.unit is not None:
                _find(data["units"], change.unit, "unit", where)
                conflicts["units"] = sorted({*conflicts["units"], change.unit})
            else:
                _find(data["supervisors"], change.supervisor or "", "supervisor", where)
                conflicts["supervisors"] = sorted({*conflicts["supervisors"], change.supervisor})
    return Problem.model_validate(data)


class ScenarioOutcome(BaseModel):
    """One scenario's plan in figures.

    ``status`` is ``None`` when the changed problem is not valid (``message`` says why). ``objective``
    holds every level, ``rank_profile`` the placed count per rank, ``fill`` the placed count per
    municipality, and ``changes`` who is placed differently from the base plan (``None`` for the base
    itself, or without a plan).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str
    status: Status | None
    placed: int
    objective: tuple[LevelValue, ...]
    rank_profile: tuple[int, ...]
    fill: dict[str, int]
    changes: PlanDiff | None
    message: str | None = None


class ScenarioComparison(BaseModel):
    """The base plan and every scenario's, side by side (see :meth:`table`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    base: ScenarioOutcome
    scenarios: tuple[ScenarioOutcome, ...]

    def table(self, lang: Lang = "en") -> str:
        """A plain-text table in ``lang``: one column per plan, one row per figure (levels, rank profile,
        fill, who changes). Level names are the API's."""
        outcomes = (self.base, *self.scenarios)
        status = [o.status.text(lang) if o.status else tr("invalid", lang) for o in outcomes]
        rows: list[tuple[str, list[str]]] = [(tr("status", lang), status)]
        rows.append((tr("placed", lang), [str(o.placed) for o in outcomes]))
        level_names = list(dict.fromkeys(lv.name for o in outcomes for lv in o.objective if lv.name != "placed"))
        for name in level_names:
            values = [{lv.name: lv.value for lv in o.objective}.get(name) for o in outcomes]
            rows.append((name, ["" if v is None else str(v) for v in values]))
        longest = max((len(o.rank_profile) for o in outcomes), default=0)
        for k in range(longest):
            rows.append(
                (
                    tr("at rank {rank}", lang, rank=k + 1),
                    [str(o.rank_profile[k]) if k < len(o.rank_profile) else "0" for o in outcomes],
                )
            )
        for muni in sorted({m for o in outcomes for m in o.fill}):
            rows.append(
                (tr("placed in {municipality}", lang, municipality=muni), [str(o.fill.get(muni, 0)) for o in outcomes])
            )
        for label, counted in (
            (tr("moved", lang), "moved"),
            (tr("newly placed", lang), "newly_placed"),
            (tr("newly unplaced", lang), "newly_unplaced"),
        ):
            rows.append((label, ["" if o.changes is None else str(len(getattr(o.changes, counted))) for o in outcomes]))
        header = ["", tr("base", lang), *(o.name for o in self.scenarios)]
        body = [[label, *cells] for label, cells in rows]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
        lines = [
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
            for line in [header, *body]
        ]
        return "\n".join(lines)


def _solve_one(problem: Problem, scenario: Scenario | None, options: SolveOptions) -> tuple[Result | None, str | None]:
    """Solve the base problem or one scenario (module level, so that a process pool can run it)."""
    try:
        changed = problem if scenario is None else apply_scenario(problem, scenario)
    except (ProblemValidationError, InputError) as exc:
        return None, "; ".join(f"{i.location}: {i.message}" for i in exc.issues)
    return solve(changed, options), None


def _outcome(name: str, result: Result | None, message: str | None, base: Result | None) -> ScenarioOutcome:
    if result is None:
        return ScenarioOutcome(
            name=name, status=None, placed=0, objective=(), rank_profile=(), fill={}, changes=None, message=message
        )
    metrics = result.decision.metrics
    has_plan = result.status.has_plan
    return ScenarioOutcome(
        name=name,
        status=result.status,
        placed=len(result.assignments),
        objective=result.decision.objective,
        rank_profile=metrics.rank_profile if metrics is not None else (),
        fill={m.municipality: m.placed for m in metrics.municipalities} if metrics is not None else {},
        changes=plan_diff(base, result) if base is not None and base.status.has_plan and has_plan else None,
        message=result.decision.message,
    )


def compare_scenarios(
    problem: Problem,
    scenarios: Sequence[Scenario],
    *,
    executor: Executor | None = None,
    options: SolveOptions | None = None,
) -> ScenarioComparison:
    """Solve ``problem`` and every scenario of it, and compare the plans side by side.

    With ``executor``, the solves are submitted to it (the problem, each scenario and the options are
    pickled, so a ``ProcessPoolExecutor`` works); without one they run here, one after the other. On a
    Dask client's executor (``Client.get_executor()``) or a :class:`~matchmaker.RayExecutor` the problem
    is sent to the cluster once (scattered to every Dask worker, or put in Ray's object store) and each
    task gets it from there; on other executors it is pickled with each task.
    ``options`` default to one worker per solve (a pool brings the parallelism). Scenario names must be
    unique. A scenario whose changed problem is not valid gets status ``None`` and the reason.

    Raises:
        InputError: two scenarios share a name.
    """
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(
            [
                ValidationIssue.of(
                    "scenarios",
                    msg("scenario names are not unique: {names}", names=", ".join(dupes)),
                    msg("name each one"),
                )
            ]
        )
    opts = options if options is not None else SolveOptions(workers=1)
    jobs: list[Scenario | None] = [None, *scenarios]
    if executor is None:
        done = [_solve_one(problem, s, opts) for s in jobs]
    else:
        shipped = share(executor, problem)
        futures = [executor.submit(_solve_one, shipped, s, opts) for s in jobs]
        done = [f.result() for f in futures]
    base_result, base_message = done[0]
    base = _outcome("base", base_result, base_message, None)
    rest = tuple(_outcome(s.name, r, m, base_result) for s, (r, m) in zip(scenarios, done[1:], strict=True))
    return ScenarioComparison(base=base, scenarios=rest)
