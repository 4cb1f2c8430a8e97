"""The commands that solve: ``solve``, ``explain``, ``validate``, ``repair`` and ``diff``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn, get_args

import click

from matchmaker._checks import check
from matchmaker._cli.common import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_NO_PLAN,
    PATH,
    fail,
    held,
    load,
    problem_of_result,
    require_same_problem,
    run,
    solve_options,
)
from matchmaker._cli.console import (
    EXIT_INTERRUPTED,
    Phases,
    ProgressDisplay,
    configure_logging,
    current_lang,
    lang_option,
    say,
    solve_interruptibly,
)
from matchmaker._cli.interrupt import deferred
from matchmaker._i18n import Lang, tr, tr_n
from matchmaker._models import Objective, Problem
from matchmaker._options import SolveOptions
from matchmaker._pipeline import reoptimise
from matchmaker._repair import plan_diff
from matchmaker._result import PlanDiff, Result
from matchmaker.errors import InputError, SolverError
from matchmaker.explanations import (
    diagnose,
    display_names,
    explain,
    explain_infeasibility,
    reserve_lists,
)
from matchmaker.io._formats import format_of, load_result, save_result
from matchmaker.io._json import load_problem as load_json_problem
from matchmaker.io._overrides import load_overrides
from matchmaker.report._text import format_result
from matchmaker.review._overrides import apply_overrides

__all__ = ["COMMANDS"]


def _deliver(
    result: Result,
    output: Path | None,
    *,
    quiet: bool,
    lang: Lang,
    protect: tuple[Path, ...],
    problem: Problem,
    after: str | None = None,
    written: Path | None = None,
) -> None:
    """Write the result (never over an input), print the plan (and ``after``) in ``lang``, exit 1 without
    a plan. ``written`` names where the caller wrote it already."""
    if output is not None:
        run(lambda: save_result(result, output, lang=lang, protect=protect))
    if not quiet:
        click.echo(format_result(result, lang=lang, problem=problem))
        if after is not None:
            click.echo(after)
        if (output or written) is not None:
            click.echo(tr("result written to {path}", lang, path=output or written))
    if not result.status.has_plan:
        click.echo(tr("no plan: the solve ended {status}", lang, status=result.status.text(lang)), err=True)
        sys.exit(EXIT_NO_PLAN)


@click.command("solve")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@click.option(
    "-o",
    "--output",
    type=PATH,
    help="Write the result here (.json, .xlsx, a .parquet folder, or a folder for CSV files).",
)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds for the whole solve.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Lottery seed (overrides the policy's).")
@click.option(
    "--objective",
    type=click.Choice(get_args(Objective)),
    help=(
        "Level-3 objective (overrides the policy's; sex_equal, egalitarian_two_sided and "
        "minimum_regret_two_sided need --stability optimise)."
    ),
)
@click.option("--minimums", type=click.Choice(["hard", "soft"]), help="Minimums as constraints or as a goal.")
@click.option("--targets", type=click.Choice(["soft", "hard"]), help="Unit targets as a goal or as lower bounds.")
@click.option(
    "--balance",
    type=click.Choice(["none", "within", "ratio", "maximin"]),
    help="Balance between municipalities (overrides the policy's).",
)
@click.option("--balance-tolerance", type=click.FloatRange(0, 1), help="For --balance within (default 0.1).")
@click.option("--balance-ratio", type=click.FloatRange(0, 1), help="For --balance ratio (default 0.75).")
@click.option(
    "--stability",
    type=click.Choice(["none", "applicant_optimal", "unit_optimal", "optimise"]),
    help="Stable plans only, and which one (overrides the policy's).",
)
@click.option(
    "--stability-ties",
    type=click.Choice(["lottery", "keep"]),
    help="With --stability: break ties by lottery (default) or keep them (optimise only).",
)
@click.option("--workers", type=click.IntRange(1, 64), help="CP-SAT search workers (default: cores, max 8).")
@click.option(
    "--solver-seed",
    type=click.IntRange(0, 2**31 - 1),
    default=0,
    show_default=True,
    help="CP-SAT's own random seed (search order only).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for the engine's log).")
@click.option(
    "--progress-after",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Show the live progress (on a terminal only) once the command has run this many seconds.",
)
@lang_option
def solve_cmd(
    problem_path: Path,
    output: Path | None,
    time_limit: float | None,
    seed: int | None,
    objective: str | None,
    minimums: str | None,
    targets: str | None,
    balance: str | None,
    balance_tolerance: float | None,
    balance_ratio: float | None,
    stability: str | None,
    stability_ties: str | None,
    workers: int | None,
    solver_seed: int,
    quiet: bool,
    verbose: int,
    progress_after: float,
    lang: Lang,
) -> None:
    """Solve PROBLEM (.json, .xlsx, or a folder of CSV or Parquet files): print the plan and write the result."""
    configure_logging(verbose, quiet)
    phases = Phases(None if quiet else ProgressDisplay.for_terminal(delay=progress_after, lang=lang))
    try:
        problem = _load_in_phases(problem_path, phases)
        overrides = _policy_overrides(
            problem,
            lang,
            lottery_seed=seed,
            objective=objective,
            minimums=minimums,
            targets=targets,
            balance=balance,
            balance_tolerance=balance_tolerance,
            balance_ratio=balance_ratio,
            stability=stability,
            stability_ties=stability_ties,
        )
        if overrides:
            data = problem.model_dump(mode="json")
            data["policy"].update(overrides)
            problem = run(lambda: Problem.model_validate(data))
    except KeyboardInterrupt:
        phases.close()
        _nothing_written(lang)
    kwargs: dict[str, object] = {"time_limit": time_limit, "solver_seed": solver_seed, "log": verbose >= 2}
    if workers is not None:
        kwargs["workers"] = workers
    try:
        options = solve_options(**kwargs)
        result, interrupted = solve_interruptibly(
            problem, options, progress=phases.display, lang=lang, events=phases.relay, preparing=phases.preparing
        )
        if interrupted and not result.status.has_plan:  # stopped before the search found a plan
            phases.close()
            _nothing_written(lang)
        if not overrides:  # `explain RESULT` can find the problem again (with overrides it is another problem)
            stats = result.statistics.model_copy(update={"input": str(problem_path)})
            result = result.model_copy(update={"statistics": stats})
        result, stopped = _check_in_phase(problem, result, phases, lang)
        phases.phase("write")
        with deferred(lambda: _held_off(phases, lang)) as held:
            if output is not None:
                run(lambda: save_result(result, output, lang=lang, protect=(problem_path,)))
    except SolverError as exc:
        phases.close()
        fail(str(exc), EXIT_INTERNAL)
    except InputError as exc:  # over a size limit, found as the solve starts
        phases.close()
        fail(exc.text(lang), EXIT_BAD_INPUT)
    finally:
        phases.close()
    if interrupted:
        click.echo(
            tr("interrupted: the search was stopped; status {status}", lang, status=result.status.text(lang)), err=True
        )
    if stopped:
        if output is None and not quiet:  # no file to keep it in: the plan is printed, marked unchecked
            click.echo(format_result(result, lang=lang, problem=problem))
        where = (
            tr("the plan was written to {path} marked unchecked", lang, path=output)
            if output is not None
            else tr("the plan printed is unchecked (no --output: no file written)", lang)
        )
        click.echo(tr("interrupted during the independent check: {where}", lang, where=where), err=True)
        if output is not None:
            click.echo(
                tr("check it with: matchmaker check {problem} {result}", lang, problem=problem_path, result=output),
                err=True,
            )
        sys.exit(EXIT_INTERRUPTED)
    if held:
        click.echo(tr("interrupted: the plan was written first", lang), err=True)
        sys.exit(EXIT_INTERRUPTED)
    _deliver(result, None, quiet=quiet, lang=lang, protect=(problem_path,), problem=problem, written=output)


def _nothing_written(lang: Lang) -> NoReturn:
    """End a solve stopped before it had a plan: exit code 130, and nothing written."""
    click.echo("\n" + tr("interrupted before a plan was found: nothing written", lang), err=True)
    sys.exit(EXIT_INTERRUPTED)


def _held_off(phases: Phases, lang: Lang) -> None:
    message = tr("interrupted: writing the plan first", lang)
    if phases.display is not None and phases.display.shown:
        phases.display.note(message)
    else:
        click.echo(f"\n{message}", err=True)


def _load_in_phases(path: Path, phases: Phases) -> Problem:
    """The problem at ``path``, in the phases ``load`` and ``validate`` (for JSON; a workbook or a folder of
    CSV files is read and validated in one phase, ``load``)."""
    phases.phase("load")
    if format_of(path) == "json":
        with held():
            return run(lambda: load_json_problem(path, parsed=lambda: phases.phase("validate")))
    problem = load(path)
    phases.phase("validate")
    return problem


def _check_in_phase(problem: Problem, result: Result, phases: Phases, lang: Lang) -> tuple[Result, bool]:
    """The independent check of ``result`` (exit code 3 if it fails); Ctrl-C during it gives the result
    marked unchecked and ``True``."""
    if not result.status.has_plan:
        return result, False
    phases.phase("check")
    try:
        report = check(problem, result)
    except KeyboardInterrupt:
        return result.marked(unchecked=True), True
    if not report.ok:
        phases.close()
        fail(tr("the result failed its independent check; please report this bug", lang) + f"\n{report}", EXIT_INTERNAL)
    return result, False


def _policy_overrides(problem: Problem, lang: Lang, **given: str | float | int | None) -> dict[str, object]:
    """The policy fields the command-line options override (``given``: each option's value or ``None``)."""
    balance, balance_tolerance, balance_ratio = (
        given.pop(k) for k in ("balance", "balance_tolerance", "balance_ratio")
    )
    stability, stability_ties = given.pop("stability"), given.pop("stability_ties")
    overrides: dict[str, object] = {key: value for key, value in given.items() if value is not None}
    if balance is not None:
        overrides["balance"] = None if balance == "none" else {"mode": balance}
    if balance_tolerance is not None or balance_ratio is not None:
        current = overrides.get("balance", problem.policy.balance and problem.policy.balance.model_dump(mode="json"))
        if not isinstance(current, dict):
            fail(tr("--balance-tolerance and --balance-ratio need a balance mode (--balance)", lang), EXIT_BAD_INPUT)
        current = dict(current)
        if balance_tolerance is not None:
            current["tolerance"] = balance_tolerance
        if balance_ratio is not None:
            current["ratio"] = balance_ratio
        overrides["balance"] = current
    if stability is not None:
        overrides["stability"] = None if stability == "none" else {"mode": stability}
    if stability_ties is not None:
        current_s = overrides.get(
            "stability", problem.policy.stability and problem.policy.stability.model_dump(mode="json")
        )
        if not isinstance(current_s, dict):
            fail(tr("--stability-ties needs a stable mode (--stability)", lang), EXIT_BAD_INPUT)
        overrides["stability"] = {**current_s, "ties": stability_ties}
    return overrides


@click.command("explain")
@click.argument("result_path", metavar="[RESULT]", type=PATH, required=False)
@click.argument("applicants", metavar="[APPLICANT_ID]...", nargs=-1)
@problem_of_result
@click.option(
    "--overrides",
    "overrides_path",
    type=PATH,
    help="For an approved plan with overrides (approve --result-output): the overrides file it was approved with.",
)
@click.option("--all", "everyone", is_flag=True, help="Explain every applicant.")
@click.option("--reserves", type=click.IntRange(0, 50), default=0, help="Also list this many reserves per unit.")
@click.option("--json", "as_json", is_flag=True, help="Print the structured explanations as JSON.")
@lang_option
def explain_cmd(
    result_path: Path | None,
    applicants: tuple[str, ...],
    problem_path: Path | None,
    overrides_path: Path | None,
    everyone: bool,
    reserves: int,
    as_json: bool,
    lang: Lang,
) -> None:
    """Explain a result: why each applicant got their place or none. Without RESULT (give --problem):
    pre-solve diagnostics, and if the round has no plan, a minimal set of clashing constraints and the
    smallest change that makes a plan possible."""

    result = run(lambda: load_result(result_path)) if result_path is not None else None
    if problem_path is None:
        recorded = result.statistics.input if result is not None else None
        if recorded is None:
            fail(
                tr("give --problem PROBLEM (the result does not say which problem it was solved from)", lang),
                EXIT_BAD_INPUT,
            )
        problem_path = Path(recorded)
    problem = load(problem_path)
    if overrides_path is not None:
        overrides = run(lambda: load_overrides(overrides_path))
        base = problem
        problem = run(lambda: apply_overrides(base, overrides))
    names = display_names(problem)
    out: list[str] = []
    payload: list[object] = []
    if result is None or not result.status.has_plan:
        diagnostics = diagnose(problem)
        infeasible = explain_infeasibility(problem)
        out.append(diagnostics.text(lang, names))
        payload.append(diagnostics.model_dump(mode="json"))
        if infeasible is not None:
            out.append(infeasible.text(lang, names))
            payload.append(infeasible.model_dump(mode="json"))
        elif result is None:
            out.append(tr("The round has a plan.", lang))
    else:
        if result.decision.input_fingerprint != problem.fingerprint():
            if overrides_path is None:
                what = tr(
                    "{result} was solved for a different problem than {problem}",
                    lang,
                    result=result_path,
                    problem=problem_path,
                )
            else:
                what = tr(
                    "{result} was solved for a different problem than {problem} with the overrides of {overrides}",
                    lang,
                    result=result_path,
                    problem=problem_path,
                    overrides=overrides_path,
                )
            fix = tr(
                "give the problem it was solved from with --problem PROBLEM, and for a plan approved with overrides "
                "(approve --result-output) also the overrides file with --overrides FILE",
                lang,
            )
            fail(f"{what}: {fix}", EXIT_BAD_INPUT)
        ids = sorted(problem.applicant_by_id) if everyone else list(applicants)
        unknown = [a for a in ids if a not in problem.applicant_by_id]
        if unknown:
            fail(tr("not applicants of the problem: {ids}", lang, ids=", ".join(unknown)), EXIT_BAD_INPUT)
        overridden = {o.applicant for o in overrides if o.action == "pin"} if overrides_path is not None else set()
        for ident in ids:
            e = explain(problem, result, ident)
            if ident in overridden:  # the pin is an official's override, not the round's own
                e = e.model_copy(update={"override": True})
            out.append(e.text(lang, names))
            payload.append(e.model_dump(mode="json"))
        if reserves:
            for rl in reserve_lists(problem, result, depth=reserves):
                entries = ", ".join(f"{r.position}. {r.applicant}" for r in rl.reserves) or "-"
                out.append(
                    tr("Reserves for {unit}: {entries}", lang, unit=names.get(rl.unit, rl.unit), entries=entries)
                )
                payload.append(rl.model_dump(mode="json"))
        if not ids and not reserves:
            fail(tr("name one or more APPLICANT_IDs, or give --all or --reserves N", lang), EXIT_BAD_INPUT)
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False) if as_json else "\n\n".join(out))


