"""Swedish and English sentences from structured explanations. Ids only, never personal data.

Units are shown by name and id when a name is known (``Barn och ungdom Nacka (nacka-bou)``).
"""

from __future__ import annotations

from collections.abc import Mapping

from matchmaker._text import plural
from matchmaker.explanations.applicant import LOW_FIT
from matchmaker.explanations.types import (
    ApplicantExplanation,
    CoreItem,
    Diagnostics,
    InfeasibilityExplanation,
    Lang,
    LevelChange,
    Move,
    OptionReason,
    Relaxation,
)
from matchmaker.models import Problem

__all__ = [
    "RULE_TEXT",
    "change_text",
    "display_names",
    "level_label",
    "moves_text",
    "pair_rule_text",
    "render_applicant",
    "render_diagnostics",
    "render_infeasibility",
]

Names = Mapping[str, str]

#: Why an option is ruled out, by :data:`~matchmaker.rules.REASONS` code, in each language.
RULE_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "requirement": "the unit requires a qualification the applicant has not stated",
        "conflict": "a declared conflict of interest (jäv) rules it out",
        "training": "its supervisors lack the training the policy requires",
        "no_capacity": "it has no places this round",
        "unit_ranking": "the unit's own ranking does not list the applicant",
        "availability": "its supervisors are unavailable in the applicant's period",
    },
    "sv": {
        "requirement": "enheten kräver en behörighet som den sökande inte har angett",
        "conflict": "ett anmält jäv utesluter det",
        "training": "enhetens handledare saknar den handledarutbildning som policyn kräver",
        "no_capacity": "enheten har inga platser denna omgång",
        "unit_ranking": "enhetens egen rangordning tar inte med den sökande",
        "availability": "enhetens handledare är inte tillgängliga under den sökandes period",
    },
}

