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
executor of Dask or Ray across machines); without one they run one after the other. Decisions are
reproducible, so a batch gives the same comparison however it is run.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from matchmaker._pydantic_errors import issues_from_validation_error
from matchmaker.errors import InputError, InputFileError, ProblemValidationError, ValidationIssue
from matchmaker.io.json import parse_json
from matchmaker.models import Id, Problem, TrainingStatus
from matchmaker.options import SolveOptions
from matchmaker.pipeline import solve
from matchmaker.repair import plan_diff
from matchmaker.result import LevelValue, PlanDiff, Result, Status

__all__ = [
    "AddSupervisor",
    "ChangePlaces",
    "ChangeWeights",
    "ForbidPair",
    "RemoveSupervisor",
    "Scenario",
    "ScenarioComparison",
    "ScenarioOutcome",
    "apply_scenario",
    "compare_scenarios",
    "load_scenarios",
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
    ChangePlaces | AddSupervisor | RemoveSupervisor | ChangeWeights | ForbidPair, Field(discriminator="kind")
]


class Scenario(BaseModel):
    """A named what-if: ``changes`` applied in order to the base problem."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    changes: tuple[Change, ...] = ()


_SCENARIOS: TypeAdapter[tuple[Scenario, ...]] = TypeAdapter(tuple[Scenario, ...])


def load_scenarios(path: str | os.PathLike[str]) -> tuple[Scenario, ...]:
    """Read scenarios from a JSON file: a list of ``{"name": ..., "changes": [{"kind": ...}, ...]}``.

    Raises:
        InputError: the file cannot be read, is not strict JSON, or a scenario is not valid.
    """
    source = os.fspath(path)
    try:
        raw = parse_json(Path(path).read_bytes(), source)
    except OSError as exc:
        raise InputFileError(
            [ValidationIssue(source, f"cannot be read ({exc.strerror})", "check the path")], source=source
        ) from exc
    try:
        return _SCENARIOS.validate_python(raw)
    except ValidationError as exc:
        raise InputFileError(issues_from_validation_error(exc, raw, root="scenarios"), source=source) from exc


def _find(records: list[dict[str, Any]], ident: str, what: str, where: str) -> dict[str, Any]:
    for record in records:
        if record["id"] == ident:
            return record
    raise InputError(
        [
            ValidationIssue(
                where,
                f"there is no {what} {ident!r}",
                f"name {'an' if what[0] in 'aeiou' else 'a'} {what} of the base problem",
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
                raise InputError([ValidationIssue(where, "names both or neither of unit and municipality", "give one")])
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
        elif isinstance(change, ChangeWeights):
            data["policy"]["interest_weight"] = change.interest_weight
            data["policy"]["interview_weight"] = change.interview_weight
        else:
            if (change.unit is None) == (change.supervisor is None):
                raise InputError([ValidationIssue(where, "names both or neither of unit and supervisor", "give one")])
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

    def table(self) -> str:
        """A plain-text table: one column per plan, one row per figure (levels, rank profile, fill,
        who changes)."""
        outcomes = (self.base, *self.scenarios)
        rows: list[tuple[str, list[str]]] = [("status", [str(o.status) if o.status else "invalid" for o in outcomes])]
        rows.append(("placed", [str(o.placed) for o in outcomes]))
        level_names = list(dict.fromkeys(lv.name for o in outcomes for lv in o.objective if lv.name != "placed"))
        for name in level_names:
            values = [{lv.name: lv.value for lv in o.objective}.get(name) for o in outcomes]
            rows.append((name, ["" if v is None else str(v) for v in values]))
        longest = max((len(o.rank_profile) for o in outcomes), default=0)
        for k in range(longest):
            rows.append(
                (f"at rank {k + 1}", [str(o.rank_profile[k]) if k < len(o.rank_profile) else "0" for o in outcomes])
            )
        for muni in sorted({m for o in outcomes for m in o.fill}):
            rows.append((f"placed in {muni}", [str(o.fill.get(muni, 0)) for o in outcomes]))
        rows.append(("moved", ["" if o.changes is None else str(len(o.changes.moved)) for o in outcomes]))
        rows.append(("newly placed", ["" if o.changes is None else str(len(o.changes.newly_placed)) for o in outcomes]))
        rows.append(
            ("newly unplaced", ["" if o.changes is None else str(len(o.changes.newly_unplaced)) for o in outcomes])
        )
        header = ["", *(o.name for o in outcomes)]
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
    pickled, so a ``ProcessPoolExecutor`` works); without one they run here, one after the other.
    ``options`` default to one worker per solve (a pool brings the parallelism). Scenario names must be
    unique. A scenario whose changed problem is not valid gets status ``None`` and the reason.

    Raises:
        InputError: two scenarios share a name.
    """
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(
            [ValidationIssue("scenarios", f"scenario names are not unique: {', '.join(dupes)}", "name each one")]
        )
    opts = options if options is not None else SolveOptions(workers=1)
    jobs: list[Scenario | None] = [None, *scenarios]
    if executor is None:
        done = [_solve_one(problem, s, opts) for s in jobs]
    else:
        futures = [executor.submit(_solve_one, problem, s, opts) for s in jobs]
        done = [f.result() for f in futures]
    base_result, base_message = done[0]
    base = _outcome("base", base_result, base_message, None)
    rest = tuple(_outcome(s.name, r, m, base_result) for s, (r, m) in zip(scenarios, done[1:], strict=True))
    return ScenarioComparison(base=base, scenarios=rest)
