"""Cross-record validation rules of a :class:`~matchmaker.models.Problem`.

Each rule appends :class:`~matchmaker.errors.ValidationIssue` s; :class:`Problem` raises one
:class:`~matchmaker.errors.ProblemValidationError` listing all of them. Field-level rules (types, ranges,
unknown fields) are enforced by the pydantic models themselves.

Rules checked here:

* ids unique per kind, also after case, whitespace and Unicode normalisation;
* every reference resolves (unit -> municipality, supervisor -> unit, interests, rankings, interview
  scores, conflicts, pins and adjustments);
* an area is spelled one way;
* minimum <= maximum for units and municipalities; a unit's minimum within its supervisors' total
  capacity; a municipality's minimum within its units' total maximum;
* rankings have no gaps and no entry twice; interests and ranking are not both given;
* interview scores lie within their scale, each scale has min < max, no score is given twice;
* criterion weights are not all zero when interviews count;
* a pin names exactly one place, no applicant is pinned twice, and no pin clashes with a conflict, a
  unit requirement or the supervisor-training rule;
* adjustments name a place that exists and are not given twice for the same pair;
* a round's periods end on or after their first day, and at most one period belongs to each university
  (and at most one to none); every applicant has a period when the round has any; an applicant's and a
  supervisor's periods exist;
* a step-1 placement (``previous_unit``/``previous_supervisor``) names a unit of the round, and a
  supervisor of the round who works there; a supervisor is not given without the unit;
* commitments name a supervisor of the round, end on or after their first day, and never exceed the
  supervisor's load limit by themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from matchmaker._i18n import Message, msg, msg_n
from matchmaker._text import norm_key, suggest
from matchmaker.errors import ValidationIssue
from matchmaker.rules import meets_requirements, trained_enough
from matchmaker.timeline import LOAD_SCALE, commitment_load, load_points, peak_dates

if TYPE_CHECKING:
    from matchmaker.models import Applicant, InterviewCriterion, Problem

__all__ = ["problem_issues"]


class _Collector:
    def __init__(self) -> None:
        self.issues: list[ValidationIssue] = []

    def add(self, location: str, message: Message, fix: Message) -> None:
        self.issues.append(ValidationIssue.of(location, message, fix))


def _did_you_mean(value: str, known: Iterable[str]) -> Message | str:
    hint = suggest(value, known)
    return msg(" (did you mean {hint!r}?)", hint=hint) if hint is not None else ""


def _and(items: list[str]) -> Message:
    """``'a', 'b' and 'c'`` in any language (two or more items)."""
    return msg("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])


#: The kinds of record a reference can name, as words.
_NOUNS: dict[str, Message] = {
    "municipality": msg("municipality"),
    "unit": msg("unit"),
    "supervisor": msg("supervisor"),
    "applicant": msg("applicant"),
    "period": msg("period"),
    "area": msg("area"),
}


def _unique_ids(out: _Collector, kind: str, ids: Sequence[str]) -> None:
    groups: dict[str, list[str]] = defaultdict(list)
    for ident in ids:
        groups[norm_key(ident)].append(ident)
    for members in groups.values():
        if len(members) > 1:
            shown = ", ".join(repr(m) for m in members)
            out.add(
                f"{kind}[{members[0]!r}]",
                msg(
                    "{count} records share the id {id!r} ({shown}); ids are compared ignoring case, surrounding "
                    "spaces and Unicode form",
                    count=len(members),
                    id=members[0],
                    shown=shown,
                ),
                msg("give each record its own id"),
            )


def _check_ref(out: _Collector, location: str, kind: str, value: str, known: Mapping[str, object]) -> bool:
    if value in known:
        return True
    out.add(
        location,
        msg(
            "refers to {kind} {value!r}, which does not exist{suggestion}",
            kind=_NOUNS[kind],
            value=value,
            suggestion=_did_you_mean(value, known),
        ),
        msg("use the id of an existing {kind}, or add that {kind}", kind=_NOUNS[kind]),
    )
    return False


def problem_issues(p: Problem) -> list[ValidationIssue]:
    """Every cross-record issue of ``p``, in a stable order."""
    out = _Collector()
    for kind, ids in (
        ("municipalities", [m.id for m in p.municipalities]),
        ("units", [u.id for u in p.units]),
        ("supervisors", [s.id for s in p.supervisors]),
        ("applicants", [a.id for a in p.applicants]),
        ("criteria", [c.id for c in p.criteria]),
        ("round.periods", [q.id for q in p.round.periods] if p.round is not None else []),
    ):
        _unique_ids(out, kind, ids)

    municipalities = p.municipality_by_id
    units = p.unit_by_id
    supervisors = p.supervisor_by_id

    for u in p.units:
        _check_ref(out, f"units[{u.id!r}].municipality", "municipality", u.municipality, municipalities)

    for s in p.supervisors:
        _check_ref(out, f"supervisors[{s.id!r}].unit", "unit", s.unit, units)

    _areas(out, p)
    _capacities(out, p)
    _criteria(out, p)
    areas = {u.area for u in p.units}
    criteria = {c.id: c for c in p.criteria}
    for a in p.applicants:
        _applicant(out, p, a, areas, criteria)
    _pins(out, p, units, supervisors)
    _adjustments(out, p, units, supervisors)
    _unit_rankings(out, p)
    _links(out, p)
    _periods(out, p)
    _previous(out, p)
    _commitments(out, p)
    return out.issues


def _periods(out: _Collector, p: Problem) -> None:
    periods = p.round.periods if p.round is not None else ()
    owners: dict[str | None, str] = {}
    for q in periods:
        where = f"round.periods[{q.id!r}]"
        if q.end < q.start:
            out.add(
                f"{where}.end",
                msg("the period ends ({end}) before it starts ({start})", end=q.end, start=q.start),
                msg("swap or correct the dates"),
            )
        if q.university in owners:
            if q.university is not None:
                whose = msg("university {university!r}", university=q.university)
            else:
                whose = msg("no university (the default)")
            out.add(
                f"{where}.university",
                msg(
                    "periods {first!r} and {second!r} both belong to {whose}",
                    first=owners[q.university],
                    second=q.id,
                    whose=whose,
                ),
                msg("give each university one period, and set an applicant's own `period` where dates differ"),
            )
        else:
            owners[q.university] = q.id
    known = p.period_by_id
    for a in p.applicants:
        if a.period is not None:
            _check_ref(out, f"applicants[{a.id!r}].period", "period", a.period, known)
        elif periods and p.period_of[a.id] is None:
            if a.university is not None:
                uni = msg("university {university!r}", university=a.university)
            else:
                uni = msg("no university")
            out.add(
                f"applicants[{a.id!r}].period",
                msg(
                    "the applicant has no period: the round has none for {university} and no default period",
                    university=uni,
                ),
                msg("give the applicant a `period`, or add a period for the university or one without a university"),
            )
    for s in p.supervisors:
        for i, ref in enumerate(s.unavailable_periods):
            _check_ref(out, f"supervisors[{s.id!r}].unavailable_periods[{i}]", "period", ref, known)


def _previous(out: _Collector, p: Problem) -> None:
    for a in p.applicants:
        where = f"applicants[{a.id!r}]"
        if a.previous_supervisor is not None and a.previous_unit is None:
            out.add(
                f"{where}.previous_supervisor",
                msg("a previous supervisor is given without the previous unit"),
                msg("give `previous_unit` too (the unit of the step-1 placement)"),
            )
        if a.previous_unit is None or not _check_ref(
            out, f"{where}.previous_unit", "unit", a.previous_unit, p.unit_by_id
        ):
            continue
        sup = p.supervisor_by_id.get(a.previous_supervisor or "")
        if sup is not None and sup.unit != a.previous_unit:
            out.add(
                f"{where}.previous_supervisor",
                msg(
                    "supervisor {supervisor!r} works in unit {unit!r}, not in the previous unit {previous!r}",
                    supervisor=sup.id,
                    unit=sup.unit,
                    previous=a.previous_unit,
                ),
                msg("give the unit the applicant was placed in with that supervisor"),
            )


def _commitments(out: _Collector, p: Problem) -> None:
    for i, c in enumerate(p.commitments):
        where = f"commitments[{i}] (supervisor {c.supervisor!r})"
        _check_ref(out, f"{where}.supervisor", "supervisor", c.supervisor, p.supervisor_by_id)
        if c.end < c.start:
            out.add(
                f"{where}.end",
                msg("the commitment ends ({end}) before it starts ({start})", end=c.end, start=c.start),
                msg("correct the dates"),
            )
    for s in p.supervisors:
        if s.load_limit is None:
            continue
        spans = [(span, pts) for span, pts in commitment_load(p, s.id) if span.start <= span.end]
        limit = load_points(s.load_limit)
        for day in peak_dates(span for span, _ in spans):
            total = sum(pts for span, pts in spans if span.contains(day))
            if total > limit:
                out.add(
                    f"supervisors[{s.id!r}].load_limit",
                    msg(
                        "the commitments alone load the supervisor with {load} on {day}, above the load limit of "
                        "{limit}",
                        load=f"{total / LOAD_SCALE:g}",
                        day=day,
                        limit=f"{s.load_limit:g}",
                    ),
                    msg("raise the load limit, or correct the commitments"),
                )
                break


def _areas(out: _Collector, p: Problem) -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    for u in p.units:
        spellings[norm_key(u.area)].add(u.area)
    for names in spellings.values():
        if len(names) > 1:
            shown = _and([repr(n) for n in sorted(names)])
            out.add(
                "units.area",
                msg("one area is spelled in {count} ways: {shown}", count=len(names), shown=shown),
                msg("spell each area the same way in every unit"),
            )


def _capacities(out: _Collector, p: Problem) -> None:
    supervisor_total: dict[str, int] = defaultdict(int)
    for s in p.supervisors:
        supervisor_total[s.unit] += s.capacity
    unit_total: dict[str, int] = defaultdict(int)
    for u in p.units:
        unit_total[u.municipality] += u.max_places
        if u.min_places > u.max_places:
            out.add(
                f"units[{u.id!r}].min_places",
                msg("the minimum ({min}) is above the maximum ({max})", min=u.min_places, max=u.max_places),
                msg("lower min_places or raise max_places"),
            )
        elif u.min_places > supervisor_total[u.id]:
            out.add(
                f"units[{u.id!r}].min_places",
                msg_n(
                    "the minimum ({min}) is above the {n} place its supervisors can take together",
                    "the minimum ({min}) is above the {n} places its supervisors can take together",
                    supervisor_total[u.id],
                    min=u.min_places,
                ),
                msg("lower min_places, or add supervisors or supervisor capacity to the unit"),
            )
    for m in p.municipalities:
        if m.max_places is not None and m.min_places > m.max_places:
            out.add(
                f"municipalities[{m.id!r}].min_places",
                msg("the minimum ({min}) is above the maximum ({max})", min=m.min_places, max=m.max_places),
                msg("lower min_places or raise max_places"),
            )
        elif m.min_places > unit_total[m.id]:
            out.add(
                f"municipalities[{m.id!r}].min_places",
                msg_n(
                    "the minimum ({min}) is above the {n} place its units offer together",
                    "the minimum ({min}) is above the {n} places its units offer together",
                    unit_total[m.id],
                    min=m.min_places,
                ),
                msg("lower min_places, or raise the units' max_places"),
            )


def _criteria(out: _Collector, p: Problem) -> None:
    for c in p.criteria:
        if not c.scale_min < c.scale_max:
            out.add(
                f"criteria[{c.id!r}].scale_max",
                msg(
                    "the scale's maximum ({max}) is not above its minimum ({min})",
                    max=f"{c.scale_max:g}",
                    min=f"{c.scale_min:g}",
                ),
                msg("give scale_min below scale_max, e.g. 1 and 5"),
            )
    uses_interview = any(a.interview for a in p.applicants)
    counts = p.criteria and uses_interview and p.policy.interview_weight > 0
    if counts and all(c.weight == 0 for c in p.criteria):
        out.add(
            "criteria.weight",
            msg("every interview criterion has weight 0, so interview scores cannot count"),
            msg("give at least one criterion a positive weight, or set policy.interview_weight to 0"),
        )


def _applicant(
    out: _Collector,
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
        if len({norm_key(key) for key in mapping}) < len(mapping):  # else no two keys share a norm
            for key in mapping:
                keys_by_norm[norm_key(key)].append(key)
        for key in mapping:
            if key not in known:
                noun = _NOUNS[kind[:-1]]
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
                        suggestion=_did_you_mean(key, known),
                    ),
                    fix,
                )
        for keys in keys_by_norm.values():
            if len(keys) > 1:
                out.add(
                    f"{where}.{field}",
                    msg(
                        "lists the same {kind} twice: {shown}",
                        kind=_NOUNS[kind[:-1]],
                        shown=_and([repr(k) for k in keys]),
                    ),
                    msg("list each option once"),
                )
    if a.ranking is not None:
        ranks = sorted({*a.ranking.areas.values(), *a.ranking.units.values(), *a.ranking.supervisors.values()})
        if ranks and ranks != list(range(1, len(ranks) + 1)):
            missing = sorted(set(range(1, ranks[-1] + 1)) - set(ranks))
            shown = ", ".join(str(r) for r in missing)
            _rank_gap(out, f"{where}.ranking", shown)
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
                    suggestion=_did_you_mean(sc.criterion, criteria),
                ),
                msg("declare the criterion in `criteria` or use an existing criterion id"),
            )
        if sc.unit is not None:
            _check_ref(out, f"{loc}.unit", "unit", sc.unit, p.unit_by_id)
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
        _check_ref(out, f"{where}.conflicts.units[{i}]", "unit", ref, p.unit_by_id)
    for i, ref in enumerate(a.conflicts.supervisors):
        _check_ref(out, f"{where}.conflicts.supervisors[{i}]", "supervisor", ref, p.supervisor_by_id)


def _target(
    out: _Collector,
    loc: str,
    unit: str | None,
    supervisor: str | None,
    units: Mapping[str, object],
    supervisors: Mapping[str, object],
    p: Problem,
) -> tuple[str | None, str | None, bool]:
    """Resolve a (unit, supervisor) target; returns (unit, supervisor, ok)."""
    if unit is None and supervisor is None:
        out.add(loc, msg("names neither a unit nor a supervisor"), msg("give `unit`, `supervisor` or both"))
        return None, None, False
    ok = True
    if unit is not None:
        ok &= _check_ref(out, f"{loc}.unit", "unit", unit, units)
    if supervisor is not None:
        ok &= _check_ref(out, f"{loc}.supervisor", "supervisor", supervisor, supervisors)
    if ok and unit is not None and supervisor is not None:
        actual = p.supervisor_by_id[supervisor].unit
        if actual != unit:
            out.add(
                f"{loc}.supervisor",
                msg(
                    "supervisor {supervisor!r} works in unit {actual!r}, not in {unit!r}",
                    supervisor=supervisor,
                    actual=actual,
                    unit=unit,
                ),
                msg("give the supervisor's own unit, or leave `unit` out"),
            )
            ok = False
    if ok and unit is None and supervisor is not None:
        unit = p.supervisor_by_id[supervisor].unit
    return unit, supervisor, ok


def _pins(out: _Collector, p: Problem, units: Mapping[str, object], supervisors: Mapping[str, object]) -> None:
    pinned: dict[str, int] = {}
    for i, pin in enumerate(p.pins):
        loc = f"pins[{i}] (applicant {pin.applicant!r})"
        applicant_ok = _check_ref(out, f"{loc}.applicant", "applicant", pin.applicant, p.applicant_by_id)
        unit_id, sup_id, ok = _target(out, loc, pin.unit, pin.supervisor, units, supervisors, p)
        if applicant_ok:
            if pin.applicant in pinned:
                out.add(
                    loc,
                    msg(
                        "applicant {applicant!r} is already pinned by pins[{index}]",
                        applicant=pin.applicant,
                        index=pinned[pin.applicant],
                    ),
                    msg("keep one pin per applicant"),
                )
            else:
                pinned[pin.applicant] = i
        if not (applicant_ok and ok and unit_id is not None):
            continue
        a = p.applicant_by_id[pin.applicant]
        u = p.unit_by_id[unit_id]
        if unit_id in a.conflicts.units:
            out.add(
                loc,
                msg("the pin places the applicant in unit {unit!r}, which their conflicts forbid", unit=unit_id),
                msg("remove the pin or the conflict"),
            )
            continue
        if sup_id is not None and sup_id in a.conflicts.supervisors:
            out.add(
                loc,
                msg(
                    "the pin places the applicant with supervisor {supervisor!r}, which their conflicts forbid",
                    supervisor=sup_id,
                ),
                msg("remove the pin or the conflict"),
            )
            continue
        if not meets_requirements(u.requirements, a.qualifications):
            out.add(
                loc,
                msg("the applicant does not meet the requirements of unit {unit!r}", unit=unit_id),
                msg("remove the pin, or record the qualification if the applicant has it"),
            )
            continue
        policy = p.policy.supervisor_training
        if sup_id is not None:
            if not trained_enough(p.supervisor_by_id[sup_id].training, policy):
                out.add(
                    loc,
                    msg(
                        "supervisor {supervisor!r} lacks the training the policy requires ({policy})",
                        supervisor=sup_id,
                        policy=policy,
                    ),
                    msg("pin to another supervisor, update the training status, or relax the policy"),
                )
        else:
            usable = [
                s
                for s in p.supervisors
                if s.unit == unit_id
                and s.capacity > 0
                and trained_enough(s.training, policy)
                and s.id not in a.conflicts.supervisors
            ]
            if not usable:
                out.add(
                    loc,
                    msg(
                        "no supervisor of unit {unit!r} can take the applicant (capacity, training or conflicts)",
                        unit=unit_id,
                    ),
                    msg("pin to another unit, or add a supervisor who can"),
                )


def _dense_ranks(out: _Collector, location: str, ranks: Iterable[int]) -> None:
    values = sorted(set(ranks))
    if values and values != list(range(1, len(values) + 1)):
        missing = sorted(set(range(1, values[-1] + 1)) - set(values))
        _rank_gap(out, location, ", ".join(str(r) for r in missing))


def _rank_gap(out: _Collector, location: str, missing: str) -> None:
    out.add(
        location,
        msg("the ranks leave a gap (no rank {missing})", missing=missing),
        msg("number ranks 1, 2, 3, ... without gaps; give equal ranks for ties (1, 1, 2)"),
    )


def _unit_rankings(out: _Collector, p: Problem) -> None:
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
                        kind=_NOUNS["applicant"],
                        value=ident,
                        suggestion=_did_you_mean(ident, p.applicant_by_id),
                    ),
                    msg("use the id of an existing applicant"),
                )
            key = norm_key(ident)
            if key in seen:
                out.add(
                    f"{where}.ranking",
                    msg(
                        "lists the same {kind} twice: {shown}",
                        kind=_NOUNS["applicant"],
                        shown=_and([repr(seen[key]), repr(ident)]),
                    ),
                    msg("list each applicant once"),
                )
            seen[key] = ident
        _dense_ranks(out, f"{where}.ranking", u.ranking.values())


def _links(out: _Collector, p: Problem) -> None:
    seen: dict[frozenset[str], int] = {}
    for i, link in enumerate(p.links):
        first, second = link.applicants
        loc = f"links[{i}] (applicants {first!r}, {second!r})"
        ok = _check_ref(out, f"{loc}.applicants[0]", "applicant", first, p.applicant_by_id)
        ok &= _check_ref(out, f"{loc}.applicants[1]", "applicant", second, p.applicant_by_id)
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


def _adjustments(out: _Collector, p: Problem, units: Mapping[str, object], supervisors: Mapping[str, object]) -> None:
    seen: dict[tuple[str, str | None, str | None], int] = {}
    for i, adj in enumerate(p.adjustments):
        loc = f"adjustments[{i}] (applicant {adj.applicant!r})"
        _check_ref(out, f"{loc}.applicant", "applicant", adj.applicant, p.applicant_by_id)
        _target(out, loc, adj.unit, adj.supervisor, units, supervisors, p)
        key = (adj.applicant, adj.unit if adj.supervisor is None else None, adj.supervisor)
        if key in seen:
            out.add(
                loc,
                msg("repeats adjustments[{index}] for the same applicant and place", index=seen[key]),
                msg("merge the two into one adjustment"),
            )
        else:
            seen[key] = i