#: This module's newer sentences, by message id, in both languages (``str.format`` placeholders).
_MESSAGES: dict[str, dict[Lang, str]] = {
    # A broken rule of one (applicant, supervisor) pair, by REASONS code.
    "pair:no_interest": {
        "en": "it is not among the applicant's wishes",
        "sv": "den finns inte bland den sökandes önskemål",
    },
    "pair:requirement": {
        "en": "the unit requires a qualification the applicant has not stated",
        "sv": "enheten kräver en behörighet som den sökande inte har angett",
    },
    "pair:conflict": {
        "en": "a declared conflict of interest (jäv) rules it out",
        "sv": "ett anmält jäv utesluter det",
    },
    "pair:training": {
        "en": "the supervisor lacks the training the policy requires",
        "sv": "handledaren saknar den handledarutbildning som policyn kräver",
    },
    "pair:no_capacity": {
        "en": "the supervisor, the unit or the municipality has no places this round",
        "sv": "handledaren, enheten eller kommunen har inga platser denna omgång",
    },
    "pair:unit_ranking": {
        "en": "the unit's own ranking does not list the applicant",
        "sv": "enhetens egen rangordning tar inte med den sökande",
    },
    "pair:availability": {
        "en": "the supervisor is unavailable in the applicant's period",
        "sv": "handledaren är inte tillgänglig under den sökandes period",
    },
    # Diagnostics: an applicant with no acceptable option.
    "no_option_no_wishes": {
        "en": "Applicant {who} has no acceptable option: no wishes were given.",
        "sv": "Sökande {who} har inget möjligt alternativ: inga önskemål har angetts.",
    },
    "no_option_one": {
        "en": "Applicant {who} has no acceptable option: the one wished placement is ruled out because {parts}.",
        "sv": "Sökande {who} har inget möjligt alternativ: den enda önskade placeringen är utesluten eftersom {parts}.",
    },
    "no_option_many": {
        "en": "Applicant {who} has no acceptable option: all {wished} wished placements are ruled out, {parts}.",
        "sv": "Sökande {who} har inget möjligt alternativ: alla {wished} önskade placeringarna är uteslutna, {parts}.",
    },
    "no_option_part": {"en": "{n} because {rule}", "sv": "{n} eftersom {rule}"},
    "and": {"en": " and ", "sv": " och "},
    "core:stability": {
        "en": "the plan must be stable (policy.stability, mode {mode}): no blocking pair, that is no applicant and "
        "unit who would both rather be together than as the plan has them",
        "sv": "planen måste vara stabil (policy.stability, läge {mode}): inga blockerande par, alltså ingen sökande "
        "och enhet som båda hellre vill vara tillsammans än som planen har dem",
    },
    # An applicant's placement and what makes it unusual.
    "placed": {
        "en": "Applicant {who} is placed in {unit} with supervisor {supervisor} (their choice {rank}, fit {fit}).",
        "sv": "Sökande {who} placeras på {unit} hos handledare {supervisor} (sitt val {rank}, matchningsvärde {fit}).",
    },
    "low_fit": {
        "en": "The fit {fit} is very low (below {threshold}).",
        "sv": "Matchningsvärdet {fit} är mycket lågt (under {threshold}).",
    },
    "tier": {
        "en": "The applicant has priority tier {tier}: placing the applicants of each priority tier comes before "
        "any fit.",
        "sv": "Den sökande har förtursnivå {tier}: att placera de sökande på varje förtursnivå går före allt "
        "matchningsvärde.",
    },
    "override": {
        "en": "The placement is an override (ändring) that an official decided, with a recorded reason.",
        "sv": "Placeringen är en ändring som en tjänsteperson har beslutat, med ett dokumenterat skäl.",
    },
    "not_selected": {
        "en": (
            "The rules allow the applicant a place with {supervisors} in {units}, but the plan gives those places "
            "to other applicants."
        ),
        "sv": (
            "Reglerna tillåter den sökande en plats hos {supervisors} på {units}, men planen ger de platserna till "
            "andra sökande."
        ),
    },
    "supervisors": {"en": "{n} supervisor|{n} supervisors", "sv": "{n} handledare|{n} handledare"},
    "units": {"en": "{n} unit|{n} units", "sv": "{n} enhet|{n} enheter"},
    # The search for the smallest relaxation, when it proposes nothing.
    "relax_none": {
        "en": (
            "No change within the bounds makes a plan possible: a minimum may be lowered at most to 0, a "
            "maximum or a capacity raised at most until it no longer limits anything, and pins, links, balance "
            "rules and load limits dropped; conflicts of interest (jäv), requirements, training, unit rankings, "
            "availability and stability are never changed."
        ),
        "sv": (
            "Ingen ändring inom gränserna gör en plan möjlig: en miniminivå får sänkas högst till 0, en "
            "maxnivå eller en kapacitet höjas högst tills den inte längre begränsar något, och låsningar, "
            "kopplingar, balansregler och belastningsgränser tas bort; jäv, krav, handledarutbildning, "
            "enheternas rangordningar, tillgänglighet och stabilitet ändras aldrig."
        ),
    },
    "relax_not_proven": {
        "en": "The search for the smallest change that makes a plan possible did not finish within its time limit.",
        "sv": "Sökandet efter den minsta ändring som gör en plan möjlig blev inte klart inom sin tidsgräns.",
    },
}


def _msg(key: str, lang: Lang, **params: object) -> str:
    return _MESSAGES[key][lang].format(**params)


def _count(key: str, n: int, lang: Lang) -> str:
    one, many = _msg(key, lang, n=n).split("|")
    return one if n == 1 else many


