"""Swedish and English sentences from a review: a hand plan's evaluation, overrides and their costs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matchmaker._i18n import tr, tr_n
from matchmaker.explanations._types import Lang, LevelChange
from matchmaker.explanations._words import Names, named
from matchmaker.report._explanations import (
    change_text,
    join_words,
    level_label,
    moves_text,
    pair_rule_text,
    rule_text,
)
from matchmaker.review._words import OVERRIDE_ACTIONS, conflict_text, reason_line

if TYPE_CHECKING:
    from matchmaker.review._evaluate import LevelGap, PlanDifference, PlanEvaluation, PlanViolation
    from matchmaker.review._overrides import Override, OverrideConflict, OverrideOutcome

__all__ = ["render_conflict", "render_difference", "render_evaluation", "render_overrides"]


def _rule_count(n: int, lang: Lang) -> str:
    return tr_n("{n} rule", "{n} rules", n, lang)


def _violation(v: PlanViolation, lang: Lang) -> str:
    if v.rules:
        return tr(
            "- [not_acceptable] {applicant}: placed with supervisor {supervisor}, which breaks {count}: {rules}",
            lang,
            applicant=v.record,
            supervisor=v.supervisor,
            count=_rule_count(len(v.rules), lang),
            rules="; ".join(pair_rule_text(r, lang) for r in v.rules),
        )
    return f"- [{v.kind}] {v.record}: {v.text(lang)}"


def _place(unit: str, supervisor: str | None, lang: Lang, names: Names) -> str:
    if supervisor is None:
        return named(names, unit)
    return tr("{unit} (supervisor {supervisor})", lang, unit=named(names, unit), supervisor=supervisor)


def _gives(who: str, unit: str | None, supervisor: str | None, lang: Lang, names: Names) -> str:
    if unit is None:
        return tr("{who} is not placed", lang, who=who)
    return tr("{who} gets {place}", lang, who=who, place=_place(unit, supervisor, lang, names))


def _gives_opt(who: str, unit: str | None, supervisor: str | None, lang: Lang, names: Names) -> str:
    if unit is None:
        return tr("the optimum leaves {who} unplaced", lang, who=who)
    return tr("the optimum gives {who} {place}", lang, who=who, place=_place(unit, supervisor, lang, names))


def _difference_why(d: PlanDifference, lang: Lang, names: Names) -> str:
    if d.outcome == "rule":
        rule = d.rule or "no_interest"
        why = pair_rule_text(rule, lang) if rule == "no_interest" else rule_text(rule, lang)
        if d.rules:  # every rule the pair breaks, in the rules' order
            why = "; ".join(pair_rule_text(r, lang) for r in d.rules)
        return tr("because your placement is not allowed: {why}", lang, why=why)
    if d.outcome == "infeasible":
        return tr("because no plan within the rules can give the applicant your placement", lang)
    cf = d.counterfactual
    assert cf is not None
    moves = moves_text(cf.moves, lang, names)
    if d.outcome == "lottery":
        return tr(
            "because both are equally good on every level; the seeded lottery decided "
            "(your placement is possible {moves})",
            lang,
            moves=moves,
        )
    worse = next(c for c in cf.changes if c.name == cf.first_worse)
    return tr(
        "because your placement makes the plan worse: {change}, {moves}",
        lang,
        change=change_text(worse, lang),
        moves=moves,
    )


def render_difference(d: PlanDifference, lang: Lang, names: Names) -> str:
    """One applicant placed differently: ``In your plan A3 gets ...; the optimum gives A3 ... because ...``."""
    sup = None if d.supervisor_chosen else d.plan_supervisor
    return tr(
        "In your plan {plan}; {optimum}, {why}.",
        lang,
        plan=_gives(d.applicant, d.plan_unit, sup, lang, names),
        optimum=_gives_opt(d.applicant, d.optimum_unit, d.optimum_supervisor, lang, names),
        why=_difference_why(d, lang, names),
    )


def _conflict_head(which: tuple[int, ...], lang: Lang) -> str:
    labels = [f"[{i}]" for i in which] or ["-"]
    if len(labels) == 1:
        return tr("Override {label} cannot hold:", lang, label=labels[0])
    return tr("Overrides {labels} cannot all hold together:", lang, labels=join_words(labels, lang))


def _gap_text(g: LevelGap, lang: Lang) -> str:
    assert g.optimum is not None
    change = LevelChange(name=g.name, sense=g.sense, before=g.plan, after=g.optimum)
    return change_text(change, lang)


def _gaps(e: PlanEvaluation, lang: Lang) -> list[str]:
    gaps = [g for g in e.gaps if g.optimum is not None and g.name != "lottery"]
    if not gaps:
        return [tr("There is no optimum to compare with.", lang)]
    lines = [tr("Objective levels, your plan -> the optimum:", lang)]
    for g in gaps:
        mark = ""
        if g.gap:
            better = tr("(optimum better)", lang) if g.gap > 0 else tr("(your plan better, but breaks rules)", lang)
            mark = f"  {better}"
        lines.append(f"- {_gap_text(g, lang)}{mark}")
    if e.first_difference is None:
        lines.append(tr("Your plan is as good as the optimum on every level.", lang))
    elif e.first_better == e.first_difference:
        lines.append(tr("The deciding level is {level}.", lang, level=level_label(e.first_difference, lang)))
    return lines


def render_evaluation(e: PlanEvaluation, lang: Lang, names: Names) -> str:
    """A plan evaluation in full sentences: rules, objective gap, blocking pairs, differences."""
    title = e.plan_name or tr("the plan", lang)
    lines = [
        tr(
            "Evaluation of {title}: {placed} placed, {unplaced} without a place.",
            lang,
            title=title,
            placed=len(e.assignments),
            unplaced=len(e.unplaced),
        )
    ]
    if e.supervisor_chosen:
        chosen = ", ".join(e.supervisor_chosen)
        lines.append(tr("A supervisor was chosen within the named unit for: {applicants}.", lang, applicants=chosen))
    if e.violations:
        # An unacceptable placement counts every rule it breaks, as its line lists them all.
        n = sum(max(1, len(v.rules)) for v in e.violations)
        lines.append(tr("The plan breaks {rules}:", lang, rules=_rule_count(n, lang)))
        lines += [_violation(v, lang) for v in e.violations]
    else:
        lines.append(tr("The plan keeps every rule.", lang))
    lines += _gaps(e, lang)
    pairs = e.stability.blocking_pairs
    if pairs is None:
        lines.append(tr("Blocking pairs: the check is not available in this version.", lang))
    elif not pairs:
        lines.append(tr("No blocking pairs.", lang))
    else:
        shown = "; ".join(f"{b.applicant}-{b.supervisor} ({named(names, b.unit)})" for b in pairs)
        lines.append(tr_n("{n} blocking pair: {pairs}.", "{n} blocking pairs: {pairs}.", len(pairs), lang, pairs=shown))
    if e.differences:
        lines.append(tr("Differences from the optimum:", lang))
        lines += [f"- {render_difference(d, lang, names)}" for d in e.differences]
    return "\n".join(lines)


def render_conflict(c: OverrideConflict, overrides: tuple[Override, ...], lang: Lang, names: Names) -> str:
    """Which overrides cannot hold together (a heading), and why: each reason on a line of its own."""
    lines = [_conflict_head(c.overrides, lang)]
    if c.reasons:
        lines += [f"- {reason_line(r, overrides, lang, names)}" for r in c.reasons]
    else:
        lines.append(conflict_text(c, overrides, lang, names))
    return "\n".join(lines)


def render_overrides(o: OverrideOutcome, lang: Lang, names: Names) -> str:
    """The overrides, whether they hold together, and what each costs, level by level."""
    lines = [tr_n("{n} override:", "{n} overrides:", len(o.overrides), lang)]
    for i, ov in enumerate(o.overrides):
        lines.append(
            tr(
                "[{i}] {action} {applicant} -> {target} (by {official}): {reason}",
                lang,
                i=i,
                action=OVERRIDE_ACTIONS[ov.action].text(lang),
                applicant=ov.applicant,
                target=named(names, ov.unit) if ov.unit is not None else ov.supervisor,
                official=ov.official,
                reason=ov.reason,
            )
        )
    if o.conflict is not None:
        lines.append(render_conflict(o.conflict, o.overrides, lang, names))
        return "\n".join(lines)
    for i, cost in enumerate(o.costs):
        worse = [change_text(c, lang) for c in cost.changes if c.worse and c.name != "lottery"]
        if not cost.status.has_plan:
            text = tr("no plan on its own", lang)
        else:
            text = "; ".join(worse) or tr("costs nothing on any level", lang)
        lines.append(tr("Cost of [{i}]: {text}", lang, i=i, text=text))
    total = [change_text(c, lang) for c in o.total if c.before != c.after and c.name != "lottery"]
    joined = "; ".join(total) or tr("no change", lang)
    lines.append(tr("All together: {changes}", lang, changes=joined))
    return "\n".join(lines)
