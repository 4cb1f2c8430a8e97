"""Swedish and English sentences from structured explanations. Ids only, never personal data.

Units are shown by name and id when a name is known (``Barn och ungdom Nacka (nacka-bou)``). The
English text is the message id; the Swedish is in the catalog (:mod:`matchmaker._i18n`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce

from matchmaker._i18n import Message, msg, tr, tr_n
from matchmaker.explanations._applicant import LOW_FIT
from matchmaker.explanations._types import (
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
from matchmaker.explanations._words import Names, named, rule_message
from matchmaker.report._format import decimal

__all__ = [
    "change_text",
    "join_words",
    "level_label",
    "moves_text",
    "pair_rule_text",
    "render_applicant",
    "render_diagnostics",
    "render_infeasibility",
    "rule_text",
]


#: A broken rule of one (applicant, supervisor) pair, by :data:`~matchmaker._rules.REASONS` code.
_PAIR_RULES: dict[str, Message] = {
    "no_interest": msg("it is not among the applicant's wishes"),
    "requirement": msg("the unit requires a qualification the applicant has not stated"),
    "conflict": msg("a declared conflict of interest (jäv) rules it out"),
    "training": msg("the supervisor lacks the training the policy requires"),
    "no_capacity": msg("the supervisor, the unit or the municipality has no places this round"),
    "unit_ranking": msg("the unit's own ranking does not list the applicant"),
    "availability": msg("the supervisor is unavailable in the applicant's period"),
}


#: The levels of the objective vector with a fixed name, in words.
_LEVELS: dict[str, Message] = {
    "placed": msg("applicants placed"),
    "minimum_shortfall": msg("students missing below minimums"),
    "target_shortfall": msg("students missing below targets"),
    "link_violations": msg("links not honoured"),
    "lowest_fill_rate_ppm": msg("the lowest municipality fill rate"),
    "lowest_fit_per_place": msg("the lowest fit per offered place"),
    "total_fit": msg("the total fit"),
    "total_weight": msg("the total of the scores your system gave"),
    "total_fit_and_weight": msg("the total fit plus the scores your system gave"),
    "total_fit_less_moves": msg("the total fit less the penalty for moves"),
    "worst_rank": msg("the worst rank"),
    "rank_sum": msg("the sum of ranks"),
    "lottery": msg("the lottery"),
    "moved": msg("people moved"),
}


#: What is full when an option was full.
_FULL: dict[str, Message] = {
    "unit": msg("the unit"),
    "supervisors": msg("its supervisors"),
    "municipality": msg("the municipality"),
}


#: Why a supervisor has no student, by the finding's ``why``.
_IDLE: dict[str, Message] = {
    "no_capacity": msg("Supervisor {who} has capacity 0."),
    "training": msg("Supervisor {who} lacks the required training."),
    "no_acceptable_applicant": msg("Supervisor {who} is not acceptable to any applicant."),
}


#: What a relaxation drops, by the kind of record.
_DROP: dict[str, Message] = {
    "pin": msg("drop the pin of applicant {record}"),
    "link": msg("drop the link {record}"),
    "supervisor_load": msg("drop the load limit of supervisor {record}"),
    "group_rate": msg("drop the rate rule of group {record}"),
    "group_band": msg("drop the band rule of group {record}"),
}


def _with(message: Message, **params: object) -> Message:
    """``message`` with its placeholders' values."""
    return Message(message.msgid, params, message.plural, message.n)


def join_words(items: list[str], lang: Lang) -> str:
    """``a, b and c`` (``a, b och c``)."""
    if len(items) <= 1:
        return "".join(items)
    return tr("{items} and {last}", lang, items=", ".join(items[:-1]), last=items[-1])


def rule_text(code: str, lang: Lang) -> str:
    """Why an option (an applicant and a unit) is ruled out, by :data:`~matchmaker._rules.REASONS` code."""
    return rule_message(code).text(lang)


def pair_rule_text(code: str, lang: Lang) -> str:
    """A rule that one (applicant, supervisor) pair breaks, by :data:`~matchmaker._rules.REASONS` code."""
    return _PAIR_RULES[code].text(lang) if code in _PAIR_RULES else code


def _students(n: object, lang: Lang) -> str:
    return tr_n("{n} student", "{n} students", int(str(n)), lang)


