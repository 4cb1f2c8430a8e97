"""The checker's Truth as it was before the pair arrays: the methods that changed, in their plain-Python form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from matchmaker.checks import truth
from matchmaker.checks.truth import LOAD_SCALE
from matchmaker.models import Applicant, Problem

__all__ = ["Truth"]


class Truth(truth.Truth):
    """:class:`matchmaker.checks.Truth` with its earlier acceptable pairs, options, cohort mean, loads and ranks."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self._options: dict[str, list[str]] | None = None
        self._wished: dict[str, list[str]] = {}

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

    def load_violations(self, plan: Mapping[str, str]) -> list[tuple[str, dt.date, int, int]]:
        """(supervisor, date, load, limit) in points wherever a supervisor's load exceeds their limit."""
        pol = self.p.policy
        step = self.p.round.step if self.p.round is not None else 1
        per_student = round((pol.load_step_1 if step == 1 else pol.load_step_2) * LOAD_SCALE)
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
                    entries.append((c.start, c.end, round(load * LOAD_SCALE)))
            limit = round(s.load_limit * LOAD_SCALE)
            for day in sorted({start for start, _, _ in entries}):
                total = sum(pts for start, end, pts in entries if start <= day <= end)
                if total > limit:
                    out.append((s.id, day, total, limit))
                    break
        return out

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
