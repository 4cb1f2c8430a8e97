"""What a report says, in plain Swedish and English words: the decision, the policy, the objective levels
and the reasons, shared by the HTML, PDF and text reports and the result workbook.

Every text a person reads is an English message of the gettext catalog (:mod:`matchmaker._i18n`; the
Swedish is in ``locale/sv``), filled with numbers formatted by :mod:`matchmaker.report._format`; the
values of an enumeration (a status, a policy setting, a rule) pick their message from a table here.
Levels are named in words (never ``placed_tier_1`` or ``total_fit``) and shown as values a person
understands: a count, the mean fit per placed applicant ("0,87, 87 av 100"), and the lottery as the
seed it was drawn with, never its raw value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from matchmaker._i18n import Lang, Message, msg, tr, tr_n
from matchmaker._models import Policy, Problem
from matchmaker._result import Assignment, LevelValue, Result, Unplaced
from matchmaker._scoring import FIT_SCALE, REMOVAL_RULES, score
from matchmaker.explanations import display_names, explain_infeasibility
from matchmaker.report._format import date, decimal, number, percent

if TYPE_CHECKING:
    from matchmaker.report._approval import ReportApproval, SignatureStatus
    from matchmaker.review._overrides import Override

__all__ = [
    "LOW_FIT",
    "NoteFacts",
    "UnplacedFacts",
    "approval_labels",
    "chart_title",
    "decision_lines",
    "level_name",
    "level_reading",
    "no_plan_explanation",
    "note_facts",
    "override_line",
    "placement_notes",
    "policy_lines",
    "reason_label",
    "round_line",
    "signature_text",
    "status_text",
    "unchecked_text",
    "unplaced_facts",
    "unplaced_reason",
]

#: A placement with a fit below this is called out as unusual.
LOW_FIT = 0.3

_LEVELS: dict[str, Message] = {
    "placed": msg("Applicants placed"),
    "total_fit": msg("Mean fit per placed applicant"),
    "total_fit_less_moves": msg("Mean fit per placed applicant, less the cost of moves"),
    "total_weight": msg("Total of the scores your system gave (weight times scale)"),
    "total_fit_and_weight": msg("Total fit plus the scores your system gave (in points)"),
    "minimum_shortfall": msg("Students missing below minimums"),
    "target_shortfall": msg("Students missing below targets"),
    "link_violations": msg("Links not kept"),
    "lowest_fill_rate_ppm": msg("Lowest municipality fill rate"),
    "lowest_fit_per_place": msg("Lowest fit per offered place among municipalities"),
    "worst_rank": msg("Worst choice anyone is placed at"),
    "rank_sum": msg("Sum of the choices placed at"),
    "rank_sum_gap": msg("Gap between the applicants' and the units' choice sums"),
    "two_sided_rank_sum": msg("Sum of the applicants' and the units' choices"),
    "two_sided_worst_rank": msg("Worst choice on either side"),
    "moved": msg("People moved from the previous plan"),
    "lottery": msg("Lottery (tie-break)"),
}
#: The name of a group rule's ``maximin`` level, before its family: ``lowest_group_rate_ppm[home]``.
_GROUP_LEVEL = "lowest_group_rate_ppm["
_OBJECTIVES: dict[str, Message] = {
    "total_fit": msg("Objective: the highest total fit of the placements."),
    "rank_maximal": msg("Objective: as many first choices as possible, then second choices, and so on."),
    "rank_maximal_irving": msg(
        "Objective: as many first choices as possible, then second choices, and so on, before as many "
        "placed as possible."
    ),
    "generous": msg("Objective: as few as possible at the worst choice, then the next worst, and so on."),
    "minimum_regret": msg("Objective: the worst choice anyone gets as good as possible."),
    "egalitarian": msg("Objective: the lowest sum of the choices placed at."),
    "leximin": msg("Objective: the lowest fit as high as possible, then the next lowest, and so on."),
    "sex_equal": msg("Objective: the applicants' and the units' choice sums as close as possible."),
    "egalitarian_two_sided": msg("Objective: the lowest sum of the applicants' and the units' choices."),
    "minimum_regret_two_sided": msg(
        "Objective: the worst choice on either side, applicant or unit, as good as possible."
    ),
}
#: The fit objectives when the caller's system gives pair weights (``Policy.pair_weights``).
_WEIGHTED_OBJECTIVES: dict[tuple[str, str], Message] = {
    ("total_fit", "replace"): msg("Objective: the highest total of the scores your system gave the placements."),
    ("total_fit", "add"): msg("Objective: the highest total fit plus the scores your system gave the placements."),
    ("leximin", "replace"): msg(
        "Objective: the lowest score your system gave a placement as high as possible, then the next lowest, and so on."
    ),
    ("leximin", "add"): msg(
        "Objective: the lowest fit plus score of a placement as high as possible, then the next lowest, and so on."
    ),
}
#: The parts of the objective vector (``Policy.order``), in words.
_PARTS: dict[str, Message] = {
    "priority_tiers": msg("applicants placed per priority tier"),
    "placed": msg("applicants placed"),
    "soft": msg("soft goals (minimums, targets, links, balance)"),
    "objective": msg("the policy's objective (fit, the scores your system gave, or choices)"),
}
_MISSING_INTERVIEW: dict[str, Message] = {
    "neutral": msg("A missing interview score counts as the middle of the scale."),
    "zero": msg("A missing interview score counts as the lowest score."),
    "cohort_mean": msg("A missing interview score counts as the round's mean score."),
}
_TRAINING: dict[str, Message] = {
    "any": msg("Requirements: no supervisor training is required."),
    "in_progress": msg("Requirements: every supervisor has at least started the supervisor training."),
    "completed": msg("Requirements: every supervisor has completed the supervisor training."),
}
_MINIMUMS: dict[str, Message] = {
    "hard": msg("Minimum places of units and municipalities must be met."),
    "soft": msg("Minimum places of units and municipalities are met as far as possible."),
}
_TARGETS: dict[str, Message] = {
    "soft": msg("Units' target places are met as far as possible."),
    "hard": msg("Units' target places must be met."),
}
_BALANCE: dict[str, Message] = {
    "within": msg("Balance: the municipalities' shares of filled places differ by at most {tolerance}."),
    "ratio": msg("Balance: every municipality fills at least {ratio} of the overall share of places."),
    "maximin": msg("Balance: the lowest municipality share of filled places as high as possible."),
}
_GROUP_RULES: dict[str, Message] = {
    "rate": msg(
        "Groups of {family} (from {size} applicants): each placed at a rate of at least {ratio} of the overall rate."
    ),
    "band": msg(
        "Groups of {family} (from {size} applicants): each placed at a rate within {tolerance} of the overall rate."
    ),
    "maximin": msg("Groups of {family} (from {size} applicants): the lowest placement rate as high as possible."),
    "min": msg("Groups of {family}: {groups} each at least {low} placed."),
    "max": msg("Groups of {family}: {groups} each at most {high} placed."),
    "both": msg("Groups of {family}: {groups} each at least {low} and at most {high} placed."),
}
_STABILITY: dict[str, Message] = {
    "none": msg("Stability: not required."),
    "applicant_optimal": msg("Stability: only stable plans (no blocking pair), the one best for the applicants."),
    "unit_optimal": msg("Stability: only stable plans (no blocking pair), the one best for the units."),
    "optimise": msg("Stability: only stable plans (no blocking pair), chosen by the objective."),
}
#: The decision's last word on the plan, by status.
_VERDICT: dict[str, Message] = {
    "optimal": msg("The plan is proven to be the best under these rules."),
    "feasible": msg("The plan follows every rule, but the search stopped before proving it the best."),
    "infeasible": msg("There is no plan: the rules of the round cannot all hold together."),
    "unknown": msg("There is no plan: none was found in the time given."),
}
#: How many are not placed for each reason, in the decision's list.
_WHY_COUNT: dict[str, Message] = {
    "not_selected": msg("{n}: the places they could take went to applicants the rules put first"),
    "no_acceptable_option": msg("{n}: none of the options they wished for is allowed by the rules"),
    "no_plan": msg("{n}: there is no plan"),
}
#: Why one applicant is not placed, without the records' numbers.
_SHORT_REASON: dict[str, Message] = {
    "not_selected": msg("The places they could take went to applicants the rules put first."),
    "no_acceptable_option": msg("None of the options they wished for is allowed by the rules."),
}
#: The rules that remove a wished placement (:data:`matchmaker._scoring.REMOVAL_RULES`), as a reason.
_RULES: dict[str, Message] = {
    "requirement": msg("the unit requires a qualification the applicant lacks"),
    "conflict": msg("a declared conflict of interest forbids it"),
    "training": msg("the supervisor lacks the training the policy requires"),
    "no_capacity": msg("there are no places there this round"),
    "unit_ranking": msg("the unit's own ranking does not list the applicant"),
    "availability": msg("the supervisor is not available in the applicant's period"),
}
_STATUS: dict[str, Message] = {
    "optimal": msg("optimal"),
    "feasible": msg("feasible, not proven optimal"),
    "infeasible": msg("no plan possible"),
    "unknown": msg("no plan found"),
}
_SIGNATURE: dict[str, Message] = {
    "none": msg("no digital signature recorded"),
    "unchecked": msg("signed; the signature is not checked here (give the office's public key)"),
    "valid": msg("signed; the signature is checked and valid"),
    "invalid": msg("the signature does NOT match the plan"),
}
_OVERRIDE: dict[str, Message] = {
    "pin": msg("{applicant} placed with {target}: {reason} (by {official})"),
    "forbid": msg("{applicant} not with {target}: {reason} (by {official})"),
}
_CHART_TITLES: dict[str, Message] = {
    "rank_profile": msg("Applicants placed at their choice 1, 2, ..."),
    "fill_units": msg("Places filled per unit, of the maximum"),
    "fill_municipalities": msg("Places filled per municipality, of those offered"),
    "fit_distribution": msg("Placements per fit interval"),
}


def _say(template: Message, lang: Lang, **params: object) -> str:
    """``template`` (an entry of one of the tables above) in ``lang``, filled with ``params``."""
    return replace(template, params=params).text(lang)


def status_text(status: str, lang: Lang) -> str:
    """A result's status as the report names it, e.g. "feasible, not proven optimal"."""
    return _STATUS[status].text(lang)


