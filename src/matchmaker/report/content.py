"""What a report says, in plain Swedish and English words: the decision, the policy, the objective levels
and the reasons, shared by the HTML, PDF and text reports and the result workbook.

Every text a person reads is one entry of :data:`_MESSAGES` (the same content in both languages), filled
with numbers formatted by :mod:`matchmaker.report._format`. Levels are named in words (never
``placed_tier_1`` or ``total_fit``) and shown as values a person understands: a count, the mean fit
per placed applicant ("0,87, 87 av 100"), and the lottery as the seed it was drawn with, never its raw
value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matchmaker.explanations import display_names, explain_infeasibility
from matchmaker.models import Policy, Problem
from matchmaker.report._format import date, decimal, number, percent
from matchmaker.result import Assignment, LevelValue, Result, Unplaced
from matchmaker.scoring import FIT_SCALE, REMOVAL_RULES, score

if TYPE_CHECKING:
    from matchmaker.io.tables import Lang
    from matchmaker.report.approval import ReportApproval

__all__ = [
    "LOW_FIT",
    "NoteFacts",
    "UnplacedFacts",
    "decision_lines",
    "level_name",
    "level_reading",
    "message",
    "no_plan_explanation",
    "note_facts",
    "placement_notes",
    "policy_lines",
    "unplaced_facts",
    "unplaced_reason",
]

#: A placement with a fit below this is called out as unusual.
LOW_FIT = 0.3

_MESSAGES: dict[str, dict[str, str]] = {
    # objective levels
    "level.placed_tier": {
        "en": "Applicants in priority tier {tier} placed",
        "sv": "Placerade sökande i förtursnivå {tier}",
    },
    "level.placed": {"en": "Applicants placed", "sv": "Placerade sökande"},
    "level.total_fit": {"en": "Mean fit per placed applicant", "sv": "Matchningsvärde i medel per placerad sökande"},
    "level.total_fit_less_moves": {
        "en": "Mean fit per placed applicant, less the cost of moves",
        "sv": "Matchningsvärde i medel per placerad sökande, minus kostnaden för flyttar",
    },
    "level.minimum_shortfall": {
        "en": "Students missing below minimums",
        "sv": "Studenter som saknas under miniminivåer",
    },
    "level.target_shortfall": {"en": "Students missing below targets", "sv": "Studenter som saknas under målnivåer"},
    "level.link_violations": {"en": "Links not kept", "sv": "Kopplingar som inte hålls"},
    "level.lowest_fill_rate_ppm": {
        "en": "Lowest municipality fill rate",
        "sv": "Lägsta andel fyllda platser bland kommunerna",
    },
    "level.lowest_fit_per_place": {
        "en": "Lowest fit per offered place among municipalities",
        "sv": "Lägsta matchningsvärde per erbjuden plats bland kommunerna",
    },
    "level.placed_at_rank": {
        "en": "Applicants placed at their choice {rank}",
        "sv": "Sökande placerade på sitt val {rank}",
    },
    "level.placed_at_fit": {
        "en": "Applicants placed with fit {fit}",
        "sv": "Sökande placerade med matchningsvärde {fit}",
    },
    "level.worst_rank": {"en": "Worst choice anyone is placed at", "sv": "Sämsta val som någon placeras på"},
    "level.rank_sum": {"en": "Sum of the choices placed at", "sv": "Summan av valen som sökande placeras på"},
    "level.rank_sum_gap": {
        "en": "Gap between the applicants' and the units' choice sums",
        "sv": "Skillnaden mellan sökandes och enheters summor av val",
    },
    "level.moved": {"en": "People moved from the previous plan", "sv": "Personer flyttade från den förra planen"},
    "level.lottery": {"en": "Lottery (tie-break)", "sv": "Lottning (avgör lika planer)"},
    "level.other": {"en": "Objective level {name}", "sv": "Målnivå {name}"},
    "reading.none": {"en": "no value (no plan)", "sv": "inget värde (ingen plan)"},
    "reading.fit": {"en": "{mean} ({of100} of 100)", "sv": "{mean} ({of100} av 100)"},
    "reading.lottery": {
        "en": "drawn with seed {seed}, only between otherwise equal plans",
        "sv": "lottad med slumpfrö {seed}, bara mellan planer som annars är lika",
    },
    "reading.sense_max": {"en": "as high as possible", "sv": "så högt som möjligt"},
    "reading.sense_min": {"en": "as low as possible", "sv": "så lågt som möjligt"},
    # the policy
    "policy.objective.total_fit": {
        "en": "Objective: the highest total fit of the placements.",
        "sv": "Mål: högsta sammanlagda matchningsvärde för placeringarna.",
    },
    "policy.objective.rank_maximal": {
        "en": "Objective: as many first choices as possible, then second choices, and so on.",
        "sv": "Mål: så många förstahandsval som möjligt, sedan andrahandsval och så vidare.",
    },
    "policy.objective.generous": {
        "en": "Objective: as few as possible at the worst choice, then the next worst, and so on.",
        "sv": "Mål: så få som möjligt på det sämsta valet, sedan det näst sämsta och så vidare.",
    },
    "policy.objective.minimum_regret": {
        "en": "Objective: the worst choice anyone gets as good as possible.",
        "sv": "Mål: det sämsta val som någon får så bra som möjligt.",
    },
    "policy.objective.egalitarian": {
        "en": "Objective: the lowest sum of the choices placed at.",
        "sv": "Mål: lägsta summan av valen som sökande placeras på.",
    },
    "policy.objective.leximin": {
        "en": "Objective: the lowest fit as high as possible, then the next lowest, and so on.",
        "sv": "Mål: lägsta matchningsvärde så högt som möjligt, sedan det näst lägsta och så vidare.",
    },
    "policy.objective.sex_equal": {
        "en": "Objective: the applicants' and the units' choice sums as close as possible.",
        "sv": "Mål: sökandes och enheters summor av val så nära varandra som möjligt.",
    },
    "policy.weights": {
        "en": "Fit weighs the applicant's interest {interest} and the interview {interview} (of 1).",
        "sv": "Matchningsvärdet väger den sökandes intresse {interest} och intervjun {interview} (av 1).",
    },
    "policy.missing.neutral": {
        "en": "A missing interview score counts as the middle of the scale.",
        "sv": "En intervjupoäng som saknas räknas som mitten av skalan.",
    },
    "policy.missing.zero": {
        "en": "A missing interview score counts as the lowest score.",
        "sv": "En intervjupoäng som saknas räknas som lägsta poäng.",
    },
    "policy.missing.cohort_mean": {
        "en": "A missing interview score counts as the round's mean score.",
        "sv": "En intervjupoäng som saknas räknas som omgångens medelpoäng.",
    },
    "policy.training.any": {
        "en": "Requirements: no supervisor training is required.",
        "sv": "Krav: ingen handledarutbildning krävs.",
    },
    "policy.training.in_progress": {
        "en": "Requirements: every supervisor has at least started the supervisor training.",
        "sv": "Krav: varje handledare har minst påbörjat handledarutbildningen.",
    },
    "policy.training.completed": {
        "en": "Requirements: every supervisor has completed the supervisor training.",
        "sv": "Krav: varje handledare har genomgått handledarutbildningen.",
    },
    "policy.requirements": {
        "en": "A unit's stated qualifications, declared conflicts of interest and supervisors' periods always apply.",
        "sv": "Enheternas krav på behörighet, anmält jäv och handledarnas perioder gäller alltid.",
    },
    "policy.minimums.hard": {
        "en": "Minimum places of units and municipalities must be met.",
        "sv": "Enheters och kommuners minsta antal platser måste uppfyllas.",
    },
    "policy.minimums.soft": {
        "en": "Minimum places of units and municipalities are met as far as possible.",
        "sv": "Enheters och kommuners minsta antal platser uppfylls så långt det går.",
    },
    "policy.targets.soft": {
        "en": "Units' target places are met as far as possible.",
        "sv": "Enheternas målnivåer för platser uppfylls så långt det går.",
    },
    "policy.targets.hard": {
        "en": "Units' target places must be met.",
        "sv": "Enheternas målnivåer för platser måste uppfyllas.",
    },
    "policy.balance.none": {
        "en": "Balance between municipalities: none required.",
        "sv": "Balans mellan kommuner: krävs inte.",
    },
    "policy.balance.within": {
        "en": "Balance: the municipalities' shares of filled places differ by at most {tolerance}.",
        "sv": "Balans: kommunernas andelar fyllda platser skiljer sig högst {tolerance}.",
    },
    "policy.balance.ratio": {
        "en": "Balance: every municipality fills at least {ratio} of the overall share of places.",
        "sv": "Balans: varje kommun fyller minst {ratio} av den totala andelen platser.",
    },
    "policy.balance.maximin": {
        "en": "Balance: the lowest municipality share of filled places as high as possible.",
        "sv": "Balans: den lägsta andelen fyllda platser bland kommunerna så hög som möjligt.",
    },
    "policy.stability.none": {"en": "Stability: not required.", "sv": "Stabilitet: krävs inte."},
    "policy.stability.applicant_optimal": {
        "en": "Stability: only stable plans (no blocking pair), the one best for the applicants.",
        "sv": "Stabilitet: bara stabila planer (inget blockerande par), den som är bäst för de sökande.",
    },
    "policy.stability.unit_optimal": {
        "en": "Stability: only stable plans (no blocking pair), the one best for the units.",
        "sv": "Stabilitet: bara stabila planer (inget blockerande par), den som är bäst för enheterna.",
    },
    "policy.stability.optimise": {
        "en": "Stability: only stable plans (no blocking pair), chosen by the objective.",
        "sv": "Stabilitet: bara stabila planer (inget blockerande par), valda efter målet.",
    },
    "policy.continuity": {
        "en": "Continuity: {same_supervisor} more fit with the same supervisor as before, "
        "{same_unit} in the same unit.",
        "sv": "Kontinuitet: {same_supervisor} högre matchningsvärde hos samma handledare som förut, "
        "{same_unit} på samma enhet.",
    },
    "policy.lottery": {
        "en": "Lottery seed {seed}: it decides only between plans that are equal on every rule above.",
        "sv": "Slumpfrö för lottningen {seed}: den avgör bara mellan planer som är lika enligt alla regler ovan.",
    },
    # the decision in plain words
    "decision.placed": {
        "en": "{placed} of {total} applicants are placed, in {units} units of {municipalities} municipalities.",
        "sv": "{placed} av {total} sökande är placerade, på {units} enheter i {municipalities} kommuner.",
    },
    "decision.all_placed": {"en": "Every applicant has a place.", "sv": "Alla sökande har fått en plats."},
    "decision.not_placed": {"en": "{n} are not placed:", "sv": "{n} är inte placerade:"},
    "decision.why.not_selected": {
        "en": "{n}: the places they could take went to applicants the rules put first",
        "sv": "{n}: de platser de kunde få gick till sökande som reglerna sätter före",
    },
    "decision.why.no_acceptable_option": {
        "en": "{n}: none of the options they wished for is allowed by the rules",
        "sv": "{n}: inget av de alternativ de önskade tillåts av reglerna",
    },
    "decision.why.no_plan": {"en": "{n}: there is no plan", "sv": "{n}: det finns ingen plan"},
    "decision.rules": {
        "en": "The plan was chosen by these rules, each before the next:",
        "sv": "Planen valdes efter dessa regler, var och en före nästa:",
    },
    "decision.optimal": {
        "en": "The plan is proven to be the best under these rules.",
        "sv": "Planen är bevisat den bästa enligt dessa regler.",
    },
    "decision.feasible": {
        "en": "The plan follows every rule, but the search stopped before proving it the best.",
        "sv": "Planen följer alla regler, men sökningen avbröts innan den bevisats vara den bästa.",
    },
    "decision.infeasible": {
        "en": "There is no plan: the rules of the round cannot all hold together.",
        "sv": "Det finns ingen plan: omgångens regler kan inte gälla samtidigt.",
    },
    "decision.unknown": {
        "en": "There is no plan: none was found in the time given.",
        "sv": "Det finns ingen plan: ingen hittades inom den givna tiden.",
    },
    "decision.unusual": {
        "en": "{n} placements are unusual; the table of placements says why.",
        "sv": "{n} placeringar är ovanliga; tabellen över placeringar säger varför.",
    },
    "decision.recommendation": {
        "en": "This is a recommendation: it takes effect when an official approves it.",
        "sv": "Detta är en rekommendation: den gäller när en tjänsteperson har godkänt den.",
    },
    "decision.approved": {
        "en": "Approved by official {official} on {date}.",
        "sv": "Godkänd av tjänsteperson {official} den {date}.",
    },
    # reasons for not placed
    "reason.not_selected": {
        "en": "Allowed with {supervisors} supervisors in {units} units, but those places went to applicants "
        "the rules put first.",
        "sv": "Tillåten hos {supervisors} handledare på {units} enheter, men de platserna gick till sökande "
        "som reglerna sätter före.",
    },
    "reason.not_selected.short": {
        "en": "The places they could take went to applicants the rules put first.",
        "sv": "De platser den sökande kunde få gick till sökande som reglerna sätter före.",
    },
    "reason.no_wishes": {
        "en": "No option is allowed: no wishes were given.",
        "sv": "Inget alternativ är tillåtet: inga önskemål lämnades.",
    },
    "reason.no_acceptable_option": {
        "en": "No option is allowed: of {wished} wished placements, {removed}.",
        "sv": "Inget alternativ är tillåtet: av {wished} önskade placeringar {removed}.",
    },
    "reason.no_acceptable_option.short": {
        "en": "None of the options they wished for is allowed by the rules.",
        "sv": "Inget av de alternativ den sökande önskade tillåts av reglerna.",
    },
    "reason.removed": {"en": "{n} removed because {why}", "sv": "togs {n} bort eftersom {why}"},
    "reason.and": {"en": "; ", "sv": "; "},
    "reason.no_plan": {"en": "There is no plan.", "sv": "Det finns ingen plan."},
    "rule.requirement": {
        "en": "the unit requires a qualification the applicant lacks",
        "sv": "enheten kräver en behörighet som den sökande saknar",
    },
    "rule.conflict": {"en": "a declared conflict of interest forbids it", "sv": "ett anmält jäv hindrar det"},
    "rule.training": {
        "en": "the supervisor lacks the training the policy requires",
        "sv": "handledaren saknar den utbildning som policyn kräver",
    },
    "rule.no_capacity": {
        "en": "there are no places there this round",
        "sv": "det finns inga platser där denna omgång",
    },
    "rule.unit_ranking": {
        "en": "the unit's own ranking does not list the applicant",
        "sv": "enhetens egen rangordning tar inte upp den sökande",
    },
    "rule.availability": {
        "en": "the supervisor is not available in the applicant's period",
        "sv": "handledaren är inte tillgänglig under den sökandes period",
    },
    # unusual placements
    "note.low_fit": {"en": "very low fit ({fit})", "sv": "mycket lågt matchningsvärde ({fit})"},
    "note.tier": {"en": "placed by priority tier {tier}", "sv": "placerad genom förtursnivå {tier}"},
    "note.pin": {"en": "placed by a pin (fixed in advance)", "sv": "placerad genom en förhandsplacering"},
    "note.override": {
        "en": "placed by an override: {reason}",
        "sv": "placerad genom en ändring: {reason}",
    },
    # the report's sections, columns and approval block
    "title": {"en": "Placement plan", "sv": "Placeringsplan"},
    "status": {"en": "Status", "sv": "Status"},
    "status.optimal": {"en": "optimal", "sv": "optimal"},
    "status.feasible": {"en": "feasible, not proven optimal", "sv": "tillåten, inte bevisat optimal"},
    "status.infeasible": {"en": "no plan possible", "sv": "ingen plan möjlig"},
    "status.unknown": {"en": "no plan found", "sv": "ingen plan hittad"},
    "decision": {"en": "The decision", "sv": "Beslutet"},
    "no_plan_why": {"en": "Why there is no plan", "sv": "Varför det inte finns någon plan"},
    "no_plan_problem": {
        "en": "Give the problem file (--problem) to explain which rules clash.",
        "sv": "Ange problemfilen (--problem) för att förklara vilka regler som krockar.",
    },
    "summary": {"en": "Summary", "sv": "Sammanfattning"},
    "card.placed": {"en": "placed", "sv": "placerade"},
    "card.unplaced": {"en": "not placed", "sv": "inte placerade"},
    "card.applicants": {"en": "applicants", "sv": "sökande"},
    "card.places": {"en": "places offered", "sv": "erbjudna platser"},
    "card.first_choice": {"en": "at their first choice", "sv": "på sitt förstahandsval"},
    "card.mean_fit": {"en": "mean fit (of 1)", "sv": "matchningsvärde i medel (av 1)"},
    "card.mean_rank": {"en": "mean choice placed at", "sv": "val i medel"},
    "policy": {"en": "The policy in force", "sv": "Gällande policy"},
    "policy.missing": {
        "en": "The policy is in the problem file; give it (--problem) to show the policy here.",
        "sv": "Policyn finns i problemfilen; ange den (--problem) för att visa policyn här.",
    },
    "objective": {
        "en": "The rules and how well the plan meets them",
        "sv": "Reglerna och hur väl planen uppfyller dem",
    },
    "col.order": {"en": "order", "sv": "ordning"},
    "col.rule": {"en": "rule", "sv": "regel"},
    "col.value": {"en": "value", "sv": "värde"},
    "charts": {"en": "Charts", "sv": "Diagram"},
    "rank_profile": {
        "en": "Applicants placed at their choice 1, 2, ...",
        "sv": "Sökande placerade på sitt val 1, 2, ...",
    },
    "fill_units": {"en": "Places filled per unit, of the maximum", "sv": "Fyllda platser per enhet, av maxantalet"},
    "fill_municipalities": {
        "en": "Places filled per municipality, of those offered",
        "sv": "Fyllda platser per kommun, av de erbjudna",
    },
    "fit_distribution": {
        "en": "Placements per fit interval",
        "sv": "Placeringar per intervall av matchningsvärde",
    },
    "municipalities": {"en": "Per municipality", "sv": "Per kommun"},
    "col.municipality": {"en": "municipality", "sv": "kommun"},
    "col.placed": {"en": "placed", "sv": "placerade"},
    "col.offered": {"en": "places offered", "sv": "erbjudna platser"},
    "col.filled": {"en": "share filled", "sv": "andel fyllda"},
    "col.mean_fit": {"en": "mean fit", "sv": "matchningsvärde i medel"},
    "assignments": {"en": "Placements ({n})", "sv": "Placeringar ({n})"},
    "col.applicant": {"en": "applicant", "sv": "sökande"},
    "col.tier": {"en": "priority tier", "sv": "förtursnivå"},
    "col.unit": {"en": "unit", "sv": "enhet"},
    "col.supervisor": {"en": "supervisor", "sv": "handledare"},
    "col.rank": {"en": "choice", "sv": "val"},
    "col.fit": {"en": "fit", "sv": "matchningsvärde"},
    "col.note": {"en": "note", "sv": "anmärkning"},
    "col.reason": {"en": "reason", "sv": "skäl"},
    "group": {"en": "{name}: {n} rows", "sv": "{name}: {n} rader"},
    "unplaced": {"en": "Applicants not placed ({n})", "sv": "Sökande som inte är placerade ({n})"},
    "none_unplaced": {"en": "Every applicant has a place.", "sv": "Alla sökande har fått en plats."},
    "sort_hint": {"en": "Click a column header to sort.", "sv": "Klicka på en kolumnrubrik för att sortera."},
    "approval": {"en": "Approval", "sv": "Godkännande"},
    "approval.official": {"en": "Official", "sv": "Tjänsteperson"},
    "approval.role": {"en": "Role", "sv": "Roll"},
    "approval.date": {"en": "Date", "sv": "Datum"},
    "approval.signature": {"en": "Signature", "sv": "Signatur"},
    "approval.name": {"en": "Name", "sv": "Namn"},
    "approval.overrides": {"en": "Overrides", "sv": "Ändringar"},
    "approval.no_overrides": {"en": "none: approved as recommended", "sv": "inga: godkänd som rekommenderad"},
    "approval.not_recorded": {"en": "not recorded", "sv": "inte registrerad"},
    "approval.unsigned": {
        "en": "Not approved yet. The approving official fills in and signs:",
        "sv": "Inte godkänd ännu. Tjänstepersonen som godkänner fyller i och skriver under:",
    },
    "signature.none": {"en": "no digital signature recorded", "sv": "ingen digital signatur registrerad"},
    "signature.unchecked": {
        "en": "signed; the signature is not checked here (give the office's public key)",
        "sv": "signerad; signaturen är inte kontrollerad här (ange kontorets publika nyckel)",
    },
    "signature.valid": {
        "en": "signed; the signature is checked and valid",
        "sv": "signerad; signaturen är kontrollerad och giltig",
    },
    "signature.invalid": {
        "en": "the signature does NOT match the plan",
        "sv": "signaturen stämmer INTE med planen",
    },
    "override.pin": {
        "en": "{applicant} placed with {target}: {reason} (by {official})",
        "sv": "{applicant} placeras hos {target}: {reason} (av {official})",
    },
    "override.forbid": {
        "en": "{applicant} not with {target}: {reason} (by {official})",
        "sv": "{applicant} inte hos {target}: {reason} (av {official})",
    },
    "footer": {
        "en": "Input fingerprint {fp}; lottery seed {seed}; solved by {engine} in {time} s; matchmaker {version}.",
        "sv": "Indatans fingeravtryck {fp}; slumpfrö {seed}; löst med {engine} på {time} s; matchmaker {version}.",
    },
    "gap": {
        "en": "Not proven optimal: at most {gap} from the best possible.",
        "sv": "Inte bevisat optimal: högst {gap} från det bästa möjliga.",
    },
}


def message(key: str, lang: Lang, **values: object) -> str:
    """The text ``key`` of :data:`_MESSAGES` in ``lang``, filled with ``values``."""
    return _MESSAGES[key][lang].format(**values)


def level_name(name: str, lang: Lang) -> str:
    """An objective level in plain words, e.g. ``placed_tier_1`` -> "Placerade sökande i förtursnivå 1"."""
    prefix, _, last = name.rpartition("_")
    if prefix == "placed_tier":
        return message("level.placed_tier", lang, tier=last)
    if prefix == "placed_at_rank":
        return message("level.placed_at_rank", lang, rank=last)
    if prefix == "placed_at_fit" and last.isdigit():
        return message("level.placed_at_fit", lang, fit=decimal(int(last) / FIT_SCALE, lang))
    key = f"level.{name}"
    if key in _MESSAGES:
        return message(key, lang)
    return message("level.other", lang, name=name.replace("_", " "))


def _fit_reading(fit: float, lang: Lang) -> str:
    return message("reading.fit", lang, mean=decimal(fit, lang), of100=number(round(fit * 100), lang))


def level_reading(level: LevelValue, lang: Lang, *, placed: int, seed: int) -> str:
    """A level's value as a person reads it: a count, the mean fit per placed applicant, a share, or
    for the lottery the seed it was drawn with (``placed``: the plan's placed count)."""
    value = level.value
    if value is None:
        return message("reading.none", lang)
    if level.name == "lottery":
        return message("reading.lottery", lang, seed=str(seed))  # a seed is an id: never grouped
    if level.name in ("total_fit", "total_fit_less_moves"):
        return _fit_reading(value / FIT_SCALE / placed if placed else 0.0, lang)
    if level.name == "lowest_fit_per_place":
        return _fit_reading(value / FIT_SCALE, lang)
    if level.name == "lowest_fill_rate_ppm":
        return percent(value / 1_000_000, lang)
    return number(value, lang)


def policy_lines(policy: Policy, lang: Lang) -> list[str]:
    """The policy in force, one sentence per rule: objective, weights, requirements, minimums, targets,
    balance, stability, continuity and the lottery seed."""
    total = policy.interest_weight + policy.interview_weight
    lines = [
        message(f"policy.objective.{policy.objective}", lang),
        message(
            "policy.weights",
            lang,
            interest=decimal(policy.interest_weight / total, lang),
            interview=decimal(policy.interview_weight / total, lang),
        ),
        message(f"policy.missing.{policy.missing_interview}", lang),
        message(f"policy.training.{policy.supervisor_training}", lang),
        message("policy.requirements", lang),
        message(f"policy.minimums.{policy.minimums}", lang),
        message(f"policy.targets.{policy.targets}", lang),
    ]
    balance = policy.balance
    if balance is None:
        lines.append(message("policy.balance.none", lang))
    else:
        lines.append(
            message(
                f"policy.balance.{balance.mode}",
                lang,
                tolerance=percent(balance.tolerance, lang),
                ratio=percent(balance.ratio, lang),
            )
        )
    stability = policy.stability
    lines.append(message(f"policy.stability.{'none' if stability is None else stability.mode}", lang))
    lines.append(
        message(
            "policy.continuity",
            lang,
            same_supervisor=decimal(policy.continuity_same_supervisor, lang),
            same_unit=decimal(policy.continuity_same_unit, lang),
        )
    )
    lines.append(message("policy.lottery", lang, seed=str(policy.lottery_seed)))
    return lines


def decision_lines(result: Result, lang: Lang, approval: ReportApproval | None = None) -> list[str | list[str]]:
    """The decision in plain words: how many are placed where, who is not and why (a nested list),
    the rules in their order, whether the plan is proven best, and whether it is approved."""
    d = result.decision
    out: list[str | list[str]] = []
    if not d.status.has_plan:
        out.append(message(f"decision.{d.status.value}", lang))
        return out
    total = len(d.assignments) + len(d.unplaced)
    units = {a.unit for a in d.assignments}
    munis = {a.municipality for a in d.assignments}
    out.append(
        message(
            "decision.placed",
            lang,
            placed=number(len(d.assignments), lang),
            total=number(total, lang),
            units=number(len(units), lang),
            municipalities=number(len(munis), lang),
        )
    )
    if not d.unplaced:
        out.append(message("decision.all_placed", lang))
    else:
        out.append(message("decision.not_placed", lang, n=number(len(d.unplaced), lang)))
        counts = Counter(u.reason.value for u in d.unplaced)
        out.append([message(f"decision.why.{k}", lang, n=number(n, lang)) for k, n in sorted(counts.items())])
    out.append(message("decision.rules", lang))
    out.append([level_name(lv.name, lang) for lv in d.objective])
    out.append(message(f"decision.{d.status.value}", lang))
    if approval is None:
        out.append(message("decision.recommendation", lang))
    else:
        when = date(approval.date, lang) if approval.date else "-"
        out.append(message("decision.approved", lang, official=approval.official, date=when))
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


def unplaced_reason(unplaced: Unplaced, lang: Lang, facts: UnplacedFacts | None = None) -> str:
    """Why ``unplaced`` has no place, with the numbers of ``facts`` when given (the same in both languages)."""
    reason = unplaced.reason.value
    if reason == "no_plan":
        return message("reason.no_plan", lang)
    if facts is None:
        return message(f"reason.{reason}.short", lang)
    if reason == "not_selected":
        return message(
            "reason.not_selected",
            lang,
            supervisors=number(facts.supervisors, lang),
            units=number(facts.units, lang),
        )
    if facts.wished == 0:
        return message("reason.no_wishes", lang)
    removed = message("reason.and", lang).join(
        message("reason.removed", lang, n=number(k, lang), why=message(f"rule.{rule}", lang))
        for rule, k in facts.removed.items()
    )
    return message("reason.no_acceptable_option", lang, wished=number(facts.wished, lang), removed=removed)


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
        notes.append(message("note.low_fit", lang, fit=decimal(assignment.fit, lang)))
    if who in facts.tiers:
        notes.append(message("note.tier", lang, tier=facts.tiers[who]))
    if who in facts.overrides:  # an override's pin is also a pin of the round it was solved in
        notes.append(message("note.override", lang, reason=facts.overrides[who]))
    elif who in facts.pinned:
        notes.append(message("note.pin", lang))
    return notes


def no_plan_explanation(result: Result, problem: Problem | None, lang: Lang) -> str | None:
    """For a round without a plan: which rules clash and the smallest change that makes a plan possible,
    in ``lang`` (lines ``- ...`` are list items), from :func:`matchmaker.explanations.explain_infeasibility`
    (it solves again); without the problem, a sentence saying to give it. ``None`` for a plan."""
    status = result.decision.status
    if status.has_plan:
        return None
    if problem is None:
        return message("no_plan_problem", lang)
    explanation = explain_infeasibility(problem) if status.value == "infeasible" else None
    return None if explanation is None else explanation.text(lang, display_names(problem))
