"""The ``matchmaker`` console script: runs the CLI, or explains how to install it."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``matchmaker`` command."""
    try:
        import click  # noqa: F401  (the cli extra: checked before the commands load)
    except ImportError:
        sys.stderr.write(
            "The matchmaker command needs the 'cli' extra: pip install 'matchmaker[cli]'\n"
            "(the Python API works without it: import matchmaker)\n"
        )
        raise SystemExit(2) from None
    from matchmaker._cli import main as cli_main  # the commands need the cli extra, checked above

    cli_main()
