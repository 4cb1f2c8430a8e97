"""What every rule shares: the collector of issues, references, unique ids, dense ranks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from matchmaker._i18n import Message, msg
from matchmaker._text import norm_key, suggest
from matchmaker.errors import ValidationIssue

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = [
    "NOUNS",
    "Collector",
    "and_list",
    "check_ref",
    "check_target",
    "dense_ranks",
    "did_you_mean",
    "rank_gap",
    "unique_ids",
]


class Collector:
    def __init__(self) -> None:
        self.issues: list[ValidationIssue] = []

    def add(self, location: str, message: Message, fix: Message) -> None:
        self.issues.append(ValidationIssue.of(location, message, fix))


def did_you_mean(value: str, known: Iterable[str]) -> Message | str:
    hint = suggest(value, known)
    return msg(" (did you mean {hint!r}?)", hint=hint) if hint is not None else ""


def and_list(items: list[str]) -> Message:
    """``'a', 'b' and 'c'`` in any language (two or more items)."""
    return msg("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])


#: The kinds of record a reference can name, as words.
NOUNS: dict[str, Message] = {
    "municipality": msg("municipality"),
    "unit": msg("unit"),
    "supervisor": msg("supervisor"),
    "applicant": msg("applicant"),
    "period": msg("period"),
    "area": msg("area"),
}


def unique_ids(out: Collector, kind: str, ids: Sequence[str]) -> None:
    groups: dict[str, list[str]] = defaultdict(list)
    for ident in ids:
        groups[norm_key(ident)].append(ident)
    for members in groups.values():
        if len(members) > 1:
            shown = ", ".join(repr(m) for m in members)
            out.add(
                f"{kind}[{members[0]!r}]",
                msg(
                    "{count} records share the id {id!r} ({shown}); ids are compared ignoring case, surrounding "
                    "spaces and Unicode form",
                    count=len(members),
                    id=members[0],
                    shown=shown,
                ),
                msg("give each record its own id"),
            )


def check_ref(out: Collector, location: str, kind: str, value: str, known: Mapping[str, object]) -> bool:
    if value in known:
        return True
    out.add(
        location,
        msg(
            "refers to {kind} {value!r}, which does not exist{suggestion}",
            kind=NOUNS[kind],
            value=value,
            suggestion=did_you_mean(value, known),
        ),
        msg("use the id of an existing {kind}, or add that {kind}", kind=NOUNS[kind]),
    )
    return False


def dense_ranks(out: Collector, location: str, ranks: Iterable[int]) -> None:
    values = sorted(set(ranks))
    if values and values != list(range(1, len(values) + 1)):
        missing = sorted(set(range(1, values[-1] + 1)) - set(values))
        rank_gap(out, location, ", ".join(str(r) for r in missing))


def rank_gap(out: Collector, location: str, missing: str) -> None:
    out.add(
        location,
        msg("the ranks leave a gap (no rank {missing})", missing=missing),
        msg("number ranks 1, 2, 3, ... without gaps; give equal ranks for ties (1, 1, 2)"),
    )


def check_target(
    out: Collector,
    loc: str,
    unit: str | None,
    supervisor: str | None,
    units: Mapping[str, object],
    supervisors: Mapping[str, object],
    p: Problem,
) -> tuple[str | None, str | None, bool]:
    """Resolve a (unit, supervisor) target; returns (unit, supervisor, ok)."""
    if unit is None and supervisor is None:
        out.add(loc, msg("names neither a unit nor a supervisor"), msg("give `unit`, `supervisor` or both"))
        return None, None, False
    ok = True
    if unit is not None:
        ok &= check_ref(out, f"{loc}.unit", "unit", unit, units)
    if supervisor is not None:
        ok &= check_ref(out, f"{loc}.supervisor", "supervisor", supervisor, supervisors)
    if ok and unit is not None and supervisor is not None:
        actual = p.supervisor_by_id[supervisor].unit
        if actual != unit:
            out.add(
                f"{loc}.supervisor",
                msg(
                    "supervisor {supervisor!r} works in unit {actual!r}, not in {unit!r}",
                    supervisor=supervisor,
                    actual=actual,
                    unit=unit,
                ),
                msg("give the supervisor's own unit, or leave `unit` out"),
            )
            ok = False
    if ok and unit is None and supervisor is not None:
        unit = p.supervisor_by_id[supervisor].unit
        ok = unit in units  # a supervisor's unknown unit is reported at the supervisor
    return unit, supervisor, ok
