"""Problems and results as table rows in the layout of :mod:`matchmaker.io._tables` (the writing side).

A record becomes plain rows (text, numbers, booleans and empty cells) in one language; every field
of a problem and a result has a column, so every table format round-trips exactly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from matchmaker._i18n import msg
from matchmaker._models import Problem
from matchmaker._result import Result
from matchmaker.errors import (
    InputError,
    ValidationIssue,
)
from matchmaker.io._tables import (
    APPLICANT_REF,
    BALANCE_COLUMNS,
    LIST_SEPARATOR,
    PROBLEM_TABLES,
    RESULT_TABLES,
    ROUND_COLUMNS,
    STABILITY_COLUMNS,
    Kind,
    Lang,
    Table,
    group_column,
)
from matchmaker.report._content import level_name, level_reading

__all__ = ["Rows", "Value", "problem_rows", "result_rows", "table_by_key"]


#: What a written cell holds.
Value = str | int | float | bool | None


#: Tables and their rows, in writing order.
Rows = dict[Table, list[tuple[Value, ...]]]


def table_by_key(key: str) -> Table:
    """The problem or result table with English name ``key``."""
    for table in (*PROBLEM_TABLES, *RESULT_TABLES):
        if table.key == key:
            return table
    raise KeyError(key)


def _row(table: Table, lang: Lang, where: str, values: Mapping[str, Any]) -> tuple[Value, ...]:
    out: list[Value] = []
    for col in table.columns:
        v = values.get(col.key)
        if v is None:
            out.append(None)
        elif col.kind is Kind.ENUM:
            out.append(col.word(str(v), lang))
        elif col.kind is Kind.LIST:
            for item in v:
                if LIST_SEPARATOR in item:
                    raise InputError(
                        [
                            ValidationIssue.of(
                                f"{where}.{col.key}",
                                msg(
                                    "an item contains {separator!r}, which separates the items of a table cell",
                                    separator=LIST_SEPARATOR,
                                ),
                                msg("use another character in the item, or save the {table} as JSON", table=table.key),
                            )
                        ]
                    )
            out.append(f"{LIST_SEPARATOR} ".join(v) if v else None)
        elif col.kind is Kind.JSON:
            out.append(json.dumps(v, ensure_ascii=False, sort_keys=True))
        elif col.kind is Kind.DATE:
            out.append(v.isoformat() if isinstance(v, dt.date) else str(v))
        else:
            out.append(v)
    return tuple(out)


def _order_items(order: str | tuple[str, ...]) -> tuple[str, ...]:
    return (order,) if isinstance(order, str) else order


def problem_rows(problem: Problem, lang: Lang = "en") -> Rows:
    """Every table of ``problem`` as rows, headers and words in ``lang``.

    The applicants table gets one ``group:<family>`` column per family of applicant groups in the round
    (in sorted order).

    Raises:
        InputError: a list item holds the list separator ``;`` (written as JSON it is kept).
    """
    families = sorted({family for a in problem.applicants for family in a.groups})
    t = {table.key: table for table in PROBLEM_TABLES}
    t["applicants"] = dataclasses.replace(
        t["applicants"], columns=(*t["applicants"].columns, *(group_column(f) for f in families))
    )
    rows: Rows = {table: [] for table in t.values()}

    def put(key: str, where: str, values: Mapping[str, Any]) -> None:
        rows[t[key]].append(_row(t[key], lang, where, values))

    policy = problem.policy
    balance = {} if policy.balance is None else policy.balance.model_dump()
    stability = {} if policy.stability is None else policy.stability.model_dump()
    weights = problem.pair_weights
    put(
        "round",
        "problem",
        {
            **policy.model_dump(),
            # written only when set, so that a round without them reads as before
            "pair_weights": None if weights is None and policy.pair_weights == "replace" else policy.pair_weights,
            "order": None if policy.order == "placed_first" else _order_items(policy.order),
            "pair_weight_scale": None if weights is None else weights.scale,
            "pair_weights_unwished": None if weights is None else weights.unwished,
            **{column: balance.get(field) for column, field in BALANCE_COLUMNS.items()},
            **{column: stability.get(field) for column, field in STABILITY_COLUMNS.items()},
            "schema_version": problem.schema_version,
            "name": problem.name,
            **({} if problem.round is None else {k: getattr(problem.round, k) for k in ROUND_COLUMNS}),
        },
    )
    for q in problem.round.periods if problem.round is not None else ():
        put("periods", f"round.periods[{q.id!r}]", q.model_dump())
    for i, commitment in enumerate(problem.commitments):
        put("commitments", f"commitments[{i}]", commitment.model_dump())
    for c in problem.criteria:
        put("criteria", f"criteria[{c.id!r}]", c.model_dump())
    for m in problem.municipalities:
        put("municipalities", f"municipalities[{m.id!r}]", m.model_dump())
    for u in problem.units:
        where = f"units[{u.id!r}]"
        # Rows on unit_rankings say that a unit ranks applicants; only a ranking without rows needs the cell.
        put("units", where, {**u.model_dump(), "ranks_applicants": True if u.ranking == {} else None})
        for applicant, rank in (u.ranking or {}).items():
            put("unit_rankings", where, {"unit": u.id, APPLICANT_REF: applicant, "rank": rank})
    for s in problem.supervisors:
        put("supervisors", f"supervisors[{s.id!r}]", s.model_dump())
    for a in problem.applicants:
        where = f"applicants[{a.id!r}]"
        prefs = a.interests if a.interests is not None else a.ranking
        mode = None if prefs is None else ("weights" if a.interests is not None else "ranking")
        groups = {group_column(family).key: group for family, group in a.groups.items()}
        put("applicants", where, {**a.model_dump(), "preferences": mode, **groups})
        if prefs is not None:
            value_key = "weight" if mode == "weights" else "rank"
            for kind, entries in (("area", prefs.areas), ("unit", prefs.units), ("supervisor", prefs.supervisors)):
                for option, value in entries.items():
                    put("preferences", where, {APPLICANT_REF: a.id, "kind": kind, "option": option, value_key: value})
        for score in a.interview:
            put("interview_scores", where, {APPLICANT_REF: a.id, **score.model_dump()})
        for unit in a.conflicts.units:
            put("conflicts", where, {APPLICANT_REF: a.id, "unit": unit})
        for sup in a.conflicts.supervisors:
            put("conflicts", where, {APPLICANT_REF: a.id, "supervisor": sup})
    for i, pin in enumerate(problem.pins):
        put("pins", f"pins[{i}]", pin.model_dump())
    for i, adj in enumerate(problem.adjustments):
        put("adjustments", f"adjustments[{i}]", adj.model_dump())
    for i, row in enumerate(weights.rows if weights is not None else ()):
        put("pairs", f"pair_weights.rows[{i}]", row.model_dump())
    for i, link in enumerate(problem.links):
        first, second = link.applicants
        values = {APPLICANT_REF: first, "other_applicant": second, "relation": link.relation, "hard": link.hard}
        put("links", f"links[{i}]", values)
    for i, rule in enumerate(policy.group_rules):
        put("group_rules", f"policy.group_rules[{i}]", rule.model_dump())
    return rows


def result_rows(result: Result, lang: Lang = "en", *, plain: bool = False) -> Rows:
    """Every table of ``result`` as rows, headers and words in ``lang``; with ``plain``, each objective
    level also in words and its value as a person reads it (for a workbook; needs Babel)."""
    t = {table.key: table for table in RESULT_TABLES}
    rows: Rows = {table: [] for table in RESULT_TABLES}

    def put(key: str, values: Mapping[str, Any]) -> None:
        rows[t[key]].append(_row(t[key], lang, key, values))

    d = result.decision
    m = d.metrics
    head = {
        "schema_version": result.schema_version,
        "kind": result.kind,
        **d.model_dump(),
        "metrics": m is not None,
        "worst_rank": None if m is None else m.worst_rank,
        "mean_rank": None if m is None else m.mean_rank,
        "blocking_pairs": None if m is None else m.blocking_pairs,
    }
    put("result", head)
    for level in d.objective:
        words = {}
        if plain:
            words = {
                "rule": level_name(level.name, lang),
                "reading": level_reading(level, lang, placed=len(d.assignments), seed=d.lottery_seed),
            }
        put("objective", {**level.model_dump(), **words})
    for a in d.assignments:
        put("assignments", a.model_dump())
    for u in d.unplaced:
        put("unplaced", u.model_dump())
    if m is not None:
        for rank, placed in enumerate(m.rank_profile, start=1):
            put("rank_profile", {"rank": rank, "placed": placed})
        for percentile, fit in m.fit_percentiles.items():
            put("fit_percentiles", {"percentile": percentile, "fit": fit})
        for unit in m.units:
            put("unit_metrics", unit.model_dump())
        for muni in m.municipalities:
            put("municipality_metrics", muni.model_dump())
    s = result.statistics
    put("statistics", {**s.model_dump(), "unchecked": True if s.unchecked else None})  # empty when checked
    for stage in s.stages:
        put("stages", stage.model_dump())
    for name, version in s.versions.items():
        put("versions", {"name": name, "version": version})
    for name, value in s.parameters.items():
        put("parameters", {"name": name, "value": value})
    if d.repair is not None:
        put("repair", {**d.repair.model_dump(), "unchanged": d.repair.diff.unchanged})
        diff = d.repair.diff
        for kind, moves in (
            ("moved", diff.moved),
            ("newly_placed", diff.newly_placed),
            ("newly_unplaced", diff.newly_unplaced),
            ("withdrawn", diff.withdrawn),
        ):
            for move in moves:
                put("moves", {"kind": kind, **move.model_dump()})
    return rows
