"""Problems and results to table rows and back, with errors traced to the file, sheet, row and column.

Writing turns a record into plain rows (text, numbers, booleans and empty cells) in the layout of
:mod:`matchmaker.io.tables`. Reading assembles the parsed tables into plain data, validates it with the
models, and translates every issue the models report (``units['bou'].max_places``) back to the place a
person can find it (``units.csv, row 4, column max_places``). Problems found while reading cells and
problems found by validation are reported together, once each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matchmaker._i18n import Message, msg, msg_n
from matchmaker._pydantic_errors import issues_from_validation_error
from matchmaker._text import fold_field_name, suggest
from matchmaker.errors import (
    InputError,
    InputFileError,
    InputWarning,
    Place,
    ProblemValidationError,
    ValidationIssue,
)
from matchmaker.io.sheet import Issues, ParsedRow, ParsedTable, RawSheet, parse_sheet
from matchmaker.io.tables import (
    APPLICANT_REF,
    BALANCE_COLUMNS,
    LIST_SEPARATOR,
    METRICS_TABLES,
    PROBLEM_TABLES,
    README_SHEETS,
    RESULT_TABLES,
    ROUND_COLUMNS,
    STABILITY_COLUMNS,
    Kind,
    Lang,
    Table,
    find_table,
)
from matchmaker.models import Problem
from matchmaker.report.content import level_name, level_reading
from matchmaker.result import Result

__all__ = [
    "Rows",
    "Source",
    "Value",
    "finish",
    "parse_tables",
    "problem_from_parsed",
    "problem_rows",
    "result_from_parsed",
    "result_rows",
    "table_by_key",
]

#: What a written cell holds.
Value = str | int | float | bool | None
#: Tables and their rows, in writing order.
Rows = dict[Table, list[tuple[Value, ...]]]

M = TypeVar("M", bound=BaseModel)


def table_by_key(key: str) -> Table:
    """The problem or result table with English name ``key``."""
    for table in (*PROBLEM_TABLES, *RESULT_TABLES):
        if table.key == key:
            return table
    raise KeyError(key)


# --- writing -------------------------------------------------------------------------------------------


#: The words that callers pass as ``noun`` and ``what`` (and the kinds of a wish), in both languages.
_WORDS: Mapping[str, Message] = {
    "file": msg("file"),
    "sheet": msg("sheet"),
    "DataFrame": msg("DataFrame"),
    "problem": msg("problem"),
    "result": msg("result"),
    "area": msg("area"),
    "unit": msg("unit"),
    "supervisor": msg("supervisor"),
}


def _word(word: str) -> Message | str:
    return _WORDS.get(word, word)


def _did_you_mean(hint: str | None) -> Message | str:
    return msg(" (did you mean {hint!r}?)", hint=hint) if hint else ""


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


def problem_rows(problem: Problem, lang: Lang = "en") -> Rows:
    """Every table of ``problem`` as rows, headers and words in ``lang``."""
    t = {table.key: table for table in PROBLEM_TABLES}
    rows: Rows = {table: [] for table in PROBLEM_TABLES}

    def put(key: str, where: str, values: Mapping[str, Any]) -> None:
        rows[t[key]].append(_row(t[key], lang, where, values))

    policy = problem.policy
    balance = {} if policy.balance is None else policy.balance.model_dump()
    stability = {} if policy.stability is None else policy.stability.model_dump()
    put(
        "round",
        "problem",
        {
            **policy.model_dump(),
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
        put("applicants", where, {**a.model_dump(), "preferences": mode})
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
    for i, link in enumerate(problem.links):
        first, second = link.applicants
        values = {APPLICANT_REF: first, "other_applicant": second, "relation": link.relation, "hard": link.hard}
        put("links", f"links[{i}]", values)
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
    put("statistics", s.model_dump())
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


# --- reading: provenance -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    table: ParsedTable
    row: str | None
    column: str | None = None
    key_column: str | None = None  # for a mapping entry: the column of the key ("refers to ..." issues)
    aliases: Mapping[str, str] | None = None  # model field -> column key, where they differ


class _Provenance:
    """Model locations (``units['bou']``) and where they came from in the files."""

    def __init__(self) -> None:
        self._at: dict[str, _Origin] = {}

    def add(self, prefixes: Iterable[str], origin: _Origin) -> None:
        for prefix in prefixes:
            self._at.setdefault(prefix, origin)

    def locate(self, issue: ValidationIssue) -> ValidationIssue:
        loc = issue.location
        for end in sorted({len(p) for p in self._at if len(p) <= len(loc)}, reverse=True):
            prefix = loc[:end]
            origin = self._at.get(prefix)
            if origin is None or not (end == len(loc) or loc[end] in ".[ "):
                continue
            rest = loc[end:]
            column = origin.column
            if rest.startswith("."):
                field = rest[1:].split(".")[0].split("[")[0]
                aliases = origin.aliases or {}
                keys = {c.key for c in origin.table.table.columns}
                column = aliases.get(field, field if field in keys else column)
            elif not rest and origin.key_column and issue.message.startswith("refers to"):
                column = origin.key_column
            return dataclasses.replace(issue, location=origin.table.where(origin.row, column), location_key=None)
        return issue


def _prefixes(kind: str, index: int, ident: object) -> list[str]:
    out = [f"{kind}[{index}]"]
    if isinstance(ident, str) and ident.strip():
        out.insert(0, f"{kind}[{ident.strip()!r}]")
    return out


def finish(issues: Issues, mapped: Sequence[ValidationIssue], source: str, *, validation: bool) -> None:
    """Emit the notices as :class:`InputWarning` s, then raise if any problem was found.

    Problems found in cells come first; a validation issue at a cell that already has one is left out.
    Raises :class:`InputFileError` when a cell or table could not be read, otherwise
    :class:`ProblemValidationError` (for validation issues only).
    """
    for notice in issues.notices:
        warnings.warn(InputWarning(notice), stacklevel=4)
    seen = {i.location for i in issues.problems}
    everything = [*issues.problems, *(i for i in mapped if i.location not in seen)]
    if not everything:
        return
    if issues.problems or not validation:
        raise InputFileError(everything, source=source)
    raise ProblemValidationError(everything, source=source)


@dataclass(frozen=True)
class Source:
    """One named sheet or file of a container: the name to match a table by, its display name and a loader."""

    name: str
    shown: str
    load: Callable[[], RawSheet | None]


def parse_tables(
    sources: Iterable[Source], tables: tuple[Table, ...], container: str, noun: str, what: str, issues: Issues
) -> dict[str, ParsedTable]:
    """Match ``sources`` to ``tables`` by name (English or Swedish) and parse each; report what is amiss.

    Sources that name no table are ignored with a notice (instruction sheets silently); two sources for
    one table and a missing required table are problems. If a required table is missing, raise at once
    (with every problem found so far): nothing can be assembled without it.
    """
    found: dict[Table, str] = {}
    ignored: list[str] = []
    parsed: dict[str, ParsedTable] = {}
    for source in sources:
        table = find_table(source.name, tables)
        if table is None:
            if fold_field_name(source.name) not in README_SHEETS:
                ignored.append(source.shown)
            continue
        if table in found:
            issues.add(
                msg("{container}, {noun} {name}", container=container, noun=_word(noun), name=source.shown),
                msg(
                    "a second {noun} for the {table!r} table (besides {first})",
                    noun=_word(noun),
                    table=table.key,
                    first=found[table],
                ),
                msg("keep one {noun} per table (English or Swedish name, not both)", noun=_word(noun)),
            )
            continue
        found[table] = source.shown
        sheet = source.load()
        if sheet is not None:
            parsed[table.key] = parse_sheet(sheet, table, issues)
    if ignored:
        issues.notices.append(
            msg_n(
                "{container}: ignored {ignored}, which names no {what} table (the tables are {tables})",
                "{container}: ignored {ignored}, which name no {what} table (the tables are {tables})",
                len(ignored),
                container=container,
                ignored=", ".join(ignored),
                what=_word(what),
                tables=", ".join(t.key for t in tables),
            )
        )
    for table in tables:
        if table.required and table not in found:
            issues.add(
                container,
                msg(
                    "has no {noun} for the {table!r} table (named {table!r} or, in Swedish, {sv!r})",
                    noun=_word(noun),
                    table=table.key,
                    sv=table.sv,
                ),
                msg("add it; `matchmaker template` writes every {what} table with its header", what=_word(what)),
            )
    if any(t.required and t.key not in parsed for t in tables):  # missing, or unreadable (already reported)
        finish(issues, [], container, validation=False)
    return parsed


def _fields(row: ParsedRow, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in row.values.items() if k not in skip}


def _need(table: ParsedTable, row: ParsedRow, key: str, issues: Issues, what: Message) -> Any:
    """The row's value for ``key``; reports an empty cell (unless it was already reported as unreadable)."""
    value = row.values.get(key)
    if value is None and key not in row.bad:
        issues.add(table.where(row.label, key), msg("is empty"), msg("give {what}", what=what))
    return value


