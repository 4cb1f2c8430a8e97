"""The independent checker: verifies any result against the raw problem, whoever produced it.

:func:`check` shares no code with scoring or model building. It re-derives from the problem's records,
in plain Python, which pairs are acceptable, every capacity at every level, each supervisor's load on
every date, the pins, the fit of each placement and every level of the objective vector, and compares
them with the result. A repaired result is checked too: its diff against the previous plan, its hard
keeps and its level ``moved`` (against the previous result itself when it is given). It cannot prove
optimality (that would need a solver); it proves that the plan is valid and that every number the
result reports is true.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from matchmaker.errors import MatchmakerError
from matchmaker.lottery import pair_draw
from matchmaker.metrics import Metrics
from matchmaker.models import Applicant, Period, Problem
from matchmaker.result import RepairRecord, Result, Status, UnplacedReason

__all__ = ["CheckFailedError", "CheckReport", "Violation", "check", "level_vector", "stability_audit"]

_SCALE = 10_000  # fit points per unit of fit, as documented in the README
_UNIT_DRAW_OFFSET = 0x9E3779B97F4A7C15  # the units' tie-break draws use seed + this (README, Stability)
_LOAD_SCALE = 1_000  # load points per unit of load, as documented in the README
_TRAINING = {"none": 0, "in_progress": 1, "completed": 2}
_NEEDED = {"any": 0, "in_progress": 1, "completed": 2}
#: The checker's own words for each broken rule (its messages are in English).
_RULE_WORDS = {
    "no_interest": "not among the applicant's wishes",
    "requirement": "the unit's requirements are not met",
    "conflict": "a declared conflict forbids it",
    "training": "the supervisor lacks the required training",
    "no_capacity": "there is no capacity",
    "unit_ranking": "the unit's own ranking does not list the applicant",
    "availability": "the supervisor is unavailable in the applicant's period",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a result is wrong: ``kind`` (e.g. ``"unit_max"``), the ``record`` id and a message."""

    kind: str
    record: str
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.record}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    """Every violation found; empty when the result is valid."""

    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        """No violation was found."""
        return not self.violations

    def kinds(self) -> set[str]:
        """The kinds of violation found."""
        return {v.kind for v in self.violations}

    def __iter__(self) -> Iterator[Violation]:
        return iter(self.violations)

    def __len__(self) -> int:
        return len(self.violations)

    def raise_if_invalid(self) -> None:
        """Raise :class:`CheckFailedError` if anything was found."""
        if self.violations:
            raise CheckFailedError(self)

    def __str__(self) -> str:
        if not self.violations:
            return "check: no violations"
        return "\n".join([f"check: {len(self.violations)} violation(s)", *(f"  {v}" for v in self.violations)])


