"""The ``matchmaker`` command line.

Exit codes:

====  ==================================================================
0     a plan was found (optimal, or feasible when a limit stopped the proof)
1     no plan: the problem is infeasible, or no plan was found in time (``stability``,
      ``popular``: the plan is not stable, not popular, or no popular plan exists)
2     bad input or usage: the message names the record, field and fix
3     internal error: an engine failed or a result failed its check
130   interrupted by Ctrl-C: before ``solve`` has a plan (nothing written), during its check (the plan
      written marked unchecked) or its write (written whole first), outside a solve, or a second
      Ctrl-C during one
====  ==================================================================

A first Ctrl-C during the search of ``solve`` stops it and keeps the best plan so far (exit code 0 if
there is one). Every command takes ``-q``/``-v`` and ``--lang`` (added by :class:`matchmaker._cli.console.CommandGroup`,
so a command added later gets them too); ``--lang`` defaults to ``MATCHMAKER_LANG``, then English, and
every line a command prints goes through the catalogs of :mod:`matchmaker._i18n`.
"""

from matchmaker._cli import alternatives, archive, documents, planning, rounds, solving
from matchmaker._cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_NO_PLAN, EXIT_OK
from matchmaker._cli.group import cli, main
from matchmaker._cli.review import COMMANDS as _REVIEW_COMMANDS

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_NO_PLAN", "EXIT_OK", "cli", "main"]

for _command in (
    *solving.COMMANDS,
    *rounds.COMMANDS,
    *alternatives.COMMANDS,
    *planning.COMMANDS,
    *documents.COMMANDS,
    *_REVIEW_COMMANDS,
    *archive.COMMANDS,
):
    cli.add_command(_command)
