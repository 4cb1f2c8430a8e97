"""What the checker reports: each violation, the report of a whole result, and the error it raises."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from matchmaker._i18n import Lang, Message, tr, tr_n
from matchmaker.errors import CheckFailedError

__all__ = ["CheckFailedError", "CheckReport", "Violation"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a result is wrong: ``kind`` (e.g. ``"unit_max"``), the ``record`` id and what, a
    :class:`~matchmaker._i18n.Message` (``str()`` and :attr:`message` are English, :meth:`text` any language)."""

    kind: str
    record: str
    note: Message

    @property
    def message(self) -> str:
        """What is wrong, in English."""
        return str(self.note)

    def text(self, lang: Lang = "en") -> str:
        """``[kind] record: what is wrong``, in ``lang``."""
        return f"[{self.kind}] {self.record}: {self.note.text(lang)}"

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class CheckReport:
    """Every violation found; empty when the result is valid."""

    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        """No violation was found."""
        return not self.violations

    def kinds(self) -> set[str]:
        """The kinds of violation found."""
        return {v.kind for v in self.violations}

    def __iter__(self) -> Iterator[Violation]:
        return iter(self.violations)

    def __len__(self) -> int:
        return len(self.violations)

    def raise_if_invalid(self) -> None:
        """Raise :class:`CheckFailedError` if anything was found."""
        if self.violations:
            raise CheckFailedError(self)

    def text(self, lang: Lang = "en") -> str:
        """The report in ``lang``: how many violations, then each one."""
        n = len(self.violations)
        if not n:
            return tr("check: no violations", lang)
        head = tr_n("check: {n} violation", "check: {n} violations", n, lang)
        return "\n".join([head, *(f"  {v.text(lang)}" for v in self.violations)])

    def __str__(self) -> str:
        return self.text("en")
