"""The ``matchmaker`` command group (``--limit``, ``--version``) and the program's entry point."""

from __future__ import annotations

import click

from matchmaker._cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, PROGRAM, end_process, fail, run
from matchmaker._cli.console import CommandGroup, current_lang
from matchmaker._i18n import tr
from matchmaker._limits import Limits, use_limits
from matchmaker.errors import MatchmakerError

__all__ = ["cli", "main"]


def _limits(given: tuple[str, ...]) -> Limits:
    values: dict[str, object] = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            fail(
                tr("--limit {item}: write NAME=NUMBER, e.g. --limit max_pairs=5000000", current_lang(), item=item),
                EXIT_BAD_INPUT,
            )
        values[name.strip()] = int(value)
    return run(lambda: Limits.model_validate(values))


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="matchmaker")
@click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="NAME=NUMBER",
    help="Change an input size limit for this command, e.g. --limit max_pairs=5000000 (repeatable).",
)
def cli(limits: tuple[str, ...]) -> None:
    """Place applicants with supervisors in units, optimally and explainably."""
    if limits:
        click.get_current_context().with_resource(use_limits(_limits(limits)))


def main() -> None:
    """Run the CLI as the program; library errors that escape a command end with exit code 3 and a one-line
    message. The process ends with the command (:func:`~matchmaker._cli.common.end_process`)."""
    PROGRAM.set(True)
    try:
        try:
            cli.main(standalone_mode=True)
        except MatchmakerError as exc:  # pragma: no cover - every command handles its own errors
            fail(exc.text(current_lang()), EXIT_INTERNAL)
    except SystemExit as exc:  # how click ends every command, with its exit code
        if exc.code is None or isinstance(exc.code, int):
            end_process(exc.code or 0)
        raise