def unchecked_text(lang: Lang) -> str:
    """The warning on a plan written before the independent check finished (Ctrl-C during the check)."""
    return tr(
        "UNCHECKED: this plan was saved before the independent check finished (the run was interrupted). "
        "Check it with `matchmaker check PROBLEM RESULT` before anyone relies on it or approves it.",
        lang,
    )


def signature_text(signature: SignatureStatus, lang: Lang) -> str:
    """What is known of an approval's signature, in words."""
    return _SIGNATURE[signature].text(lang)


def override_line(override: Override, lang: Lang, names: Mapping[str, str]) -> str:
    """One override of an approval in words: who, with or not with whom, why and by which official."""
    return _say(
        _OVERRIDE[override.action],
        lang,
        applicant=override.applicant,
        target=names.get(override.target, override.target),
        reason=override.reason,
        official=override.official,
    )


def chart_title(key: str, lang: Lang) -> str:
    """The title of the chart ``key`` of :mod:`matchmaker.report._charts`."""
    return _CHART_TITLES[key].text(lang)


def approval_labels(lang: Lang) -> tuple[str, str, str, str]:
    """The lines an official fills in to approve a plan on paper: name, role, date, signature."""
    return (tr("Name", lang), tr("Role", lang), tr("Date", lang), tr("Signature", lang))


