"""Group rules that fit the applicants' groups: a known family, known groups, one rule of a kind per family."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from matchmaker._i18n import msg
from matchmaker._validation.collector import Collector, did_you_mean

if TYPE_CHECKING:
    from matchmaker._models import Problem

__all__ = ["check_group_rules", "group_members"]


def group_members(p: Problem) -> dict[str, dict[str, list[str]]]:
    """The applicants of every group, by family then group, in the problem's order."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in p.applicants:
        for family, group in a.groups.items():
            out[family][group].append(a.id)
    return out


def check_group_rules(out: Collector, p: Problem) -> None:
    """Every group rule names a family some applicant carries, and (a ``count`` rule) groups of it; no
    two rules of one kind share a family, except ``count`` rules over different groups."""
    rules = p.policy.group_rules
    if not rules:
        return
    members = group_members(p)
    seen: dict[tuple[str, str], int] = {}
    counted: dict[str, set[str]] = defaultdict(set)
    for i, rule in enumerate(rules):
        loc = f"policy.group_rules[{i}]"
        family = members.get(rule.family)
        if family is None:
            out.add(
                f"{loc}.family",
                msg(
                    "no applicant has a group in family {family!r}{hint}",
                    family=rule.family,
                    hint=did_you_mean(rule.family, members),
                ),
                msg("give applicants a group in this family (Applicant.groups), or name a family they have"),
            )
            continue
        if rule.rule == "count":
            for group in rule.groups:
                if group not in family:
                    out.add(
                        f"{loc}.groups",
                        msg(
                            "no applicant is in group {group!r} of family {family!r}{hint}",
                            group=group,
                            family=rule.family,
                            hint=did_you_mean(group, family),
                        ),
                        msg("name a group that some applicant has in this family"),
                    )
            named = set(rule.groups) if rule.groups else set(family)
            if counted[rule.family] & named:
                out.add(
                    loc,
                    msg("a group of family {family!r} is in two 'count' rules", family=rule.family),
                    msg("give each group one 'count' rule, with both min_count and max_count if needed"),
                )
            counted[rule.family] |= named
            continue
        key = (rule.family, rule.rule)
        if key in seen:
            out.add(
                loc,
                msg(
                    "repeats the '{rule}' rule of family {family!r} (policy.group_rules[{index}])",
                    rule=rule.rule,
                    family=rule.family,
                    index=seen[key],
                ),
                msg("keep one rule of each kind per family"),
            )
        seen[key] = i
