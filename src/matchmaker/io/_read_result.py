"""A result read from its parsed tables: the decision, its metrics, the statistics and a repair's moves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matchmaker._i18n import msg
from matchmaker._result import Result
from matchmaker.io._provenance import Origin, Provenance, finish, full_row, named_rows, read_head, validate_as
from matchmaker.io._sheet import Issues, ParsedTable
from matchmaker.io._tables import (
    METRICS_TABLES,
)

__all__ = ["result_from_parsed"]


def _rank_profile(parsed: ParsedTable | None, prov: Provenance, issues: Issues) -> list[Any]:
    """The rank profile: one row per rank from 1 to the worst, in any order."""
    placed: dict[int, Any] = {}
    for row in parsed.rows if parsed else []:
        assert parsed is not None
        rank = row.values.get("rank")
        if not isinstance(rank, int):
            continue  # empty or unreadable: validation or the cell reader reports it
        if rank in placed or rank < 1:
            if rank in placed:
                problem = msg("rank {rank} is listed twice", rank=rank)
            else:
                problem = msg("rank {rank} is not a rank (1 = first choice)", rank=rank)
            issues.add(parsed.where(row.label, "rank"), problem, msg("give one row per rank 1, 2, ..."))
            continue
        placed[rank] = row.values.get("placed")
        prov.add([f"decision.metrics.rank_profile[{rank - 1}]"], Origin(parsed, row.label, "placed"))
    missing = sorted(set(range(1, max(placed, default=0) + 1)) - set(placed))
    if missing and parsed is not None:
        issues.add(
            parsed.sheet.where,
            msg("has no row for rank {ranks}", ranks=", ".join(map(str, missing))),
            msg("give one row per rank from 1 to the worst rank (0 placed where nobody got that rank)"),
        )
    return [placed.get(k, 0) for k in range(1, max(placed, default=0) + 1)]  # a missing rank is reported above


def _metrics(
    tables: Mapping[str, ParsedTable], decision: dict[str, Any], prov: Provenance, issues: Issues
) -> dict[str, Any] | None:
    """The decision's metrics from the result row and the metrics tables, or ``None`` if it has none.

    The result row's ``metrics`` cell says whether the decision has metrics (a result migrated from
    schema version 0 has none); when it is empty, the metrics tables decide.
    """
    flag = decision.pop("metrics", None)
    keys = ("worst_rank", "mean_rank", "blocking_pairs")
    head: dict[str, Any] = {key: decision.pop(key) for key in keys if key in decision}
    filled = [t for t in METRICS_TABLES if (parsed := tables.get(t.key)) is not None and parsed.rows]
    if flag is False or (flag is None and not filled and not head):
        result = tables.get("result")
        if flag is False and (filled or any(v is not None for v in head.values())) and result is not None:
            where = ", ".join([t.key for t in filled] + [k for k, v in head.items() if v is not None])
            issues.add(
                result.where(result.rows[0].label, "metrics"),
                msg("says the decision has no metrics, but {where} hold some", where=where),
                msg("write yes in the metrics cell, or empty the metrics tables and cells"),
            )
        return None
    if (result := tables.get("result")) is not None and result.rows:
        prov.add(["decision.metrics"], Origin(result, result.rows[0].label, "metrics"))
    metrics: dict[str, Any] = {"worst_rank": None, "mean_rank": None, "blocking_pairs": None, **head}
    metrics["rank_profile"] = _rank_profile(tables.get("rank_profile"), prov, issues)
    percentiles = tables.get("fit_percentiles")
    if percentiles is not None:
        prov.add(["decision.metrics.fit_percentiles"], Origin(percentiles, None))
    metrics["fit_percentiles"] = {}
    for row in percentiles.rows if percentiles else []:
        assert percentiles is not None
        name = row.values.get("percentile")
        if name is None:
            continue  # empty or unreadable: reported as such
        if name in metrics["fit_percentiles"]:
            issues.add(
                percentiles.where(row.label, "percentile"),
                msg("{name!r} is listed twice", name=name),
                msg("keep one row"),
            )
            continue
        prov.add([f"decision.metrics.fit_percentiles.{name}"], Origin(percentiles, row.label, "fit"))
        metrics["fit_percentiles"][name] = row.values.get("fit")
    for key, field in (("unit_metrics", "units"), ("municipality_metrics", "municipalities")):
        metrics[field] = _records(tables.get(key), f"decision.metrics.{field}", prov)
    return metrics


def _records(parsed: ParsedTable | None, prefix: str, prov: Provenance) -> list[dict[str, Any]]:
    """Every row of a result table as a record (empty optional cells as ``None``), traced as ``prefix[i]``."""
    out = []
    for i, row in enumerate(parsed.rows if parsed else []):
        assert parsed is not None
        prov.add([f"{prefix}[{i}]"], Origin(parsed, row.label))
        out.append(full_row(parsed, row))
    return out


def _repair(tables: Mapping[str, ParsedTable], prov: Provenance) -> dict[str, Any] | None:
    """A repair's record: the repair table's one row and the moves of its diff."""
    parsed = tables.get("repair")
    if parsed is None or not parsed.rows:
        return None
    prov.add(["decision.repair"], Origin(parsed, parsed.rows[0].label))
    head = full_row(parsed, parsed.rows[0])
    diff: dict[str, Any] = {"unchanged": head.pop("unchanged", None)}
    head["keep"] = head.get("keep") or ()
    for key in ("moved", "newly_placed", "newly_unplaced", "withdrawn"):
        diff[key] = []
    for row in _records(tables.get("moves"), "decision.repair.diff.moves", prov):
        kind = row.pop("kind", None)
        if kind in diff and kind != "unchanged":
            diff[kind].append(row)
    return {**head, "diff": diff}


def result_from_parsed(tables: Mapping[str, ParsedTable], issues: Issues, source: str) -> Result:
    """Assemble, validate and return the result; raise one :class:`InputFileError` naming every problem."""
    prov = Provenance()
    data: dict[str, Any] = {}
    decision = read_head(tables.get("result"), "decision", ("schema_version", "kind"), data, prov, issues) or {}
    data["decision"] = decision
    for key in ("objective", "assignments", "unplaced"):
        decision[key] = _records(tables.get(key), f"decision.{key}", prov)
    for record in decision["objective"]:
        for words in ("rule", "reading"):  # written for people; the level is its name and value
            record.pop(words, None)
    for record in decision["assignments"]:
        if record.get("continuity") is None:
            record.pop("continuity", None)  # a table written before continuity bonuses existed
    decision["metrics"] = _metrics(tables, decision, prov, issues)
    stats = tables.get("statistics")
    statistics: dict[str, Any] = {}
    if stats is not None and stats.rows:
        prov.add(["statistics"], Origin(stats, stats.rows[0].label))
        statistics.update(full_row(stats, stats.rows[0]))
        if statistics.get("unchecked") is None:
            statistics.pop("unchecked", None)  # an empty cell, or a table written before the mark existed
    statistics["stages"] = _records(tables.get("stages"), "statistics.stages", prov)
    statistics["versions"] = named_rows(tables.get("versions"), issues, lambda r: r.values.get("version"))
    statistics["parameters"] = named_rows(tables.get("parameters"), issues, lambda r: r.values.get("value"))
    for key in ("versions", "parameters"):
        if (parsed := tables.get(key)) is not None:
            prov.add([f"statistics.{key}"], Origin(parsed, None))
    data["statistics"] = statistics
    decision["repair"] = _repair(tables, prov)
    result, mapped = validate_as(Result, data, "result", prov)
    finish(issues, mapped, source, validation=False)
    assert result is not None
    return result