class CheckFailedError(MatchmakerError, AssertionError):
    """A result failed :func:`check`."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        super().__init__(str(report))


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class _Truth:
    """What the raw problem says about applicants and places, computed from scratch."""

    def __init__(self, problem: Problem) -> None:
        self.p = problem
        self.units = {u.id: u for u in problem.units}
        self.sups = {s.id: s for s in problem.supervisors}
        self.munis = {m.id: m for m in problem.municipalities}
        self.apps = {a.id: a for a in problem.applicants}
        self.pins = {pin.applicant: pin for pin in problem.pins}
        self.criteria = {c.id: c for c in problem.criteria}
        self._cohort: float | None = None
        self._acceptable: list[tuple[Applicant, str]] | None = None
        self._options: dict[str, list[str]] | None = None
        self._wished: dict[str, list[str]] = {}
        self.periods = {q.id: q for q in problem.round.periods} if problem.round is not None else {}

    def period(self, a: Applicant) -> Period | None:
        """The applicant's period: their own, else their university's, else the round's default."""
        if a.period is not None:
            return self.periods.get(a.period)
        mine = [q for q in self.periods.values() if q.university is not None and q.university == a.university]
        if mine:
            return mine[0]
        return next((q for q in self.periods.values() if q.university is None), None)

    # -- wishes ------------------------------------------------------------------------------------
    def wish(self, a: Applicant, sup_id: str) -> float | int | None:
        """The applicant's most specific entry for the supervisor: a weight, a rank, or None."""
        prefs = a.interests if a.interests is not None else a.ranking
        if prefs is None:
            return None
        s = self.sups[sup_id]
        u = self.units[s.unit]
        if sup_id in prefs.supervisors:
            return prefs.supervisors[sup_id]
        if s.unit in prefs.units:
            return prefs.units[s.unit]
        if u.area in prefs.areas:
            return prefs.areas[u.area]
        return None

    def wished(self, a: Applicant, sup_id: str) -> bool:
        w = self.wish(a, sup_id)
        if w is None:
            return False
        return a.ranking is not None or w > 0

    def pinned_here(self, a: Applicant, sup_id: str) -> bool:
        pin = self.pins.get(a.id)
        if pin is None:
            return False
        if pin.supervisor is not None:
            return pin.supervisor == sup_id
        return self.sups[sup_id].unit == pin.unit

    def refusal(self, a: Applicant, sup_id: str) -> str | None:
        """Why the pair is not acceptable, or None if it is."""
        first = self._rules(a, sup_id, first=True)
        return _RULE_WORDS[first[0]] if first else None

    def broken_rules(self, a: Applicant, sup_id: str) -> list[str]:
        """Every rule the pair breaks, as :data:`matchmaker.rules.REASONS` codes in the rules' order
        (``no_interest`` first); empty if the pair is acceptable."""
        return self._rules(a, sup_id, first=False)

    def _rules(self, a: Applicant, sup_id: str, *, first: bool) -> list[str]:
        # One reading of the rules for both callers; ``first`` stops at the first broken rule, as the
        # acceptability test of every pair of the round needs no more.
        out: list[str] = []
        s = self.sups[sup_id]
        if not (self.wished(a, sup_id) or self.pinned_here(a, sup_id)):
            out.append("no_interest")
            if first:
                return out
        u = self.units[s.unit]
        have = {_key(q) for q in a.qualifications}
        if any(_key(r) not in have for r in u.requirements):
            out.append("requirement")
        if s.unit in a.conflicts.units or sup_id in a.conflicts.supervisors:
            out.append("conflict")
        if _TRAINING[str(s.training)] < _NEEDED[self.p.policy.supervisor_training]:
            out.append("training")
        if s.capacity <= 0 or u.max_places <= 0 or self.munis[u.municipality].max_places == 0:
            out.append("no_capacity")
        if u.ranking is not None and a.id not in u.ranking:
            out.append("unit_ranking")
        if out and first:
            return out
        period = self.period(a)
        if period is not None and period.id in s.unavailable_periods:
            out.append("availability")
        return out

    def options(self, applicant_id: str) -> list[str]:
        """The supervisors acceptable for one applicant."""
        if self._options is None:
            self._options = {}
            for a, sid in self.acceptable():
                self._options.setdefault(a.id, []).append(sid)
        return self._options.get(applicant_id, [])

    def acceptable(self) -> list[tuple[Applicant, str]]:
        """Every acceptable (applicant, supervisor id) pair."""
        if self._acceptable is None:
            self._acceptable = [
                (a, sid) for a in self.p.applicants for sid in self.sups if self.refusal(a, sid) is None
            ]
        return self._acceptable

    # -- fit -----------------------------------------------------------------------------------------
    def interest(self, a: Applicant, sup_id: str) -> float:
        w = self.wish(a, sup_id)
        if w is None or (a.interests is not None and w <= 0):
            return 0.0  # a pinned place the applicant did not list
        if a.ranking is not None:
            k = max([*a.ranking.areas.values(), *a.ranking.units.values(), *a.ranking.supervisors.values()])
            return (k - int(w) + 1) / k
        return float(w)

    def interview(self, a: Applicant, unit_id: str) -> float | None:
        num = 0.0
        den = 0.0
        for c in self.p.criteria:
            own = [sc for sc in a.interview if sc.criterion == c.id and sc.unit == unit_id]
            general = [sc for sc in a.interview if sc.criterion == c.id and sc.unit is None]
            scores = own or general
            if not scores or c.weight == 0:
                continue
            vals = []
            for sc in scores:
                lo = c.scale_min if sc.scale_min is None else sc.scale_min
                hi = c.scale_max if sc.scale_max is None else sc.scale_max
                vals.append((sc.score - lo) / (hi - lo))
            num += c.weight * (sum(vals) / len(vals))
            den += c.weight
        return num / den if den > 0 else None

    def cohort_mean(self) -> float:
        if self._cohort is None:
            known = [
                v
                for a in self.p.applicants
                for sid in self.sups
                if self.refusal(a, sid) is None and (v := self.interview(a, self.sups[sid].unit)) is not None
            ]
            self._cohort = sum(known) / len(known) if known else 0.5
        return self._cohort

    def fit(self, a: Applicant, sup_id: str) -> float:
        pol = self.p.policy
        unit_id = self.sups[sup_id].unit
        iv = self.interview(a, unit_id)
        if iv is None:
            iv = {"neutral": 0.5, "zero": 0.0}.get(pol.missing_interview)
            if iv is None:
                iv = self.cohort_mean()
        adjust = 0.0
        for adj in self.p.adjustments:
            if adj.applicant != a.id:
                continue
            if adj.supervisor is not None:
                adjust += adj.delta if adj.supervisor == sup_id else 0.0
            elif adj.unit == unit_id:
                adjust += adj.delta
        wi, wv = pol.interest_weight, pol.interview_weight
        return (wi * self.interest(a, sup_id) + wv * iv) / (wi + wv) + adjust + self.continuity(a, sup_id)

    def continuity(self, a: Applicant, sup_id: str) -> float:
        """The continuity bonus: the step-1 supervisor again, or else the step-1 unit."""
        pol = self.p.policy
        if a.previous_unit is None:
            return 0.0
        if a.previous_supervisor == sup_id:
            return pol.continuity_same_supervisor
        return pol.continuity_same_unit if self.sups[sup_id].unit == a.previous_unit else 0.0

    def load_violations(self, plan: Mapping[str, str]) -> list[tuple[str, dt.date, int, int]]:
        """(supervisor, date, load, limit) in points wherever a supervisor's load exceeds their limit."""
        pol = self.p.policy
        step = self.p.round.step if self.p.round is not None else 1
        per_student = round((pol.load_step_1 if step == 1 else pol.load_step_2) * _LOAD_SCALE)
        out = []
        for s in self.p.supervisors:
            if s.load_limit is None:
                continue
            entries: list[tuple[dt.date, dt.date, int]] = []
            for a, sid in plan.items():
                if sid == s.id:
                    q = self.period(self.apps[a])
                    entries.append(
                        (dt.date.min, dt.date.max, per_student) if q is None else (q.start, q.end, per_student)
                    )
            for c in self.p.commitments:
                if c.supervisor == s.id:
                    load = c.load if c.load is not None else (pol.load_step_1 if c.step == 1 else pol.load_step_2)
                    entries.append((c.start, c.end, round(load * _LOAD_SCALE)))
            limit = round(s.load_limit * _LOAD_SCALE)
            for day in sorted({start for start, _, _ in entries}):
                total = sum(pts for start, end, pts in entries if start <= day <= end)
                if total > limit:
                    out.append((s.id, day, total, limit))
                    break
        return out

    def points(self, a: Applicant, sup_id: str) -> int:
        """The pair's fit in points, as documented: round half to even of fit x 10,000."""
        return round(self.fit(a, sup_id) * _SCALE)

    def rank(self, a: Applicant, sup_id: str) -> int:
        wished = self._wished.get(a.id)
        if wished is None:
            wished = self._wished[a.id] = [sid for sid in self.sups if self.wished(a, sid)]
        if sup_id not in wished:  # pinned, not listed: below every wish
            return (max(self.rank(a, sid) for sid in wished) + 1) if wished else 1
        w = self.wish(a, sup_id)
        assert w is not None
        if a.ranking is not None:
            return int(w)
        better = {v for sid in wished if (v := self.wish(a, sid)) is not None and v > w}
        return len(better) + 1