def _join(items: list[str], lang: Lang) -> str:
    """``a, b and c`` (``a, b och c``)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + _msg("and", lang) + items[-1]


def pair_rule_text(code: str, lang: Lang) -> str:
    """A rule that one (applicant, supervisor) pair breaks, by :data:`~matchmaker.rules.REASONS` code."""
    return _msg(f"pair:{code}", lang)


_FULL = {
    "en": {"unit": "the unit", "supervisors": "its supervisors", "municipality": "the municipality"},
    "sv": {"unit": "enheten", "supervisors": "dess handledare", "municipality": "kommunen"},
}


def display_names(problem: Problem) -> dict[str, str]:
    """Unit and municipality ids mapped to "Name (id)" where a name is given."""
    out = {u.id: f"{u.name} ({u.id})" for u in problem.units if u.name}
    out.update({m.id: f"{m.name} ({m.id})" for m in problem.municipalities if m.name})
    return out


def _n(names: Names, ident: str | None) -> str:
    if ident is None:
        return "-"
    return names.get(ident, ident)


def _students(n: object, lang: Lang) -> str:
    one = str(n) == "1"
    if lang == "sv":
        return f"{n} student" if one else f"{n} studenter"
    return f"{n} student" if one else f"{n} students"


def level_label(name: str, lang: Lang) -> str:
    """A level of the objective vector in words."""
    sv = lang == "sv"
    if name.startswith("placed_tier_"):
        t = name.rsplit("_", 1)[1]
        return f"placerade sökande med förtursnivå {t}" if sv else f"applicants placed with priority tier {t}"
    if name.startswith("placed_at_rank_"):
        k = name.rsplit("_", 1)[1]
        return f"sökande placerade på sitt val {k}" if sv else f"applicants placed at their choice {k}"
    if name.startswith("placed_at_fit_"):
        v = int(name.rsplit("_", 1)[1]) / 10_000
        return f"sökande placerade med matchningsvärde {v:.4f}" if sv else f"applicants placed with fit {v:.4f}"
    words = {
        "placed": ("applicants placed", "placerade sökande"),
        "minimum_shortfall": ("students missing below minimums", "saknade studenter under miniminivåerna"),
        "target_shortfall": ("students missing below targets", "saknade studenter under målnivåerna"),
        "link_violations": ("links not honoured", "kopplingar som inte hålls"),
        "lowest_fill_rate_ppm": ("the lowest municipality fill rate", "den lägsta fyllnadsgraden bland kommunerna"),
        "lowest_fit_per_place": ("the lowest fit per offered place", "det lägsta matchningsvärdet per erbjuden plats"),
        "total_fit": ("the total fit", "det totala matchningsvärdet"),
        "total_fit_less_moves": (
            "the total fit less the penalty for moves",
            "det totala matchningsvärdet minus avdraget för flyttar",
        ),
        "worst_rank": ("the worst rank", "den sämsta rangplatsen"),
        "rank_sum": ("the sum of ranks", "summan av rangplatserna"),
        "lottery": ("the lottery", "lottningen"),
        "moved": ("people moved", "flyttade personer"),
    }
    en, swedish = words.get(name, (name, name))
    return swedish if sv else en


def _value(name: str, value: int) -> str:
    if name in ("total_fit", "total_fit_less_moves", "lowest_fit_per_place"):
        return f"{value / 10_000:.4f}"
    if name == "lowest_fill_rate_ppm":
        return f"{value / 10_000:.2f} %"
    return str(value)


def change_text(c: LevelChange, lang: Lang) -> str:
    """One level's change in words: ``the total fit 2.3300 -> 2.2000``."""
    return f"{level_label(c.name, lang)} {_value(c.name, c.before)} -> {_value(c.name, c.after)}"


def _move(m: Move, lang: Lang, names: Names) -> str:
    none = "ingen plats" if lang == "sv" else "no place"
    before = f"{_n(names, m.before_unit)}/{m.before}" if m.before else none
    after = f"{_n(names, m.after_unit)}/{m.after}" if m.after else none
    return f"{m.applicant} {before} -> {after}"


def moves_text(moves: tuple[Move, ...], lang: Lang, names: Names) -> str:
    """Who else moves, in words (at most five named)."""
    if not moves:
        return "utan att någon annan flyttas" if lang == "sv" else "without moving anyone else"
    shown = "; ".join(_move(m, lang, names) for m in moves[:5])
    more = len(moves) - 5
    if lang == "sv":
        extra = f" och {more} till" if more > 0 else ""
        others = "1 annan" if len(moves) == 1 else f"{len(moves)} andra"
        return f"och {others} flyttas ({shown}{extra})"
    extra = f" and {more} more" if more > 0 else ""
    return f"moving {len(moves)} other applicant{'s' if len(moves) != 1 else ''} ({shown}{extra})"