def level_label(name: str, lang: Lang) -> str:
    """A level of the objective vector in words."""
    if name.startswith("placed_tier_"):
        return tr("applicants placed with priority tier {tier}", lang, tier=name.rsplit("_", 1)[1])
    if name.startswith("placed_at_rank_"):
        return tr("applicants placed at their choice {rank}", lang, rank=name.rsplit("_", 1)[1])
    if name.startswith("placed_at_fit_and_weight_"):
        return tr("applicants placed with fit plus score {points} (in points)", lang, points=name.rsplit("_", 1)[1])
    if name.startswith("placed_at_weight_"):
        return tr(
            "applicants placed with the score your system gave {points} (weight times scale)",
            lang,
            points=name.rsplit("_", 1)[1],
        )
    if name.startswith("placed_at_fit_"):
        fit = int(name.rsplit("_", 1)[1]) / 10_000
        return tr("applicants placed with fit {fit:.4f}", lang, fit=fit)
    if name.startswith("lowest_group_rate_ppm[") and name.endswith("]"):
        return tr("the lowest placement rate among the groups of {family}", lang, family=name[22:-1])
    return _LEVELS[name].text(lang) if name in _LEVELS else name


def _value(name: str, value: int) -> str:
    if name in ("total_fit", "total_fit_less_moves", "lowest_fit_per_place"):
        return f"{value / 10_000:.4f}"
    if name == "lowest_fill_rate_ppm" or name.startswith("lowest_group_rate_ppm["):
        return f"{value / 10_000:.2f} %"
    return str(value)


def change_text(c: LevelChange, lang: Lang) -> str:
    """One level's change in words: ``the total fit 2.3300 -> 2.2000``."""
    return f"{level_label(c.name, lang)} {_value(c.name, c.before)} -> {_value(c.name, c.after)}"


def _move(m: Move, lang: Lang, names: Names) -> str:
    none = tr("no place", lang)
    before = f"{named(names, m.before_unit)}/{m.before}" if m.before else none
    after = f"{named(names, m.after_unit)}/{m.after}" if m.after else none
    return f"{m.applicant} {before} -> {after}"


def moves_text(moves: tuple[Move, ...], lang: Lang, names: Names) -> str:
    """Who else moves, in words (at most five named)."""
    if not moves:
        return tr("without moving anyone else", lang)
    shown = "; ".join(_move(m, lang, names) for m in moves[:5])
    more = len(moves) - 5
    if more > 0:
        shown += tr(" and {count} more", lang, count=more)
    return tr_n(
        "moving {n} other applicant ({shown})", "moving {n} other applicants ({shown})", len(moves), lang, shown=shown
    )


def _option(o: OptionReason, lang: Lang, names: Names) -> str:
    head = tr("{unit} (choice {rank})", lang, unit=named(names, o.unit), rank=o.rank)
    if o.outcome == "rule":
        return tr("{option} was not possible: {why}.", lang, option=head, why=rule_text(o.rule or "", lang))
    if o.outcome == "infeasible":
        if "balance" in o.full:
            return tr(
                "{option} was not possible: it has a free place, but the balance rule between municipalities "
                "keeps it closed, and no plan within the rule can place the applicant there.",
                lang,
                option=head,
            )
        if "group_rule" in o.full:
            return tr(
                "{option} was not possible: it has a free place, but placing one more applicant would break "
                "a fairness rule over applicant groups, and no plan within the rules can place the applicant "
                "there.",
                lang,
                option=head,
            )
        return tr(
            "{option} was not possible: no plan can place the applicant there "
            "(pins, minimums or capacities rule it out).",
            lang,
            option=head,
        )
    w = o.what_if
    assert w is not None
    if o.outcome == "lottery":
        return tr(
            "{option}: a plan with that placement is equally good on every level; the seeded lottery decided.",
            lang,
            option=head,
        )
    worse = next(c for c in w.changes if c.name == w.first_worse)
    cost = tr("placing the applicant there would make the plan worse: {change}", lang, change=change_text(worse, lang))
    moves = moves_text(w.moves, lang, names)
    if "balance" in o.full:
        return tr(
            "{option} has a free place, but the balance rule between municipalities keeps it closed (taking it "
            "would put the municipality's fill rate out of balance with the others'); {cost}, {moves}.",
            lang,
            option=head,
            cost=cost,
            moves=moves,
        )
    if "group_rule" in o.full:
        return tr(
            "{option} has a free place, but a fairness rule over applicant groups keeps it closed (one more "
            "placed applicant would put a group's placement rate or count outside the rule); {cost}, {moves}.",
            lang,
            option=head,
            cost=cost,
            moves=moves,
        )
    if not o.full:
        return tr("{option}: {cost}, {moves}.", lang, option=head, cost=cost, moves=moves)
    # Every part joined by "and" (the unit and its supervisors and the municipality), as the guide shows.
    full = reduce(
        lambda a, b: tr("{first} and {second}", lang, first=a, second=b), [_FULL[f].text(lang) for f in o.full]
    )
    return tr("{option} was full ({full}); {cost}, {moves}.", lang, option=head, full=full, cost=cost, moves=moves)


