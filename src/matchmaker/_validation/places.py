"""Rules on pins, adjustments and pair weights: each names one existing place and clashes with nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from matchmaker._i18n import msg
from matchmaker._limits import MAX_WEIGHT_UNITS, weight_units
from matchmaker._rules import meets_requirements, trained_enough
from matchmaker._validation.collector import (
    NOUNS,
    Collector,
    check_ref,
    check_target,
)

if TYPE_CHECKING:
    from matchmaker._models import Applicant, PairWeights, Pin, Problem
    from matchmaker._pair_columns import PairColumns

__all__ = ["check_adjustments", "check_pair_weights", "check_pins"]


def check_pins(out: Collector, p: Problem, units: Mapping[str, object], supervisors: Mapping[str, object]) -> None:
    pinned: dict[str, int] = {}
    for i, pin in enumerate(p.pins):
        loc = f"pins[{i}] (applicant {pin.applicant!r})"
        applicant_ok = check_ref(out, f"{loc}.applicant", "applicant", pin.applicant, p.applicant_by_id)
        unit_id, sup_id, ok = check_target(out, loc, pin.unit, pin.supervisor, units, supervisors, p)
        if applicant_ok:
            if pin.applicant in pinned:
                out.add(
                    loc,
                    msg(
                        "applicant {applicant!r} is already pinned by pins[{index}]",
                        applicant=pin.applicant,
                        index=pinned[pin.applicant],
                    ),
                    msg("keep one pin per applicant"),
                )
            else:
                pinned[pin.applicant] = i
        if not (applicant_ok and ok and unit_id is not None):
            continue
        a = p.applicant_by_id[pin.applicant]
        u = p.unit_by_id[unit_id]
        if unit_id in a.conflicts.units:
            out.add(
                loc,
                msg("the pin places the applicant in unit {unit!r}, which their conflicts forbid", unit=unit_id),
                msg("remove the pin or the conflict"),
            )
            continue
        if sup_id is not None and sup_id in a.conflicts.supervisors:
            out.add(
                loc,
                msg(
                    "the pin places the applicant with supervisor {supervisor!r}, which their conflicts forbid",
                    supervisor=sup_id,
                ),
                msg("remove the pin or the conflict"),
            )
            continue
        if not meets_requirements(u.requirements, a.qualifications):
            out.add(
                loc,
                msg("the applicant does not meet the requirements of unit {unit!r}", unit=unit_id),
                msg("remove the pin, or record the qualification if the applicant has it"),
            )
            continue
        policy = p.policy.supervisor_training
        if sup_id is not None:
            if not trained_enough(p.supervisor_by_id[sup_id].training, policy):
                out.add(
                    loc,
                    msg(
                        "supervisor {supervisor!r} lacks the training the policy requires ({policy})",
                        supervisor=sup_id,
                        policy=policy,
                    ),
                    msg("pin to another supervisor, update the training status, or relax the policy"),
                )
        else:
            usable = [
                s
                for s in p.supervisors
                if s.unit == unit_id
                and s.capacity > 0
                and trained_enough(s.training, policy)
                and s.id not in a.conflicts.supervisors
            ]
            if not usable:
                out.add(
                    loc,
                    msg(
                        "no supervisor of unit {unit!r} can take the applicant (capacity, training or conflicts)",
                        unit=unit_id,
                    ),
                    msg("pin to another unit, or add a supervisor who can"),
                )


def check_adjustments(
    out: Collector, p: Problem, units: Mapping[str, object], supervisors: Mapping[str, object]
) -> None:
    seen: dict[tuple[str, str | None, str | None], int] = {}
    for i, adj in enumerate(p.adjustments):
        loc = f"adjustments[{i}] (applicant {adj.applicant!r})"
        check_ref(out, f"{loc}.applicant", "applicant", adj.applicant, p.applicant_by_id)
        check_target(out, loc, adj.unit, adj.supervisor, units, supervisors, p)
        key = (adj.applicant, adj.unit if adj.supervisor is None else None, adj.supervisor)
        if key in seen:
            out.add(
                loc,
                msg("repeats adjustments[{index}] for the same applicant and place", index=seen[key]),
                msg("merge the two into one adjustment"),
            )
        else:
            seen[key] = i


def _wishes(p: Problem, a: Applicant, supervisor: str, pins: Sequence[Pin]) -> bool:
    """Whether the applicant wished for the supervisor (most specific entry: supervisor, unit, area;
    a positive interest or any rank) or is pinned there (``pins``: the applicant's pins)."""
    s = p.supervisor_by_id[supervisor]
    if any(pin.supervisor in (None, supervisor) and pin.unit in (None, s.unit) for pin in pins):
        return True
    prefs = a.interests if a.interests is not None else a.ranking
    if prefs is None:
        return False
    area = p.unit_by_id[s.unit].area
    for entries, key in ((prefs.supervisors, supervisor), (prefs.units, s.unit), (prefs.areas, area)):
        if key in entries:
            return a.ranking is not None or entries[key] > 0
    return False


def check_pair_weights(
    out: Collector, p: Problem, units: Mapping[str, object], supervisors: Mapping[str, object]
) -> None:
    """Each row names an existing applicant and exactly one existing place, once; its weight fits the
    table's scale and range; and, unless the table says ``unwished="ignore"``, the pair is wished."""
    table = p.pair_weights
    if table is None:
        return
    columns = table.columns
    if columns is not None and _columns_pass(p, table, columns, units, supervisors):
        return  # else the rows, one by one, say what is wrong and where
    seen: dict[tuple[str, str, str], int] = {}
    decimals = len(str(table.scale)) - 1
    by_unit: dict[str, list[str]] = {}
    for s in p.supervisors:
        by_unit.setdefault(s.unit, []).append(s.id)
    pins: dict[str, list[Pin]] = {}
    for pin in p.pins:
        pins.setdefault(pin.applicant, []).append(pin)
    for i, row in enumerate(table.rows):
        loc = f"pair_weights.rows[{i}] (applicant {row.applicant!r})"
        ok = check_ref(out, f"{loc}.applicant", "applicant", row.applicant, p.applicant_by_id)
        if (row.unit is None) == (row.supervisor is None):
            out.add(
                loc,
                msg("names both a unit and a supervisor")
                if row.unit is not None
                else msg("names neither a unit nor a supervisor"),
                msg("give `supervisor` or `unit`, one of them (a supervisor's weight overrides its unit's)"),
            )
            ok = False
        elif row.supervisor is not None:
            ok &= check_ref(out, f"{loc}.supervisor", "supervisor", row.supervisor, supervisors)
        else:
            ok &= check_ref(out, f"{loc}.unit", "unit", row.unit or "", units)
        units_of_weight = weight_units(row.weight, table.scale)
        if units_of_weight is None:
            out.add(
                f"{loc}.weight",
                msg(
                    "has more decimals than the table's scale {scale} allows ({decimals})",
                    scale=table.scale,
                    decimals=decimals,
                ),
                msg("round the weight, or raise pair_weights.scale (10 for one decimal, 100 for two, ...)"),
            )
        elif abs(units_of_weight) > MAX_WEIGHT_UNITS:
            out.add(
                f"{loc}.weight",
                msg("is out of range: weight times scale must be within ±10^12"),
                msg("give weights on a smaller scale (divide them all by the same number)"),
            )
        if not ok:
            continue
        kind, place = ("supervisor", row.supervisor) if row.supervisor is not None else ("unit", row.unit or "")
        key = (row.applicant, kind, place)
        if key in seen:
            out.add(
                loc,
                msg("repeats pair_weights.rows[{index}] for the same applicant and place", index=seen[key]),
                msg("keep one weight per applicant and place"),
            )
            continue
        seen[key] = i
        if table.unwished == "ignore":
            continue
        a = p.applicant_by_id[row.applicant]
        sups = [place] if kind == "supervisor" else by_unit.get(place, [])
        if not any(_wishes(p, a, s, pins.get(a.id, [])) for s in sups):
            out.add(
                loc,
                msg(
                    "gives a weight for {kind} {place!r}, which is not among the applicant's wishes",
                    kind=NOUNS[kind],
                    place=place,
                ),
                msg(
                    "add the place to the applicant's interests or ranking, remove the row, or set "
                    "pair_weights.unwished to 'ignore'"
                ),
            )


def _columns_pass(
    p: Problem, table: PairWeights, columns: PairColumns, units: Mapping[str, object], supervisors: Mapping[str, object]
) -> bool:
    """Whether rows held as columns break none of the rules :func:`check_pair_weights` checks row by row:
    the same rules on whole columns (each distinct id once), without a message."""
    n = len(columns)
    if not p.applicant_by_id.keys() >= set(columns.applicant):
        return False
    named_sups = set(columns.supervisor)
    named_units = set(columns.unit)
    named_sups.discard(None)
    named_units.discard(None)
    if not (supervisors.keys() >= named_sups and units.keys() >= named_units):
        return False
    if n and int(np.abs(columns.weight_units(table.scale)).max()) > MAX_WEIGHT_UNITS:
        return False
    if len(set(zip(columns.applicant, columns.supervisor, columns.unit, strict=True))) != n:
        return False
    return table.unwished == "ignore" or _all_wished(p, columns)


def _all_wished(p: Problem, columns: PairColumns) -> bool:
    """Whether every row's pair is among its applicant's wishes (:func:`_wishes`). For an applicant
    without a pin and without wishes for single supervisors, every supervisor of a unit resolves to the
    unit's entry, else its area's; any other applicant is asked of :func:`_wishes` itself."""
    pinned = {pin.applicant for pin in p.pins}
    plain: dict[str, tuple[Mapping[str, float], Mapping[str, float], bool]] = {}
    for a in p.applicants:
        prefs = a.interests if a.interests is not None else a.ranking
        if prefs is not None and a.id not in pinned and not prefs.supervisors:
            plain[a.id] = (prefs.units, prefs.areas, a.ranking is not None)
    area_of = {u.id: u.area for u in p.units}
    unit_of = {s.id: s.unit for s in p.supervisors}
    by_unit: dict[str, list[str]] = {}
    for s in p.supervisors:
        by_unit.setdefault(s.unit, []).append(s.id)
    for who, sup, unit in zip(columns.applicant, columns.supervisor, columns.unit, strict=True):
        mine = plain.get(who)
        place = unit_of[sup] if sup is not None else unit or ""
        if mine is not None and (sup is not None or place in by_unit):
            value = mine[0].get(place)
            if value is None:
                value = mine[1].get(area_of.get(place, ""))
            if value is None or not (mine[2] or value > 0):
                return False
            continue
        a = p.applicant_by_id[who]
        sups = [sup] if sup is not None else by_unit.get(place, [])
        pins = [pin for pin in p.pins if pin.applicant == who]
        if not any(_wishes(p, a, s, pins) for s in sups):
            return False
    return True