def _option(o: OptionReason, lang: Lang, names: Names) -> str:
    unit = _n(names, o.unit)
    if lang == "sv":
        head = f"{unit} (val {o.rank})"
        if o.outcome == "rule":
            return f"{head} gick inte: {RULE_TEXT['sv'][o.rule or '']}."
        if o.outcome == "infeasible":
            if "balance" in o.full:
                return (
                    f"{head} gick inte: enheten har en ledig plats, men regeln om balans mellan kommunerna "
                    "håller den stängd, och ingen plan inom regeln kan placera den sökande där."
                )
            return (
                f"{head} gick inte: ingen plan kan placera den sökande där "
                "(låsningar, miniminivåer eller kapacitet hindrar det)."
            )
        w = o.what_if
        assert w is not None
        if o.outcome == "lottery":
            return (
                f"{head}: en plan med den placeringen är lika bra på alla nivåer; "
                "lottningen (med fast slumpfrö) avgjorde."
            )
        worse = next(c for c in w.changes if c.name == w.first_worse)
        cost = f"att placera den sökande där skulle göra planen sämre: {change_text(worse, lang)}"
        if "balance" in o.full:
            return (
                f"{head} har en ledig plats, men regeln om balans mellan kommunerna håller den stängd "
                f"(kommunens fyllnadsgrad skulle komma i obalans mot de andra kommunernas); {cost}, "
                f"{moves_text(w.moves, lang, names)}."
            )
        if not o.full:
            return f"{head}: {cost}, {moves_text(w.moves, lang, names)}."
        full = " och ".join(_FULL["sv"][f] for f in o.full)
        return f"{head} var full ({full}); {cost}, {moves_text(w.moves, lang, names)}."
    head = f"{unit} (choice {o.rank})"
    if o.outcome == "rule":
        return f"{head} was not possible: {RULE_TEXT['en'][o.rule or '']}."
    if o.outcome == "infeasible":
        if "balance" in o.full:
            return (
                f"{head} was not possible: it has a free place, but the balance rule between municipalities "
                "keeps it closed, and no plan within the rule can place the applicant there."
            )
        return (
            f"{head} was not possible: no plan can place the applicant there "
            "(pins, minimums or capacities rule it out)."
        )
    w = o.what_if
    assert w is not None
    if o.outcome == "lottery":
        return f"{head}: a plan with that placement is equally good on every level; the seeded lottery decided."
    worse = next(c for c in w.changes if c.name == w.first_worse)
    cost = f"placing the applicant there would make the plan worse: {change_text(worse, lang)}"
    if "balance" in o.full:
        return (
            f"{head} has a free place, but the balance rule between municipalities keeps it closed (taking it "
            f"would put the municipality's fill rate out of balance with the others'); {cost}, "
            f"{moves_text(w.moves, lang, names)}."
        )
    if not o.full:
        return f"{head}: {cost}, {moves_text(w.moves, lang, names)}."
    full = " and ".join(_FULL["en"][f] for f in o.full)
    return f"{head} was full ({full}); {cost}, {moves_text(w.moves, lang, names)}."