def _points_match(reported: int, fit: float) -> bool:
    exact = fit * _SCALE
    if reported == round(exact):
        return True
    # Only at a rounding boundary may two correct float evaluations round apart.
    return abs(abs(exact - int(exact)) - 0.5) < 1e-6 and abs(reported - exact) <= 0.5 + 1e-6


def check(problem: Problem, result: Result, *, previous: Result | None = None) -> CheckReport:
    """Verify ``result`` against ``problem``; returns every violation found (empty if valid).

    Checked: the input fingerprint; every placed applicant and supervisor exists and the unit and
    municipality are the supervisor's; each applicant appears exactly once (placed or unplaced);
    every placement is acceptable (wishes, requirements, conflicts, training, capacity, availability);
    supervisor, unit and municipality maximums and minimums; each supervisor's load on every date;
    pins; each placement's fit, continuity bonus and rank; each unplaced reason; every objective level
    recomputed from the raw inputs; and the metrics' rank profile and counts per unit and municipality
    (a result migrated from schema version 0 has no metrics to check).

    A repaired result (``result.decision.repair``) is checked for a consistent diff, its hard keeps and
    its level ``moved``; give ``previous`` (the repaired result) to check the diff against it as well.
    """
    out: list[Violation] = []
    add = out.append
    t = _Truth(problem)
    d = result.decision
    if d.input_fingerprint != problem.fingerprint():
        add(Violation("fingerprint", "problem", "the result was made for a different problem"))
    if d.lottery_seed != problem.policy.lottery_seed:
        add(Violation("lottery_seed", "policy", "the result's lottery seed differs from the policy's"))

    if not d.status.has_plan and d.assignments:
        add(Violation("status", d.status.value, "a result without a plan lists assignments"))

    placed_count: Counter[str] = Counter(x.applicant for x in d.assignments)
    unplaced_count: Counter[str] = Counter(x.applicant for x in d.unplaced)
    for ident in sorted(set(t.apps) | set(placed_count) | set(unplaced_count)):
        if ident not in t.apps:
            add(Violation("unknown_applicant", ident, "the result names an applicant the problem lacks"))
            continue
        n_in, n_out = placed_count[ident], unplaced_count[ident]
        if n_in > 1:
            add(Violation("placed_twice", ident, f"placed {n_in} times"))
        if n_in and n_out:
            add(Violation("placed_and_unplaced", ident, "listed both as placed and as unplaced"))
        if n_out > 1:
            add(Violation("unplaced_twice", ident, f"listed {n_out} times as unplaced"))
        if not n_in and not n_out:
            add(Violation("missing_applicant", ident, "neither placed nor listed as unplaced"))

    per_sup: Counter[str] = Counter()
    per_unit: Counter[str] = Counter()
    per_muni: Counter[str] = Counter()
    for x in d.assignments:
        if x.applicant not in t.apps:
            continue
        if x.supervisor not in t.sups:
            add(Violation("unknown_supervisor", x.applicant, f"placed with unknown supervisor {x.supervisor!r}"))
            continue
        s = t.sups[x.supervisor]
        u = t.units[s.unit]
        if x.unit != s.unit:
            add(Violation("wrong_unit", x.applicant, f"supervisor {s.id!r} works in {s.unit!r}, not {x.unit!r}"))
        if x.municipality != u.municipality:
            add(Violation("wrong_municipality", x.applicant, f"unit {u.id!r} is in {u.municipality!r}"))
        a = t.apps[x.applicant]
        why = t.refusal(a, s.id)
        if why is not None:
            add(Violation("not_acceptable", x.applicant, f"placed with {s.id!r} but {why}"))
        per_sup[s.id] += 1
        per_unit[s.unit] += 1
        per_muni[u.municipality] += 1
        fit = t.fit(a, s.id)
        if not _points_match(x.fit_points, fit):
            add(Violation("fit", x.applicant, f"fit points {x.fit_points} but the inputs give {fit * _SCALE:.3f}"))
        if x.fit != x.fit_points / _SCALE:
            add(Violation("fit", x.applicant, "fit and fit_points disagree"))
        if why is None and x.rank != t.rank(a, s.id):
            add(Violation("rank", x.applicant, f"rank {x.rank} but the inputs give {t.rank(a, s.id)}"))
        if x.continuity != t.continuity(a, s.id):
            add(
                Violation(
                    "continuity", x.applicant, f"bonus {x.continuity} but the inputs give {t.continuity(a, s.id)}"
                )
            )

    if d.status.has_plan:
        for s in problem.supervisors:
            if per_sup[s.id] > s.capacity:
                add(Violation("supervisor_capacity", s.id, f"{per_sup[s.id]} students, capacity {s.capacity}"))
        hard_min = problem.policy.minimums == "hard"
        hard_target = problem.policy.targets == "hard"
        for u in problem.units:
            if per_unit[u.id] > u.max_places:
                add(Violation("unit_max", u.id, f"{per_unit[u.id]} students, maximum {u.max_places}"))
            if hard_min and per_unit[u.id] < u.min_places:
                add(Violation("unit_min", u.id, f"{per_unit[u.id]} students, minimum {u.min_places}"))
            if hard_target and u.target_places is not None and per_unit[u.id] < u.target_places:
                add(Violation("unit_target", u.id, f"{per_unit[u.id]} students, hard target {u.target_places}"))
        for m in problem.municipalities:
            if m.max_places is not None and per_muni[m.id] > m.max_places:
                add(Violation("municipality_max", m.id, f"{per_muni[m.id]} students, maximum {m.max_places}"))
            if hard_min and per_muni[m.id] < m.min_places:
                add(Violation("municipality_min", m.id, f"{per_muni[m.id]} students, minimum {m.min_places}"))
        placements = {x.applicant: x for x in d.assignments}
        known = {x.applicant: x.supervisor for x in d.assignments if x.applicant in t.apps and x.supervisor in t.sups}
        for sid, day, load, limit in t.load_violations(known):
            add(
                Violation(
                    "supervisor_load", sid, f"load {load / _LOAD_SCALE:g} on {day}, limit {limit / _LOAD_SCALE:g}"
                )
            )
        check_links(problem, {a: (x.unit, x.municipality) for a, x in placements.items()}, add)
        check_balance(problem, per_muni, add)
        for pin in problem.pins:
            got = placements.get(pin.applicant)
            ok = got is not None and (
                got.supervisor == pin.supervisor if pin.supervisor is not None else got.unit == pin.unit
            )
            if not ok:
                add(Violation("pin", pin.applicant, "the pinned placement does not hold"))

    for y in d.unplaced:
        a_or_none = t.apps.get(y.applicant)
        if a_or_none is None:
            continue
        has_option = any(t.refusal(a_or_none, sid) is None for sid in t.sups)
        if d.status.has_plan and y.reason is UnplacedReason.NO_PLAN:
            add(Violation("unplaced_reason", y.applicant, "reason 'no_plan' although there is a plan"))
        if y.reason is UnplacedReason.NO_ACCEPTABLE_OPTION and has_option:
            add(Violation("unplaced_reason", y.applicant, "reported without options, but has acceptable ones"))
        if y.reason is UnplacedReason.NOT_SELECTED and not has_option:
            add(Violation("unplaced_reason", y.applicant, "reported as not selected, but has no acceptable option"))
        if not d.status.has_plan and y.reason is not UnplacedReason.NO_PLAN:
            add(Violation("unplaced_reason", y.applicant, "without a plan the reason must be 'no_plan'"))

    if d.repair is not None:
        _check_repair(problem, result, d.repair, previous, out, t)
    elif previous is not None:
        out.append(Violation("repair", "decision", "a previous result is given, but the result is not a repair"))
    _check_objective(problem, result, out, t)
    if d.status.has_plan and d.metrics is not None:
        _check_metrics(problem, result, d.metrics, out, t)
    if d.status.has_plan:
        _check_stability(problem, result, out, t)
    return CheckReport(tuple(out))


