"""The independent checker: verifies any result against the raw problem, whoever produced it.

:func:`check` shares no code with scoring or model building. It re-derives from the problem's records,
in plain Python, which pairs are acceptable, every capacity at every level, the pins, the fit of each
placement and every level of the objective vector, and compares them with the result. It cannot prove
optimality (that would need a solver); it proves that the plan is valid and that every number the
result reports is true.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from matchmaker.errors import MatchmakerError
from matchmaker.lottery import pair_draw
from matchmaker.models import Applicant, Problem
from matchmaker.result import Result, Status, UnplacedReason

__all__ = ["CheckReport", "Violation", "check"]

_SCALE = 10_000  # fit points per unit of fit, as documented in the README
_TRAINING = {"none": 0, "in_progress": 1, "completed": 2}
_NEEDED = {"any": 0, "in_progress": 1, "completed": 2}


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
        s = self.sups[sup_id]
        u = self.units[s.unit]
        m = self.munis[u.municipality]
        if not (self.wished(a, sup_id) or self.pinned_here(a, sup_id)):
            return "not among the applicant's wishes"
        have = {_key(q) for q in a.qualifications}
        if any(_key(r) not in have for r in u.requirements):
            return "the unit's requirements are not met"
        if s.unit in a.conflicts.units or sup_id in a.conflicts.supervisors:
            return "a declared conflict forbids it"
        if _TRAINING[str(s.training)] < _NEEDED[self.p.policy.supervisor_training]:
            return "the supervisor lacks the required training"
        if s.capacity <= 0 or u.max_places <= 0 or m.max_places == 0:
            return "there is no capacity"
        return None

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
        return (wi * self.interest(a, sup_id) + wv * iv) / (wi + wv) + adjust

    def rank(self, a: Applicant, sup_id: str) -> int:
        wished = [sid for sid in self.sups if self.wished(a, sid)]
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


def check(problem: Problem, result: Result) -> CheckReport:
    """Verify ``result`` against ``problem``; returns every violation found (empty if valid).

    Checked: the input fingerprint; every placed applicant and supervisor exists and the unit and
    municipality are the supervisor's; each applicant appears exactly once (placed or unplaced);
    every placement is acceptable (wishes, requirements, conflicts, training, capacity); supervisor,
    unit and municipality maximums and minimums; pins; each placement's fit and rank; each unplaced
    reason; and every objective level recomputed from the raw inputs.
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
    total_points = 0
    lottery_total = 0
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
        total_points += x.fit_points
        lottery_total += pair_draw(problem.policy.lottery_seed, a.id, s.id)

    if d.status.has_plan:
        for s in problem.supervisors:
            if per_sup[s.id] > s.capacity:
                add(Violation("supervisor_capacity", s.id, f"{per_sup[s.id]} students, capacity {s.capacity}"))
        for u in problem.units:
            if per_unit[u.id] > u.max_places:
                add(Violation("unit_max", u.id, f"{per_unit[u.id]} students, maximum {u.max_places}"))
            if per_unit[u.id] < u.min_places:
                add(Violation("unit_min", u.id, f"{per_unit[u.id]} students, minimum {u.min_places}"))
        for m in problem.municipalities:
            if m.max_places is not None and per_muni[m.id] > m.max_places:
                add(Violation("municipality_max", m.id, f"{per_muni[m.id]} students, maximum {m.max_places}"))
            if per_muni[m.id] < m.min_places:
                add(Violation("municipality_min", m.id, f"{per_muni[m.id]} students, minimum {m.min_places}"))
        placements = {x.applicant: x for x in d.assignments}
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

    _check_objective(problem, result, out, t, total_points, lottery_total)
    return CheckReport(tuple(out))


def _check_objective(
    problem: Problem,
    result: Result,
    out: list[Violation],
    t: _Truth,
    total_points: int,
    lottery_total: int,
) -> None:
    d = result.decision
    tiers = sorted({a.priority_tier for a in problem.applicants if a.priority_tier is not None})
    expected_names = [f"placed_tier_{k}" for k in tiers] + ["placed", problem.policy.objective, "lottery"]
    names = [lv.name for lv in d.objective]
    if names != expected_names:
        out.append(Violation("objective_levels", "objective", f"levels {names}, expected {expected_names}"))
        return
    if not d.status.has_plan:
        for lv in d.objective:
            if lv.value is not None:
                out.append(Violation("objective", lv.name, "a result without a plan reports a value"))
        return
    placed_by_tier: dict[int, int] = defaultdict(int)
    for x in d.assignments:
        a = t.apps.get(x.applicant)
        if a is not None and a.priority_tier is not None:
            placed_by_tier[a.priority_tier] += 1
    truth: dict[str, int] = {f"placed_tier_{k}": placed_by_tier[k] for k in tiers}
    truth["placed"] = len(d.assignments)
    truth["total_fit"] = total_points
    truth["lottery"] = lottery_total
    for lv in d.objective:
        if lv.value != truth[lv.name]:
            out.append(Violation("objective", lv.name, f"reported {lv.value}, recomputed {truth[lv.name]}"))
    if d.status is Status.OPTIMAL:
        for st in result.statistics.stages:
            if st.status != "optimal":
                out.append(Violation("status", "optimal", f"stage {st.levels} ended {st.status}"))