def render_applicant(e: ApplicantExplanation, lang: Lang, names: Names) -> str:
    """An applicant's explanation in full sentences."""
    sv = lang == "sv"
    lines: list[str] = []
    if e.placed is not None:
        p = e.placed
        lines.append(
            _msg(
                "placed",
                lang,
                who=e.applicant,
                unit=_n(names, p.unit),
                supervisor=p.supervisor,
                rank=p.rank,
                fit=f"{p.fit:.4f}",
            )
        )
        if e.low_fit:
            lines.append(_msg("low_fit", lang, fit=f"{p.fit:.4f}", threshold=f"{LOW_FIT:.2f}"))
        if e.tier is not None:
            lines.append(_msg("tier", lang, tier=e.tier))
        if e.pinned and e.override:
            lines.append(_msg("override", lang))
        elif e.pinned:
            lines.append("Placeringen är låst av samordnaren." if sv else "The placement is pinned by the coordinator.")
        elif e.kept:
            lines.append(
                "Omplaneringen behåller placeringen från den tidigare planen."
                if sv
                else "The repair keeps this placement from the previous plan."
            )
        elif not e.options:
            lines.append(
                "Det finns inget alternativ som den sökande rangordnat högre."
                if sv
                else "There is no option the applicant ranked higher."
            )
        else:
            lines.append("Högre rangordnade alternativ:" if sv else "Options ranked higher:")
    else:
        if sv:
            lines.append(f"Sökande {e.applicant} placeras inte.")
        else:
            lines.append(f"Applicant {e.applicant} is not placed.")
        if e.unplaced is not None and e.unplaced.reason.value == "no_acceptable_option":
            lines.append(
                "Inget önskat alternativ är möjligt enligt reglerna."
                if sv
                else "None of the wished options is possible under the rules."
            )
        elif e.unplaced is not None and e.unplaced.reason.value == "not_selected":
            supervisors = _count("supervisors", e.acceptable_supervisors, lang)
            lines.append(
                _msg("not_selected", lang, supervisors=supervisors, units=_count("units", e.acceptable_units, lang))
            )
        elif e.unplaced is not None and e.unplaced.reason.value == "no_plan":
            lines.append("Omgången har ingen plan." if sv else "The round has no plan.")
        if e.options:
            lines.append("Önskade alternativ:" if sv else "Wished options:")
    lines += [f"- {_option(o, lang, names)}" for o in e.options]
    if e.cheapest is not None and e.cheapest.what_if is not None:
        w = e.cheapest.what_if
        worse = [c for c in w.changes if c.worse]
        cost = "; ".join(change_text(c, lang) for c in worse) or (
            "ingen nivå blir sämre" if sv else "no level gets worse"
        )
        if sv:
            lines.append(
                f"Den billigaste ändringen som skulle ge en plats: {_n(names, e.cheapest.unit)}, "
                f"till priset {cost}, {moves_text(w.moves, lang, names)}."
            )
        else:
            lines.append(
                f"The cheapest change that would place them: {_n(names, e.cheapest.unit)}, "
                f"at the cost of {cost}, {moves_text(w.moves, lang, names)}."
            )
    return "\n".join(lines)


