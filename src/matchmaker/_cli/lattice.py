"""The `matchmaker stability --all` output: every stable plan's count, the rotations and the ranges."""

from __future__ import annotations

import sys

import click

from matchmaker._cli.common import EXIT_NO_PLAN, run
from matchmaker._i18n import Lang
from matchmaker._lattice import stable_plans
from matchmaker._models import Problem
from matchmaker._options import SolveOptions

__all__ = ["all_stable_plans"]


def all_stable_plans(problem: Problem, limit: int, options: SolveOptions, as_json: bool, lang: Lang) -> None:
    """Print the stable plans of ``problem`` in words of ``lang`` (or as JSON); exit with
    :data:`EXIT_NO_PLAN` when the round has none."""
    found = run(lambda: stable_plans(problem, limit=limit, options=options))
    if as_json:
        click.echo(found.model_dump_json(indent=2))
    else:
        click.echo(found.text(lang))
    if found.count == 0:
        sys.exit(EXIT_NO_PLAN)
