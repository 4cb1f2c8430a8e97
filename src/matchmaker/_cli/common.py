"""What every command shares: the exit codes and the helpers that end a command with one."""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from matchmaker import _gc
from matchmaker._cli.console import EXIT_INTERRUPTED, current_lang
from matchmaker._i18n import tr
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._result import Result
from matchmaker.errors import InputError, InputWarning, MissingExtraError, OptionsError
from matchmaker.io._formats import load_problem

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_NO_PLAN",
    "EXIT_OK",
    "PATH",
    "PROGRAM",
    "end_process",
    "fail",
    "held",
    "load",
    "require_same_problem",
    "run",
    "solve_options",
]

EXIT_OK = 0
EXIT_NO_PLAN = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3

#: Whether the command runs as the program (``matchmaker ...``, through :func:`matchmaker._cli.group.main`),
#: which ends the process when the command ends, rather than called in a longer process (a test's
#: ``CliRunner``, a benchmark).
PROGRAM: ContextVar[bool] = ContextVar("matchmaker_cli_program", default=False)

#: A path argument or option of any command.
PATH = click.Path(path_type=Path)

#: ``--problem`` of a command that reads a result: the problem file when it is not the one the result names.
problem_of_result = click.option(
    "--problem", "problem_path", type=PATH, help="The problem (default: the file RESULT was solved from)."
)


def fail(message: str, code: int) -> NoReturn:
    """Print ``message`` (already in the command's language) as an error and exit with ``code``."""
    click.echo(tr("error: {message}", current_lang(), message=message), err=True)
    sys.exit(code)


T = TypeVar("T")


def run(action: Callable[[], T]) -> T:
    """Run ``action``; print its notices; bad input or a missing extra ends with exit code 2."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return action()
        except (InputError, MissingExtraError) as exc:
            fail(exc.text(current_lang()), EXIT_BAD_INPUT)
        finally:
            lang = current_lang()
            for w in caught:
                text = w.message.text(lang) if isinstance(w.message, InputWarning) else str(w.message)
                click.echo(tr("notice: {message}", lang, message=text), err=True)


@contextmanager
def held() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused (:func:`matchmaker._gc.paused`); in the
    program, then move every object the collector tracks to its permanent generation (:func:`gc.freeze`).

    For what a command holds until the process ends (the round's records): none of it is garbage, and
    without the freeze the collections after the pause would traverse all of it again. Called in a longer
    process (``PROGRAM`` unset), the pause alone: a frozen cycle is never freed.
    """
    with _gc.paused():
        yield
        if PROGRAM.get():
            gc.freeze()


def load(path: Path) -> Problem:
    """Read the problem at ``path`` (any format) under :func:`held`; bad input ends with exit code 2."""
    with held():
        return run(lambda: load_problem(path))


def end_process(code: int) -> NoReturn:
    """End the program now with exit ``code``: standard output and error flushed, logging shut down, and
    the interpreter's teardown skipped (:func:`os._exit`), which would free every object of a large round
    one by one for nothing. Only for the program, after its command has ended (no thread or child
    process of it still running; the other exit handlers registered then have nothing left to do)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``): Python's own exit would say 120
            code = code or 120
    logging.shutdown()
    os._exit(code)


def require_same_problem(result: Result, problem: Problem, result_path: Path | str, problem_path: Path | str) -> None:
    """End with exit code 2 if ``result`` was not solved for ``problem`` (compared by fingerprint)."""
    if result.decision.input_fingerprint != problem.fingerprint():
        fail(
            tr(
                "{result} was solved for a different problem than {problem}",
                current_lang(),
                result=result_path,
                problem=problem_path,
            ),
            EXIT_BAD_INPUT,
        )


#: The command-line options that set a field of :class:`SolveOptions`, by field.
_OPTION_FLAGS = {"time_limit": "--time-limit", "workers": "--workers", "solver_seed": "--solver-seed"}


def solve_options(**values: object) -> SolveOptions:
    """:class:`SolveOptions` from command-line values; a value they refuse ends with exit code 2, naming
    the command-line option (``--time-limit``) rather than the field."""
    try:
        return SolveOptions.model_validate(values)
    except OptionsError as exc:
        issues = [
            dataclasses.replace(issue, location=_OPTION_FLAGS.get(issue.location, issue.location), location_key=None)
            for issue in exc.issues
        ]
        fail(OptionsError(issues).text(current_lang()), EXIT_BAD_INPUT)