def _core_item(item: CoreItem, lang: Lang, names: Names) -> str:
    p = item.params
    sv = lang == "sv"
    k = item.kind
    if k == "unit_min":
        unit, bound, acc = _n(names, str(p["unit"])), p["bound"], p["acceptable"]
        if sv:
            tail = f", men bara {acc} sökande kan placeras där" if int(acc) < int(bound) else ""
            return f"{unit} behöver minst {_students(bound, lang)}{tail}"
        tail = (
            f", but only {acc} applicant{'s' if acc != 1 else ''} can be placed there" if int(acc) < int(bound) else ""
        )
        return f"{unit} needs at least {_students(bound, lang)}{tail}"
    if k == "unit_max":
        unit = _n(names, str(p["unit"]))
        return (
            f"{unit} tar högst {_students(p['bound'], lang)}"
            if sv
            else f"{unit} takes at most {_students(p['bound'], lang)}"
        )
    if k == "municipality_min":
        m = _n(names, str(p["municipality"]))
        return (
            f"{m} behöver minst {_students(p['bound'], lang)}"
            if sv
            else f"{m} needs at least {_students(p['bound'], lang)}"
        )
    if k == "municipality_max":
        m = _n(names, str(p["municipality"]))
        return (
            f"{m} tar högst {_students(p['bound'], lang)}" if sv else f"{m} takes at most {_students(p['bound'], lang)}"
        )
    if k == "supervisor_capacity":
        unit = _n(names, str(p["unit"]))
        if sv:
            return f"handledare {p['supervisor']} ({unit}) tar högst {_students(p['bound'], lang)}"
        return f"supervisor {p['supervisor']} ({unit}) takes at most {_students(p['bound'], lang)}"
    if k == "pin":
        target = _n(names, str(p["target"]))
        return (
            f"sökande {p['applicant']} är låst till {target}"
            if sv
            else f"applicant {p['applicant']} is pinned to {target}"
        )
    if k == "conflict":
        target = _n(names, str(p["target"]))
        return (
            f"sökande {p['applicant']} har anmält jäv mot {target}"
            if sv
            else f"applicant {p['applicant']} has a declared conflict of interest with {target}"
        )
    if k == "requirement":
        unit = _n(names, str(p["unit"]))
        return f"{unit} kräver {p['requirement']!r}" if sv else f"{unit} requires {p['requirement']!r}"
    if k == "training":
        if sv:
            return f"handledare {p['supervisor']} saknar den utbildning som policyn kräver ({p['required']})"
        return f"supervisor {p['supervisor']} lacks the training the policy requires ({p['required']})"
    if k == "unit_ranking":
        unit = _n(names, str(p["unit"]))
        return f"{unit} tar bara sökande från sin egen rangordning" if sv else f"{unit} only takes applicants it ranked"
    if k == "availability":
        return (
            f"handledare {p['supervisor']} är inte tillgänglig under period {p['period']}"
            if sv
            else f"supervisor {p['supervisor']} is unavailable in period {p['period']}"
        )
    if k == "stability":
        return _msg("core:stability", lang, mode=p["mode"])
    if k == "supervisor_load":
        return (
            f"handledare {p['supervisor']} har högst belastningen {p['limit']} per vecka"
            if sv
            else f"supervisor {p['supervisor']} carries a load of at most {p['limit']} a week"
        )
    if k == "link":
        return (
            f"sökande {p['first']} och {p['second']} är kopplade ({p['relation']})"
            if sv
            else f"applicants {p['first']} and {p['second']} are linked ({p['relation']})"
        )
    return f"{k} {item.record}"


def _relaxation(r: Relaxation, lang: Lang, names: Names) -> str:
    sv = lang == "sv"
    target = _n(names, r.record)
    if r.after is None:
        what = {
            "pin": ("the pin of applicant", "låsningen av sökande"),
            "link": ("the link", "kopplingen"),
            "supervisor_load": ("the load limit of supervisor", "belastningsgränsen för handledare"),
        }
        en, swedish = what.get(r.kind, (r.kind, r.kind))
        return f"ta bort {swedish} {r.record}" if sv else f"drop {en} {r.record}"
    if r.kind in ("unit_min", "municipality_min"):
        return (
            f"sänk miniminivån för {target} från {r.before} till {r.after}"
            if sv
            else f"lower the minimum of {target} from {r.before} to {r.after}"
        )
    if r.kind == "supervisor_capacity":
        return (
            f"höj handledare {r.record}s kapacitet från {r.before} till {r.after}"
            if sv
            else f"raise supervisor {r.record}'s capacity from {r.before} to {r.after}"
        )
    return (
        f"höj maxnivån för {target} från {r.before} till {r.after}"
        if sv
        else f"raise the maximum of {target} from {r.before} to {r.after}"
    )


