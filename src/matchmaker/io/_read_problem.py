"""A problem read from its parsed tables: applicants, wishes, rankings, links, the round and the policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matchmaker._base import protected_label
from matchmaker._i18n import Message, msg
from matchmaker._models import ORDER_PRESETS, Applicant, PairWeights, Problem
from matchmaker._pair_columns import PairColumns
from matchmaker._text import suggest
from matchmaker.errors import (
    Place,
    ProblemValidationError,
    ValidationIssue,
)
from matchmaker.io._provenance import (
    Origin,
    Provenance,
    did_you_mean,
    finish,
    need_cell,
    read_head,
    record_prefixes,
    row_fields,
    word_message,
)
from matchmaker.io._sheet import Issues, ParsedRow, ParsedTable
from matchmaker.io._tables import (
    APPLICANT_REF,
    BALANCE_COLUMNS,
    PAIR_WEIGHT_COLUMNS,
    ROUND_COLUMNS,
    STABILITY_COLUMNS,
    group_family,
)

__all__ = ["KIND_FIELD", "Bulk", "problem_from_parsed", "wish_mode"]


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
        ident = need_cell(table, row, key, issues, msg("the applicant's id"))
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
                    suggestion=did_you_mean(hint),
                ),
                msg("use the id of an applicant listed in the applicants table, or add the applicant there"),
            )
        return record


#: The field of ``Interests``/``Ranking`` that a wish of each kind goes to.
KIND_FIELD = {"area": "areas", "unit": "units", "supervisor": "supervisors"}


def wish_mode(given: str | None, first_rank: object, has_rows: bool) -> str | None:
    """How an applicant's wishes are given: the applicants table's ``preferences`` cell, else by their
    first wish row (a rank: ``"ranking"``, a weight: ``"weights"``); ``None`` with neither."""
    if given is None and has_rows:
        return "ranking" if first_rank is not None else "weights"
    return given


def _preferences(
    parsed: ParsedTable | None,
    applicants: _Applicants,
    modes: Mapping[str, str | None],
    prov: Provenance,
    issues: Issues,
) -> None:
    entries: dict[str, list[tuple[ParsedRow, str, str, Any, Any]]] = {}
    if parsed is not None:
        for row in parsed.rows:
            record = applicants.find(parsed, row, issues)
            kind = need_cell(parsed, row, "kind", issues, msg("area, unit or supervisor"))
            option = need_cell(parsed, row, "option", issues, msg("the area name, unit id or supervisor id"))
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
        rows = entries.get(ident, [])
        mode = wish_mode(modes.get(ident), rows[0][3] if rows else None, bool(rows))
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
            group = prefs.setdefault(KIND_FIELD[kind], {})
            if option in group:
                issues.add(
                    parsed.where(row.label, "option"),
                    msg(
                        "the applicant lists this {kind} again (first at {first})",
                        kind=word_message(kind),
                        first=Place(first[kind + option]),
                    ),
                    msg("list each option once"),
                )
                continue
            group[option] = value
            first[kind + option] = row.label
            base = f"{where}.{field}.{KIND_FIELD[kind]}"
            prov.add([f"{base}[{option!r}]"], Origin(parsed, row.label, value_key, key_column="option"))
            prov.add([base], Origin(parsed, row.label, "option"))
            prov.add([f"{where}.{field}"], Origin(parsed, row.label, value_key))
        record[field] = prefs


def _unit_rankings(
    parsed: ParsedTable | None,
    units: Mapping[str, dict[str, Any]],
    flags: Mapping[str, bool | None],
    applicants: _Applicants,
    prov: Provenance,
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
        unit = need_cell(parsed, row, "unit", issues, msg("the unit's id"))
        record = applicants.find(parsed, row, issues)
        rank = need_cell(parsed, row, "rank", issues, msg("the unit's rank of the applicant (1 = most wanted)"))
        if unit is not None and unit not in units:
            hint = suggest(unit, units)
            issues.add(
                parsed.where(row.label, "unit"),
                msg(
                    "refers to unit {value!r}, which is not in the units table{suggestion}",
                    value=unit,
                    suggestion=did_you_mean(hint),
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
        prov.add([f"{where}[{applicant!r}]", f"{where}.{applicant}"], Origin(parsed, row.label, "rank", APPLICANT_REF))
        prov.add([where], Origin(parsed, row.label, "rank"))
    for ident, unit_record in units.items():
        if ident in ranks:
            unit_record["ranking"] = ranks[ident]
        elif flags.get(ident):
            unit_record["ranking"] = {}


def _links(parsed: ParsedTable | None, applicants: _Applicants, prov: Provenance, issues: Issues) -> list[Any]:
    """The links between applicants, one per row."""
    links: list[Any] = []
    if parsed is None:
        return links
    prov.add(["links"], Origin(parsed, None))
    for row in parsed.rows:
        first = applicants.find(parsed, row, issues)
        second = applicants.find(parsed, row, issues, "other_applicant")
        relation = need_cell(parsed, row, "relation", issues, msg("apart, same_unit or same_municipality"))
        if first is None or second is None or relation is None:
            continue
        i = len(links)
        a, b = first["id"], second["id"]
        loc = f"links[{i}] (applicants {a!r}, {b!r})"
        prov.add([f"{loc}.applicants[0]", f"links[{i}].applicants[0]"], Origin(parsed, row.label, APPLICANT_REF))
        prov.add([f"{loc}.applicants[1]", f"links[{i}].applicants[1]"], Origin(parsed, row.label, "other_applicant"))
        prov.add([loc, f"links[{i}]"], Origin(parsed, row.label, aliases={"applicants": APPLICANT_REF}))
        links.append({"applicants": [a, b], **row_fields(row, APPLICANT_REF, "other_applicant")})
    return links


#: Policy records spread over round columns: key -> (columns, what the setting is called, the modes).
_NESTED: Mapping[str, tuple[Mapping[str, str], Message, Message]] = {
    "balance": (BALANCE_COLUMNS, msg("balance setting"), msg("within, ratio or maximin")),
    "stability": (STABILITY_COLUMNS, msg("stability setting"), msg("applicant_optimal, unit_optimal or optimise")),
}


def _nested(key: str, parsed: ParsedTable | None, policy: dict[str, Any], prov: Provenance, issues: Issues) -> None:
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
    prov.add([f"policy.{key}"], Origin(parsed, row, key, aliases=aliases))


def _order_cell(policy: dict[str, Any]) -> None:
    """The round's ``order`` cell: one preset name as text, else the parts as a list."""
    order = policy.get("order")
    if order is None:
        return
    policy["order"] = order[0] if len(order) == 1 and order[0] in ORDER_PRESETS else list(order)


