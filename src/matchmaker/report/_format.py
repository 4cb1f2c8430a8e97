"""Numbers and dates as a reader of the report's language writes them, through Babel (the ``report`` extra).

Swedish: ``3,5``, ``12 345`` (a non-breaking space between thousands), ``87 %``, ``6 december 2026``;
English: ``3.5``, ``12,345``, ``87%``, ``6 December 2026``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from matchmaker.errors import MissingExtraError

if TYPE_CHECKING:
    from matchmaker.io._tables import Lang

__all__ = ["date", "decimal", "number", "percent"]

_LOCALE = {"en": "en_GB", "sv": "sv_SE"}


def _babel(module: str) -> Any:
    # Babel is the report extra's: imported on first use so that the core does not need it.
    try:
        if module == "numbers":
            import babel.numbers as numbers  # the report extra (Babel)

            return numbers
        import babel.dates as dates  # the report extra (Babel)

        return dates
    except ImportError as exc:
        raise MissingExtraError("the report", "report", "babel") from exc


def number(value: int, lang: Lang) -> str:
    """A whole number with the language's thousands separator (``12 345`` / ``12,345``)."""
    return str(_babel("numbers").format_decimal(value, format="#,##0", locale=_LOCALE[lang]))


def decimal(value: float, lang: Lang, digits: int = 2, *, fixed: bool = False) -> str:
    """``value`` with at most ``digits`` decimals (exactly, if ``fixed``: for a column of numbers) and the
    language's decimal mark (``0,87`` / ``0.87``)."""
    pattern = "#,##0." + ("0" if fixed else "#") * digits if digits > 0 else "#,##0"
    return str(_babel("numbers").format_decimal(value, format=pattern, locale=_LOCALE[lang]))


def percent(value: float, lang: Lang) -> str:
    """A share (0.87) as a whole percentage (``87 %`` / ``87%``)."""
    return str(_babel("numbers").format_percent(value, locale=_LOCALE[lang]))


def date(value: dt.date | str, lang: Lang) -> str:
    """A date (or an ISO 8601 date or date-time text) in words: ``6 december 2026`` / ``6 December 2026``.

    A text that is not ISO 8601 is returned as it is: it is shown, never guessed at."""
    day = value
    if isinstance(value, str):
        try:
            day = dt.datetime.fromisoformat(value).date()
        except ValueError:
            return value
    return str(_babel("dates").format_date(day, format="long", locale=_LOCALE[lang]))
