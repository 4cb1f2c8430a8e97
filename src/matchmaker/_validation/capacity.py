"""Rules on places: one spelling per area, minimums that capacities can meet, interview criteria."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from matchmaker._i18n import Message, msg, msg_n
from matchmaker._text import norm_key
from matchmaker._validation.collector import (
    Collector,
    and_list,
)

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = ["check_areas", "check_capacities", "check_criteria"]


def check_areas(out: Collector, p: Problem) -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    for u in p.units:
        spellings[norm_key(u.area)].add(u.area)
    for names in spellings.values():
        if len(names) > 1:
            shown = and_list([repr(n) for n in sorted(names)])
            out.add(
                "units.area",
                msg("one area is spelled in {count} ways: {shown}", count=len(names), shown=shown),
                msg("spell each area the same way in every unit"),
            )


def _minimum_fits(out: Collector, where: str, lo: int, hi: int | None, above_total: Message, fix: Message) -> None:
    """Report a minimum above the maximum ``hi``, or else (the caller found one or the other) above what the
    places below offer."""
    if hi is not None and lo > hi:
        out.add(
            where,
            msg("the minimum ({min}) is above the maximum ({max})", min=lo, max=hi),
            msg("lower min_places or raise max_places"),
        )
    else:
        out.add(where, above_total, fix)


def check_capacities(out: Collector, p: Problem) -> None:
    supervisor_total: dict[str, int] = defaultdict(int)
    for s in p.supervisors:
        supervisor_total[s.unit] += s.capacity
    unit_total: dict[str, int] = defaultdict(int)
    for u in p.units:
        unit_total[u.municipality] += u.max_places
        if u.min_places > u.max_places or u.min_places > supervisor_total[u.id]:
            _minimum_fits(
                out,
                f"units[{u.id!r}].min_places",
                u.min_places,
                u.max_places,
                msg_n(
                    "the minimum ({min}) is above the {n} place its supervisors can take together",
                    "the minimum ({min}) is above the {n} places its supervisors can take together",
                    supervisor_total[u.id],
                    min=u.min_places,
                ),
                msg("lower min_places, or add supervisors or supervisor capacity to the unit"),
            )
    for m in p.municipalities:
        too_high = m.max_places is not None and m.min_places > m.max_places
        if too_high or m.min_places > unit_total[m.id]:
            _minimum_fits(
                out,
                f"municipalities[{m.id!r}].min_places",
                m.min_places,
                m.max_places,
                msg_n(
                    "the minimum ({min}) is above the {n} place its units offer together",
                    "the minimum ({min}) is above the {n} places its units offer together",
                    unit_total[m.id],
                    min=m.min_places,
                ),
                msg("lower min_places, or raise the units' max_places"),
            )


def check_criteria(out: Collector, p: Problem) -> None:
    for c in p.criteria:
        if not c.scale_min < c.scale_max:
            out.add(
                f"criteria[{c.id!r}].scale_max",
                msg(
                    "the scale's maximum ({max}) is not above its minimum ({min})",
                    max=f"{c.scale_max:g}",
                    min=f"{c.scale_min:g}",
                ),
                msg("give scale_min below scale_max, e.g. 1 and 5"),
            )
    uses_interview = any(a.interview for a in p.applicants)
    counts = p.criteria and uses_interview and p.policy.interview_weight > 0
    if counts and all(c.weight == 0 for c in p.criteria):
        out.add(
            "criteria.weight",
            msg("every interview criterion has weight 0, so interview scores cannot count"),
            msg("give at least one criterion a positive weight, or set policy.interview_weight to 0"),
        )