def _check_stability(problem: Problem, result: Result, out: list[Violation], t: _Truth) -> None:
    """In a stable mode, no blocking pair (lottery-strict or weak, as the mode says); and the
    reported count of blocking pairs agrees with the audit."""
    stability = problem.policy.stability
    strict = stability is not None and stability.ties == "lottery"
    plan = {
        x.applicant: x.supervisor
        for x in result.decision.assignments
        if x.applicant in t.apps and x.supervisor in t.sups and t.refusal(t.apps[x.applicant], x.supervisor) is None
    }
    found = stability_audit(problem, plan, strict=strict)
    if stability is not None:
        for a_id, sid, case in found:
            out.append(Violation("blocking_pair", a_id, f"blocks with supervisor {sid!r} ({case})"))
    m = result.decision.metrics
    if m is not None and m.blocking_pairs is not None and m.blocking_pairs != len(found):
        out.append(Violation("metrics", "blocking_pairs", f"reported {m.blocking_pairs}, the audit finds {len(found)}"))


def _check_metrics(problem: Problem, result: Result, m: Metrics, out: list[Violation], t: _Truth) -> None:
    """The reported metrics agree with the plan (rank profile and counts per unit and municipality)."""
    ranks = Counter(
        t.rank(t.apps[x.applicant], x.supervisor)
        for x in result.decision.assignments
        if x.applicant in t.apps and x.supervisor in t.sups
    )
    profile = tuple(ranks.get(k, 0) for k in range(1, max(ranks, default=0) + 1))
    if m.rank_profile != profile:
        out.append(Violation("metrics", "rank_profile", f"reported {m.rank_profile}, recomputed {profile}"))
    per_unit = Counter(x.unit for x in result.decision.assignments)
    for u in m.units:
        if u.placed != per_unit[u.unit]:
            out.append(Violation("metrics", u.unit, f"reported {u.placed} placed, the plan has {per_unit[u.unit]}"))
    offered = _offered(problem)
    per_muni = Counter(x.municipality for x in result.decision.assignments)
    for mm_ in m.municipalities:
        if mm_.placed != per_muni[mm_.municipality] or mm_.offered != offered.get(mm_.municipality):
            out.append(Violation("metrics", mm_.municipality, "placed or offered places disagree with the plan"))