class _Applicants:
    """Applicant records by id, for tables that refer to applicants."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}
        for record in records:
            ident = record.get("id")
            if isinstance(ident, str):
                self.by_id.setdefault(ident, record)
        self.index = {ident: i for i, ident in enumerate(self.by_id)}

    def find(
        self, table: ParsedTable, row: ParsedRow, issues: Issues, key: str = APPLICANT_REF
    ) -> dict[str, Any] | None:
        """The record of the applicant that the row's ``key`` column names; reports an empty or unknown id."""
        ident = _need(table, row, key, issues, msg("the applicant's id"))
        if ident is None:
            return None
        record = self.by_id.get(ident)
        if record is None:
            hint = suggest(ident, self.by_id)
            issues.add(
                table.where(row.label, key),
                msg(
                    "refers to applicant {value!r}, who is not in the applicants table{suggestion}",
                    value=ident,
                    suggestion=_did_you_mean(hint),
                ),
                msg("use the id of an applicant listed in the applicants table, or add the applicant there"),
            )
        return record


_KIND_FIELD = {"area": "areas", "unit": "units", "supervisor": "supervisors"}


def _preferences(
    parsed: ParsedTable | None,
    applicants: _Applicants,
    modes: Mapping[str, str | None],
    prov: _Provenance,
    issues: Issues,
) -> None:
    entries: dict[str, list[tuple[ParsedRow, str, str, Any, Any]]] = {}
    if parsed is not None:
        for row in parsed.rows:
            record = applicants.find(parsed, row, issues)
            kind = _need(parsed, row, "kind", issues, msg("area, unit or supervisor"))
            option = _need(parsed, row, "option", issues, msg("the area name, unit id or supervisor id"))
            rank, weight = row.values.get("rank"), row.values.get("weight")
            if rank is not None and weight is not None:
                issues.add(
                    parsed.where(row.label, "weight"), msg("both a rank and a weight are given"), msg("give one")
                )
                continue
            if rank is None and weight is None and not {"rank", "weight"} & row.bad:
                issues.add(
                    parsed.where(row.label, "rank"), msg("neither a rank nor a weight is given"), msg("give one")
                )
                continue
            if record is None or kind is None or option is None or (rank is None and weight is None):
                continue
            entries.setdefault(record["id"], []).append((row, kind, option, rank, weight))
    for ident, record in applicants.by_id.items():
        mode = modes.get(ident)
        rows = entries.get(ident, [])
        if mode is None and rows:
            mode = "ranking" if rows[0][3] is not None else "weights"
        if mode is None:
            continue
        field, value_key = ("ranking", "rank") if mode == "ranking" else ("interests", "weight")
        prefs: dict[str, dict[str, Any]] = {}
        first: dict[str, str] = {}
        where = f"applicants[{ident!r}]"
        for row, kind, option, rank, weight in rows:
            assert parsed is not None
            value = rank if mode == "ranking" else weight
            if value is None:
                given = "weight" if mode == "ranking" else "rank"
                if mode == "ranking":
                    what = msg("the applicant's wishes are ranked, but this row gives a weight")
                    fix = msg("give every wish of one applicant a rank")
                else:
                    what = msg("the applicant's wishes are weighted, but this row gives a rank")
                    fix = msg("give every wish of one applicant a weight")
                issues.add(parsed.where(row.label, given), what, fix)
                continue
            group = prefs.setdefault(_KIND_FIELD[kind], {})
            if option in group:
                issues.add(
                    parsed.where(row.label, "option"),
                    msg(
                        "the applicant lists this {kind} again (first at {first})",
                        kind=_word(kind),
                        first=Place(first[kind + option]),
                    ),
                    msg("list each option once"),
                )
                continue
            group[option] = value
            first[kind + option] = row.label
            base = f"{where}.{field}.{_KIND_FIELD[kind]}"
            prov.add([f"{base}[{option!r}]"], _Origin(parsed, row.label, value_key, key_column="option"))
            prov.add([base], _Origin(parsed, row.label, "option"))
            prov.add([f"{where}.{field}"], _Origin(parsed, row.label, value_key))
        record[field] = prefs