def _placed(e: ApplicantExplanation, lang: Lang, names: Names) -> list[str]:
    p = e.placed
    assert p is not None
    lines = [
        tr(
            "Applicant {who} is placed in {unit} with supervisor {supervisor} (their choice {rank}, fit {fit}).",
            lang,
            who=e.applicant,
            unit=named(names, p.unit),
            supervisor=p.supervisor,
            rank=p.rank,
            fit=f"{p.fit:.4f}",
        )
    ]
    if e.weight is not None:
        lines.append(tr("The score your system gave this placement is {weight}.", lang, weight=decimal(e.weight, lang)))
    if e.low_fit:
        lines.append(
            tr("The fit {fit} is very low (below {threshold}).", lang, fit=f"{p.fit:.4f}", threshold=f"{LOW_FIT:.2f}")
        )
    if p.continuity > 0:
        lines.append(
            tr(
                "The fit includes a continuity bonus of {bonus}: the applicant stays with the supervisor or in "
                "the unit of their placement in the step before.",
                lang,
                bonus=f"{p.continuity:.4f}",
            )
        )
    if e.tier is not None:
        lines.append(
            tr(
                "The applicant has priority tier {tier}: placing the applicants of each priority tier comes "
                "before any fit.",
                lang,
                tier=e.tier,
            )
        )
    if e.pinned and e.override:
        lines.append(
            tr("The placement is an override (ändring) that an official decided, with a recorded reason.", lang)
        )
    elif e.pinned:
        lines.append(tr("The placement is pinned by the coordinator.", lang))
    elif e.kept:
        lines.append(tr("The repair keeps this placement from the previous plan.", lang))
    elif not e.options:
        lines.append(tr("There is no option the applicant ranked higher.", lang))
    else:
        lines.append(tr("Options ranked higher:", lang))
    return lines


def _unplaced(e: ApplicantExplanation, lang: Lang) -> list[str]:
    lines = [tr("Applicant {who} is not placed.", lang, who=e.applicant)]
    reason = None if e.unplaced is None else e.unplaced.reason.value
    if reason == "no_acceptable_option":
        lines.append(tr("None of the wished options is possible under the rules.", lang))
    elif reason == "not_selected":
        supervisors = tr_n("{n} supervisor", "{n} supervisors", e.acceptable_supervisors, lang)
        units = tr_n("{n} unit", "{n} units", e.acceptable_units, lang)
        lines.append(
            tr(
                "The rules allow the applicant a place with {supervisors} in {units}, but the plan gives those "
                "places to other applicants.",
                lang,
                supervisors=supervisors,
                units=units,
            )
        )
    elif reason == "no_plan":
        lines.append(tr("The round has no plan.", lang))
    if e.options:
        lines.append(tr("Wished options:", lang))
    return lines


def render_applicant(e: ApplicantExplanation, lang: Lang, names: Names) -> str:
    """An applicant's explanation in full sentences."""
    lines = _placed(e, lang, names) if e.placed is not None else _unplaced(e, lang)
    lines += [f"- {_option(o, lang, names)}" for o in e.options]
    if e.cheapest is not None and e.cheapest.what_if is not None:
        w = e.cheapest.what_if
        worse = [c for c in w.changes if c.worse]
        cost = "; ".join(change_text(c, lang) for c in worse) or tr("no level gets worse", lang)
        lines.append(
            tr(
                "The cheapest change that would place them: {unit}, at the cost of {cost}, {moves}.",
                lang,
                unit=named(names, e.cheapest.unit),
                cost=cost,
                moves=moves_text(w.moves, lang, names),
            )
        )
    return "\n".join(lines)