def level_name(name: str, lang: Lang) -> str:
    """An objective level in plain words, e.g. ``placed_tier_1`` -> "Placerade sökande i förtursnivå 1"."""
    prefix, _, last = name.rpartition("_")
    if prefix == "placed_tier":
        return tr("Applicants in priority tier {tier} placed", lang, tier=last)
    if prefix == "placed_at_rank":
        return tr("Applicants placed at their choice {rank}", lang, rank=last)
    if prefix == "placed_at_weight":
        return tr("Applicants placed with the score your system gave {points} (weight times scale)", lang, points=last)
    if prefix == "placed_at_fit_and_weight":
        return tr("Applicants placed with fit plus score {points} (in points)", lang, points=last)
    if prefix == "placed_at_fit" and last.isdigit():
        return tr("Applicants placed with fit {fit}", lang, fit=decimal(int(last) / FIT_SCALE, lang))
    if name in _LEVELS:
        return _LEVELS[name].text(lang)
    if name.startswith(_GROUP_LEVEL) and name.endswith("]"):
        return tr("Lowest placement rate among the groups of {family}", lang, family=name[len(_GROUP_LEVEL) : -1])
    return tr("Objective level {name}", lang, name=name.replace("_", " "))


def _fit_reading(fit: float, lang: Lang) -> str:
    return tr("{mean} ({of100} of 100)", lang, mean=decimal(fit, lang), of100=number(round(fit * 100), lang))