def _unit_rankings(
    parsed: ParsedTable | None,
    units: Mapping[str, dict[str, Any]],
    flags: Mapping[str, bool | None],
    applicants: _Applicants,
    prov: _Provenance,
    issues: Issues,
) -> None:
    """Put each unit's own ranking of applicants into its record.

    A unit ranks applicants itself if its ``ranks_applicants`` cell says yes (with no rows, it ranks
    nobody and so takes nobody), or if the cell is empty and the table has rows for it.
    """
    ranks: dict[str, dict[str, int]] = {}
    first: dict[tuple[str, str], str] = {}
    for row in parsed.rows if parsed else []:
        assert parsed is not None
        unit = _need(parsed, row, "unit", issues, msg("the unit's id"))
        record = applicants.find(parsed, row, issues)
        rank = _need(parsed, row, "rank", issues, msg("the unit's rank of the applicant (1 = most wanted)"))
        if unit is not None and unit not in units:
            hint = suggest(unit, units)
            issues.add(
                parsed.where(row.label, "unit"),
                msg(
                    "refers to unit {value!r}, which is not in the units table{suggestion}",
                    value=unit,
                    suggestion=_did_you_mean(hint),
                ),
                msg("use the id of a unit listed in the units table, or add the unit there"),
            )
            continue
        if unit is not None and flags.get(unit) is False:
            issues.add(
                parsed.where(row.label, "unit"),
                msg("the units table says that this unit does not rank applicants itself"),
                msg("write yes in the unit's ranks_applicants cell (or leave it empty), or delete this row"),
            )
            continue
        if unit is None or record is None or rank is None:
            continue
        applicant = record["id"]
        if (unit, applicant) in first:
            issues.add(
                parsed.where(row.label, APPLICANT_REF),
                msg("the unit ranks this applicant again (first at {first})", first=Place(first[unit, applicant])),
                msg("rank each applicant once per unit"),
            )
            continue
        first[unit, applicant] = row.label
        ranks.setdefault(unit, {})[applicant] = rank
        where = f"units[{unit!r}].ranking"
        prov.add([f"{where}[{applicant!r}]", f"{where}.{applicant}"], _Origin(parsed, row.label, "rank", APPLICANT_REF))
        prov.add([where], _Origin(parsed, row.label, "rank"))
    for ident, unit_record in units.items():
        if ident in ranks:
            unit_record["ranking"] = ranks[ident]
        elif flags.get(ident):
            unit_record["ranking"] = {}