def render_infeasibility(e: InfeasibilityExplanation, lang: Lang, names: Names) -> str:
    """The core and the relaxation in full sentences."""
    sv = lang == "sv"
    lines = ["Ingen plan uppfyller alla villkor." if sv else "No plan satisfies every constraint."]
    if e.core:
        n = len(e.core)
        if n == 1:
            lines.append("Detta villkor kan inte gälla:" if sv else "This constraint cannot hold:")
        elif sv:
            lines.append(f"Dessa {n} villkor kan inte gälla samtidigt, och vart och ett behövs för konflikten:")
        else:
            lines.append(f"These {n} constraints cannot all hold together, and each one is needed for the clash:")
        lines += [f"- {_core_item(item, lang, names)};" for item in e.core]
    if e.relaxation:
        if sv:
            lines.append(f"Den minsta ändringen som gör en plan möjlig (storlek {e.slack}):")
        else:
            lines.append(f"The smallest change that makes a plan possible (size {e.slack}):")
        lines += [f"- {_relaxation(r, lang, names)};" for r in e.relaxation]
    elif e.search == "none_within_bounds":
        lines.append(_msg("relax_none", lang))
    elif e.search == "not_proven":
        lines.append(_msg("relax_not_proven", lang))
    return "\n".join(lines)


def render_diagnostics(d: Diagnostics, lang: Lang, names: Names) -> str:
    """Supply, demand and findings in full sentences."""
    sv = lang == "sv"
    lines = ["Utbud och efterfrågan:" if sv else "Supply and demand:"]
    for s in d.supply:
        name = _n(names, s.name)
        if sv:
            lines.append(
                f"- {name}: {plural(s.places, 'plats', 'platser')}, handledarkapacitet {s.supervisor_capacity}, "
                f"{s.wishing} sökande önskar det, {s.acceptable} kan placeras där."
            )
        else:
            lines.append(
                f"- {name}: {plural(s.places, 'place')}, supervisor capacity {s.supervisor_capacity}, "
                f"{plural(s.wishing, 'applicant wishes', 'applicants wish')} for it, {s.acceptable} can be placed "
                "there."
            )
    for f in d.findings:
        lines.append("- " + _finding(f.code, f.records, f.params, lang, names))
    return "\n".join(lines)


def _finding(code: str, records: tuple[str, ...], p: Mapping[str, int | str], lang: Lang, names: Names) -> str:
    sv = lang == "sv"
    who = ", ".join(_n(names, r) for r in records)
    if code == "no_acceptable_option":
        wished = int(p["wished"])
        removed = [(k, int(v)) for k, v in p.items() if k != "wished" and f"pair:{k}" in _MESSAGES]
        if wished == 0 or not removed:
            return _msg("no_option_no_wishes", lang, who=who)
        if wished == 1:
            return _msg("no_option_one", lang, who=who, parts=pair_rule_text(removed[0][0], lang))
        parts = [_msg("no_option_part", lang, n=n, rule=pair_rule_text(k, lang)) for k, n in removed]
        return _msg("no_option_many", lang, who=who, wished=wished, parts=_join(parts, lang))
    if code == "minimum_unreachable":
        if sv:
            return (
                f"{who} behöver minst {_students(p['minimum'], lang)}, men bara {p['applicants']} sökande kan placeras "
                f"där och kapaciteten är {p['capacity']}."
            )
        return (
            f"{who} needs at least {_students(p['minimum'], lang)}, but only "
            f"{plural(int(p['applicants']), 'applicant')} can be placed there and the capacity is {p['capacity']}."
        )
    if code == "idle_supervisor":
        why = str(p["why"])
        reason = {
            "no_capacity": ("has capacity 0", "har kapacitet 0"),
            "training": ("lacks the required training", "saknar den utbildning som krävs"),
            "no_acceptable_applicant": ("is not acceptable to any applicant", "passar ingen sökande"),
        }[why]
        return f"Handledare {who} {reason[1]}." if sv else f"Supervisor {who} {reason[0]}."
    if code == "pins_over_capacity":
        if sv:
            pins = plural(int(p["pins"]), "låst placering", "låsta placeringar")
            return f"{who} har {pins} men kapacitet {p['capacity']}."
        return f"{who} has {plural(int(p['pins']), 'pinned placement')} but a capacity of {p['capacity']}."
    if code == "pin_without_place":
        if sv:
            return f"Låsningen av sökande {who} kan inte uppfyllas: platsen saknar kapacitet."
        return f"The pin of applicant {who} cannot hold: the place has no capacity."
    return f"{code}: {who}"