def _pairs(
    parsed: ParsedTable | None,
    settings: dict[str, Any],
    applicants: _Applicants,
    data: dict[str, Any],
    prov: Provenance,
    issues: Issues,
    bulk: Bulk | None,
) -> None:
    """The pairs table's rows and the round's pair-weight settings into ``data["pair_weights"]``."""
    rows: list[dict[str, Any]] = [] if bulk is None else bulk.pair_rows
    if parsed is not None:
        prov.add(["pair_weights.rows"], Origin(parsed, None))
        for row in parsed.rows:
            if applicants.find(parsed, row, issues) is None:
                continue
            who = row.values[APPLICANT_REF]
            prov.add([f"pair_weights.rows[{len(rows)}] (applicant {who!r})"], Origin(parsed, row.label))
            rows.append(row_fields(row))
    settings = {k: v for k, v in settings.items() if v is not None}
    if bulk is not None and bulk.pair_columns is not None:
        data["pair_weights"] = PairWeights._of_columns(settings, bulk.pair_columns)
    elif rows or settings:
        data["pair_weights"] = {**settings, "rows": rows}


def _round_records(tables: Mapping[str, ParsedTable], data: dict[str, Any], prov: Provenance) -> None:
    """The round's periods (into ``data["round"]``) and the commitments, one per row."""
    periods = tables.get("periods")
    if periods is not None and periods.rows:
        found = data.setdefault("round", {}).setdefault("periods", [])
        prov.add(["round.periods"], Origin(periods, None))
        for i, row in enumerate(periods.rows):
            found.append(row_fields(row))
            prov.add(record_prefixes("round.periods", i, row.values.get("id")), Origin(periods, row.label))
    commitments = tables.get("commitments")
    data["commitments"] = []
    if commitments is not None:
        prov.add(["commitments"], Origin(commitments, None))
        for i, row in enumerate(commitments.rows):
            who = row.values.get("supervisor")
            prov.add([f"commitments[{i}] (supervisor {who!r})", f"commitments[{i}]"], Origin(commitments, row.label))
            data["commitments"].append(row_fields(row))


def _groups(
    record: dict[str, Any], parsed: ParsedTable, row: ParsedRow, ident: object, prov: Provenance, issues: Issues
) -> None:
    """Move the row's ``group:<family>`` cells into the record's ``groups`` (an empty cell: no group)."""
    groups: dict[str, Any] = {}
    for key in [k for k in record if group_family(k) is not None]:
        family, group = group_family(key), record.pop(key)
        assert family is not None
        if isinstance(group, str) and protected_label(group):  # the value is not echoed: it may be personal data
            issues.add(
                parsed.where(row.label, key),
                msg(
                    "the group of family {family!r} names personal data or a protected attribute, which "
                    "matchmaker never uses for matching (diskrimineringslagen, GDPR)",
                    family=family,
                ),
                msg("group applicants only by attributes such as home municipality, university or step"),
            )
            continue
        groups[family] = group
        if isinstance(ident, str) and ident.strip():
            prov.add([f"applicants[{ident.strip()!r}].groups.{family}"], Origin(parsed, row.label, key))
    if groups:
        record["groups"] = groups


