"""Rules on pins and adjustments: each names one existing place and clashes with nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from matchmaker._i18n import msg
from matchmaker._rules import meets_requirements, trained_enough
from matchmaker._validation.collector import (
    Collector,
    check_ref,
    check_target,
)

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = ["check_adjustments", "check_pins"]


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
