"""Schema versions: older problem and result files are migrated on read, with a notice.

Every problem and result file carries ``schema_version``. A file of the current version is read as it
is; a file of an older version is rewritten to the current layout before validation, and an
:class:`~matchmaker.errors.InputWarning` names the file and every change made; a file of a newer
version than this library knows is refused with an :class:`~matchmaker.errors.InputFileError` that says
to upgrade matchmaker.

Version history
---------------

**Version 0** (the matchmaker 0.0.x pre-releases; JSON only, there were no spreadsheet formats). It
differs from version 1 as follows.

Problem files:

* ``students`` was the list of applicants (now ``applicants``);
* ``locks`` was the list of pins (now ``pins``);
* a unit's ``places`` is now ``max_places``;
* a supervisor's ``max_students`` is now ``capacity``, and the yes/no ``trained`` is now ``training``
  (``true`` becomes ``"completed"``, ``false`` becomes ``"none"``);
* an applicant's ``preferences``, a list of unit ids best first without ties, is now
  ``ranking.units`` (the first unit gets rank 1, the next 2, ...);
* the policy's ``seed`` is now ``lottery_seed``.

Result files were flat: ``status``, ``objective`` (a mapping from level name to value, every level
maximised), ``assignments`` (without ``fit_points``), ``unplaced``, ``fingerprint``, ``seed``,
``message`` and ``stats`` (the run statistics without ``stages`` and ``parameters``). Version 1 splits
them into ``decision`` and ``statistics``; ``fit_points`` is the fit times 10,000 rounded half to even,
exactly as the solver counts; the objective levels become a list with ``sense`` ``"max"``; the missing
statistics are empty. Version 0 recorded no metrics, so ``decision.metrics`` is ``None``: they are not
recomputed, because metrics follow from the plan *and* the problem (units' caps, offered places), and a
result is read without its problem. Solve the problem again to get them.

**Version 1** is the current version.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from matchmaker._i18n import Lang, Message, Translatable, msg
from matchmaker._models import SCHEMA_VERSION
from matchmaker._result import RESULT_SCHEMA_VERSION
from matchmaker._scoring import FIT_SCALE
from matchmaker.errors import InputFileError, InputWarning, ValidationIssue

__all__ = ["check_version", "migrate_problem_data", "migrate_result_data"]

#: Problems found while migrating: (what is wrong, how to fix it).
Issues = list[tuple[Message, Message]]
#: What a migration changed: field renames (names are the same in every language) and descriptions.
Changes = list[str | Message]

#: The kinds of file, as words.
_KINDS: dict[str, Message] = {"problem": msg("problem"), "result": msg("result")}


@dataclass(frozen=True)
class _Joined:
    """Items joined by ``"; "`` when shown, each in the language asked for."""

    items: Sequence[str | Message]

    def text(self, lang: Lang = "en") -> str:
        return "; ".join(i.text(lang) if isinstance(i, Translatable) else i for i in self.items)


def check_version(data: Any, source: str, current: int, what: str) -> int:
    """The schema version of ``data`` (a parsed file), refusing a non-object or a version that is too new.

    A file without ``schema_version`` counts as the current version. Raises :class:`InputFileError`.
    """
    if not isinstance(data, dict):
        raise InputFileError(
            [
                ValidationIssue.of(
                    source,
                    msg("the top level is not a JSON object of a {what}", what=_KINDS.get(what, what)),
                    msg("give a JSON object"),
                )
            ],
            source=source,
        )
    version = data.get("schema_version", current)
    if not isinstance(version, int) or isinstance(version, bool):
        return current  # validation reports the wrong type, with its location
    if version > current:
        raise InputFileError(
            [
                ValidationIssue.of(
                    f"{source} schema_version",
                    msg(
                        "the file uses {what} schema {version}, newer than this matchmaker knows ({current})",
                        what=_KINDS.get(what, what),
                        version=version,
                        current=current,
                    ),
                    msg("upgrade matchmaker"),
                )
            ],
            source=source,
        )
    if version < 0:
        raise InputFileError(
            [
                ValidationIssue.of(
                    f"{source} schema_version",
                    msg("is {version}, not a schema version", version=version),
                    msg("use 1"),
                )
            ],
            source=source,
        )
    return version


def _refuse(issues: Issues, problem: Message, fix: Message) -> None:
    """Note a field that cannot be migrated, and how to fix it by hand."""
    issues.append((problem, fix))


def _replace(
    record: dict[str, Any],
    fields: tuple[str, str, str],
    valid: Callable[[Any], bool],
    convert: Callable[[Any], Any],
    invalid: Message,
    invalid_fix: Message,
    both: Message,
    log: tuple[Changes, Issues],
) -> None:
    """An old field (``fields``: old, new, the change's note) converted into its new one, unless its value
    is not ``valid`` or the record already has the new field (then kept, and the old one dropped)."""
    old, new, note = fields
    changes, issues = log
    if old not in record:
        return
    value = record.pop(old)
    if not valid(value):
        _refuse(issues, invalid, invalid_fix)
    elif new in record:
        _refuse(issues, both, msg("keep {field!r}", field=new))
    else:
        record[new] = convert(value)
        changes.append(note)


def _rename(record: dict[str, Any], old: str, new: str, where: str, changes: Changes, issues: Issues) -> None:
    if old not in record:
        return
    if new in record:
        _refuse(
            issues,
            msg("{where} has both {old!r} (version 0) and {new!r} (version 1)", where=where, old=old, new=new),
            msg("keep only {new!r}", new=new),
        )
        return
    record[new] = record.pop(old)
    changes.append(f"{where}.{old} -> {new}")


def _records(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key)
    return [r for r in items if isinstance(r, dict)] if isinstance(items, list) else []


def _problem_v0(data: dict[str, Any], changes: Changes, issues: Issues) -> dict[str, Any]:
    out = dict(data)
    _rename(out, "students", "applicants", "problem", changes, issues)
    _rename(out, "locks", "pins", "problem", changes, issues)
    for unit in _records(out, "units"):
        _rename(unit, "places", "max_places", "units[]", changes, issues)
    for sup in _records(out, "supervisors"):
        _rename(sup, "max_students", "capacity", "supervisors[]", changes, issues)
        _replace(
            sup,
            ("trained", "training", "supervisors[].trained -> training"),
            lambda v: isinstance(v, bool),
            lambda v: "completed" if v else "none",
            msg("supervisor {id!r}: 'trained' is not true or false", id=sup.get("id")),
            msg("write true or false"),
            msg("supervisor {id!r} has both 'trained' and 'training'", id=sup.get("id")),
            (changes, issues),
        )
    for app in _records(out, "applicants"):
        _replace(
            app,
            ("preferences", "ranking", "applicants[].preferences -> ranking.units"),
            lambda v: isinstance(v, list) and all(isinstance(u, str) for u in v),
            lambda v: {"units": {unit: rank for rank, unit in enumerate(v, start=1)}},
            msg("applicant {id!r}: 'preferences' is not a list of unit ids", id=app.get("id")),
            msg("list unit ids, best first"),
            msg("applicant {id!r} has both 'preferences' and 'ranking'", id=app.get("id")),
            (changes, issues),
        )
    policy = out.get("policy")
    if isinstance(policy, dict):
        policy = dict(policy)
        _rename(policy, "seed", "lottery_seed", "policy", changes, issues)
        out["policy"] = policy
    return out


def _fit_points(fit: Any) -> Any:
    if isinstance(fit, (int, float)) and not isinstance(fit, bool):
        return round(fit * FIT_SCALE)  # Python rounds half to even, as the solver does
    return fit


def _result_v0(data: dict[str, Any], changes: Changes, issues: Issues) -> dict[str, Any]:
    known = {"schema_version", "kind", "status", "objective", "assignments", "unplaced", "fingerprint", "seed"}
    known |= {"message", "stats"}
    for key in sorted(set(data) - known):
        issues.append((msg("unknown version-0 field {key!r}", key=key), msg("remove it")))
    objective = data.get("objective", {})
    if not isinstance(objective, dict):
        _refuse(
            issues,
            msg("'objective' is not a mapping of level names to values"),
            msg("give {example}", example="{name: value, ...}"),
        )
        objective = {}
    assignments = []
    for item in data.get("assignments", []):
        if isinstance(item, dict) and "fit_points" not in item:
            item = {**item, "fit_points": _fit_points(item.get("fit"))}
        assignments.append(item)
    stats = data.get("stats", {})
    statistics = {"stages": [], "parameters": {}, **stats} if isinstance(stats, dict) else stats
    changes += [
        "status, objective, assignments, unplaced, fingerprint, seed, message -> decision",
        msg("objective mapping -> list of levels (sense max)"),
        msg("assignments[].fit_points from the fit"),
        msg("stats -> statistics (no stages, no parameters)"),
    ]
    return {
        "schema_version": RESULT_SCHEMA_VERSION,
        "kind": data.get("kind", "matchmaker.result"),
        "decision": {
            "status": data.get("status"),
            "objective": [{"name": k, "sense": "max", "value": v} for k, v in objective.items()],
            "assignments": assignments,
            "unplaced": data.get("unplaced", []),
            "input_fingerprint": data.get("fingerprint"),
            "lottery_seed": data.get("seed"),
            "message": data.get("message"),
        },
        "statistics": statistics,
    }


def _migrate(
    data: Any,
    source: str,
    current: int,
    what: str,
    steps: dict[int, Callable[[dict[str, Any], Changes, Issues], dict[str, Any]]],
) -> Any:
    version = check_version(data, source, current, what)
    if version == current:
        return data
    start = version
    changes: Changes = []
    issues: Issues = []
    while version < current:
        data = steps[version](data, changes, issues)
        version += 1
        data["schema_version"] = version
    if issues:
        raise InputFileError(
            [
                ValidationIssue.of(
                    source,
                    msg(
                        "cannot migrate the version-{start} {what}: {message}",
                        start=start,
                        what=_KINDS.get(what, what),
                        message=message,
                    ),
                    fix,
                )
                for message, fix in issues
            ],
            source=source,
        )
    done: Translatable = (
        _Joined(list({str(c): c for c in changes}.values())) if changes else msg("no field needed a change")
    )
    warnings.warn(
        InputWarning(
            msg(
                "{source} is a version-{start} {what} file; it was read as version {current} ({done}). Save it "
                "again with this matchmaker to upgrade the file.",
                source=source,
                start=start,
                what=_KINDS.get(what, what),
                current=current,
                done=done,
            )
        ),
        stacklevel=4,
    )
    return data


def migrate_problem_data(data: Any, source: str) -> Any:
    """Parsed problem data in the current layout: an older version is migrated with an :class:`InputWarning`.

    Raises:
        InputFileError: the data is not an object, its version is newer than this library knows, or an
            old file cannot be migrated (it mixes old and new field names).
    """
    return _migrate(data, source, SCHEMA_VERSION, "problem", {0: _problem_v0})


def migrate_result_data(data: Any, source: str) -> Any:
    """Parsed result data in the current layout; see :func:`migrate_problem_data`."""
    return _migrate(data, source, RESULT_SCHEMA_VERSION, "result", {0: _result_v0})