@click.command("validate")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@lang_option
def validate_cmd(problem_path: Path, lang: Lang) -> None:
    """Check PROBLEM (.json, .xlsx, or a folder of CSV or Parquet files) against every rule without solving."""
    problem = load(problem_path)
    places = sum(u.max_places for u in problem.units)
    counts = [
        tr_n("{n} applicant", "{n} applicants", len(problem.applicants), lang),
        tr_n("{n} municipality", "{n} municipalities", len(problem.municipalities), lang),
        tr_n("{n} unit", "{n} units", len(problem.units), lang),
        tr_n("{n} supervisor", "{n} supervisors", len(problem.supervisors), lang),
        tr_n("{n} place", "{n} places", places, lang),
    ]
    say(tr("{path}: valid. {counts} (sum of unit maximums).", lang, path=problem_path, counts=", ".join(counts)))


def _options(time_limit: float | None, workers: int | None) -> SolveOptions:
    kwargs: dict[str, object] = {"time_limit": time_limit}
    if workers is not None:
        kwargs["workers"] = workers
    return solve_options(**kwargs)


def _diff_text(diff: PlanDiff, lang: Lang) -> str:
    lines = [
        tr(
            "{moved} moved (of whom {unplaced} now unplaced), {placed} newly placed, {withdrawn} withdrawn, "
            "{unchanged} unchanged",
            lang,
            moved=diff.moved_count,
            unplaced=len(diff.newly_unplaced),
            placed=len(diff.newly_placed),
            withdrawn=len(diff.withdrawn),
            unchanged=diff.unchanged,
        )
    ]
    for title, moves in (
        (tr("moved", lang), diff.moved),
        (tr("newly placed", lang), diff.newly_placed),
        (tr("newly unplaced", lang), diff.newly_unplaced),
        (tr("withdrawn", lang), diff.withdrawn),
    ):
        for m in moves:
            before = f"{m.before or '-'} ({m.before_unit or '-'})"
            lines.append(f"  {title}: {m.applicant}: {before} -> {m.after or '-'} ({m.after_unit or '-'})")
    return "\n".join(lines)


