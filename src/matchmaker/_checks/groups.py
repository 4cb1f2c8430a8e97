"""The group rules of a policy (``policy.group_rules``) checked on a plan, from the applicants' records.

Re-derived on purpose, in plain Python and exact fractions, without the model's rows: a group's rate is
its placed applicants over its applicants in the round, the overall rate the placed over every applicant.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from fractions import Fraction

from matchmaker._checks.report import Violation
from matchmaker._i18n import msg
from matchmaker._models import Problem

__all__ = ["check_groups", "group_levels"]

#: Ratios and tolerances are read as fractions with at most this denominator (as the policy documents).
_DENOMINATOR = 10_000


def _groups(problem: Problem, family: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in problem.applicants:
        if family in a.groups:
            out.setdefault(a.groups[family], []).append(a.id)
    return out


def check_groups(problem: Problem, placed: Collection[str], add: Callable[[Violation], None]) -> None:
    """Flag every ``rate``, ``band`` and ``count`` rule that the set of ``placed`` applicants breaks."""
    everyone = len(problem.applicants)
    if not everyone or not problem.policy.group_rules:
        return
    overall = Fraction(sum(1 for a in problem.applicants if a.id in placed), everyone)
    for rule in problem.policy.group_rules:
        groups = _groups(problem, rule.family)
        for name in sorted(groups):
            ids = groups[name]
            count = sum(1 for a in ids if a in placed)
            rate = Fraction(count, len(ids))
            where = f"{rule.family}|{name}"
            if rule.rule == "count" and (not rule.groups or name in rule.groups):
                if rule.min_count is not None and count < rule.min_count:
                    add(
                        Violation(
                            "group_min",
                            where,
                            msg("{count} placed, minimum {bound}", count=count, bound=rule.min_count),
                        )
                    )
                if rule.max_count is not None and count > rule.max_count:
                    add(
                        Violation(
                            "group_max",
                            where,
                            msg("{count} placed, maximum {bound}", count=count, bound=rule.max_count),
                        )
                    )
            if len(ids) < rule.min_size:
                continue
            if rule.rule == "rate":
                ratio = Fraction(rule.ratio).limit_denominator(_DENOMINATOR)
                if rate < ratio * overall:
                    add(
                        Violation(
                            "group_rate",
                            where,
                            msg(
                                "placement rate {rate:.4f} below {ratio} x overall",
                                rate=float(rate),
                                ratio=float(ratio),
                            ),
                        )
                    )
            elif rule.rule == "band":
                tolerance = Fraction(rule.tolerance).limit_denominator(_DENOMINATOR)
                if abs(rate - overall) > tolerance:
                    add(
                        Violation(
                            "group_band",
                            where,
                            msg(
                                "placement rate {rate:.4f} is more than {tolerance} from the overall {overall:.4f}",
                                rate=float(rate),
                                overall=float(overall),
                                tolerance=float(tolerance),
                            ),
                        )
                    )


def group_levels(problem: Problem, placed: Collection[str]) -> list[tuple[float, str, str, int]]:
    """(position, name, sense, value) of each ``maximin`` rule's level: the lowest rate of its family's
    groups of at least ``min_size`` applicants, in millionths rounded down (no level without such a group)."""
    out: list[tuple[float, str, str, int]] = []
    for rule in problem.policy.group_rules:
        if rule.rule != "maximin":
            continue
        rates = [
            sum(1 for a in ids if a in placed) * 1_000_000 // len(ids)
            for ids in _groups(problem, rule.family).values()
            if len(ids) >= rule.min_size
        ]
        if rates:
            out.append((2.45, f"lowest_group_rate_ppm[{rule.family}]", "max", min(rates)))
    return out