def _core_item(item: CoreItem, lang: Lang, names: Names) -> str:
    p = item.params
    k = item.kind
    if k == "unit_min":
        unit, bound, acc = named(names, str(p["unit"])), p["bound"], int(str(p["acceptable"]))
        if acc < int(str(bound)):
            return tr_n(
                "{record} needs at least {students}, but only {n} applicant can be placed there",
                "{record} needs at least {students}, but only {n} applicants can be placed there",
                acc,
                lang,
                record=unit,
                students=_students(bound, lang),
            )
        return tr("{record} needs at least {students}", lang, record=unit, students=_students(bound, lang))
    if k in ("unit_max", "municipality_max"):
        record = named(names, str(p["unit" if k == "unit_max" else "municipality"]))
        return tr("{record} takes at most {students}", lang, record=record, students=_students(p["bound"], lang))
    if k == "municipality_min":
        m = named(names, str(p["municipality"]))
        return tr("{record} needs at least {students}", lang, record=m, students=_students(p["bound"], lang))
    if k == "supervisor_capacity":
        return tr(
            "supervisor {supervisor} ({unit}) takes at most {students}",
            lang,
            supervisor=p["supervisor"],
            unit=named(names, str(p["unit"])),
            students=_students(p["bound"], lang),
        )
    if k == "pin":
        return tr(
            "applicant {applicant} is pinned to {target}",
            lang,
            applicant=p["applicant"],
            target=named(names, str(p["target"])),
        )
    if k == "conflict":
        return tr(
            "applicant {applicant} has a declared conflict of interest with {target}",
            lang,
            applicant=p["applicant"],
            target=named(names, str(p["target"])),
        )
    if k == "requirement":
        return tr(
            "{unit} requires {requirement!r}", lang, unit=named(names, str(p["unit"])), requirement=p["requirement"]
        )
    if k == "training":
        return tr(
            "supervisor {supervisor} lacks the training the policy requires ({required})",
            lang,
            supervisor=p["supervisor"],
            required=p["required"],
        )
    if k == "unit_ranking":
        return tr("{unit} only takes applicants it ranked", lang, unit=named(names, str(p["unit"])))
    if k == "availability":
        return tr(
            "supervisor {supervisor} is unavailable in period {period}",
            lang,
            supervisor=p["supervisor"],
            period=p["period"],
        )
    if k == "stability":
        return tr(
            "the plan must be stable (policy.stability, mode {mode}): no blocking pair, that is no applicant and "
            "unit who would both rather be together than as the plan has them",
            lang,
            mode=p["mode"],
        )
    if k == "supervisor_load":
        return tr(
            "supervisor {supervisor} carries a load of at most {limit} a week",
            lang,
            supervisor=p["supervisor"],
            limit=p["limit"],
        )
    if k == "link":
        return tr(
            "applicants {first} and {second} are linked ({relation})",
            lang,
            first=p["first"],
            second=p["second"],
            relation=p["relation"],
        )
    if k == "group_rate":
        return tr(
            "group {group} of {family} must be placed at a rate of at least {ratio} times the overall rate",
            lang,
            ratio=p["ratio"],
            **_group(p),
        )
    if k == "group_band":
        return tr(
            "group {group} of {family} must be placed at a rate within {tolerance} of the overall rate",
            lang,
            tolerance=p["tolerance"],
            **_group(p),
        )
    if k == "group_min":
        students = _students(p["bound"], lang)
        return tr("group {group} of {family} needs at least {students}", lang, students=students, **_group(p))
    if k == "group_max":
        students = _students(p["bound"], lang)
        return tr("group {group} of {family} takes at most {students}", lang, students=students, **_group(p))
    return f"{k} {item.record}"


def _group(params: Mapping[str, int | str]) -> dict[str, int | str]:
    """A group rule's group and family, as a sentence's placeholders."""
    return {"group": params["group"], "family": params["family"]}


def _relaxation(r: Relaxation, lang: Lang, names: Names) -> str:
    target = named(names, r.record)
    if r.after is None:
        if r.kind in _DROP:
            return _with(_DROP[r.kind], record=r.record).text(lang)
        return tr("drop {what} {record}", lang, what=r.kind, record=r.record)
    if r.kind in ("group_min", "group_max"):
        family, _, group = r.record.partition("|")
        moved = {"group": group, "family": family, "before": r.before, "after": r.after}
        if r.kind == "group_min":
            return tr("lower the minimum of group {group} of {family} from {before} to {after}", lang, **moved)
        return tr("raise the maximum of group {group} of {family} from {before} to {after}", lang, **moved)
    if r.kind in ("unit_min", "municipality_min"):
        return tr(
            "lower the minimum of {target} from {before} to {after}",
            lang,
            target=target,
            before=r.before,
            after=r.after,
        )
    if r.kind == "supervisor_capacity":
        return tr(
            "raise supervisor {supervisor}'s capacity from {before} to {after}",
            lang,
            supervisor=r.record,
            before=r.before,
            after=r.after,
        )
    return tr(
        "raise the maximum of {target} from {before} to {after}", lang, target=target, before=r.before, after=r.after
    )