def _offered(problem: Problem) -> dict[str, int]:
    out = {}
    for m in problem.municipalities:
        units = sum(u.max_places for u in problem.units if u.municipality == m.id)
        out[m.id] = units if m.max_places is None else min(m.max_places, units)
    return out


def _link_broken(relation: str, a: tuple[str, str] | None, b: tuple[str, str] | None, hard: bool) -> bool:
    if relation == "apart":
        return a is not None and b is not None and a[0] == b[0]
    k = 0 if relation == "same_unit" else 1
    if hard and a is None and b is None:
        return False
    return a is None or b is None or a[k] != b[k]


def check_links(problem: Problem, where: Mapping[str, tuple[str, str]], add: Callable[[Violation], None]) -> None:
    """Flag every hard link that ``where`` (applicant -> (unit, municipality)) breaks."""
    for link in problem.links:
        first, second = link.applicants
        if link.hard and _link_broken(link.relation, where.get(first), where.get(second), hard=True):
            add(Violation("link", f"{first}~{second}", f"the hard '{link.relation}' link does not hold"))


def check_balance(problem: Problem, per_muni: Mapping[str, int], add: Callable[[Violation], None]) -> None:
    """Flag a ``within`` or ``ratio`` balance rule that the placements per municipality break."""
    balance = problem.policy.balance
    if balance is None or balance.mode == "maximin":
        return
    offered = {m: o for m, o in _offered(problem).items() if o > 0}
    if len(offered) < 2:
        return
    rate = {m: Fraction(per_muni.get(m, 0), o) for m, o in offered.items()}
    if balance.mode == "within":
        tol = Fraction(balance.tolerance).limit_denominator(10_000)
        lo, hi = min(rate, key=lambda m: rate[m]), max(rate, key=lambda m: rate[m])
        if rate[hi] - rate[lo] > tol:
            add(Violation("balance", f"{hi}/{lo}", f"fill rates differ by {float(rate[hi] - rate[lo]):.4f}"))
    else:
        rho = Fraction(balance.ratio).limit_denominator(10_000)
        overall = Fraction(sum(per_muni.get(m, 0) for m in offered), sum(offered.values()))
        for m, r in rate.items():
            if r < rho * overall:
                add(Violation("balance", m, f"fill rate {float(r):.4f} below {float(rho)} x overall"))


