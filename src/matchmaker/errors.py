"""The exceptions matchmaker raises.

Every exception derives from :class:`MatchmakerError` and from the builtin it means::

    MatchmakerError
     ├── InputError (ValueError)            the input is wrong; nothing was solved
     │    ├── ProblemValidationError        one or more records break a rule (all listed at once)
     │    ├── OptionsError                  solve options break a rule (a misspelt name, a value out of range)
     │    ├── InputFileError                a file cannot be read or parsed (names file, line, column)
     │    ├── LimitsExceededError           an input over a size limit (see ``matchmaker._limits``)
     │    └── ArchiveError                  a round cannot enter the programme archive, or is not in it
     ├── MissingExtraError (ImportError)    an optional dependency is missing (says which extra to install)
     ├── ResultMismatchError (ValueError)   a result is used with a problem it was not made from
     ├── ResultStatusError (RuntimeError)   ``Result.raise_for_status()`` on a result without a plan
     ├── SolverError (RuntimeError)         an engine failed in a way that is not about the input
     ├── CheckFailedError (AssertionError)  a result failed the independent checker (``report`` says how)
     ├── ApprovalError (ValueError)         an approved plan does not follow from its recommendation
     └── PdfError (RuntimeError)            the browser failed to print the report
          └── NoChromiumError               no Chromium-like browser is installed (says how to install one)

One warning: :class:`InputWarning` (a ``UserWarning``) says that the input was read with a repair the
user should know about (an older schema version migrated, a spreadsheet id typed as a number).

An infeasible problem is *not* an exception: :func:`matchmaker.solve` returns a
:class:`~matchmaker.Result` whose status says so. Messages name records by their opaque ids only and
never echo other input values, so they are safe to log.

``str(error)`` is English; ``error.text(lang)`` is the same in any language of :mod:`matchmaker._i18n`
(an issue keeps its message and fix as message ids with parameters for that).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from matchmaker._i18n import Lang, Message, msg, tr, tr_n

if TYPE_CHECKING:
    from matchmaker._checks.report import CheckReport

__all__ = [
    "SHOWN_ISSUES",
    "ApprovalError",
    "ArchiveError",
    "CheckFailedError",
    "InputError",
    "InputFileError",
    "InputWarning",
    "MatchmakerError",
    "MissingExtraError",
    "NoChromiumError",
    "OptionsError",
    "PdfError",
    "Place",
    "ProblemValidationError",
    "ResultMismatchError",
    "ResultStatusError",
    "SolverError",
    "ValidationIssue",
]


#: How many issues an :class:`InputError`'s text lists; the rest are counted (its ``issues`` has them all).
SHOWN_ISSUES = 50

#: The words the file readers build locations from (``units.csv, row 4, column max``), in any language.
_PLACE_WORDS: dict[str, Message] = {
    "row": msg("row"),
    "line": msg("line"),
    "column": msg("column"),
    "sheet": msg("sheet"),
    "header": msg("header"),
}
# A quoted id is left alone; a place word counts before a number (row, line), before a name (column,
# sheet) or as a whole part of the location (header).
_PLACE = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|(?:^|(?<=, ))(?:(row|line)(?= \d)|(column|sheet)(?= \S)|(header)(?=,|$))"""
)


def _location_text(location: str, lang: Lang) -> str:
    if lang == "en":
        return location
    return _PLACE.sub(
        lambda m: _PLACE_WORDS[word].text(lang) if (word := m.group(1) or m.group(2) or m.group(3)) else m.group(0),
        location,
    )