def _links(parsed: ParsedTable | None, applicants: _Applicants, prov: _Provenance, issues: Issues) -> list[Any]:
    """The links between applicants, one per row."""
    links: list[Any] = []
    if parsed is None:
        return links
    prov.add(["links"], _Origin(parsed, None))
    for row in parsed.rows:
        first = applicants.find(parsed, row, issues)
        second = applicants.find(parsed, row, issues, "other_applicant")
        relation = _need(parsed, row, "relation", issues, msg("apart, same_unit or same_municipality"))
        if first is None or second is None or relation is None:
            continue
        i = len(links)
        a, b = first["id"], second["id"]
        loc = f"links[{i}] (applicants {a!r}, {b!r})"
        prov.add([f"{loc}.applicants[0]", f"links[{i}].applicants[0]"], _Origin(parsed, row.label, APPLICANT_REF))
        prov.add([f"{loc}.applicants[1]", f"links[{i}].applicants[1]"], _Origin(parsed, row.label, "other_applicant"))
        prov.add([loc, f"links[{i}]"], _Origin(parsed, row.label, aliases={"applicants": APPLICANT_REF}))
        links.append({"applicants": [a, b], **_fields(row, APPLICANT_REF, "other_applicant")})
    return links


#: Policy records spread over round columns: key -> (columns, what the setting is called, the modes).
_NESTED: Mapping[str, tuple[Mapping[str, str], Message, Message]] = {
    "balance": (BALANCE_COLUMNS, msg("balance setting"), msg("within, ratio or maximin")),
    "stability": (STABILITY_COLUMNS, msg("stability setting"), msg("applicant_optimal, unit_optimal or optimise")),
}


