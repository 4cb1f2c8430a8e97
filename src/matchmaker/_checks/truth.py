"""The raw problem's truth in plain Python, computed from scratch: acceptability, fit, ranks and loads.

Shares no code with scoring or model building (the checker's independence rests on it).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from fractions import Fraction
from functools import cached_property

import numpy as np
import numpy.typing as npt

from matchmaker._checks.arrays import IntArray, PairTable, sorted_unique
from matchmaker._i18n import Message, msg
from matchmaker._models import Adjustment, Applicant, Commitment, Period, Problem

__all__ = [
    "LOAD_SCALE",
    "RULE_WORDS",
    "SCALE",
    "UNIT_DRAW_OFFSET",
    "Truth",
    "link_broken",
    "norm",
    "offered_by_municipality",
]


SCALE = 10_000  # fit points per unit of fit, as documented in the README


UNIT_DRAW_OFFSET = 0x9E3779B97F4A7C15  # the units' tie-break draws use seed + this (README, Stability)


LOAD_SCALE = 1_000  # load points per unit of load, as documented in the README


_TRAINING = {"none": 0, "in_progress": 1, "completed": 2}


_NEEDED = {"any": 0, "in_progress": 1, "completed": 2}


#: The checker's own words for each broken rule (its messages are in English).
RULE_WORDS: dict[str, Message] = {
    "no_interest": msg("not among the applicant's wishes"),
    "requirement": msg("the unit's requirements are not met"),
    "conflict": msg("a declared conflict forbids it"),
    "training": msg("the supervisor lacks the required training"),
    "no_capacity": msg("there is no capacity"),
    "unit_ranking": msg("the unit's own ranking does not list the applicant"),
    "availability": msg("the supervisor is unavailable in the applicant's period"),
}


_NONE: frozenset[str] = frozenset()  # the qualifications of an applicant who states none


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class Truth:
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
        self._adjustments: dict[str, list[Adjustment]] | None = None
        self._fits: dict[tuple[str, str], float] = {}
        self._last_fits: tuple[IntArray, IntArray, npt.NDArray[np.float64]] | None = None
        self.periods = {q.id: q for q in problem.round.periods} if problem.round is not None else {}

    def period(self, a: Applicant) -> Period | None:
        """The applicant's period: their own, else their university's, else the round's default."""
        if not self.periods:  # a round without dates
            return None
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

    def refusal(self, a: Applicant, sup_id: str) -> Message | None:
        """Why the pair is not acceptable, or None if it is."""
        first = self._rules(a, sup_id, first=True)
        return RULE_WORDS[first[0]] if first else None

    def broken_rules(self, a: Applicant, sup_id: str) -> list[str]:
        """Every rule the pair breaks, as :data:`matchmaker._rules.REASONS` codes in the rules' order
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
        have = {norm(q) for q in a.qualifications}
        if any(norm(r) not in have for r in u.requirements):
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

    @cached_property
    def table(self) -> PairTable:
        """The round's candidate pairs as arrays: rank and acceptability of each (:mod:`.arrays`)."""
        p = self.p
        trained = _NEEDED[p.policy.supervisor_training]
        return PairTable(
            p,
            app_periods=[q.id if (q := self.period(a)) is not None else None for a in p.applicants],
            app_quals=[
                frozenset(norm(q) for q in a.qualifications) if a.qualifications else _NONE for a in p.applicants
            ],
            unit_reqs=[frozenset(norm(r) for r in u.requirements) for u in p.units],
            sup_blocked=[
                _TRAINING[str(s.training)] < trained
                or s.capacity <= 0
                or self.units[s.unit].max_places <= 0
                or self.munis[self.units[s.unit].municipality].max_places == 0
                for s in p.supervisors
            ],
        )

    def options(self, applicant_id: str) -> list[str]:
        """The supervisors acceptable for one applicant."""
        i = self.table.app_index.get(applicant_id)
        return [] if i is None else self.table.options(i)

    def acceptable(self) -> list[tuple[Applicant, str]]:
        """Every acceptable (applicant, supervisor id) pair."""
        if self._acceptable is None:
            tb = self.table
            apps, sups = self.p.applicants, tb.sup_ids
            ok = tb.ok
            self._acceptable = [
                (apps[i], sups[j]) for i, j in zip(tb.app[ok].tolist(), tb.sup[ok].tolist(), strict=True)
            ]
        return self._acceptable

    def interviews(self, app: IntArray, unit: IntArray) -> npt.NDArray[np.float64]:
        """:meth:`interview` of each (applicant index, unit index) pair, NaN where there is none.

        The same arithmetic in the same order, element by element: per criterion, the mean of the
        unit's own scores (else the general ones), summed in the scores' order; weighted over criteria.
        """
        tb = self.table
        sa, sk, su, sv = self._scores
        num = np.zeros(len(app))
        den = np.zeros(len(app))
        width = tb.n_unit + 2
        for k, c in enumerate(self.p.criteria):
            if c.weight == 0:
                continue
            mine = sk == k
            # per (applicant, unit or -1 for the general scores): the sum in the scores' order, the count
            key = sa[mine] * width + (su[mine] + 2)
            keys = sorted_unique(key)
            at = np.searchsorted(keys, key)
            total = np.zeros(len(keys))
            np.add.at(total, at, sv[mine])
            count = np.bincount(at, minlength=len(keys))
            mean = total / np.maximum(count, 1)
            value = np.full(len(app), np.nan)
            for want in (app * width + 1, app * width + (unit + 2)):  # the general scores, then the unit's own
                pos = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
                hit = (keys[pos] == want) if len(keys) else np.zeros(len(app), bool)
                value[hit] = mean[pos[hit]]
            has = ~np.isnan(value)
            num[has] += c.weight * value[has]
            den[has] += c.weight
        out = np.full(len(app), np.nan)
        np.divide(num, den, out=out, where=den > 0)
        return out

    @cached_property
    def _scores(self) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.float64]]:
        """Every interview score as arrays: applicant index, criterion index, unit index (-1 for a
        general score, -2 for a unit the round lacks) and the normalised value."""
        tb = self.table
        crit = {c.id: k for k, c in enumerate(self.p.criteria)}
        s_app: list[int] = []
        s_crit: list[int] = []
        s_unit: list[int] = []
        s_val: list[float] = []
        criteria = self.p.criteria
        unit_index = tb.unit_index
        for i, a in enumerate(self.p.applicants):
            for sc in a.interview:
                k = crit.get(sc.criterion)
                if k is None:
                    continue
                c = criteria[k]
                lo = c.scale_min if sc.scale_min is None else sc.scale_min
                hi = c.scale_max if sc.scale_max is None else sc.scale_max
                s_app.append(i)
                s_crit.append(k)
                s_unit.append(-1 if sc.unit is None else unit_index.get(sc.unit, -2))
                s_val.append((sc.score - lo) / (hi - lo))
        return (
            np.array(s_app, np.int64),
            np.array(s_crit, np.int64),
            np.array(s_unit, np.int64),
            np.array(s_val, np.float64),
        )

    # -- fit -----------------------------------------------------------------------------------------
    def interest(self, a: Applicant, sup_id: str) -> float:
        w = self.wish(a, sup_id)
        if w is None or (a.interests is not None and w <= 0):
            return 0.0  # a pinned place the applicant did not list
        if a.ranking is not None:
            k = max([*a.ranking.areas.values(), *a.ranking.units.values(), *a.ranking.supervisors.values()])
            return (k - int(w) + 1) / k
        return float(w)

    def interview(self, a: Applicant, unit_id: str | None) -> float | None:
        """The applicant's interview value for the unit (``None``: the general scores only)."""
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
            tb = self.table
            # each (unit, applicant) once, then spread over its pairs: the same value for each pair
            keys, pos = tb.unit_pairs
            values = self.interviews(keys % max(tb.n_app, 1), keys // max(tb.n_app, 1))[pos]
            # summed one by one in the pairs' order, as a plain Python loop over them would
            known = values[~np.isnan(values)].tolist()
            self._cohort = sum(known) / len(known) if known else 0.5
        return self._cohort

    def fit(self, a: Applicant, sup_id: str) -> float:
        """The pair's fit, as documented: interest and interview weighted, plus adjustments and
        continuity (computed once per pair: the checker asks for a placement's fit twice)."""
        known = self._fits.get((a.id, sup_id))
        if known is None:
            known = self._fits[(a.id, sup_id)] = self._fit(a, sup_id)
        return known

    def fits(self, app: IntArray, sup: IntArray) -> npt.NDArray[np.float64]:
        """:meth:`fit` of each (applicant index, supervisor index) pair, the same arithmetic element by
        element; an applicant with adjustments or a step-1 placement goes through :meth:`fit`."""
        last = self._last_fits
        if last is not None and last[0] is app and last[1] is sup:  # the same plan's (read-only) indices
            return last[2]
        out = self._fits_of(app, sup)
        if not app.flags.writeable and not sup.flags.writeable:
            out.flags.writeable = False
            self._last_fits = (app, sup, out)
        return out

    def _fits_of(self, app: IntArray, sup: IntArray) -> npt.NDArray[np.float64]:
        tb = self.table
        pol = self.p.policy
        key = app * tb.n_sup + sup
        at = np.minimum(np.searchsorted(tb.key, key), max(len(tb.key) - 1, 0))
        w = tb.wish[at] if len(tb.key) else np.zeros(len(key))
        w = np.where((tb.key[at] == key) if len(tb.key) else np.zeros(len(key), bool), w, np.nan)
        listed = ~np.isnan(w)
        apps = self.p.applicants
        ranked = np.array([a.ranking is not None for a in apps], bool)[app]
        weighs = np.array([a.interests is not None for a in apps], bool)[app]
        interest = np.zeros(len(key))
        by_rank = listed & ranked & ~(weighs & (w <= 0))
        k = tb.top_rank[app[by_rank]]
        interest[by_rank] = (k - w[by_rank].astype(np.int64) + 1) / k
        by_weight = listed & ~ranked & (w > 0)  # a weight of 0 or less counts 0 (only a pin places it)
        interest[by_weight] = w[by_weight]
        iv = self.interviews(app, tb.sup_unit[sup])
        missing = np.isnan(iv)
        if missing.any():
            fill = {"neutral": 0.5, "zero": 0.0}.get(pol.missing_interview)
            iv[missing] = self.cohort_mean() if fill is None else fill
        wi, wv = pol.interest_weight, pol.interview_weight
        out: npt.NDArray[np.float64] = (wi * interest + wv * iv) / (wi + wv)
        adjusted = {adj.applicant for adj in self.p.adjustments}
        special = np.array([a.id in adjusted or a.previous_unit is not None for a in apps], bool)[app]
        for i in np.flatnonzero(special).tolist():
            out[i] = self.fit(apps[int(app[i])], tb.sup_ids[int(sup[i])])
        return out

    def _fit(self, a: Applicant, sup_id: str) -> float:
        pol = self.p.policy
        unit_id = self.sups[sup_id].unit
        iv = self.interview(a, unit_id)
        if iv is None:
            iv = {"neutral": 0.5, "zero": 0.0}.get(pol.missing_interview)
            if iv is None:
                iv = self.cohort_mean()
        adjust = 0.0
        if self._adjustments is None:
            self._adjustments = {}
            for adj in self.p.adjustments:
                self._adjustments.setdefault(adj.applicant, []).append(adj)
        for adj in self._adjustments.get(a.id, ()):
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
        per_step = {1: pol.load_step_1, 2: pol.load_step_2, 3: pol.load_step_3}
        per_student = round(per_step[self.p.round.step if self.p.round is not None else 1] * LOAD_SCALE)
        out: list[tuple[str, dt.date, int, int]] = []
        if all(s.load_limit is None for s in self.p.supervisors):
            return out  # no limit to exceed
        students: dict[str, list[str]] = {}
        for a, sid in plan.items():
            students.setdefault(sid, []).append(a)
        commitments: dict[str, list[Commitment]] = {}
        for c in self.p.commitments:
            commitments.setdefault(c.supervisor, []).append(c)
        for s in self.p.supervisors:
            if s.load_limit is None:
                continue
            entries: list[tuple[dt.date, dt.date, int]] = []
            for a in students.get(s.id, ()):
                q = self.period(self.apps[a])
                entries.append((dt.date.min, dt.date.max, per_student) if q is None else (q.start, q.end, per_student))
            for c in commitments.get(s.id, ()):
                load = c.load if c.load is not None else per_step[c.step]
                end: dt.date | None = c.end
                if c.applicant is not None and c.applicant in self.apps:
                    # The student is in this round, which decides where they are from their period's
                    # first day (from the start, without dates): the old placement ends the day before.
                    q = self.period(self.apps[c.applicant])
                    end = None if q is None or q.start <= c.start else min(c.end, q.start - dt.timedelta(days=1))
                if end is not None and c.start <= end:
                    entries.append((c.start, end, round(load * LOAD_SCALE)))
            limit = round(s.load_limit * LOAD_SCALE)
            for day in sorted({start for start, _, _ in entries}):
                total = sum(pts for start, end, pts in entries if start <= day <= end)
                if total > limit:
                    out.append((s.id, day, total, limit))
                    break
        return out

    def points(self, a: Applicant, sup_id: str) -> int:
        """The pair's fit in points, as documented: round half to even of fit x 10,000."""
        return round(self.fit(a, sup_id) * SCALE)

    # -- pair weights (read from the records here, apart from scoring) -------------------------------
    @cached_property
    def _weights(self) -> dict[tuple[str, str, str], Fraction]:
        table = self.p.pair_weights
        columns = table.columns if table is not None else None
        if columns is not None:  # a table read from columns: its rows as they were read
            return {
                (a, "s" if s is not None else "u", s or u or ""): Fraction(w)
                for a, s, u, w in zip(columns.applicant, columns.supervisor, columns.unit, columns.weight, strict=True)
            }
        rows = table.rows if table is not None else ()
        return {
            (r.applicant, "s" if r.supervisor is not None else "u", r.supervisor or r.unit or ""): Fraction(
                str(r.weight)
            )
            for r in rows
        }

    def weight(self, a: Applicant, sup_id: str) -> Fraction | None:
        """The score the caller's system gave the pair: the supervisor's row, else the unit's, else None."""
        own = self._weights.get((a.id, "s", sup_id))
        return own if own is not None else self._weights.get((a.id, "u", self.sups[sup_id].unit))

    def value(self, a: Applicant, sup_id: str) -> int:
        """What the fit levels sum for the pair, in points: the fit points without pair weights; with
        them, the weight (``replace``, 0 without one) or fit plus weight (``add``), at
        :meth:`value_scale` points per unit."""
        table = self.p.pair_weights
        if table is None:
            return self.points(a, sup_id)
        scale = self.value_scale()
        w = self.weight(a, sup_id) or Fraction(0)
        total = w * scale
        if self.p.policy.pair_weights == "add":
            total += Fraction(self.points(a, sup_id), SCALE) * scale
        if total.denominator != 1:
            raise ValueError(f"pair weight of {a.id!r} at {sup_id!r} is not a whole number of points")
        return int(total)

    def value_scale(self) -> int:
        """Points per unit of a pair's value: 10,000 for fit, the table's scale for weights that replace
        it, the larger of the two for weights added to it."""
        table = self.p.pair_weights
        if table is None:
            return SCALE
        return table.scale if self.p.policy.pair_weights == "replace" else max(SCALE, table.scale)

    def rank(self, a: Applicant, sup_id: str) -> int:
        """The applicant's rank of the supervisor (1 = first; a pair not wished ranks below every wish)."""
        tb = self.table
        return int(tb.rank_of(np.array([tb.app_index[a.id]]), np.array([tb.sup_index[sup_id]]))[0])

    def ranks(self, plan: Mapping[str, str]) -> list[int]:
        """:meth:`rank` of every pair of ``plan`` (applicant id -> supervisor id), in its order."""
        tb = self.table
        return tb.rank_of(*tb.indices(list(plan.items()))).tolist()  # type: ignore[no-any-return]


def offered_by_municipality(problem: Problem) -> dict[str, int]:
    out = {}
    for m in problem.municipalities:
        units = sum(u.max_places for u in problem.units if u.municipality == m.id)
        out[m.id] = units if m.max_places is None else min(m.max_places, units)
    return out


def link_broken(relation: str, a: tuple[str, str] | None, b: tuple[str, str] | None, hard: bool) -> bool:
    if relation == "apart":
        return a is not None and b is not None and a[0] == b[0]
    k = 0 if relation == "same_unit" else 1
    if hard and a is None and b is None:
        return False
    return a is None or b is None or a[k] != b[k]
