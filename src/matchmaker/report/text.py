"""Plain-text and small HTML summaries of a result (ids only, never personal data)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matchmaker.result import Result

__all__ = ["format_result", "format_table", "result_html_summary"]


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A fixed-width text table."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in out)


def format_result(result: Result, *, max_levels: int = 12) -> str:
    """The status, the objective vector (at most ``max_levels`` rows), the rank profile, the
    placements and the unplaced applicants as text."""
    d = result.decision
    parts = [f"status: {d.status.value}"]
    if d.message:
        parts.append(d.message)
    if result.gap not in (None, 0.0):
        parts.append(f"gap of the first unproven stage: {result.gap:.4%}")
    parts.append("")
    rows = [
        [str(i), lv.name, lv.sense, "-" if lv.value is None else str(lv.value)]
        for i, lv in enumerate(d.objective, start=1)
    ]
    if len(rows) > max_levels:  # e.g. leximin's one level per distinct fit value
        hidden = len(rows) - max_levels + 1
        rows = [*rows[: max_levels - 2], ["...", f"({hidden} more levels)", "", ""], rows[-1]]
    parts.append(format_table(["level", "objective", "sense", "value"], rows))
    m = d.metrics
    if d.status.has_plan and m is not None and m.rank_profile:  # a migrated result may have no metrics
        profile = ", ".join(f"{k}: {n}" for k, n in enumerate(m.rank_profile, start=1))
        parts.append(f"rank profile (choice: placed): {profile}; worst rank {m.worst_rank}")
    if d.assignments:
        parts.append("")
        parts.append(
            format_table(
                ["applicant", "unit", "supervisor", "municipality", "rank", "fit"],
                [
                    [x.applicant, x.unit, x.supervisor, x.municipality, str(x.rank), f"{x.fit:.4f}"]
                    for x in d.assignments
                ],
            )
        )
    if d.unplaced and d.status.has_plan:
        parts.append("")
        parts.append(
            format_table(
                ["unplaced", "reason", "detail"],
                [[y.applicant, y.reason.value, y.detail] for y in d.unplaced],
            )
        )
    parts.append("")
    parts.append(
        f"{len(d.assignments)} placed, {len(d.unplaced)} unplaced; "
        f"solved by {result.statistics.engine} in {result.statistics.wall_time:.3f} s"
    )
    return "\n".join(parts)


def result_html_summary(result: Result) -> str:
    """A compact HTML table for notebooks."""
    d = result.decision
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(lv.name)}</td><td>{'-' if lv.value is None else lv.value}</td></tr>" for lv in d.objective
    )
    return (
        "<div><strong>matchmaker Result</strong>: "
        f"{esc(d.status.value)}, {len(d.assignments)} placed, {len(d.unplaced)} unplaced"
        f"<table><tr><th>objective level</th><th>value</th></tr>{rows}</table></div>"
    )
