"""Every stable plan of a round: count, list, rotations, each applicant's range, two-sided optima.

Stable means stable for strict preferences: both sides' ties broken by the seeded lottery, as
``Stability(ties="lottery")`` does, and blocking pairs as in :mod:`matchmaker._blocking` (student-project
allocation, Abraham, Irving & Manlove 2007). A plan here meets the capacities of supervisors, units
and municipalities and the pins; these are the plans :func:`stable_plans` lists.

* When the round is a hospitals/residents instance (:func:`matchmaker._engines.rotations.reduce_to_hr`:
  no unit maximum and no municipality cap can bind, every pin a single pair; no links, no balance,
  no hard minimums or targets) the plans come from the rotation poset, in polynomial time per plan
  (Gusfield & Irving 1989), with each applicant's range, the egalitarian plan (Irving, Leather &
  Gusfield 1987) and the minimum-regret plan (Gusfield 1987) exact and polynomial.
* Otherwise the exact stable model of the solver is solved again and again with each plan found cut
  off (CP-SAT), until no stable plan is left or the limit is reached; the range and the two-sided
  optima then come from the complete list (and are left out when the limit is hit). Side
  constraints (links, balance, hard minimums and targets) are part of that model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from matchmaker._build import build_model
from matchmaker._engines.rotations import (
    Lattice,
    closed_sets,
    lattice,
    minimum_cost,
    minimum_regret,
    plan_of,
    reduce_to_hr,
)
from matchmaker._i18n import Lang, msg
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._pieces import default_constraints, default_objectives
from matchmaker._result import Status
from matchmaker._scoring import Scores, score
from matchmaker._solve import solve_model
from matchmaker.errors import InputError, ValidationIssue

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._types import IntArray

__all__ = ["ApplicantRange", "Rotation", "RotationStep", "StablePlans", "TwoSidedPlan", "stable_plans"]

#: How many stable plans :func:`stable_plans` lists unless told otherwise.
DEFAULT_LIMIT = 1000


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RotationStep(_Out):
    """One applicant's move in a rotation: from a supervisor to one they like less."""

    applicant: str
    old: str
    new: str


class Rotation(_Out):
    """A rotation: applicants who each move one step down their list at once, while each unit
    concerned gets an applicant it likes more. ``after`` lists the rotations (by number, from 1) that
    must come before it; a stable plan is the applicant-optimal plan with a set of rotations applied
    that contains, with each rotation, every rotation it comes after."""

    number: int
    steps: tuple[RotationStep, ...]
    after: tuple[int, ...]


class ApplicantRange(_Out):
    """What an applicant can get across the stable plans: ``best`` (their place in the
    applicant-optimal plan) to ``worst`` (in the unit-optimal plan), with their own ranks, and every
    supervisor they have in some stable plan (``options``, best first). ``None``: no place in any
    stable plan."""

    applicant: str
    best: str | None
    best_rank: int | None
    worst: str | None
    worst_rank: int | None
    options: tuple[str, ...]


class TwoSidedPlan(_Out):
    """A stable plan chosen for both sides: ``rank_sum`` adds the applicants' ranks of their places and
    the units' ranks of their applicants; ``worst_rank`` is the worst of all those ranks."""

    plan: dict[str, str]
    rank_sum: int
    worst_rank: int


class StablePlans(_Out):
    """The stable plans of a round (see the module docstring).

    ``count`` is how many were found and ``complete`` whether that is all of them (false when more
    than ``limit`` exist, or when the exact model stopped at its time limit); ``plans`` lists them,
    each as applicant id -> supervisor id. ``method`` is ``"rotations"`` (the round is a
    hospitals/residents instance) or ``"cp-sat"``; ``rotations`` is set only with rotations.
    ``ranges`` gives each applicant's range; ``egalitarian`` (least rank sum of both sides) and
    ``minimum_regret`` (least worst rank on either side, then least rank sum) are the two-sided
    optima among the largest stable plans (without side constraints every stable plan has the same
    size), exact; ``None`` when the plans are not all known or there is none.
    """

    method: Literal["rotations", "cp-sat"]
    count: int
    complete: bool
    limit: int
    plans: tuple[dict[str, str], ...]
    rotations: tuple[Rotation, ...] | None
    ranges: tuple[ApplicantRange, ...]
    egalitarian: TwoSidedPlan | None
    minimum_regret: TwoSidedPlan | None

    def text(self, lang: Lang = "en") -> str:
        """The count, the rotations and each applicant's range in plain words of ``lang``."""
        from matchmaker.report._lattice import render_stable_plans  # on use: sentences are on the report floor

        return render_stable_plans(self, lang)