def _nested(key: str, parsed: ParsedTable | None, policy: dict[str, Any], prov: _Provenance, issues: Issues) -> None:
    """Gather the round's columns of ``policy[key]`` (balance, stability) into one record."""
    columns, what, modes = _NESTED[key]
    given = {field: policy.pop(column) for column, field in columns.items() if column in policy}
    if parsed is None or not given:
        return
    row = parsed.rows[0].label
    if "mode" not in given:
        column = next(c for c, field in columns.items() if field in given)
        issues.add(
            parsed.where(row, column),
            msg("a {what} is given, but no {key} mode", what=what, key=key),
            msg("choose a {key} mode ({modes}), or clear the cell", key=key, modes=modes),
        )
        return
    policy[key] = given
    aliases = {field: column for column, field in columns.items()}
    prov.add([f"policy.{key}"], _Origin(parsed, row, key, aliases=aliases))


def _head(
    parsed: ParsedTable | None,
    record: str,
    top: tuple[str, ...],
    data: dict[str, Any],
    prov: _Provenance,
    issues: Issues,
) -> dict[str, Any] | None:
    """Read a one-row table: the ``top`` fields go into ``data``, the rest is returned as ``record``'s fields.

    A schema version below 1 is refused: the table formats began at version 1.
    """
    if parsed is None or not parsed.rows:
        return None
    row = parsed.rows[0]
    prov.add([record], _Origin(parsed, row.label))
    for key in top:
        prov.add([key], _Origin(parsed, row.label, key))
    values = _full(parsed, row)
    version = values.get("schema_version")
    if version is not None and version < 1:
        issues.add(
            parsed.where(row.label, "schema_version"),
            msg("schema version {version} existed only as JSON; tables start at version 1", version=version),
            msg("write 1, or leave the cell empty"),
        )
        values.pop("schema_version")
    data.update({k: values.pop(k) for k in top if k in values and values[k] is not None})
    return {k: v for k, v in values.items() if v is not None or k in row.values}


def _round_records(tables: Mapping[str, ParsedTable], data: dict[str, Any], prov: _Provenance) -> None:
    """The round's periods (into ``data["round"]``) and the commitments, one per row."""
    periods = tables.get("periods")
    if periods is not None and periods.rows:
        found = data.setdefault("round", {}).setdefault("periods", [])
        prov.add(["round.periods"], _Origin(periods, None))
        for i, row in enumerate(periods.rows):
            found.append(_fields(row))
            prov.add(_prefixes("round.periods", i, row.values.get("id")), _Origin(periods, row.label))
    commitments = tables.get("commitments")
    data["commitments"] = []
    if commitments is not None:
        prov.add(["commitments"], _Origin(commitments, None))
        for i, row in enumerate(commitments.rows):
            who = row.values.get("supervisor")
            prov.add([f"commitments[{i}] (supervisor {who!r})", f"commitments[{i}]"], _Origin(commitments, row.label))
            data["commitments"].append(_fields(row))


