"""The words explanations share with the floors above: display names, names by id, and why an option
is ruled out, as messages to translate when shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from matchmaker._i18n import Message, msg
from matchmaker._models import Problem

__all__ = ["Names", "display_names", "named", "rule_message"]


Names = Mapping[str, str]


#: Why an option (an applicant and a unit) is ruled out, by :data:`~matchmaker._rules.REASONS` code.
_OPTION_RULES: dict[str, Message] = {
    "requirement": msg("the unit requires a qualification the applicant has not stated"),
    "conflict": msg("a declared conflict of interest (jäv) rules it out"),
    "training": msg("its supervisors lack the training the policy requires"),
    "no_capacity": msg("it has no places this round"),
    "unit_ranking": msg("the unit's own ranking does not list the applicant"),
    "availability": msg("its supervisors are unavailable in the applicant's period"),
}


def rule_message(code: str) -> Message:
    """Why an option (an applicant and a unit) is ruled out, by :data:`~matchmaker._rules.REASONS` code,
    to translate when shown (an unknown code is shown as it is)."""
    return _OPTION_RULES.get(code) or Message(code)


def display_names(problem: Problem) -> dict[str, str]:
    """Unit and municipality ids mapped to "Name (id)" where a name is given."""
    out = {u.id: f"{u.name} ({u.id})" for u in problem.units if u.name}
    out.update({m.id: f"{m.name} ({m.id})" for m in problem.municipalities if m.name})
    return out


def named(names: Names, ident: str | None) -> str:
    if ident is None:
        return "-"
    return names.get(ident, ident)