def _pair_index(sc: Scores) -> dict[tuple[int, int], int]:
    return {
        (int(a), int(s)): p for p, (a, s) in enumerate(zip(sc.applicant.tolist(), sc.supervisor.tolist(), strict=True))
    }


def _plan_ids(sc: Scores, plan: IntArray) -> dict[str, str]:
    enc = sc.encoding
    return {
        enc.applicant_ids[a]: enc.supervisor_ids[int(sc.supervisor[p])] for a, p in enumerate(plan.tolist()) if p >= 0
    }


def _two_sided(sc: Scores, plan: IntArray) -> TwoSidedPlan:
    chosen = plan[plan >= 0]
    ranks = np.concatenate([sc.rank[chosen], sc.unit_rank[chosen]]).astype(np.int64)
    return TwoSidedPlan(
        plan=_plan_ids(sc, plan), rank_sum=int(ranks.sum()), worst_rank=int(ranks.max()) if ranks.size else 0
    )


def _ranges(sc: Scores, plans: Sequence[IntArray], unplaced: Sequence[bool]) -> tuple[ApplicantRange, ...]:
    """Each applicant's range over the pairs ``plans`` visit (every stable plan, or the top, the
    bottom and every rotation's steps, which visit each pair of any stable plan); ``unplaced[a]``:
    some stable plan leaves ``a`` without a place (then the worst is no place)."""
    enc = sc.encoding
    key = sc.rank_strict.astype(np.int64)
    seen: list[set[int]] = [set() for _ in range(enc.n_applicants)]
    for plan in plans:
        for a, p in enumerate(plan.tolist()):
            if p >= 0:
                seen[a].add(p)
    out = []
    for a in range(enc.n_applicants):
        pairs = sorted(seen[a], key=lambda p: int(key[p]))
        sup = [enc.supervisor_ids[int(sc.supervisor[p])] for p in pairs]
        last = None if unplaced[a] or not pairs else pairs[-1]
        out.append(
            ApplicantRange(
                applicant=enc.applicant_ids[a],
                best=sup[0] if sup else None,
                best_rank=int(sc.rank[pairs[0]]) if pairs else None,
                worst=None if last is None else enc.supervisor_ids[int(sc.supervisor[last])],
                worst_rank=None if last is None else int(sc.rank[last]),
                options=tuple(sup),
            )
        )
    return tuple(out)


def _transitive_reduction(preds: Sequence[Sequence[int]]) -> list[tuple[int, ...]]:
    """Only the immediate predecessors (rotations are numbered in an order that respects ``preds``)."""
    below: list[set[int]] = []
    for ps in preds:
        below.append(set(ps).union(*(below[q] for q in ps)))
    out = []
    for ps in preds:
        implied: set[int] = set().union(*(below[q] for q in ps))
        out.append(tuple(sorted(q for q in ps if q not in implied)))
    return out


def _by_rotations(sc: Scores, lat: Lattice, limit: int) -> StablePlans:
    enc = sc.encoding
    plans: list[IntArray] = []
    complete = True
    for inside in closed_sets(lat.preds, limit):
        if len(plans) == limit:
            complete = False
            break
        plans.append(plan_of(lat, inside))
    reduced = _transitive_reduction(lat.preds)
    rotations = tuple(
        Rotation(
            number=r + 1,
            steps=tuple(
                RotationStep(
                    applicant=enc.applicant_ids[mv.applicant],
                    old=enc.supervisor_ids[int(sc.supervisor[mv.old])],
                    new=enc.supervisor_ids[int(sc.supervisor[mv.new])],
                )
                for mv in moves
            ),
            after=tuple(q + 1 for q in reduced[r]),
        )
        for r, moves in enumerate(lat.rotations)
    )
    # Every pair of a stable plan is the top's or some rotation's new pair: the range needs no list.
    visits = [lat.top, lat.bottom]
    for moves in lat.rotations:
        step = np.full(enc.n_applicants, -1, dtype=np.int64)
        for mv in moves:
            step[mv.applicant] = mv.new
        visits.append(step)
    cost = (sc.rank + sc.unit_rank).astype(np.int64)
    # ties between optima go to the lottery, as the solver's last level does
    _, regret_plan = minimum_regret(lat, sc.rank.astype(np.int64), sc.unit_rank.astype(np.int64), cost, sc.lottery)
    return StablePlans(
        method="rotations",
        count=len(plans),
        complete=complete,
        limit=limit,
        plans=tuple(_plan_ids(sc, p) for p in plans),
        rotations=rotations,
        ranges=_ranges(sc, visits, (lat.top < 0).tolist()),
        egalitarian=_two_sided(sc, minimum_cost(lat, cost, sc.lottery)),
        minimum_regret=_two_sided(sc, regret_plan),
    )