def problem_from_parsed(tables: Mapping[str, ParsedTable], issues: Issues, source: str) -> Problem:
    """Assemble, validate and return the problem; raise one error naming every problem found.

    ``tables`` holds the parsed tables by key; a missing optional table counts as empty. Problems
    already in ``issues`` (from reading the cells) are reported together with validation's.
    """
    prov = _Provenance()
    data: dict[str, Any] = {}
    policy = _head(tables.get("round"), "policy", ("schema_version", "name"), data, prov, issues)
    if policy is not None:
        for key in _NESTED:
            _nested(key, tables.get("round"), policy, prov, issues)
        round_ = {k: policy.pop(k) for k in ROUND_COLUMNS if k in policy}
        if any(v is not None for v in round_.values()):
            data["round"] = {k: v for k, v in round_.items() if v is not None}
        data["policy"] = policy
    _round_records(tables, data, prov)

    flags: dict[str, bool | None] = {}  # unit id -> its ranks_applicants cell
    for key in ("criteria", "municipalities", "units", "supervisors"):
        parsed = tables.get(key)
        data[key] = []
        if parsed is None:
            continue
        prov.add([key], _Origin(parsed, None))
        for i, row in enumerate(parsed.rows):
            data[key].append(_fields(row, "ranks_applicants"))
            ident = row.values.get("id")
            if key == "units" and isinstance(ident, str):
                flags.setdefault(ident, row.values.get("ranks_applicants"))
            prov.add(_prefixes(key, i, ident), _Origin(parsed, row.label))

    parsed_apps = tables.get("applicants")
    records: list[dict[str, Any]] = []
    modes: dict[str, str | None] = {}
    if parsed_apps is not None:
        prov.add(["applicants"], _Origin(parsed_apps, None))
        aliases = {"interests": "preferences", "ranking": "preferences"}
        for i, row in enumerate(parsed_apps.rows):
            records.append(_fields(row, "preferences"))
            ident = row.values.get("id")
            if isinstance(ident, str):
                modes.setdefault(ident, row.values.get("preferences"))
            prov.add(_prefixes("applicants", i, ident), _Origin(parsed_apps, row.label, aliases=aliases))
    data["applicants"] = records
    applicants = _Applicants(records)

    _preferences(tables.get("preferences"), applicants, modes, prov, issues)
    units: dict[str, dict[str, Any]] = {}
    for unit in data["units"]:
        if isinstance(unit.get("id"), str):
            units.setdefault(unit["id"], unit)
    _unit_rankings(tables.get("unit_rankings"), units, flags, applicants, prov, issues)

    interview = tables.get("interview_scores")
    for row in interview.rows if interview else []:
        assert interview is not None
        record = applicants.find(interview, row, issues)
        if record is not None:
            scores = record.setdefault("interview", [])
            prov.add(
                _prefixes(f"applicants[{record['id']!r}].interview", len(scores), None), _Origin(interview, row.label)
            )
            scores.append(_fields(row, APPLICANT_REF))

    conflicts = tables.get("conflicts")
    for row in conflicts.rows if conflicts else []:
        assert conflicts is not None
        record = applicants.find(conflicts, row, issues)
        unit, sup = row.values.get("unit"), row.values.get("supervisor")
        if unit is None and sup is None and not {"unit", "supervisor"} & row.bad:
            issues.add(
                conflicts.where(row.label, "unit"),
                msg("names neither a unit nor a supervisor"),
                msg("give one or both"),
            )
        if record is None:
            continue
        found = record.setdefault("conflicts", {"units": [], "supervisors": []})
        for value, key, kind in ((unit, "unit", "units"), (sup, "supervisor", "supervisors")):
            if value is not None:
                where = f"applicants[{record['id']!r}].conflicts.{kind}[{len(found[kind])}]"
                prov.add([where], _Origin(conflicts, row.label, key))
                found[kind].append(value)

    for key in ("pins", "adjustments"):
        parsed = tables.get(key)
        data[key] = []
        if parsed is None:
            continue
        prov.add([key], _Origin(parsed, None))
        for row in parsed.rows:
            if applicants.find(parsed, row, issues) is None:
                continue
            i = len(data[key])
            who = row.values[APPLICANT_REF]
            prov.add([f"{key}[{i}] (applicant {who!r})", f"{key}[{i}]"], _Origin(parsed, row.label))
            data[key].append(_fields(row))
    data["links"] = _links(tables.get("links"), applicants, prov, issues)

    mapped: list[ValidationIssue] = []
    problem: Problem | None = None
    try:
        problem = Problem.model_validate(data)
    except ProblemValidationError as exc:
        mapped = [prov.locate(issue) for issue in exc.issues]
    finish(issues, mapped, source, validation=True)
    assert problem is not None
    return problem


