"""Problems and results to table rows and back, with errors traced to the file, sheet, row and column.

Writing turns a record into plain rows (text, numbers, booleans and empty cells) in the layout of
:mod:`matchmaker.io.tables`. Reading assembles the parsed tables into plain data, validates it with the
models, and translates every issue the models report (``units['bou'].max_places``) back to the place a
person can find it (``units.csv, row 4, column max_places``). Problems found while reading cells and
problems found by validation are reported together, once each.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matchmaker._pydantic_errors import issues_from_validation_error
from matchmaker._text import fold_field_name, suggest
from matchmaker.errors import (
    InputError,
    InputFileError,
    InputWarning,
    ProblemValidationError,
    ValidationIssue,
)
from matchmaker.io.sheet import Issues, ParsedRow, ParsedTable, RawSheet, parse_sheet
from matchmaker.io.tables import (
    APPLICANT_REF,
    LIST_SEPARATOR,
    PROBLEM_TABLES,
    README_SHEETS,
    RESULT_TABLES,
    Kind,
    Lang,
    Table,
    find_table,
)
from matchmaker.models import Problem
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
                            ValidationIssue(
                                f"{where}.{col.key}",
                                f"an item contains {LIST_SEPARATOR!r}, which separates the items of a table cell",
                                f"use another character in the item, or save the {table.key} as JSON",
                            )
                        ]
                    )
            out.append(f"{LIST_SEPARATOR} ".join(v) if v else None)
        elif col.kind is Kind.JSON:
            out.append(json.dumps(v, ensure_ascii=False, sort_keys=True))
        else:
            out.append(v)
    return tuple(out)


def problem_rows(problem: Problem, lang: Lang = "en") -> Rows:
    """Every table of ``problem`` as rows, headers and words in ``lang``."""
    t = {table.key: table for table in PROBLEM_TABLES}
    rows: Rows = {table: [] for table in PROBLEM_TABLES}

    def put(key: str, where: str, values: Mapping[str, Any]) -> None:
        rows[t[key]].append(_row(t[key], lang, where, values))

    put(
        "round",
        "problem",
        {**problem.policy.model_dump(), "schema_version": problem.schema_version, "name": problem.name},
    )
    for c in problem.criteria:
        put("criteria", f"criteria[{c.id!r}]", c.model_dump())
    for m in problem.municipalities:
        put("municipalities", f"municipalities[{m.id!r}]", m.model_dump())
    for u in problem.units:
        put("units", f"units[{u.id!r}]", u.model_dump())
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
    return rows


def result_rows(result: Result, lang: Lang = "en") -> Rows:
    """Every table of ``result`` as rows, headers and words in ``lang``."""
    t = {table.key: table for table in RESULT_TABLES}
    rows: Rows = {table: [] for table in RESULT_TABLES}

    def put(key: str, values: Mapping[str, Any]) -> None:
        rows[t[key]].append(_row(t[key], lang, key, values))

    d = result.decision
    put("result", {"schema_version": result.schema_version, "kind": result.kind, **d.model_dump()})
    for level in d.objective:
        put("objective", level.model_dump())
    for a in d.assignments:
        put("assignments", a.model_dump())
    for u in d.unplaced:
        put("unplaced", u.model_dump())
    s = result.statistics
    put("statistics", s.model_dump())
    for stage in s.stages:
        put("stages", stage.model_dump())
    for name, version in s.versions.items():
        put("versions", {"name": name, "version": version})
    for name, value in s.parameters.items():
        put("parameters", {"name": name, "value": value})
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
            return ValidationIssue(origin.table.where(origin.row, column), issue.message, issue.fix)
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
                f"{container}, {noun} {source.shown}",
                f"a second {noun} for the {table.key!r} table (besides {found[table]})",
                f"keep one {noun} per table (English or Swedish name, not both)",
            )
            continue
        found[table] = source.shown
        sheet = source.load()
        if sheet is not None:
            parsed[table.key] = parse_sheet(sheet, table, issues)
    if ignored:
        issues.notices.append(
            f"{container}: ignored {', '.join(ignored)}, which name{'s' if len(ignored) == 1 else ''} no {what} "
            f"table (the tables are {', '.join(t.key for t in tables)})"
        )
    for table in tables:
        if table.required and table not in found:
            issues.add(
                container,
                f"has no {noun} for the {table.key!r} table (named {table.key!r} or, in Swedish, {table.sv!r})",
                f"add it; `matchmaker template` writes every {what} table with its header",
            )
    if any(t.required and t.key not in parsed for t in tables):  # missing, or unreadable (already reported)
        finish(issues, [], container, validation=False)
    return parsed


def _fields(row: ParsedRow, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in row.values.items() if k not in skip}


def _need(table: ParsedTable, row: ParsedRow, key: str, issues: Issues, what: str) -> Any:
    """The row's value for ``key``; reports an empty cell (unless it was already reported as unreadable)."""
    value = row.values.get(key)
    if value is None and key not in row.bad:
        issues.add(table.where(row.label, key), "is empty", f"give {what}")
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

    def find(self, table: ParsedTable, row: ParsedRow, issues: Issues) -> dict[str, Any] | None:
        ident = _need(table, row, APPLICANT_REF, issues, "the applicant's id")
        if ident is None:
            return None
        record = self.by_id.get(ident)
        if record is None:
            hint = suggest(ident, self.by_id)
            did = f" (did you mean {hint!r}?)" if hint else ""
            issues.add(
                table.where(row.label, APPLICANT_REF),
                f"refers to applicant {ident!r}, who is not in the applicants table{did}",
                "use the id of an applicant listed in the applicants table, or add the applicant there",
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
            kind = _need(parsed, row, "kind", issues, "area, unit or supervisor")
            option = _need(parsed, row, "option", issues, "the area name, unit id or supervisor id")
            rank, weight = row.values.get("rank"), row.values.get("weight")
            if rank is not None and weight is not None:
                issues.add(parsed.where(row.label, "weight"), "both a rank and a weight are given", "give one")
                continue
            if rank is None and weight is None and not {"rank", "weight"} & row.bad:
                issues.add(parsed.where(row.label, "rank"), "neither a rank nor a weight is given", "give one")
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
                issues.add(
                    parsed.where(row.label, given),
                    f"the applicant's wishes are {'ranked' if mode == 'ranking' else 'weighted'}, "
                    f"but this row gives a {given}",
                    f"give every wish of one applicant a {value_key}",
                )
                continue
            group = prefs.setdefault(_KIND_FIELD[kind], {})
            if option in group:
                issues.add(
                    parsed.where(row.label, "option"),
                    f"the applicant lists this {kind} again (first at {first[kind + option]})",
                    "list each option once",
                )
                continue
            group[option] = value
            first[kind + option] = row.label
            base = f"{where}.{field}.{_KIND_FIELD[kind]}"
            prov.add([f"{base}[{option!r}]"], _Origin(parsed, row.label, value_key, key_column="option"))
            prov.add([base], _Origin(parsed, row.label, "option"))
            prov.add([f"{where}.{field}"], _Origin(parsed, row.label, value_key))
        record[field] = prefs


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
            f"schema version {version} existed only as JSON; tables start at version 1",
            "write 1, or leave the cell empty",
        )
        values.pop("schema_version")
    data.update({k: values.pop(k) for k in top if k in values and values[k] is not None})
    return {k: v for k, v in values.items() if v is not None or k in row.values}


