"""The words of a review that its own results carry: overrides in plain words and why they cannot hold,
as messages to translate when shown (the sentences of a review are in :mod:`matchmaker.report._review`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker._i18n import Message, msg, tr
from matchmaker.explanations._types import Lang
from matchmaker.explanations._words import Names, named, rule_message

if TYPE_CHECKING:
    from matchmaker.review._overrides import ConflictReason, Override, OverrideConflict

__all__ = [
    "OVERRIDE_ACTIONS",
    "conflict_reason",
    "conflict_reason_text",
    "conflict_text",
    "override_label",
    "override_label_message",
    "reason_line",
]


#: An override's action, in words.
OVERRIDE_ACTIONS: dict[str, Message] = {"pin": msg("pin"), "forbid": msg("forbid")}


def override_label_message(i: int, o: Override, names: Names) -> Message:
    """An override in plain words, to translate when shown (see :func:`override_label`)."""
    target: str | Message = (
        named(names, o.unit) if o.unit is not None else msg("supervisor {supervisor}", supervisor=o.supervisor)
    )
    return msg(
        "[{i}] {action} {applicant} -> {target}",
        i=i,
        action=OVERRIDE_ACTIONS[o.action],
        applicant=o.applicant,
        target=target,
    )


def override_label(i: int, o: Override, lang: Lang, names: Names) -> str:
    """An override in plain words: ``[0] pin A1 -> Vuxenenhet (Vux)``, ``[1] förbjud A2 -> handledare H1``."""
    return override_label_message(i, o, names).text(lang)


#: Why an override cannot hold, by :class:`~matchmaker.review._overrides.ConflictReason` code (the
#: codes with parameters of their own are built in :func:`conflict_reason`).
_REASONS: dict[str, Message] = {
    "unknown_applicant": msg("the applicant is not in the round"),
    "unknown_unit": msg("the unit is not in the round"),
    "unknown_supervisor": msg("the supervisor is not in the round"),
    "forbids_round_pin": msg(
        "forbids the place the round's own pin gives the applicant (their conflicts forbid the pin)"
    ),
}


def conflict_reason(r: ConflictReason) -> Message:
    """Why an override cannot hold (without the override's own label), to translate when shown."""
    p = r.params
    other = f"[{p['other']}]" if "other" in p else ""
    if r.code in _REASONS:
        return _REASONS[r.code]
    if r.code == "pinned_twice":
        return msg("pins the applicant again ({other} pins them too)", other=other)
    if r.code == "pin_and_forbid":
        return msg("forbids the pair that {other} pins", other=other)
    if r.code == "pin_rule":
        rule = p.get("rule", "")
        if rule == "no_supervisor":
            return msg("no supervisor of the unit can take the applicant (capacity, training or conflicts)")
        return rule_message(rule)
    if r.code == "kept_by_repair":
        return msg(
            "the repair keeps the applicant with supervisor {supervisor} (a hard keep)",
            supervisor=p.get("supervisor", ""),
        )
    if r.issue is not None:  # a validation rule, which its issue names
        return msg("breaks a rule of the round: {message}", message=r.issue)
    if "message" in p:  # read back from JSON: only the English message is left
        return msg("breaks a rule of the round: {message}", message=p["message"])
    return msg("breaks a rule of the round")


def conflict_reason_text(r: ConflictReason, lang: Lang) -> str:
    """Why an override cannot hold, in words (without the override's own label)."""
    return conflict_reason(r).text(lang)


def reason_line(r: ConflictReason, overrides: tuple[Override, ...], lang: Lang, names: Names) -> str:
    reason = conflict_reason_text(r, lang)
    if r.override is None:
        return reason
    return f"{override_label(r.override, overrides[r.override], lang, names)}: {reason}"


def conflict_text(c: OverrideConflict, overrides: tuple[Override, ...], lang: Lang, names: Names) -> str:
    """Why overrides cannot hold together, in one text (without :func:`render_conflict`'s heading)."""
    if c.reasons:
        return "; ".join(reason_line(r, overrides, lang, names) for r in c.reasons)
    if c.explanation is not None:
        return c.explanation.text(lang, dict(names))
    return tr("No plan keeps every override together with the repair's hard keeps.", lang)
