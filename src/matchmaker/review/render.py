"""Plan evaluations in Swedish and English sentences. Ids only (units also by name), never personal data."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from matchmaker._text import plural
from matchmaker.explanations.render import RULE_TEXT, Names, change_text, level_label, moves_text, pair_rule_text
from matchmaker.explanations.types import Lang, LevelChange

if TYPE_CHECKING:
    from matchmaker.review.evaluate import LevelGap, PlanDifference, PlanEvaluation, PlanViolation
    from matchmaker.review.overrides import ConflictReason, Override, OverrideOutcome

__all__ = ["conflict_reason_text", "override_label", "render_difference", "render_evaluation", "render_overrides"]

_NO_INTEREST = {
    "en": "it is not among the applicant's wishes",
    "sv": "den finns inte bland den sökandes önskemål",
}


#: A broken rule in Swedish, by the checker's kind (the checker's own messages are in English).
_VIOLATION_SV = {
    "supervisor_capacity": "handledaren har fler studenter än sin kapacitet",
    "unit_max": "enheten har fler studenter än sitt maximum",
    "unit_min": "enheten har färre studenter än sitt minimum",
    "unit_target": "enheten når inte sitt hårda mål",
    "municipality_max": "kommunen har fler studenter än sitt maximum",
    "municipality_min": "kommunen har färre studenter än sitt minimum",
    "not_acceptable": "placeringen är inte tillåten enligt reglerna",
    "pin": "den låsta placeringen håller inte",
    "link": "en hård koppling mellan sökande håller inte",
    "balance": "balansen mellan kommunerna håller inte",
}
#: This module's new sentences, by message id, in both languages (``str.format`` placeholders).
_MESSAGES: dict[str, dict[Lang, str]] = {
    "not_allowed": {
        "en": "- [not_acceptable] {applicant}: placed with supervisor {supervisor}, which breaks {count}: {rules}",
        "sv": (
            "- [not_acceptable] {applicant}: placerad hos handledare {supervisor}, vilket bryter mot {count}: {rules}"
        ),
    },
    "rule_one": {"en": "1 rule", "sv": "1 regel"},
    "rule_many": {"en": "{n} rules", "sv": "{n} regler"},
}


def _msg(key: str, lang: Lang, **params: object) -> str:
    return _MESSAGES[key][lang].format(**params)


def _rule_count(n: int, lang: Lang) -> str:
    return _msg("rule_one", lang) if n == 1 else _msg("rule_many", lang, n=n)


_COUNT = re.compile(r"^(\d+) students?, (capacity|maximum|minimum|hard target) (\d+)$")
_COUNT_SV = {"capacity": "kapacitet", "maximum": "maximum", "minimum": "minimum", "hard target": "hårt mål"}


def _violation(v: PlanViolation, lang: Lang) -> str:
    if v.rules:
        rules = "; ".join(pair_rule_text(r, lang) for r in v.rules)
        return _msg(
            "not_allowed",
            lang,
            applicant=v.record,
            supervisor=v.supervisor,
            count=_rule_count(len(v.rules), lang),
            rules=rules,
        )
    if lang != "sv" or v.kind not in _VIOLATION_SV:
        return f"- [{v.kind}] {v.record}: {v.message}"
    m = _COUNT.match(v.message)
    numbers = f" ({m.group(1)} studenter, {_COUNT_SV[m.group(2)]} {m.group(3)})" if m else ""
    return f"- [{v.kind}] {v.record}: {_VIOLATION_SV[v.kind]}{numbers}"


def _n(names: Names, ident: str | None) -> str:
    return "-" if ident is None else names.get(ident, ident)


def _place(unit: str | None, supervisor: str | None, lang: Lang, names: Names) -> str:
    if unit is None:
        return "ingen plats" if lang == "sv" else "no place"
    if supervisor is None:
        return _n(names, unit)
    return (
        f"{_n(names, unit)} (handledare {supervisor})"
        if lang == "sv"
        else f"{_n(names, unit)} (supervisor {supervisor})"
    )


def _gives(who: str, unit: str | None, supervisor: str | None, lang: Lang, names: Names) -> str:
    place = _place(unit, supervisor, lang, names)
    if lang == "sv":
        return f"{who} placeras inte" if unit is None else f"{who} får {place}"
    return f"{who} is not placed" if unit is None else f"{who} gets {place}"


def _gives_opt(who: str, unit: str | None, supervisor: str | None, lang: Lang, names: Names) -> str:
    place = _place(unit, supervisor, lang, names)
    if lang == "sv":
        return f"optimum placerar inte {who}" if unit is None else f"optimum ger {who} {place}"
    return f"the optimum leaves {who} unplaced" if unit is None else f"the optimum gives {who} {place}"


def render_difference(d: PlanDifference, lang: Lang, names: Names) -> str:
    """One applicant placed differently: ``In your plan A3 gets ...; the optimum gives A3 ... because ...``."""
    sv = lang == "sv"
    sup = None if d.supervisor_chosen else d.plan_supervisor
    head = (
        f"I er plan {_gives(d.applicant, d.plan_unit, sup, lang, names)}; "
        if sv
        else f"In your plan {_gives(d.applicant, d.plan_unit, sup, lang, names)}; "
    )
    head += _gives_opt(d.applicant, d.optimum_unit, d.optimum_supervisor, lang, names)
    if d.outcome == "rule":
        rule = d.rule or "no_interest"
        why = _NO_INTEREST[lang] if rule == "no_interest" else RULE_TEXT[lang].get(rule, rule)
        if d.rules:  # every rule the pair breaks, in the rules' order
            why = "; ".join(pair_rule_text(r, lang) for r in d.rules)
        tail = (
            f"eftersom er placering inte är tillåten: {why}" if sv else f"because your placement is not allowed: {why}"
        )
    elif d.outcome == "infeasible":
        tail = (
            "eftersom ingen plan inom reglerna kan ge den sökande er placering"
            if sv
            else "because no plan within the rules can give the applicant your placement"
        )
    else:
        cf = d.counterfactual
        assert cf is not None
        moves = moves_text(cf.moves, lang, names)
        if d.outcome == "lottery":
            tail = (
                "eftersom båda är lika bra på varje nivå; lottningen (med fast slumpfrö) avgjorde "
                f"(er placering är möjlig {moves})"
                if sv
                else f"because both are equally good on every level; the seeded lottery decided "
                f"(your placement is possible {moves})"
            )
        else:
            worse = next(c for c in cf.changes if c.name == cf.first_worse)
            tail = (
                f"eftersom er placering gör planen sämre: {change_text(worse, lang)}, {moves}"
                if sv
                else f"because your placement makes the plan worse: {change_text(worse, lang)}, {moves}"
            )
    return f"{head}, {tail}."


def _conflict_head(which: tuple[int, ...], lang: Lang) -> str:
    labels = [f"[{i}]" for i in which] or ["-"]
    if len(labels) == 1:
        return f"Ändring {labels[0]} kan inte gälla:" if lang == "sv" else f"Override {labels[0]} cannot hold:"
    if lang == "sv":
        return f"Ändringarna {', '.join(labels[:-1])} och {labels[-1]} kan inte gälla samtidigt:"
    return f"Overrides {', '.join(labels)} cannot all hold together:"


def _gap_text(g: LevelGap, lang: Lang) -> str:
    assert g.optimum is not None
    change = LevelChange(name=g.name, sense=g.sense, before=g.plan, after=g.optimum)
    return change_text(change, lang)


def render_evaluation(e: PlanEvaluation, lang: Lang, names: Names) -> str:
    """A plan evaluation in full sentences: rules, objective gap, blocking pairs, differences."""
    sv = lang == "sv"
    title = e.plan_name or ("planen" if sv else "the plan")
    lines = [
        (
            f"Utvärdering av {title}: {len(e.assignments)} placerade, {len(e.unplaced)} utan plats."
            if sv
            else f"Evaluation of {title}: {len(e.assignments)} placed, {len(e.unplaced)} without a place."
        )
    ]
    if e.supervisor_chosen:
        chosen = ", ".join(e.supervisor_chosen)
        lines.append(
            f"Handledare valdes inom den angivna enheten för: {chosen}."
            if sv
            else f"A supervisor was chosen within the named unit for: {chosen}."
        )
    if e.violations:
        # An unacceptable placement counts every rule it breaks, as its line lists them all.
        n = sum(max(1, len(v.rules)) for v in e.violations)
        lines.append(f"Planen bryter mot {_rule_count(n, lang)}:" if sv else f"The plan breaks {_rule_count(n, lang)}:")
        lines += [_violation(v, lang) for v in e.violations]
    else:
        lines.append("Planen håller alla regler." if sv else "The plan keeps every rule.")
    gaps = [g for g in e.gaps if g.optimum is not None and g.name != "lottery"]
    if not gaps:
        lines.append("Inget optimum att jämföra med." if sv else "There is no optimum to compare with.")
    else:
        lines.append("Målnivåer, er plan -> optimum:" if sv else "Objective levels, your plan -> the optimum:")
        for g in gaps:
            mark = ""
            if g.gap:
                better = g.gap > 0
                mark = (
                    ("  (optimum bättre)" if better else "  (er plan bättre, men bryter mot regler)")
                    if sv
                    else ("  (optimum better)" if better else "  (your plan better, but breaks rules)")
                )
            lines.append(f"- {_gap_text(g, lang)}{mark}")
        if e.first_difference is None:
            lines.append(
                "Er plan är lika bra som optimum på varje nivå."
                if sv
                else "Your plan is as good as the optimum on every level."
            )
        elif e.first_better == e.first_difference:
            label = level_label(e.first_difference, lang)
            lines.append(f"Den avgörande nivån är {label}." if sv else f"The deciding level is {label}.")
    if e.stability.blocking_pairs is None:
        lines.append(
            "Blockerande par: kontrollen finns inte i denna version."
            if sv
            else "Blocking pairs: the check is not available in this version."
        )
    elif not e.stability.blocking_pairs:
        lines.append("Inga blockerande par." if sv else "No blocking pairs.")
    else:
        pairs = "; ".join(f"{b.applicant}-{b.supervisor} ({_n(names, b.unit)})" for b in e.stability.blocking_pairs)
        lines.append(
            f"{len(e.stability.blocking_pairs)} blockerande par: {pairs}."
            if sv
            else f"{plural(len(e.stability.blocking_pairs), 'blocking pair')}: {pairs}."
        )
    if e.differences:
        lines.append("Skillnader mot optimum:" if sv else "Differences from the optimum:")
        lines += [f"- {render_difference(d, lang, names)}" for d in e.differences]
    return "\n".join(lines)


def override_label(i: int, o: Override, lang: Lang, names: Names) -> str:
    """An override in plain words: ``[0] pin A1 -> Vuxenenhet (Vux)``, ``[1] förbjud A2 -> handledare H1``."""
    sv = lang == "sv"
    verb = ("lås" if o.action == "pin" else "förbjud") if sv else o.action
    who = "handledare" if sv else "supervisor"
    target = _n(names, o.unit) if o.unit is not None else f"{who} {o.supervisor}"
    return f"[{i}] {verb} {o.applicant} -> {target}"


#: Why a pin cannot hold, beyond :data:`RULE_TEXT`.
_NO_SUPERVISOR = {
    "en": "no supervisor of the unit can take the applicant (capacity, training or conflicts)",
    "sv": "ingen handledare på enheten kan ta emot den sökande (kapacitet, utbildning eller jäv)",
}


def conflict_reason_text(r: ConflictReason, lang: Lang) -> str:
    """Why an override cannot hold, in words (without the override's own label)."""
    sv = lang == "sv"
    p = r.params
    other = f"[{p['other']}]" if "other" in p else ""
    if r.code == "unknown_applicant":
        return "den sökande finns inte i omgången" if sv else "the applicant is not in the round"
    if r.code == "unknown_unit":
        return "enheten finns inte i omgången" if sv else "the unit is not in the round"
    if r.code == "unknown_supervisor":
        return "handledaren finns inte i omgången" if sv else "the supervisor is not in the round"
    if r.code == "pinned_twice":
        return (
            f"låser den sökande en gång till ({other} låser redan den sökande)"
            if sv
            else f"pins the applicant again ({other} pins them too)"
        )
    if r.code == "pin_and_forbid":
        return f"förbjuder paret som {other} låser" if sv else f"forbids the pair that {other} pins"
    if r.code == "pin_rule":
        rule = p.get("rule", "")
        return _NO_SUPERVISOR[lang] if rule == "no_supervisor" else RULE_TEXT[lang].get(rule, rule)
    if r.code == "forbids_round_pin":
        return (
            "förbjuder den placering som omgångens egen låsning ger den sökande (jävet skulle utesluta låsningen)"
            if sv
            else "forbids the place the round's own pin gives the applicant (their conflicts forbid the pin)"
        )
    if r.code == "kept_by_repair":
        sup = p.get("supervisor", "")
        return (
            f"omplaneringen behåller den sökande hos handledare {sup} (en fast placering)"
            if sv
            else f"the repair keeps the applicant with supervisor {sup} (a hard keep)"
        )
    # A validation rule without words of its own (English only): say so in Swedish without it.
    return "strider mot omgångens regler" if sv else p.get("message", "breaks a rule of the round")


def render_overrides(o: OverrideOutcome, lang: Lang, names: Names) -> str:
    """The overrides, whether they hold together, and what each costs, level by level."""
    sv = lang == "sv"
    n = len(o.overrides)
    lines = [f"{plural(n, 'ändring', 'ändringar')}:" if sv else f"{plural(n, 'override')}:"]
    for i, ov in enumerate(o.overrides):
        verb = ("lås" if ov.action == "pin" else "förbjud") if sv else ov.action
        target = _n(names, ov.unit) if ov.unit is not None else ov.supervisor
        by = "av" if sv else "by"
        lines.append(f"[{i}] {verb} {ov.applicant} -> {target} ({by} {ov.official}): {ov.reason}")
    if o.conflict is not None:
        lines.append(_conflict_head(o.conflict.overrides, lang))
        c = o.conflict
        if c.reasons:
            for r in c.reasons:
                label = (
                    override_label(r.override, o.overrides[r.override], lang, names) if r.override is not None else ""
                )
                lines.append(
                    f"- {label}: {conflict_reason_text(r, lang)}" if label else f"- {conflict_reason_text(r, lang)}"
                )
        elif c.explanation is not None:
            lines.append(c.explanation.text(lang, dict(names)))
        elif sv:
            lines.append("Ingen plan håller alla ändringar tillsammans med omplaneringens fasta placeringar.")
        else:
            lines.append(c.message)
        return "\n".join(lines)
    for i, cost in enumerate(o.costs):
        worse = [change_text(c, lang) for c in cost.changes if c.worse and c.name != "lottery"]
        if not cost.status.has_plan:
            text = "ingen plan på egen hand" if sv else "no plan on its own"
        else:
            text = "; ".join(worse) or ("kostar inget på någon nivå" if sv else "costs nothing on any level")
        lines.append(f"Kostnad för [{i}]: {text}" if sv else f"Cost of [{i}]: {text}")
    total = [change_text(c, lang) for c in o.total if c.before != c.after and c.name != "lottery"]
    joined = "; ".join(total) or ("ingen förändring" if sv else "no change")
    lines.append(f"Alla tillsammans: {joined}" if sv else f"All together: {joined}")
    return "\n".join(lines)