def _check_repair(
    problem: Problem, result: Result, rec: RepairRecord, previous: Result | None, out: list[Violation], t: _Truth
) -> None:
    """The diff describes this plan, the keeps hold, and (given ``previous``) the diff is against it."""
    add = out.append
    plan = {x.applicant: x for x in result.decision.assignments}
    diff = rec.diff
    if (rec.position is None) == (rec.penalty is None):
        add(Violation("repair", "settings", "exactly one of position and penalty must be set"))
    listed: Counter[str] = Counter()
    for kind, moves in (
        ("moved", diff.moved),
        ("newly_placed", diff.newly_placed),
        ("newly_unplaced", diff.newly_unplaced),
        ("withdrawn", diff.withdrawn),
    ):
        for m in moves:
            listed[m.applicant] += 1
            now = plan.get(m.applicant)
            after_ok = (now is None and m.after is None) or (
                now is not None and (m.after, m.after_unit) == (now.supervisor, now.unit)
            )
            shape_ok = {
                "moved": m.before is not None and m.after is not None and m.before != m.after,
                "newly_placed": m.before is None and m.after is not None,
                "newly_unplaced": m.before is not None and m.after is None and m.applicant in t.apps,
                "withdrawn": m.before is not None and m.after is None and m.applicant not in t.apps,
            }[kind]
            if not (after_ok and shape_ok):
                add(Violation("repair_diff", m.applicant, f"listed as {kind}, which the plan does not show"))
    for ident, n in listed.items():
        if n > 1:
            add(Violation("repair_diff", ident, f"listed {n} times in the diff"))
    unchanged = sum(1 for a in plan if a not in listed)
    if diff.unchanged != unchanged:
        add(Violation("repair_diff", "unchanged", f"reported {diff.unchanged}, the plan gives {unchanged}"))
    base = diff.before_plan({a: x.supervisor for a, x in plan.items()})
    if previous is not None:
        if rec.previous_fingerprint != previous.decision.input_fingerprint:
            add(Violation("repair", "previous", "the repair was made from another previous result"))
        before = {x.applicant: (x.supervisor, x.unit) for x in previous.decision.assignments}
        implied = {m.applicant: (m.before, m.before_unit) for m in (*diff.moved, *diff.newly_unplaced, *diff.withdrawn)}
        if base != {a: s for a, (s, _) in before.items()} or any(before.get(a) != v for a, v in implied.items()):
            add(Violation("repair_diff", "previous", "the diff does not lead back to the previous plan"))
    for ident in rec.keep if result.decision.status.has_plan else ():
        if ident not in base or plan.get(ident) is None or plan[ident].supervisor != base[ident]:
            add(Violation("keep", ident, "a hard keep was not kept at the previous supervisor"))


def level_vector(
    problem: Problem,
    t: _Truth,
    plan: dict[str, str],
    *,
    base: Mapping[str, str] | None = None,
    position: float | None = None,
    penalty: float | None = None,
) -> list[tuple[str, str, int]]:
    """Every level the problem's policy asks for, in order: (name, sense, value) for ``plan``
    (applicant id -> supervisor id), recomputed from the records.

    With a ``base`` plan (a repair), level ``moved`` (base applicants still in the round who lose or
    change their placement) is inserted after every level at or before ``position``; or, with
    ``penalty``, level ``total_fit`` becomes ``total_fit_less_moves`` (each move costs ``penalty`` fit).
    """
    levels = _levels(problem, t, plan)
    if base is None:
        return [(name, sense, value) for _, name, sense, value in levels]
    moved = sum(1 for a, s in base.items() if a in t.apps and plan.get(a) != s)
    if penalty is not None:
        cost = round(penalty * _SCALE)
        return [
            ("total_fit_less_moves", sense, value - cost * moved) if name == "total_fit" else (name, sense, value)
            for _, name, sense, value in levels
        ]
    where = position if position is not None else 2.5
    at = sum(1 for pos, *_ in levels if pos <= where)
    levels.insert(at, (where, "moved", "min", moved))
    return [(name, sense, value) for _, name, sense, value in levels]


