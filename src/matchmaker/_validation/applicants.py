"""Rules on each applicant's wishes and scores, units' own rankings and links between applicants."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from matchmaker._i18n import msg
from matchmaker._text import norm_key
from matchmaker._validation.collector import (
    NOUNS,
    Collector,
    and_list,
    check_ref,
    dense_ranks,
    did_you_mean,
    rank_gap,
)

if TYPE_CHECKING:
    from matchmaker._models import Applicant, InterviewCriterion, Problem

__all__ = ["applicants_pass", "check_applicant", "check_links", "check_unit_rankings"]

#: ``norm_key`` remembered: applicants name the same few thousand units and supervisors again and again
#: (a national round: 500,000 applicants, 4 million wishes, 10,000 units).
_norm = functools.lru_cache(maxsize=1 << 16)(norm_key)


def applicants_pass(p: Problem, areas: set[str], criteria: Mapping[str, InterviewCriterion]) -> bool:
    """Whether no applicant breaks a rule :func:`check_applicant` checks: the same rules on all applicants
    at once (each distinct id once, without a message), so that the applicants are checked one by one,
    for the messages, only when something is wrong."""
    named: dict[str, set[str]] = {"areas": set(), "units": set(), "supervisors": set()}
    conflict_units: set[str] = set()
    conflict_sups: set[str] = set()
    units, sups = p.unit_by_id, p.supervisor_by_id
    for a in p.applicants:
        prefs = a.interests if a.interests is not None else a.ranking
        if prefs is not None:
            if a.interests is not None and a.ranking is not None:
                return False
            named["areas"].update(prefs.areas)
            named["units"].update(prefs.units)
            named["supervisors"].update(prefs.supervisors)
            if a.ranking is not None:
                ranks = {*prefs.areas.values(), *prefs.units.values(), *prefs.supervisors.values()}
                if ranks and max(ranks) != len(ranks):  # whole ranks from 1: dense when the largest is their count
                    return False
        if a.interview and not _scores_pass(a, units, criteria):
            return False
        conflicts = a.conflicts
        conflict_units.update(conflicts.units)
        conflict_sups.update(conflicts.supervisors)
    if not (areas >= named["areas"] and units.keys() >= named["units"] | conflict_units):
        return False
    if not sups.keys() >= named["supervisors"] | conflict_sups:
        return False
    # No two ids of one kind anywhere share a normal form, so no applicant lists one option twice.
    return all(len({_norm(key) for key in keys}) == len(keys) for keys in named.values())


def _scores_pass(a: Applicant, units: Mapping[str, object], criteria: Mapping[str, InterviewCriterion]) -> bool:
    """Whether ``a``'s interview scores break none of the rules :func:`check_applicant` checks."""
    for sc in a.interview:
        crit = criteria.get(sc.criterion)
        if crit is None or (sc.unit is not None and sc.unit not in units):
            return False
        if sc.scale_min is None or sc.scale_max is None:
            if sc.scale_min is not None or sc.scale_max is not None:
                return False
            lo, hi = crit.scale_min, crit.scale_max
        else:
            lo, hi = sc.scale_min, sc.scale_max
        if not (lo < hi and lo <= sc.score <= hi):
            return False
    return len({(sc.criterion, sc.interviewer, sc.unit) for sc in a.interview}) == len(a.interview)