def _group_rules(parsed: ParsedTable | None, data: dict[str, Any], prov: Provenance) -> None:
    """The group rules table's rows into ``data["policy"]["group_rules"]``, one rule per row."""
    if parsed is None or not parsed.rows:
        return
    prov.add(["policy.group_rules"], Origin(parsed, None))
    rules: list[dict[str, Any]] = []
    data.setdefault("policy", {})["group_rules"] = rules
    for i, row in enumerate(parsed.rows):
        prov.add([f"policy.group_rules[{i}]"], Origin(parsed, row.label))
        rules.append(row_fields(row))


@dataclass(frozen=True)
class Bulk:
    """The applicants' records (with their wishes, interview scores, conflicts and groups) and the pair
    weights' rows, assembled column by column from plain columns (:mod:`matchmaker.io._arrow`)."""

    applicants: list[dict[str, Any]]
    pair_rows: list[dict[str, Any]]
    #: The pair weights' rows as columns, when plain (then ``pair_rows`` is empty).
    pair_columns: PairColumns | None = None
    #: The applicants' records made from ``applicants`` when every value is plain (validated whole).
    records: tuple[Applicant, ...] | None = None


def problem_from_parsed(
    tables: Mapping[str, ParsedTable], issues: Issues, source: str, bulk: Bulk | None = None
) -> Problem:
    """Assemble, validate and return the problem; raise one error naming every problem found.

    ``tables`` holds the parsed tables by key; a missing optional table counts as empty. Problems
    already in ``issues`` (from reading the cells) are reported together with validation's. With
    ``bulk``, its applicants and pair-weight rows stand in for those of the applicants, preferences,
    interview scores, conflicts and pairs tables (which are then not in ``tables``).
    """
    prov = Provenance()
    data: dict[str, Any] = {}
    pair_settings: dict[str, Any] = {}
    policy = read_head(tables.get("round"), "policy", ("schema_version", "name"), data, prov, issues)
    if policy is not None:
        for key in _NESTED:
            _nested(key, tables.get("round"), policy, prov, issues)
        pair_settings = {field: policy.pop(column) for column, field in PAIR_WEIGHT_COLUMNS.items() if column in policy}
        _order_cell(policy)
        round_ = {k: policy.pop(k) for k in ROUND_COLUMNS if k in policy}
        if any(v is not None for v in round_.values()):
            data["round"] = {k: v for k, v in round_.items() if v is not None}
        data["policy"] = policy
    _group_rules(tables.get("group_rules"), data, prov)
    _round_records(tables, data, prov)

    flags: dict[str, bool | None] = {}  # unit id -> its ranks_applicants cell
    for key in ("criteria", "municipalities", "units", "supervisors"):
        parsed = tables.get(key)
        data[key] = []
        if parsed is None:
            continue
        prov.add([key], Origin(parsed, None))
        for i, row in enumerate(parsed.rows):
            data[key].append(row_fields(row, "ranks_applicants"))
            ident = row.values.get("id")
            if key == "units" and isinstance(ident, str):
                flags.setdefault(ident, row.values.get("ranks_applicants"))
            prov.add(record_prefixes(key, i, ident), Origin(parsed, row.label))

    parsed_apps = None if bulk is not None else tables.get("applicants")
    records: list[dict[str, Any]] = [] if bulk is None else bulk.applicants
    modes: dict[str, str | None] = {}
    if parsed_apps is not None:
        prov.add(["applicants"], Origin(parsed_apps, None))
        aliases = {"interests": "preferences", "ranking": "preferences"}
        for i, row in enumerate(parsed_apps.rows):
            fields = row_fields(row, "preferences")
            ident = row.values.get("id")
            _groups(fields, parsed_apps, row, ident, prov, issues)
            records.append(fields)
            if isinstance(ident, str):
                modes.setdefault(ident, row.values.get("preferences"))
            prov.add(record_prefixes("applicants", i, ident), Origin(parsed_apps, row.label, aliases=aliases))
    data["applicants"] = records if bulk is None or bulk.records is None else bulk.records
    applicants = _Applicants(records)

    if bulk is None:
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
                record_prefixes(f"applicants[{record['id']!r}].interview", len(scores), None),
                Origin(interview, row.label),
            )
            scores.append(row_fields(row, APPLICANT_REF))

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
                prov.add([where], Origin(conflicts, row.label, key))
                found[kind].append(value)

    for key in ("pins", "adjustments"):
        parsed = tables.get(key)
        data[key] = []
        if parsed is None:
            continue
        prov.add([key], Origin(parsed, None))
        for row in parsed.rows:
            if applicants.find(parsed, row, issues) is None:
                continue
            i = len(data[key])
            who = row.values[APPLICANT_REF]
            prov.add([f"{key}[{i}] (applicant {who!r})", f"{key}[{i}]"], Origin(parsed, row.label))
            data[key].append(row_fields(row))
    data["links"] = _links(tables.get("links"), applicants, prov, issues)
    _pairs(tables.get("pairs"), pair_settings, applicants, data, prov, issues, bulk)

    mapped: list[ValidationIssue] = []
    problem: Problem | None = None
    try:
        problem = Problem.model_validate(data)
    except ProblemValidationError as exc:
        mapped = [prov.locate(issue) for issue in exc.issues]
    finish(issues, mapped, source, validation=True)
    assert problem is not None
    return problem