def _levels(problem: Problem, t: _Truth, plan: dict[str, str]) -> list[tuple[float, str, str, int]]:
    """(position, name, sense, value) of every level of the policy, in order."""
    pol = problem.policy
    apps = t.apps
    where = {a: (t.sups[s].unit, t.units[t.sups[s].unit].municipality) for a, s in plan.items()}
    levels: list[tuple[float, str, str, int]] = []
    tiers = sorted({a.priority_tier for a in problem.applicants if a.priority_tier is not None})
    for k in tiers:
        levels.append((1.0, f"placed_tier_{k}", "max", sum(1 for a in plan if apps[a].priority_tier == k)))
    levels.append((2.0, "placed", "max", len(plan)))
    per_unit = Counter(u for u, _ in where.values())
    per_muni = Counter(m for _, m in where.values())
    if pol.minimums == "soft" and (
        any(u.min_places for u in problem.units) or any(m.min_places for m in problem.municipalities)
    ):
        short = sum(max(0, u.min_places - per_unit[u.id]) for u in problem.units)
        short += sum(max(0, m.min_places - per_muni[m.id]) for m in problem.municipalities)
        levels.append((2.1, "minimum_shortfall", "min", short))
    if pol.targets == "soft" and any(u.target_places for u in problem.units):
        short = sum(max(0, (u.target_places or 0) - per_unit[u.id]) for u in problem.units)
        levels.append((2.2, "target_shortfall", "min", short))
    soft_links = [k for k in problem.links if not k.hard]
    if soft_links:
        broken = sum(
            _link_broken(k.relation, where.get(k.applicants[0]), where.get(k.applicants[1]), hard=False)
            for k in soft_links
        )
        levels.append((2.3, "link_violations", "min", broken))
    offered = {m: o for m, o in _offered(problem).items() if o > 0}
    if pol.balance is not None and pol.balance.mode == "maximin" and len(offered) >= 2:
        fit_m: Counter[str] = Counter()
        for a, s in plan.items():
            fit_m[where[a][1]] += t.points(apps[a], s)
        levels.append(
            (2.4, "lowest_fill_rate_ppm", "max", min(per_muni[m] * 1_000_000 // o for m, o in offered.items()))
        )
        levels.append((2.4, "lowest_fit_per_place", "max", min(fit_m[m] // o for m, o in offered.items())))
    ranks = [t.rank(apps[a], s) for a, s in plan.items()]
    points = [t.points(apps[a], s) for a, s in plan.items()]
    stability = pol.stability
    if stability is not None and (stability.mode != "optimise" or pol.objective == "sex_equal"):
        strict = stability.ties == "lottery"
        own = sum(
            _strict_rank(t, apps[a], s, pol.lottery_seed) if strict else t.rank(apps[a], s) for a, s in plan.items()
        )
        if stability.mode == "applicant_optimal":
            levels.append((3.0, "applicant_rank_sum", "min", own))
        elif stability.mode == "unit_optimal":
            levels.append((3.0, "applicant_rank_sum", "max", own))
        else:
            upos = _unit_positions(problem, t, strict=strict)
            units = sum(upos[(t.sups[s].unit, a)] for a, s in plan.items())
            levels.append((3.0, "rank_sum_gap", "min", abs(own - units)))
    elif pol.objective == "total_fit":
        levels.append((3.0, "total_fit", "max", sum(points)))
    elif pol.objective in ("rank_maximal", "generous", "minimum_regret"):
        max_rank = max((t.rank(a, sid) for a, sid in t.acceptable()), default=0)
        if pol.objective == "rank_maximal":
            levels += [(3.0, f"placed_at_rank_{k}", "max", ranks.count(k)) for k in range(1, max_rank)]
        elif pol.objective == "generous":
            levels += [(3.0, f"placed_at_rank_{k}", "min", ranks.count(k)) for k in range(max_rank, 1, -1)]
        else:
            levels.append((3.0, "worst_rank", "min", max(ranks, default=0)))
    elif pol.objective == "egalitarian":
        levels.append((3.0, "rank_sum", "min", sum(ranks)))
    else:  # leximin
        values = sorted({t.points(a, sid) for a, sid in t.acceptable()})
        levels += [(3.0, f"placed_at_fit_{v}", "min", points.count(v)) for v in values[:-1]]
    levels.append((4.0, "lottery", "max", sum(pair_draw(pol.lottery_seed, a, s) for a, s in plan.items())))
    return levels


def _check_objective(problem: Problem, result: Result, out: list[Violation], t: _Truth) -> None:
    d = result.decision
    plan = {x.applicant: x.supervisor for x in d.assignments if x.applicant in t.apps and x.supervisor in t.sups}
    rec = d.repair
    if rec is None:
        expected = level_vector(problem, t, plan)
    else:
        base = rec.diff.before_plan(plan)
        expected = level_vector(problem, t, plan, base=base, position=rec.position, penalty=rec.penalty)
    truth = {name: value for name, _, value in expected}
    names = [lv.name for lv in d.objective]
    if names != [name for name, _, _ in expected] or [lv.sense for lv in d.objective] != [
        sense for _, sense, _ in expected
    ]:
        out.append(Violation("objective_levels", "objective", f"levels {names}, expected {list(truth)}"))
        return
    if not d.status.has_plan:
        for lv in d.objective:
            if lv.value is not None:
                out.append(Violation("objective", lv.name, "a result without a plan reports a value"))
        return
    for lv in d.objective:
        if lv.value != truth[lv.name]:
            out.append(Violation("objective", lv.name, f"reported {lv.value}, recomputed {truth[lv.name]}"))
    if d.status is Status.OPTIMAL:
        for st in result.statistics.stages:
            if st.status != "optimal":
                out.append(Violation("status", "optimal", f"stage {st.levels} ended {st.status}"))


def _strict_rank(t: _Truth, a: Applicant, sup_id: str, seed: int) -> int:
    """The applicant's rank of ``sup_id`` with ties broken by the pair's lottery draw (higher first)."""

    def key(sid: str) -> tuple[int, int]:
        return (t.rank(a, sid), -pair_draw(seed, a.id, sid))

    mine = key(sup_id)
    return 1 + sum(1 for sid in t.options(a.id) if key(sid) < mine)


def _unit_key(
    problem: Problem, upref: dict[tuple[str, str], int], unit_id: str, a_id: str, *, strict: bool
) -> tuple[int, int, str]:
    """A unit's sort key of an applicant (smaller is preferred); ``strict`` breaks ties by lottery."""
    if not strict:
        return (upref[(unit_id, a_id)], 0, "")
    draw = pair_draw((problem.policy.lottery_seed + _UNIT_DRAW_OFFSET) % 2**64, a_id, unit_id)
    return (upref[(unit_id, a_id)], -draw, a_id)


def _unit_positions(problem: Problem, t: _Truth, *, strict: bool) -> dict[tuple[str, str], int]:
    """Each unit's rank of each applicant acceptable there: the position in its (strict) order, or,
    with ties kept, its own rank."""
    upref = _unit_preference(problem, t)
    if not strict:
        return upref
    by_unit: dict[str, list[str]] = {}
    for unit_id, a_id in upref:
        by_unit.setdefault(unit_id, []).append(a_id)
    out: dict[tuple[str, str], int] = {}
    for unit_id, members in by_unit.items():
        ordered = sorted(members, key=lambda a_id: _unit_key(problem, upref, unit_id, a_id, strict=True))
        out.update({(unit_id, a_id): i + 1 for i, a_id in enumerate(ordered)})
    return out


def _unit_preference(problem: Problem, t: _Truth) -> dict[tuple[str, str], int]:
    """Each unit's rank of each applicant acceptable there, recomputed from the records."""
    out: dict[tuple[str, str], int] = {}
    by_unit: dict[str, set[str]] = {}
    for a, sid in t.acceptable():
        by_unit.setdefault(t.sups[sid].unit, set()).add(a.id)
    for unit_id, members in by_unit.items():
        unit = t.units[unit_id]
        if unit.ranking is not None:
            for a_id in members:
                out[(unit_id, a_id)] = unit.ranking[a_id]
        elif problem.policy.unit_preferences == "indifferent":
            for a_id in members:
                out[(unit_id, a_id)] = 1
        else:
            values = {a_id: t.interview(t.apps[a_id], unit_id) for a_id in members}
            known = sorted({v for v in values.values() if v is not None}, reverse=True)
            for a_id, v in values.items():
                out[(unit_id, a_id)] = known.index(v) + 1 if v is not None else len(known) + 1
    return out


def stability_audit(problem: Problem, plan: Mapping[str, str], *, strict: bool = False) -> list[tuple[str, str, str]]:
    """Every blocking pair of ``plan`` as (applicant, supervisor, case), from the raw records.

    The reference definition (see :mod:`matchmaker.blocking`), written independently of the
    solver's arrays: acceptability, both sides' rankings and, with ``strict``, the seeded tie-breaks
    are recomputed here.
    """
    t = _Truth(problem)
    seed = problem.policy.lottery_seed
    upref = _unit_preference(problem, t)
    pinned = {pin.applicant for pin in problem.pins}

    def akey(a: Applicant, sid: str) -> tuple[int, int]:
        return (t.rank(a, sid), -pair_draw(seed, a.id, sid) if strict else 0)

    def ukey(unit_id: str, a_id: str) -> tuple[int, int, str]:
        return _unit_key(problem, upref, unit_id, a_id, strict=strict)

    per_sup = Counter(plan.values())
    per_unit = Counter(t.sups[s].unit for s in plan.values())
    per_muni = Counter(t.units[t.sups[s].unit].municipality for s in plan.values())
    # The applicant each unit (each supervisor) likes least among its placed, movable applicants.
    worst_u: dict[str, tuple[int, int, str]] = {}
    worst_s: dict[str, tuple[int, int, str]] = {}
    for b, bs in plan.items():
        if b in pinned:
            continue
        unit_id = t.sups[bs].unit
        key = ukey(unit_id, b)
        worst_u[unit_id] = max(worst_u.get(unit_id, key), key)
        worst_s[bs] = max(worst_s.get(bs, key), key)
    out = []
    for a, sid in t.acceptable():
        if a.id in pinned or plan.get(a.id) == sid:
            continue
        cur = plan.get(a.id)
        if cur is not None and not akey(a, sid) < akey(a, cur):
            continue
        s = t.sups[sid]
        u = t.units[s.unit]
        m = t.munis[u.municipality]
        cur_unit = t.sups[cur].unit if cur is not None else None
        cur_muni = t.units[cur_unit].municipality if cur_unit is not None else None
        s_room = per_sup[sid] < s.capacity
        u_room = per_unit[u.id] < u.max_places
        m_room = m.max_places is None or per_muni[m.id] < m.max_places
        mine = ukey(u.id, a.id)
        if s_room and u_room and (m_room or cur_muni == m.id):
            out.append((a.id, sid, "undersubscribed"))
        elif s_room and not u_room and (cur_unit == u.id or (u.id in worst_u and worst_u[u.id] > mine)):
            out.append((a.id, sid, "unit_full"))
        elif not s_room and sid in worst_s and worst_s[sid] > mine:
            out.append((a.id, sid, "supervisor_full"))
    return sorted(out)