class _CutOff:
    """For each plan found so far: the next plan differs from it in at least one pair."""

    name = "stable_plans_found"

    def __init__(self, found: Sequence[IntArray]) -> None:
        self.found = found

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One row per plan: fewer than all of its pairs, or some other pair."""
        n = builder.scores.n_pairs
        for k, x in enumerate(self.found):
            coefs = np.where(x[:n] == 1, 1, -1).astype(np.int64)
            size = int((x[:n] == 1).sum())
            g = builder.add_group("stable_plans", str(k + 1), f"stable plan {k + 1} found so far is not repeated")
            builder.add_row(g, np.arange(n, dtype=np.int64), coefs, size - n, size - 1)


def _stable_problem(problem: Problem) -> Problem:
    """The problem asking for any stable plan for the lottery-strict orders."""
    update: dict[str, object] = {"stability": {"mode": "optimise", "ties": "lottery"}, "objective": "total_fit"}
    data = problem.policy.model_dump(mode="json") | update
    return problem.model_copy(update={"policy": type(problem.policy).model_validate(data)})


def _by_model(problem: Problem, sc: Scores, limit: int, options: SolveOptions) -> StablePlans:
    base = _stable_problem(problem)
    sc_base = score(base)
    index = _pair_index(sc_base)
    enc = sc_base.encoding
    found: list[IntArray] = []
    complete = True
    while True:
        model = build_model(base, sc_base, [*default_constraints(base), _CutOff(found)], default_objectives(base))
        # Only a stable plan is asked for, not the best: the placed count is the one level kept.
        placed_only = dataclasses.replace(model, levels=tuple(lv for lv in model.levels if lv.name == "placed"))
        out = solve_model(base, placed_only, options)
        if out.status is Status.INFEASIBLE:
            break
        if out.status is not Status.OPTIMAL or len(found) == limit:
            complete = False
            break
        x = np.zeros(sc_base.n_pairs, dtype=np.int64)
        for asg in out.assignments:
            x[index[(enc.applicant_index[asg.applicant], enc.supervisor_index[asg.supervisor])]] = 1
        found.append(x)
    plans = []
    for x in found:
        per = np.full(enc.n_applicants, -1, dtype=np.int64)
        chosen = np.flatnonzero(x)
        per[sc_base.applicant[chosen]] = chosen
        plans.append(per)
    two = [_two_sided(sc_base, p) for p in plans] if complete else []
    draws = [int(sc_base.lottery[p[p >= 0]].sum()) for p in plans]
    # with side constraints stable plans may differ in size: the largest first, as in the solver; ties
    # go to the lottery, as the solver's last level does
    by_sum = sorted(range(len(two)), key=lambda i: (-len(two[i].plan), two[i].rank_sum, -draws[i]))
    by_worst = sorted(range(len(two)), key=lambda i: (-len(two[i].plan), two[i].worst_rank, two[i].rank_sum, -draws[i]))
    return StablePlans(
        method="cp-sat",
        count=len(plans),
        complete=complete,
        limit=limit,
        plans=tuple(_plan_ids(sc_base, p) for p in plans),
        rotations=None,
        ranges=_ranges(sc_base, plans, np.any([p < 0 for p in plans], axis=0).tolist()) if complete and plans else (),
        egalitarian=two[by_sum[0]] if two else None,
        minimum_regret=two[by_worst[0]] if two else None,
    )


def stable_plans(problem: Problem, *, limit: int = DEFAULT_LIMIT, options: SolveOptions | None = None) -> StablePlans:
    """Every stable plan of ``problem`` up to ``limit``, with the rotations, each applicant's range
    and the two-sided optima (see the module docstring for when each method applies).

    Raises:
        InputError: if ``limit`` is not positive.
    """
    if limit < 1:
        raise InputError(
            [ValidationIssue.of("limit", msg("must be at least 1"), msg("give a positive number of plans"))]
        )
    sc = score(problem)
    policy = problem.policy
    hard_minimums = policy.minimums == "hard" and (
        any(u.min_places for u in problem.units) or any(m.min_places for m in problem.municipalities)
    )
    hard_targets = policy.targets == "hard" and any(u.target_places is not None for u in problem.units)
    side = bool(problem.links) or policy.balance is not None or hard_minimums or hard_targets
    hr = None if side else reduce_to_hr(sc)
    if hr is not None:
        return _by_rotations(sc, lattice(sc, hr), limit)
    return _by_model(problem, sc, limit, options if options is not None else SolveOptions())