def problem_from_parsed(tables: Mapping[str, ParsedTable], issues: Issues, source: str) -> Problem:
    """Assemble, validate and return the problem; raise one error naming every problem found.

    ``tables`` holds the parsed tables by key; a missing optional table counts as empty. Problems
    already in ``issues`` (from reading the cells) are reported together with validation's.
    """
    prov = _Provenance()
    data: dict[str, Any] = {}
    policy = _head(tables.get("round"), "policy", ("schema_version", "name"), data, prov, issues)
    if policy is not None:
        data["policy"] = policy

    for key in ("criteria", "municipalities", "units", "supervisors"):
        parsed = tables.get(key)
        data[key] = []
        if parsed is None:
            continue
        prov.add([key], _Origin(parsed, None))
        for i, row in enumerate(parsed.rows):
            data[key].append(_fields(row))
            prov.add(_prefixes(key, i, row.values.get("id")), _Origin(parsed, row.label))

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
            issues.add(conflicts.where(row.label, "unit"), "names neither a unit nor a supervisor", "give one or both")
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
            issues.add(parsed.where(row.label, "name"), f"{name!r} is listed twice", "keep one row per name")
        out[name] = value(row)
    return out


def _full(parsed: ParsedTable, row: ParsedRow) -> dict[str, Any]:
    """The row's values with an empty optional cell as ``None`` (result records spell out every field)."""
    values = {c.key: None for c in parsed.table.columns if not c.required and c.key not in row.bad}
    values.update(row.values)
    return values


def result_from_parsed(tables: Mapping[str, ParsedTable], issues: Issues, source: str) -> Result:
    """Assemble, validate and return the result; raise one :class:`InputFileError` naming every problem."""
    prov = _Provenance()
    data: dict[str, Any] = {}
    decision = _head(tables.get("result"), "decision", ("schema_version", "kind"), data, prov, issues) or {}
    data["decision"] = decision
    for key in ("objective", "assignments", "unplaced"):
        parsed = tables.get(key)
        decision[key] = []
        for i, row in enumerate(parsed.rows if parsed else []):
            assert parsed is not None
            prov.add([f"decision.{key}[{i}]"], _Origin(parsed, row.label))
            decision[key].append(_full(parsed, row))
    stats = tables.get("statistics")
    statistics: dict[str, Any] = {}
    if stats is not None and stats.rows:
        prov.add(["statistics"], _Origin(stats, stats.rows[0].label))
        statistics.update(_full(stats, stats.rows[0]))
    stages = tables.get("stages")
    statistics["stages"] = []
    for i, row in enumerate(stages.rows if stages else []):
        assert stages is not None
        prov.add([f"statistics.stages[{i}]"], _Origin(stages, row.label))
        statistics["stages"].append(_full(stages, row))
    statistics["versions"] = _named(tables.get("versions"), issues, lambda r: r.values.get("version"))
    statistics["parameters"] = _named(tables.get("parameters"), issues, lambda r: r.values.get("value"))
    for key in ("versions", "parameters"):
        if (parsed := tables.get(key)) is not None:
            prov.add([f"statistics.{key}"], _Origin(parsed, None))
    data["statistics"] = statistics
    result, mapped = _validate(Result, data, "result", prov)
    finish(issues, mapped, source, validation=False)
    assert result is not None
    return result