def level_reading(level: LevelValue, lang: Lang, *, placed: int, seed: int) -> str:
    """A level's value as a person reads it: a count, the mean fit per placed applicant, a share, or
    for the lottery the seed it was drawn with (``placed``: the plan's placed count)."""
    value = level.value
    if value is None:
        return tr("no value (no plan)", lang)
    if level.name == "lottery":
        seed_text = str(seed)  # a seed is an id: never grouped
        return tr("drawn with seed {seed}, only between otherwise equal plans", lang, seed=seed_text)
    if level.name in ("total_fit", "total_fit_less_moves"):
        return _fit_reading(value / FIT_SCALE / placed if placed else 0.0, lang)
    if level.name == "lowest_fit_per_place":
        return _fit_reading(value / FIT_SCALE, lang)
    if level.name == "lowest_fill_rate_ppm" or level.name.startswith(_GROUP_LEVEL):
        return percent(value / 1_000_000, lang)
    return number(value, lang)


#: The steps of a trainee programme, in words.
_STEPS: dict[int, Message] = {
    1: msg("step 1, VFU (the practice placement)"),
    2: msg("step 2, studentmedarbetare (part-time student employee)"),
    3: msg("step 3, employment (posts offered to the programme's graduates)"),
}
_TERMS: dict[str, Message] = {"VT": msg("spring (VT)"), "HT": msg("autumn (HT)")}


def round_line(problem: Problem | None, lang: Lang) -> str | None:
    """The round the plan is for (step, term and year) in words, or ``None`` for a problem without a
    :class:`~matchmaker.Round`."""
    if problem is None or problem.round is None:
        return None
    r = problem.round
    return tr(
        "The round: {step}, {term} {year}.",
        lang,
        step=_STEPS[r.step].text(lang),
        term=_TERMS[r.term].text(lang),
        year=str(r.year),
    )


def policy_lines(policy: Policy, lang: Lang, *, weights: bool = False) -> list[str]:
    """The policy in force, one sentence per rule: objective, weights, requirements, minimums, targets,
    balance, stability, continuity and the lottery seed (``weights``: the problem has pair weights)."""
    total = policy.interest_weight + policy.interview_weight
    objective = _OBJECTIVES[policy.objective]
    if weights and policy.objective in ("total_fit", "leximin"):
        objective = _WEIGHTED_OBJECTIVES[policy.objective, policy.pair_weights]
    lines = [
        objective.text(lang),
        tr(
            "Fit weighs the applicant's interest {interest} and the interview {interview} (of 1).",
            lang,
            interest=decimal(policy.interest_weight / total, lang),
            interview=decimal(policy.interview_weight / total, lang),
        ),
        _MISSING_INTERVIEW[policy.missing_interview].text(lang),
        _TRAINING[policy.supervisor_training].text(lang),
        tr(
            "A unit's stated qualifications, declared conflicts of interest and supervisors' periods always apply.",
            lang,
        ),
        _MINIMUMS[policy.minimums].text(lang),
        _TARGETS[policy.targets].text(lang),
    ]
    balance = policy.balance
    if balance is None:
        lines.append(tr("Balance between municipalities: none required.", lang))
    else:
        lines.append(
            _say(
                _BALANCE[balance.mode],
                lang,
                tolerance=percent(balance.tolerance, lang),
                ratio=percent(balance.ratio, lang),
            )
        )
    for rule in policy.group_rules:
        kind: str = rule.rule
        if kind == "count":
            kind = "max" if rule.min_count is None else "min" if rule.max_count is None else "both"
        every = tr("every group", lang)
        lines.append(
            _say(
                _GROUP_RULES[kind],
                lang,
                family=rule.family,
                size=number(rule.min_size, lang),
                ratio=percent(rule.ratio, lang),
                tolerance=percent(rule.tolerance, lang),
                groups=", ".join(rule.groups) if rule.groups else every,
                low=number(rule.min_count or 0, lang),
                high=number(rule.max_count or 0, lang),
            )
        )
    stability = policy.stability
    lines.append(_STABILITY["none" if stability is None else stability.mode].text(lang))
    if policy.order != "placed_first":
        parts = [_PARTS[part].text(lang) for part in policy.slots]
        lines.append(tr("Order of the objective: {parts}, then the lottery.", lang, parts=", ".join(parts)))
    lines.append(
        tr(
            "Continuity: {same_supervisor} more fit with the same supervisor as before, {same_unit} in the same unit.",
            lang,
            same_supervisor=decimal(policy.continuity_same_supervisor, lang),
            same_unit=decimal(policy.continuity_same_unit, lang),
        )
    )
    lines.append(
        tr(
            "Lottery seed {seed}: it decides only between plans that are equal on every rule above.",
            lang,
            seed=str(policy.lottery_seed),
        )
    )
    return lines