def render_infeasibility(e: InfeasibilityExplanation, lang: Lang, names: Names) -> str:
    """The core and the relaxation in full sentences."""
    lines = [tr("No plan satisfies every constraint.", lang)]
    if e.core:
        n = len(e.core)
        if n == 1:
            lines.append(tr("This constraint cannot hold:", lang))
        else:
            lines.append(
                tr("These {n} constraints cannot all hold together, and each one is needed for the clash:", lang, n=n)
            )
        lines += [f"- {_core_item(item, lang, names)};" for item in e.core]
    if e.relaxation:
        lines.append(tr("The smallest change that makes a plan possible (size {size}):", lang, size=e.slack))
        lines += [f"- {_relaxation(r, lang, names)};" for r in e.relaxation]
    elif e.search == "none_within_bounds":
        lines.append(
            tr(
                "No change within the bounds makes a plan possible: a minimum may be lowered at most to 0, a "
                "maximum or a capacity raised at most until it no longer limits anything, and pins, links, "
                "balance rules and load limits dropped; conflicts of interest (jäv), requirements, training, "
                "unit rankings, availability and stability are never changed.",
                lang,
            )
        )
    elif e.search == "not_proven":
        lines.append(
            tr(
                "The search for the smallest change that makes a plan possible did not finish within its time limit.",
                lang,
            )
        )
    return "\n".join(lines)


def render_diagnostics(d: Diagnostics, lang: Lang, names: Names) -> str:
    """Supply, demand and findings in full sentences."""
    lines = [tr("Supply and demand:", lang)]
    for s in d.supply:
        lines.append(
            tr(
                "- {name}: {places}, supervisor capacity {capacity}, {wishing} for it, {acceptable} can be placed "
                "there.",
                lang,
                name=named(names, s.name),
                places=tr_n("{n} place", "{n} places", s.places, lang),
                capacity=s.supervisor_capacity,
                wishing=tr_n("{n} applicant wishes", "{n} applicants wish", s.wishing, lang),
                acceptable=s.acceptable,
            )
        )
    for f in d.findings:
        lines.append("- " + _finding(f.code, f.records, f.params, lang, names))
    return "\n".join(lines)


def _no_option(who: str, p: Mapping[str, int | str], lang: Lang) -> str:
    wished = int(p["wished"])
    removed = [(k, int(v)) for k, v in p.items() if k != "wished" and k in _PAIR_RULES]
    if wished == 0 or not removed:
        return tr("Applicant {who} has no acceptable option: no wishes were given.", lang, who=who)
    if wished == 1:
        return tr(
            "Applicant {who} has no acceptable option: the one wished placement is ruled out because {parts}.",
            lang,
            who=who,
            parts=pair_rule_text(removed[0][0], lang),
        )
    parts = [tr("{n} because {rule}", lang, n=n, rule=pair_rule_text(k, lang)) for k, n in removed]
    return tr(
        "Applicant {who} has no acceptable option: all {wished} wished placements are ruled out, {parts}.",
        lang,
        who=who,
        wished=wished,
        parts=join_words(parts, lang),
    )


def _finding(code: str, records: tuple[str, ...], p: Mapping[str, int | str], lang: Lang, names: Names) -> str:
    who = ", ".join(named(names, r) for r in records)
    if code == "no_acceptable_option":
        return _no_option(who, p, lang)
    if code == "minimum_unreachable":
        return tr_n(
            "{who} needs at least {students}, but only {n} applicant can be placed there and the capacity is "
            "{capacity}.",
            "{who} needs at least {students}, but only {n} applicants can be placed there and the capacity is "
            "{capacity}.",
            int(p["applicants"]),
            lang,
            who=who,
            students=_students(p["minimum"], lang),
            capacity=p["capacity"],
        )
    if code == "idle_supervisor":
        return _with(_IDLE[str(p["why"])], who=who).text(lang)
    if code == "pins_over_capacity":
        return tr_n(
            "{who} has {n} pinned placement but a capacity of {capacity}.",
            "{who} has {n} pinned placements but a capacity of {capacity}.",
            int(p["pins"]),
            lang,
            who=who,
            capacity=p["capacity"],
        )
    if code == "pin_without_place":
        return tr("The pin of applicant {who} cannot hold: the place has no capacity.", lang, who=who)
    return f"{code}: {who}"
