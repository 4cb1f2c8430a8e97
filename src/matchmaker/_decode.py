"""Decoding: the engine's variable values become a :class:`~matchmaker._result.Decision`."""

from __future__ import annotations

import numpy as np

from matchmaker._blocking import count_blocking_at
from matchmaker._gc import pausing
from matchmaker._linear import LinearModel
from matchmaker._metrics import compute_metrics
from matchmaker._models import Problem
from matchmaker._result import Assignment, Decision, LevelValue, Status, Unplaced, UnplacedReason
from matchmaker._rules import REASONS
from matchmaker._scoring import FIT_SCALE, REMOVAL_RULES, Scores
from matchmaker._text import plural
from matchmaker._types import IntArray

__all__ = ["decode", "no_option_detail"]


def no_option_detail(scores: Scores, a: int) -> str:
    """Why applicant index ``a`` has no acceptable option, in one sentence."""
    wished = int(scores.wished[a])
    if wished == 0:
        return "no acceptable option: no wishes were given (no positive interest and no ranked option)"
    parts = [
        f"{int(n)} by rule '{rule}' ({REASONS[rule]})"
        for rule, n in zip(REMOVAL_RULES, scores.removed[a].tolist(), strict=True)
        if n
    ]
    return f"no acceptable option: all {plural(wished, 'wished placement')} were removed: " + "; ".join(parts)


@pausing
def decode(
    problem: Problem,
    model: LinearModel,
    status: Status,
    values: IntArray | None,
    message: str | None = None,
) -> Decision:
    """The decision for ``values`` (all model variables) under ``status``."""
    scores = model.scores
    enc = scores.encoding
    assignments: list[Assignment] = []
    placed = np.zeros(enc.n_applicants, dtype=bool)
    chosen = np.zeros(0, dtype=np.int64)
    if values is not None and status.has_plan:
        # Column by column over the chosen pairs, then one record per placement.
        chosen = np.flatnonzero(values[: scores.n_pairs] == 1)
        c_app = scores.applicant[chosen]
        c_sup = scores.supervisor[chosen]
        c_unit = enc.supervisor_unit[c_sup]
        placed[c_app] = True
        app_ids, sup_ids, unit_ids, muni_ids = enc.applicant_ids, enc.supervisor_ids, enc.unit_ids, enc.municipality_ids
        assignments = [
            Assignment(
                applicant=app_ids[a],
                supervisor=sup_ids[s],
                unit=unit_ids[u],
                municipality=muni_ids[m],
                fit=pts / FIT_SCALE,
                fit_points=pts,
                rank=rank,
                continuity=continuity,
            )
            for a, s, u, m, pts, rank, continuity in zip(
                c_app.tolist(),
                c_sup.tolist(),
                c_unit.tolist(),
                enc.unit_municipality[c_unit].tolist(),
                scores.fit_points[chosen].tolist(),
                scores.rank[chosen].tolist(),
                scores.continuity[chosen].tolist(),
                strict=True,
            )
        ]
    sups_of = np.bincount(scores.applicant, minlength=enc.n_applicants)
    has_pairs = sups_of > 0
    # distinct units per unplaced applicant, from the distinct (applicant, unit) keys of their pairs
    n_units_all = max(1, len(enc.unit_ids))
    open_pairs = ~placed[scores.applicant]
    keys = np.unique(
        scores.applicant[open_pairs].astype(np.int64) * n_units_all + enc.supervisor_unit[scores.supervisor[open_pairs]]
    )
    units_of = np.bincount(keys // n_units_all, minlength=enc.n_applicants)
    unplaced: list[Unplaced] = []
    for a in np.flatnonzero(~placed).tolist():
        ident = enc.applicant_ids[a]
        if not status.has_plan:
            why = "the problem is infeasible" if status is Status.INFEASIBLE else "no plan was found in time"
            unplaced.append(Unplaced(applicant=ident, reason=UnplacedReason.NO_PLAN, detail=why))
        elif not has_pairs[a]:
            unplaced.append(
                Unplaced(
                    applicant=ident,
                    reason=UnplacedReason.NO_ACCEPTABLE_OPTION,
                    detail=no_option_detail(scores, a),
                )
            )
        else:
            n_sup = int(sups_of[a])
            n_unit = int(units_of[a])
            unplaced.append(
                Unplaced(
                    applicant=ident,
                    reason=UnplacedReason.NOT_SELECTED,
                    detail=f"acceptable with {plural(n_sup, 'supervisor')} in {plural(n_unit, 'unit')}, "
                    "but the plan gives those places to other applicants",
                )
            )
    objective = tuple(
        LevelValue(
            name=lv.name,
            sense=lv.sense,
            value=lv.value(values) if values is not None and status.has_plan else None,
        )
        for lv in model.levels
    )
    metrics = compute_metrics(
        problem, [(x.unit, x.municipality, x.supervisor, x.fit_points, x.rank) for x in assignments]
    )
    if status.has_plan:
        stability = problem.policy.stability
        strict = stability is not None and stability.ties == "lottery"
        at = np.zeros(scores.n_pairs, dtype=bool)
        at[chosen] = True
        count = count_blocking_at(problem, scores, at, strict=strict)
        metrics = metrics.model_copy(update={"blocking_pairs": count})
    return Decision(
        status=status,
        metrics=metrics,
        objective=objective,
        assignments=tuple(assignments),
        unplaced=tuple(unplaced),
        input_fingerprint=problem.fingerprint(),
        lottery_seed=problem.policy.lottery_seed,
        message=message,
    )