@click.command("repair")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@click.option("--previous", "previous_path", type=PATH, required=True, help="The result to repair.")
@click.option(
    "-o",
    "--output",
    type=PATH,
    help="Write the result here (.json, .xlsx, a .parquet folder, or a folder for CSV files).",
)
@click.option("--keep", multiple=True, metavar="APPLICANT_ID", help="Keep this applicant's placement (repeatable).")
@click.option(
    "--position",
    type=click.FloatRange(min=0, min_open=True),
    help="Position of level 'moved' in the objective vector (default 2.5: after the placed count).",
)
@click.option(
    "--penalty", type=click.FloatRange(0, 100), help="Instead of a level, each move costs this much fit (e.g. 0.3)."
)
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), help="Seconds for the whole solve.")
@click.option("--workers", type=click.IntRange(1, 64), help="CP-SAT search workers (default: cores, max 8).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@lang_option
def repair_cmd(
    problem_path: Path,
    previous_path: Path,
    output: Path | None,
    keep: tuple[str, ...],
    position: float | None,
    penalty: float | None,
    time_limit: float | None,
    workers: int | None,
    quiet: bool,
    lang: Lang,
) -> None:
    """Re-plan the changed round PROBLEM from the result --previous, moving as few people as possible."""

    problem = load(problem_path)
    previous = run(lambda: load_result(previous_path))
    try:
        result = run(
            lambda: reoptimise(
                problem, previous, keep=keep, position=position, penalty=penalty, options=_options(time_limit, workers)
            )
        )
    except SolverError as exc:
        fail(str(exc), EXIT_INTERNAL)
    # `explain RESULT` can find the problem again.
    result = result.model_copy(update={"statistics": result.statistics.model_copy(update={"input": str(problem_path)})})
    report = check(problem, result, previous=previous)
    if not report.ok:
        fail(tr("the result failed its independent check; please report this bug", lang) + f"\n{report}", EXIT_INTERNAL)
    if not result.status.has_plan:  # no plan, so nothing to compare: the message above says what clashes
        after = tr(
            "the repair is {status}: there is no new plan, so nobody moves", lang, status=result.status.text(lang)
        )
    elif result.decision.repair is not None:
        after = _diff_text(result.decision.repair.diff, lang)
    else:  # pragma: no cover - reoptimise always records the repair
        after = None
    _deliver(
        result, output, quiet=quiet, lang=lang, protect=(problem_path, previous_path), problem=problem, after=after
    )


@click.command("diff")
@click.argument("before_path", metavar="BEFORE", type=PATH)
@click.argument("after_path", metavar="AFTER", type=PATH)
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
def diff_cmd(before_path: Path, after_path: Path, as_json: bool) -> None:
    """Compare two results: who moved (from -> to), who is newly placed or unplaced, how many are unchanged."""

    before = run(lambda: load_result(before_path))
    after = run(lambda: load_result(after_path))
    diff = plan_diff(before, after)
    click.echo(json.dumps(diff.model_dump(mode="json"), indent=2) if as_json else _diff_text(diff, current_lang()))


@click.command("check")
@click.argument("problem_path", metavar="PROBLEM", type=PATH)
@click.argument("result_path", metavar="RESULT", type=PATH)
@lang_option
def check_cmd(problem_path: Path, result_path: Path, lang: Lang) -> None:
    """Check RESULT against PROBLEM with the independent checker; a plan written unchecked (Ctrl-C during
    the check of `solve`) is marked checked in RESULT once it passes."""
    problem = load(problem_path)
    result = run(lambda: load_result(result_path))
    require_same_problem(result, problem, result_path, problem_path)
    report = check(problem, result)
    if not report.ok:
        fail(tr("{path} fails the independent check:", lang, path=result_path) + f"\n{report}", EXIT_NO_PLAN)
    if result.unchecked:
        checked = result.marked(unchecked=False)
        run(lambda: save_result(checked, result_path, lang=lang, protect=(problem_path,)))
        say(tr("{path} passes the independent check; its unchecked mark is removed", lang, path=result_path))
    else:
        say(tr("{path} passes the independent check", lang, path=result_path))


#: The commands :mod:`matchmaker._cli` adds to its group.
COMMANDS: tuple[click.Command, ...] = (
    solve_cmd,
    explain_cmd,
    validate_cmd,
    repair_cmd,
    diff_cmd,
    check_cmd,
)