def decision_lines(result: Result, lang: Lang, approval: ReportApproval | None = None) -> list[str | list[str]]:
    """The decision in plain words: how many are placed where, who is not and why (a nested list),
    the rules in their order, whether the plan is proven best, and whether it is approved."""
    d = result.decision
    out: list[str | list[str]] = []
    if not d.status.has_plan:
        out.append(_VERDICT[d.status.value].text(lang))
        return out
    total = len(d.assignments) + len(d.unplaced)
    units = {a.unit for a in d.assignments}
    munis = {a.municipality for a in d.assignments}
    out.append(
        tr(
            "{placed} of {total} applicants are placed, in {units} units of {municipalities} municipalities.",
            lang,
            placed=number(len(d.assignments), lang),
            total=number(total, lang),
            units=number(len(units), lang),
            municipalities=number(len(munis), lang),
        )
    )
    if not d.unplaced:
        out.append(tr("Every applicant has a place.", lang))
    else:
        n_unplaced = len(d.unplaced)
        out.append(
            tr_n("{count} is not placed:", "{count} are not placed:", n_unplaced, lang, count=number(n_unplaced, lang))
        )
        counts = Counter(u.reason.value for u in d.unplaced)
        out.append([_say(_WHY_COUNT[k], lang, n=number(n, lang)) for k, n in sorted(counts.items())])
    out.append(tr("The plan was chosen by these rules, each before the next:", lang))
    out.append([level_name(lv.name, lang) for lv in d.objective])
    out.append(_VERDICT[d.status.value].text(lang))
    if approval is None:
        out.append(tr("This is a recommendation: it takes effect when an official approves it.", lang))
    else:
        when = date(approval.date, lang) if approval.date else "-"
        out.append(tr("Approved by official {official} on {date}.", lang, official=approval.official, date=when))
    return out


@dataclass(frozen=True)
class UnplacedFacts:
    """What the records say about one unplaced applicant: the acceptable ``supervisors`` and ``units``,
    the ``wished`` placements before the rules and how many each rule ``removed`` (rule code -> count)."""

    supervisors: int
    units: int
    wished: int
    removed: Mapping[str, int]


