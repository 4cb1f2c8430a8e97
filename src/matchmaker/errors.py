"""The exceptions matchmaker raises.

Every exception derives from :class:`MatchmakerError` and from the builtin it means::

    MatchmakerError
     ├── InputError (ValueError)            the input is wrong; nothing was solved
     │    ├── ProblemValidationError        one or more records break a rule (all listed at once)
     │    └── InputFileError                a file cannot be read or parsed (names file, line, column)
     ├── MissingExtraError (ImportError)    an optional dependency is missing (says which extra to install)
     ├── ResultMismatchError (ValueError)   a result is used with a problem it was not made from
     ├── ResultStatusError (RuntimeError)   ``Result.raise_for_status()`` on a result without a plan
     └── SolverError (RuntimeError)         an engine failed in a way that is not about the input

One warning: :class:`InputWarning` (a ``UserWarning``) says that the input was read with a repair the
user should know about (an older schema version migrated, a spreadsheet id typed as a number).

An infeasible problem is *not* an exception: :func:`matchmaker.solve` returns a
:class:`~matchmaker.Result` whose status says so. Messages name records by their opaque ids only and
never echo other input values, so they are safe to log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "InputError",
    "InputFileError",
    "InputWarning",
    "MatchmakerError",
    "MissingExtraError",
    "ProblemValidationError",
    "ResultMismatchError",
    "ResultStatusError",
    "SolverError",
    "ValidationIssue",
]


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One thing wrong with the input.

    Attributes:
        location: where it is, e.g. ``applicants['A17'].ranking.units`` or ``units.csv row 4, column max``.
        message: what is wrong, in plain words.
        fix: how to fix it.
    """

    location: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}. Fix: {self.fix}"


class MatchmakerError(Exception):
    """Base class of every error matchmaker raises on purpose."""


class InputError(MatchmakerError, ValueError):
    """The input is wrong. ``issues`` lists every problem found, each with its location and a fix."""

    def __init__(self, issues: Iterable[ValidationIssue], *, source: str | None = None) -> None:
        self.issues: tuple[ValidationIssue, ...] = tuple(issues)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        where = f" in {self.source}" if self.source else ""
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} found{where}:"
        return "\n".join([head, *(f"  - {issue}" for issue in self.issues)])


class ProblemValidationError(InputError):
    """One or more records of a problem break a validation rule."""


class InputFileError(InputError):
    """A file cannot be read or parsed."""


class MissingExtraError(MatchmakerError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""

    def __init__(self, feature: str, extra: str, package: str) -> None:
        self.extra = extra
        self.package = package
        super().__init__(
            f"{feature} needs the optional package {package!r}, which is not installed; "
            f"install it with: pip install 'matchmaker[{extra}]'"
        )


class InputWarning(UserWarning):
    """The input was read, but with a repair the user should know about.

    For example an older schema version was migrated, or a spreadsheet id typed as a number was read as
    text. The message says where and how to make the file clean. It never carries input values other
    than ids.
    """


class ResultMismatchError(MatchmakerError, ValueError):
    """A result is used with a problem whose fingerprint differs from the one it was solved for."""


class ResultStatusError(MatchmakerError, RuntimeError):
    """Raised by ``Result.raise_for_status()`` when the result holds no plan."""


class SolverError(MatchmakerError, RuntimeError):
    """An optimisation engine failed for a reason that is not about the input (a bug or a resource limit)."""