def _validate(model: type[M], data: Any, root: str, prov: _Provenance) -> tuple[M | None, list[ValidationIssue]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [prov.locate(i) for i in issues_from_validation_error(exc, data, root=root)]


def _named(parsed: ParsedTable | None, issues: Issues, value: Callable[[ParsedRow], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in parsed.rows if parsed else []:
        assert parsed is not None
        name = row.values.get("name")
        if name is None:
            continue
        if name in out:
            issues.add(
                parsed.where(row.label, "name"),
                msg("{name!r} is listed twice", name=name),
                msg("keep one row per name"),
            )
        out[name] = value(row)
    return out


def _full(parsed: ParsedTable, row: ParsedRow) -> dict[str, Any]:
    """The row's values with an empty optional cell as ``None`` (result records spell out every field)."""
    values = {c.key: None for c in parsed.table.columns if not c.required and c.key not in row.bad}
    values.update(row.values)
    return values


def _rank_profile(parsed: ParsedTable | None, prov: _Provenance, issues: Issues) -> list[Any]:
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
        prov.add([f"decision.metrics.rank_profile[{rank - 1}]"], _Origin(parsed, row.label, "placed"))
    missing = sorted(set(range(1, max(placed, default=0) + 1)) - set(placed))
    if missing and parsed is not None:
        issues.add(
            parsed.sheet.where,
            msg("has no row for rank {ranks}", ranks=", ".join(map(str, missing))),
            msg("give one row per rank from 1 to the worst rank (0 placed where nobody got that rank)"),
        )
    return [placed.get(k, 0) for k in range(1, max(placed, default=0) + 1)]  # a missing rank is reported above


def _metrics(
    tables: Mapping[str, ParsedTable], decision: dict[str, Any], prov: _Provenance, issues: Issues
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
        prov.add(["decision.metrics"], _Origin(result, result.rows[0].label, "metrics"))
    metrics: dict[str, Any] = {"worst_rank": None, "mean_rank": None, "blocking_pairs": None, **head}
    metrics["rank_profile"] = _rank_profile(tables.get("rank_profile"), prov, issues)
    percentiles = tables.get("fit_percentiles")
    if percentiles is not None:
        prov.add(["decision.metrics.fit_percentiles"], _Origin(percentiles, None))
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
        prov.add([f"decision.metrics.fit_percentiles.{name}"], _Origin(percentiles, row.label, "fit"))
        metrics["fit_percentiles"][name] = row.values.get("fit")
    for key, field in (("unit_metrics", "units"), ("municipality_metrics", "municipalities")):
        metrics[field] = _records(tables.get(key), f"decision.metrics.{field}", prov)
    return metrics


def _records(parsed: ParsedTable | None, prefix: str, prov: _Provenance) -> list[dict[str, Any]]:
    """Every row of a result table as a record (empty optional cells as ``None``), traced as ``prefix[i]``."""
    out = []
    for i, row in enumerate(parsed.rows if parsed else []):
        assert parsed is not None
        prov.add([f"{prefix}[{i}]"], _Origin(parsed, row.label))
        out.append(_full(parsed, row))
    return out


def _repair(tables: Mapping[str, ParsedTable], prov: _Provenance) -> dict[str, Any] | None:
    """A repair's record: the repair table's one row and the moves of its diff."""
    parsed = tables.get("repair")
    if parsed is None or not parsed.rows:
        return None
    prov.add(["decision.repair"], _Origin(parsed, parsed.rows[0].label))
    head = _full(parsed, parsed.rows[0])
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
    prov = _Provenance()
    data: dict[str, Any] = {}
    decision = _head(tables.get("result"), "decision", ("schema_version", "kind"), data, prov, issues) or {}
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
        prov.add(["statistics"], _Origin(stats, stats.rows[0].label))
        statistics.update(_full(stats, stats.rows[0]))
    statistics["stages"] = _records(tables.get("stages"), "statistics.stages", prov)
    statistics["versions"] = _named(tables.get("versions"), issues, lambda r: r.values.get("version"))
    statistics["parameters"] = _named(tables.get("parameters"), issues, lambda r: r.values.get("value"))
    for key in ("versions", "parameters"):
        if (parsed := tables.get(key)) is not None:
            prov.add([f"statistics.{key}"], _Origin(parsed, None))
    data["statistics"] = statistics
    decision["repair"] = _repair(tables, prov)
    result, mapped = _validate(Result, data, "result", prov)
    finish(issues, mapped, source, validation=False)
    assert result is not None
    return result