@dataclass(frozen=True, slots=True)
class Place:
    """A place in a file as the readers name it (``units.csv, row 4, column max``), to fill a message:
    its place words (row, column, sheet) are shown in the language asked for, its names as written."""

    where: str

    def text(self, lang: Lang = "en") -> str:
        """The place in ``lang``."""
        return _location_text(self.where, lang)

    def __str__(self) -> str:
        return self.where


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One thing wrong with the input.

    Attributes:
        location: where it is, e.g. ``applicants['A17'].ranking.units`` or ``units.csv row 4, column max``.
        message: what is wrong, in plain English words.
        fix: how to fix it, in English.
        message_key: ``message`` as a message id with parameters, to show it in another language (``None``
            for a message that has no translation, e.g. one of pydantic's own).
        fix_key: ``fix`` likewise.
        location_key: ``location`` likewise, where it has words (``units.csv row 4, column max``).
    """

    location: str
    message: str
    fix: str
    message_key: Message | None = field(default=None, compare=False, repr=False)
    fix_key: Message | None = field(default=None, compare=False, repr=False)
    location_key: Message | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, location: str | Message, message: Message, fix: Message) -> ValidationIssue:
        """An issue whose message and fix (and location, if a :class:`Message`) are translatable."""
        location_key = location if isinstance(location, Message) else None
        return cls(str(location), str(message), str(fix), message, fix, location_key)

    def text(self, lang: Lang = "en") -> str:
        """``location: message. Fix: fix`` in ``lang``."""
        message = self.message_key.text(lang) if self.message_key is not None else self.message
        fix = self.fix_key.text(lang) if self.fix_key is not None else self.fix
        location = (
            self.location_key.text(lang) if self.location_key is not None else _location_text(self.location, lang)
        )
        return tr("{location}: {message}. Fix: {fix}", lang, location=location, message=message, fix=fix)

    def __str__(self) -> str:
        return self.text("en")


class MatchmakerError(Exception):
    """Base class of every error matchmaker raises on purpose."""

    def text(self, lang: Lang = "en") -> str:
        """The error's message in ``lang``: raised with a :class:`~matchmaker._i18n.Message`, it is
        translated (``str()`` stays English); raised with plain text, it is that text."""
        first = self.args[0] if len(self.args) == 1 else None
        return first.text(lang) if isinstance(first, Message) else str(self)


class InputError(MatchmakerError, ValueError):
    """The input is wrong. ``issues`` lists every problem found, each with its location and a fix."""

    def __init__(self, issues: Iterable[ValidationIssue], *, source: str | None = None) -> None:
        self.issues: tuple[ValidationIssue, ...] = tuple(issues)
        self.source = source
        super().__init__(self.text("en"))

    def text(self, lang: Lang = "en") -> str:
        """The count of problems and each issue with its fix, in ``lang``: the first
        :data:`SHOWN_ISSUES`, then how many more there are (``issues`` holds them all)."""
        n = len(self.issues)
        if self.source:
            head = tr_n(
                "{n} problem found in {source}:", "{n} problems found in {source}:", n, lang, source=self.source
            )
        else:
            head = tr_n("{n} problem found:", "{n} problems found:", n, lang)
        lines = [head, *(f"  - {issue.text(lang)}" for issue in self.issues[:SHOWN_ISSUES])]
        if n > SHOWN_ISSUES:
            rest = n - SHOWN_ISSUES
            lines.append("  " + tr_n("... and {n} more problem", "... and {n} more problems", rest, lang))
        return "\n".join(lines)


class ProblemValidationError(InputError):
    """One or more records of a problem break a validation rule."""


class OptionsError(InputError):
    """Solve options break a rule: an unknown name (with the one most likely meant), or a value out of range."""


class InputFileError(InputError):
    """A file cannot be read or parsed."""


class ArchiveError(InputError):
    """A round cannot enter the programme archive (not approved, a key already taken, personal data in
    free text), or a round asked for is not in it. ``issues`` names the field and the fix."""


class MissingExtraError(MatchmakerError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""

    def __init__(self, feature: str | Message, extra: str, package: str) -> None:
        self.feature = feature
        self.extra = extra
        self.package = package
        super().__init__(self.text("en"))

    def text(self, lang: Lang = "en") -> str:
        """The message in ``lang``."""
        feature = self.feature.text(lang) if isinstance(self.feature, Message) else self.feature
        return tr(
            "{feature} needs the optional package {package!r}, which is not installed; install it with: "
            "pip install 'matchmaker[{extra}]'",
            lang,
            feature=feature,
            package=self.package,
            extra=self.extra,
        )


class InputWarning(UserWarning):
    """The input was read, but with a repair the user should know about.

    For example an older schema version was migrated, or a spreadsheet id typed as a number was read as
    text. The message says where and how to make the file clean. It never carries input values other
    than ids. Give it a :class:`~matchmaker._i18n.Message` to have it shown in the user's language.
    """

    def text(self, lang: Lang = "en") -> str:
        """The warning's message in ``lang``."""
        first = self.args[0] if self.args else ""
        return first.text(lang) if isinstance(first, Message) else str(first)


class ResultMismatchError(MatchmakerError, ValueError):
    """A result is used with a problem whose fingerprint differs from the one it was solved for."""


class ResultStatusError(MatchmakerError, RuntimeError):
    """Raised by ``Result.raise_for_status()`` when the result holds no plan."""


class SolverError(MatchmakerError, RuntimeError):
    """An optimisation engine failed for a reason that is not about the input (a bug or a resource limit)."""


class CheckFailedError(MatchmakerError, AssertionError):
    """A result failed :func:`matchmaker.check`; ``report`` lists every violation."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        super().__init__(str(report))

    def text(self, lang: Lang = "en") -> str:
        """The report in ``lang``."""
        return self.report.text(lang)


class ApprovalError(MatchmakerError, ValueError):
    """An approved plan does not follow from its recommendation and overrides, or cannot be made
    (raised with a :class:`~matchmaker._i18n.Message`: ``str()`` is English, :meth:`text` any language)."""


class PdfError(MatchmakerError, RuntimeError):
    """The browser failed to print the report; ``str()`` is English, :meth:`text` any language."""

    def __init__(self, message: str | Message) -> None:
        self.message = message
        super().__init__(self.text("en"))

    def text(self, lang: Lang = "en") -> str:
        """The message in ``lang`` (a plain text as it is)."""
        return self.message.text(lang) if isinstance(self.message, Message) else self.message


class NoChromiumError(PdfError):
    """No Chromium-like browser is installed; the message says how to install one."""

    def __init__(self) -> None:
        super().__init__(
            msg(
                "a PDF report is printed by Chromium, which is not installed: install it (e.g. "
                "`apt-get install chromium`), or write the report as .html and print it from a browser"
            )
        )
