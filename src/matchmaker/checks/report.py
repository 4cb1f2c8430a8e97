"""What the checker reports: each violation, the report of a whole result, and the error it raises."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from matchmaker.errors import MatchmakerError

__all__ = ["CheckFailedError", "CheckReport", "Violation"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a result is wrong: ``kind`` (e.g. ``"unit_max"``), the ``record`` id and a message."""

    kind: str
    record: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.record}: {self.message}"


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

    def __str__(self) -> str:
        if not self.violations:
            return "check: no violations"
        return "\n".join([f"check: {len(self.violations)} violation(s)", *(f"  {v}" for v in self.violations)])


class CheckFailedError(MatchmakerError, AssertionError):
    """A result failed :func:`check`."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        super().__init__(str(report))
