"""Supervisor load over time: at every date, a supervisor's load stays within their ``load_limit``.

This round's students each bring the load of the round's step (``policy.load_step_1``,
``load_step_2`` or ``load_step_3``) over their period; commitments (placements of other rounds that
still run) bring theirs, a commitment of a student of this round only before that student's period
starts (:func:`matchmaker._timeline.commitment_span`: never on top of the student's new place). The
load can only peak on the first day of a period or commitment (:mod:`matchmaker._timeline`), so one
row per such day models overlapping periods exactly: the pairs whose period contains the day,
weighted by the step's load, sum to at most the limit less the commitments running that day. Every
student of the round has the same load, so the row is written in heads: at most ``floor(room / load)``
of those pairs (exact for 0/1 variables, and with coefficients 1 the certified LP can prove more
stages). Rows implied by another row of the same supervisor (a subset of its pairs with no smaller
bound) and rows that the supervisor's capacity already enforces are left out.

Overlapping days of one supervisor can still make a stage's LP fractional; such a stage is solved
exactly by CP-SAT instead (slower, still exact).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchmaker._pieces.constraints import pairs_by
from matchmaker._timeline import commitment_load, load_points, peak_dates, span_of

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._models import Problem

__all__ = ["SupervisorLoad"]


class SupervisorLoad:
    """Each supervisor's load stays within their ``load_limit`` at every date (one group per supervisor)."""

    name = "supervisor_load"

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One row per date at which the supervisor's load may peak, where it can bind."""
        sc = builder.scores
        enc = sc.encoding
        weight = load_points(problem.policy.load_of(problem.step))
        if weight == 0:
            return  # students of this step take none of a supervisor's week
        if all(s.load_limit is None for s in problem.supervisors):
            return  # no limit to keep (the spans below cost a look-up per applicant)
        span = {a: span_of(problem.period_of[ident]) for a, ident in enumerate(enc.applicant_ids)}
        for s, pairs in enumerate(pairs_by(sc.supervisor.astype(np.int64), enc.n_supervisors)):
            ident = enc.supervisor_ids[s]
            limit_value = problem.supervisor_by_id[ident].load_limit
            if limit_value is None or pairs.size == 0:
                continue
            limit = load_points(limit_value)
            capacity = int(enc.supervisor_capacity[s])
            commitments = commitment_load(problem, ident)
            spans = [span[int(a)] for a in sc.applicant[pairs].tolist()]
            rows: list[tuple[frozenset[int], int]] = []
            for day in peak_dates([*spans, *(c for c, _ in commitments)]):
                active = frozenset(int(p) for p, sp in zip(pairs.tolist(), spans, strict=True) if sp.contains(day))
                room = limit - sum(pts for c, pts in commitments if c.contains(day))
                heads = max(room, 0) // weight  # students of this round that fit on that day
                if active and min(len(active), capacity) > heads:
                    rows.append((active, heads))
            # A row is implied by another whose pairs include its own and whose bound is no larger.
            kept = [
                (act, room)
                for i, (act, room) in enumerate(rows)
                if not any(
                    j != i and act <= other and other_room <= room and (act != other or other_room < room or j < i)
                    for j, (other, other_room) in enumerate(rows)
                )
            ]
            if not kept:
                continue
            # The supervisor's load stays within their limit on every day their students' periods overlap.
            group = builder.add_group(
                "supervisor_load",
                ident,
                f"supervisor {ident!r} carries a load of at most {limit_value:g} a week at any time",
            )
            for act, heads in kept:
                builder.add_row(group, np.array(sorted(act), dtype=np.int64), 1, 0, heads)