def check_applicant(
    out: Collector,
    p: Problem,
    a: Applicant,
    areas: set[str],
    criteria: Mapping[str, InterviewCriterion],
) -> None:
    where = f"applicants[{a.id!r}]"
    if a.interests is not None and a.ranking is not None:
        out.add(
            f"{where}.ranking",
            msg("both interests (weights) and a ranking are given"),
            msg("give either interests or ranking for an applicant, not both"),
        )
    prefs: list[tuple[str, Mapping[str, float] | Mapping[str, int]]] = []
    if a.interests is not None:
        prefs += [
            ("interests.areas", a.interests.areas),
            ("interests.units", a.interests.units),
            ("interests.supervisors", a.interests.supervisors),
        ]
    if a.ranking is not None:
        prefs += [
            ("ranking.areas", a.ranking.areas),
            ("ranking.units", a.ranking.units),
            ("ranking.supervisors", a.ranking.supervisors),
        ]
    for field, mapping in prefs:
        if not mapping:
            continue
        kind = field.rsplit(".", 1)[1]
        known: Mapping[str, object] | set[str]
        if kind == "areas":
            known = areas
        elif kind == "units":
            known = p.unit_by_id
        else:
            known = p.supervisor_by_id
        keys_by_norm: dict[str, list[str]] = defaultdict(list)
        if len({_norm(key) for key in mapping}) < len(mapping):  # else no two keys share a norm
            for key in mapping:
                keys_by_norm[_norm(key)].append(key)
        for key in mapping:
            if key not in known:
                noun = NOUNS[kind[:-1]]
                if kind == "areas":
                    fix = msg("use the exact name of an existing area (an area is the `area` of some unit)")
                else:
                    fix = msg("use the exact id or name of an existing {kind}", kind=noun)
                out.add(
                    f"{where}.{field}[{key!r}]",
                    msg(
                        "refers to {kind} {value!r}, which does not exist{suggestion}",
                        kind=noun,
                        value=key,
                        suggestion=did_you_mean(key, known),
                    ),
                    fix,
                )
        for keys in keys_by_norm.values():
            if len(keys) > 1:
                out.add(
                    f"{where}.{field}",
                    msg(
                        "lists the same {kind} twice: {shown}",
                        kind=NOUNS[kind[:-1]],
                        shown=and_list([repr(k) for k in keys]),
                    ),
                    msg("list each option once"),
                )
    if a.ranking is not None:
        ranks = sorted({*a.ranking.areas.values(), *a.ranking.units.values(), *a.ranking.supervisors.values()})
        if ranks and ranks != list(range(1, len(ranks) + 1)):
            missing = sorted(set(range(1, ranks[-1] + 1)) - set(ranks))
            shown = ", ".join(str(r) for r in missing)
            rank_gap(out, f"{where}.ranking", shown)
    seen_scores: set[tuple[str, str | None, str | None]] = set()
    for i, sc in enumerate(a.interview):
        loc = f"{where}.interview[{i}]"
        crit = criteria.get(sc.criterion)
        if crit is None:
            out.add(
                f"{loc}.criterion",
                msg(
                    "refers to criterion {value!r}, which does not exist{suggestion}",
                    value=sc.criterion,
                    suggestion=did_you_mean(sc.criterion, criteria),
                ),
                msg("declare the criterion in `criteria` or use an existing criterion id"),
            )
        if sc.unit is not None:
            check_ref(out, f"{loc}.unit", "unit", sc.unit, p.unit_by_id)
        if (sc.scale_min is None) != (sc.scale_max is None):
            out.add(
                f"{loc}.scale_max",
                msg("only one end of the interviewer's scale is given"),
                msg("give both scale_min and scale_max, or neither to use the criterion's scale"),
            )
        lo = sc.scale_min if sc.scale_min is not None else (crit.scale_min if crit else None)
        hi = sc.scale_max if sc.scale_max is not None else (crit.scale_max if crit else None)
        if lo is not None and hi is not None:
            if not lo < hi:
                out.add(
                    f"{loc}.scale_max",
                    msg("the scale's maximum ({max}) is not above its minimum ({min})", max=f"{hi:g}", min=f"{lo:g}"),
                    msg("give scale_min below scale_max"),
                )
            elif not lo <= sc.score <= hi:
                out.add(
                    f"{loc}.score",
                    msg("the score lies outside its scale {min}-{max}", min=f"{lo:g}", max=f"{hi:g}"),
                    msg("correct the score, or give the interviewer's own scale in scale_min/scale_max"),
                )
        score_key = (sc.criterion, sc.interviewer, sc.unit)
        if score_key in seen_scores:
            out.add(
                loc,
                msg("the same interviewer scored the same criterion (for the same unit) twice"),
                msg("keep one score per interviewer, criterion and unit"),
            )
        seen_scores.add(score_key)
    for i, ref in enumerate(a.conflicts.units):
        check_ref(out, f"{where}.conflicts.units[{i}]", "unit", ref, p.unit_by_id)
    for i, ref in enumerate(a.conflicts.supervisors):
        check_ref(out, f"{where}.conflicts.supervisors[{i}]", "supervisor", ref, p.supervisor_by_id)


def check_unit_rankings(out: Collector, p: Problem) -> None:
    for u in p.units:
        where = f"units[{u.id!r}]"
        if u.target_places is not None and u.target_places > u.max_places:
            out.add(
                f"{where}.target_places",
                msg("the target ({target}) is above the maximum ({max})", target=u.target_places, max=u.max_places),
                msg("lower target_places or raise max_places"),
            )
        if u.ranking is None:
            continue
        seen: dict[str, str] = {}
        for ident in u.ranking:
            if ident not in p.applicant_by_id:
                out.add(
                    f"{where}.ranking[{ident!r}]",
                    msg(
                        "refers to {kind} {value!r}, which does not exist{suggestion}",
                        kind=NOUNS["applicant"],
                        value=ident,
                        suggestion=did_you_mean(ident, p.applicant_by_id),
                    ),
                    msg("use the id of an existing applicant"),
                )
            key = norm_key(ident)
            if key in seen:
                out.add(
                    f"{where}.ranking",
                    msg(
                        "lists the same {kind} twice: {shown}",
                        kind=NOUNS["applicant"],
                        shown=and_list([repr(seen[key]), repr(ident)]),
                    ),
                    msg("list each applicant once"),
                )
            seen[key] = ident
        dense_ranks(out, f"{where}.ranking", u.ranking.values())


def check_links(out: Collector, p: Problem) -> None:
    seen: dict[frozenset[str], int] = {}
    for i, link in enumerate(p.links):
        first, second = link.applicants
        loc = f"links[{i}] (applicants {first!r}, {second!r})"
        ok = check_ref(out, f"{loc}.applicants[0]", "applicant", first, p.applicant_by_id)
        ok &= check_ref(out, f"{loc}.applicants[1]", "applicant", second, p.applicant_by_id)
        if first == second:
            out.add(loc, msg("links an applicant to themself"), msg("name two different applicants"))
            continue
        key = frozenset(link.applicants)
        if ok and key in seen:
            out.add(
                loc,
                msg("links the same two applicants as links[{index}]", index=seen[key]),
                msg("keep one link per pair of applicants"),
            )
        seen[key] = i