def unplaced_facts(problem: Problem, ids: Sequence[str]) -> dict[str, UnplacedFacts]:
    """The :class:`UnplacedFacts` of each applicant of ``ids``, from the scored records of ``problem``."""
    scores = score(problem)
    enc = scores.encoding
    n = enc.n_applicants
    sups = np.bincount(scores.applicant, minlength=n)
    n_units = max(1, len(enc.unit_ids))
    keys = np.unique(scores.applicant.astype(np.int64) * n_units + enc.supervisor_unit[scores.supervisor])
    units = np.bincount(keys // n_units, minlength=n)
    index = {a: i for i, a in enumerate(enc.applicant_ids)}
    out: dict[str, UnplacedFacts] = {}
    for ident in ids:
        i = index[ident]
        removed = {r: int(k) for r, k in zip(REMOVAL_RULES, scores.removed[i].tolist(), strict=True) if k}
        out[ident] = UnplacedFacts(int(sups[i]), int(units[i]), int(scores.wished[i]), removed)
    return out


#: An unplaced applicant's reason code (:class:`matchmaker.UnplacedReason`) as a short label.
_REASON_LABEL: dict[str, Message] = {
    "not_selected": msg("not selected"),
    "no_acceptable_option": msg("no allowed option"),
    "no_plan": msg("no plan"),
}


def reason_label(reason: str, lang: Lang) -> str:
    """The short label of an unplaced applicant's reason code, in ``lang``."""
    return _REASON_LABEL[reason].text(lang)


def unplaced_reason(unplaced: Unplaced, lang: Lang, facts: UnplacedFacts | None = None) -> str:
    """Why ``unplaced`` has no place, with the numbers of ``facts`` when given (the same in both languages)."""
    reason = unplaced.reason.value
    if reason == "no_plan":
        return tr("There is no plan.", lang)
    if facts is None:
        return _SHORT_REASON[reason].text(lang)
    if reason == "not_selected":
        n_sup, n_units = facts.supervisors, facts.units
        return tr(
            "Allowed with {supervisors} in {units}, but those places went to applicants the rules put first.",
            lang,
            supervisors=tr_n("{count} supervisor", "{count} supervisors", n_sup, lang, count=number(n_sup, lang)),
            units=tr_n("{count} unit", "{count} units", n_units, lang, count=number(n_units, lang)),
        )
    if facts.wished == 0:
        return tr("No option is allowed: no wishes were given.", lang)
    removed = "; ".join(
        tr("{n} removed because {why}", lang, n=number(k, lang), why=_RULES[rule].text(lang))
        for rule, k in facts.removed.items()
    )
    return tr(
        "No option is allowed: of {wished} wished placements, {removed}.",
        lang,
        wished=number(facts.wished, lang),
        removed=removed,
    )


@dataclass(frozen=True)
class NoteFacts:
    """What makes a placement unusual, gathered once per report: each applicant's priority ``tiers``,
    the ``pinned`` applicants and the reasons of the approval's pin ``overrides`` (applicant -> reason)."""

    tiers: Mapping[str, int]
    pinned: frozenset[str]
    overrides: Mapping[str, str]


def note_facts(problem: Problem | None, approval: ReportApproval | None) -> NoteFacts:
    """The :class:`NoteFacts` of ``problem`` (none without it) and ``approval``."""
    tiers: dict[str, int] = {}
    pinned: frozenset[str] = frozenset()
    if problem is not None:
        tiers = {a.id: a.priority_tier for a in problem.applicants if a.priority_tier is not None}
        pinned = frozenset(p.applicant for p in problem.pins)
    overrides = {} if approval is None else {o.applicant: o.reason for o in approval.overrides if o.action == "pin"}
    return NoteFacts(tiers, pinned, overrides)


def placement_notes(assignment: Assignment, lang: Lang, facts: NoteFacts) -> list[str]:
    """What is unusual about a placement, if anything: a very low fit, a priority tier, a pin, an override."""
    who = assignment.applicant
    notes: list[str] = []
    if assignment.fit < LOW_FIT:
        notes.append(tr("very low fit ({fit})", lang, fit=decimal(assignment.fit, lang)))
    if who in facts.tiers:
        notes.append(tr("placed by priority tier {tier}", lang, tier=facts.tiers[who]))
    if who in facts.overrides:  # an override's pin is also a pin of the round it was solved in
        notes.append(tr("placed by an override: {reason}", lang, reason=facts.overrides[who]))
    elif who in facts.pinned:
        notes.append(tr("placed by a pin (fixed in advance)", lang))
    return notes


def no_plan_explanation(result: Result, problem: Problem | None, lang: Lang) -> str | None:
    """For a round without a plan: which rules clash and the smallest change that makes a plan possible,
    in ``lang`` (lines ``- ...`` are list items), from :func:`matchmaker.explanations.explain_infeasibility`
    (it solves again); without the problem, a sentence saying to give it. ``None`` for a plan."""
    status = result.decision.status
    if status.has_plan:
        return None
    if problem is None:
        return tr("Give the problem file (--problem) to explain which rules clash.", lang)
    explanation = explain_infeasibility(problem) if status.value == "infeasible" else None
    return None if explanation is None else explanation.text(lang, display_names(problem))
