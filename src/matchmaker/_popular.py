"""Popular plans: no other plan is preferred by more applicants than prefer this one.

One-sided preferences (Abraham, Irving, Kavitha & Mehlhorn 2007, "Popular matchings", SIAM J.
Computing 37(4)): only the applicants vote; each compares their places in two plans by their own
ranks (ties are ties; any acceptable place beats none). Plan ``M`` is *popular* if no feasible plan
``M'`` has a positive *margin*: (applicants who prefer ``M'``) minus (those who prefer ``M``).

The combinatorial characterisations cover one level of capacities; a round has three (supervisor,
unit, municipality) and may have minimums, pins and links. So matchmaker decides popularity exactly
by optimisation on the same model as the solver:

* :func:`popularity` computes the largest margin against ``M`` over every plan that meets the
  round's constraints. For fixed ``M`` the margin is linear in the other plan's pair variables, so
  this is one linear level; the engines prove its optimum (the certified LP when the constraints are
  the capacities alone).
* :func:`popular_plan` adds, for a candidate ``M``, the cut "the plan ``M'`` that beats ``M`` most
  does not beat the next candidate" (linear in the candidate, since ``M'`` is fixed), and repeats:
  the policy's best plan under the cuts, then its largest margin. It stops when that margin is at
  most 0 (the candidate is popular, and because every popular plan meets every cut, it is the
  policy's best popular plan) or when no plan meets the cuts (no popular plan exists).

Stability is not asked for here (``policy.stability`` is ignored), and an objective that needs it
(``sex_equal`` and the two-sided ones) is read as ``total_fit`` when choosing among popular plans.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from matchmaker._blocking import check_plan_ids
from matchmaker._build import build_model
from matchmaker._i18n import Lang, msg, tr, tr_n
from matchmaker._linear import Level
from matchmaker._models import STABLE_OBJECTIVES, Problem
from matchmaker._options import SolveOptions
from matchmaker._pieces import default_constraints, default_objectives
from matchmaker._result import Result, Status
from matchmaker._scoring import Scores, score
from matchmaker._solve import solve_model
from matchmaker.errors import InputError, ValidationIssue

if TYPE_CHECKING:
    from matchmaker._linear import ModelBuilder
    from matchmaker._types import IntArray

__all__ = ["PopularPlan", "Popularity", "popular_plan", "popularity"]

#: The most cuts :func:`popular_plan` adds before it gives up with status ``unknown``.
MAX_ROUNDS = 500


class Popularity(BaseModel):
    """Whether a plan is popular, and the evidence.

    ``margin`` is the largest (applicants preferring another feasible plan) minus (applicants
    preferring this one); the plan is popular exactly when it is at most 0. ``better`` is a plan
    (applicant id -> supervisor id) with that margin when it is positive. ``status`` is ``optimal``
    when the margin is proven, else the engine's status (the verdict is then not proven).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    popular: bool
    margin: int
    prefer_other: int
    prefer_this: int
    better: dict[str, str] | None
    status: Status


class PopularPlan(BaseModel):
    """The outcome of :func:`popular_plan`.

    ``status``: ``optimal`` (``plan`` is popular and the policy's best popular plan), ``infeasible``
    (no popular plan exists) or ``unknown`` (the time limit or the round limit came first). ``cuts``
    counts the plans that were needed to reach the verdict. ``verdict`` says which in one word
    (``popular``, ``none_exists``, ``no_plan``: the round itself has none, ``no_verdict``), with the
    best alternative's ``margin`` for a popular plan; :meth:`text` says it in either language and
    ``message`` is that text in English (kept for compatibility).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Status
    plan: dict[str, str] | None
    cuts: int
    message: str
    verdict: Literal["popular", "none_exists", "no_plan", "no_verdict"] = "no_verdict"
    margin: int | None = None

    def text(self, lang: Lang = "en") -> str:
        """The verdict in a sentence of ``lang``."""
        return _verdict_text(self.verdict, self.cuts, self.margin, lang)


def _verdict_text(verdict: str, cuts: int, margin: int | None, lang: Lang) -> str:
    if verdict == "popular":
        return tr(
            "A popular plan: no plan meets the constraints and is preferred by more applicants "
            "(the best alternative's margin is {margin}).",
            lang,
            margin=margin,
        )
    if verdict == "none_exists":
        return tr_n(
            "No popular plan exists: for every plan another one is preferred by more applicants "
            "(proven with {n} plan that together beat every candidate).",
            "No popular plan exists: for every plan another one is preferred by more applicants "
            "(proven with {n} plans that together beat every candidate).",
            cuts,
            lang,
        )
    if verdict == "no_plan":
        return tr("No plan meets the round's constraints.", lang)
    return tr("No verdict within the time or round limit; allow more time or rounds.", lang)


def _outcome(
    status: Status,
    verdict: Literal["popular", "none_exists", "no_plan", "no_verdict"],
    cuts: int,
    plan: dict[str, str] | None = None,
    margin: int | None = None,
) -> PopularPlan:
    message = _verdict_text(verdict, cuts, margin, "en")
    return PopularPlan(status=status, plan=plan, cuts=cuts, message=message, verdict=verdict, margin=margin)


def _votes(sc: Scores, other: IntArray) -> tuple[IntArray, int]:
    """Per pair ``p`` of applicant ``a``: the vote of ``a`` for ``p`` against their place in
    ``other`` (+1 better, -1 worse, 0 as good) minus their vote for no place against it; and the sum
    of the votes for no place (so that the total vote is ``coefs @ x + constant``)."""
    n_a = sc.encoding.n_applicants
    rank = sc.rank.astype(np.int64)
    big = np.iinfo(np.int64).max
    their = np.full(n_a, big, dtype=np.int64)  # their rank in ``other``; big = no place
    chosen = np.flatnonzero(other[: sc.n_pairs] == 1)
    their[sc.applicant[chosen]] = rank[chosen]
    mine = their[sc.applicant]
    vote_pair = np.sign(mine - rank)  # +1 where p is better than their place in ``other``
    vote_none = np.where(their < big, -1, 0)  # no place is worse than any place
    return vote_pair - vote_none[sc.applicant], int(vote_none.sum())


class _Margin:
    """The single level of :func:`popularity`: the margin of the other plan against ``plan``."""

    name = "popularity_margin"

    def __init__(self, plan: IntArray) -> None:
        self.plan = plan

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One linear level over the pairs, with the votes' constant as its offset."""
        coefs, constant = _votes(builder.scores, self.plan)
        keep = np.flatnonzero(coefs)
        lo, hi = builder.pair_level_bounds(coefs)
        builder.add_level(
            Level(
                "popularity_margin",
                "max",
                "applicants preferring the other plan minus those preferring this one",
                keep.astype(np.int64),
                coefs[keep].astype(np.int64),
                lo + constant,
                hi + constant,
                offset=constant,
            )
        )


class _Cuts:
    """For each plan ``M'`` found so far: ``M'`` must not beat the candidate."""

    name = "popularity_cuts"

    def __init__(self, others: Sequence[IntArray]) -> None:
        self.others = others

    def add(self, builder: ModelBuilder, problem: Problem) -> None:
        """One row per plan: its margin against the candidate is at most 0."""
        sc = builder.scores
        for k, other in enumerate(self.others):
            coefs, constant = _votes(sc, other)
            # The margin of ``other`` against candidate x is -(votes of x against ``other``).
            keep = np.flatnonzero(coefs)
            g = builder.add_group("popularity", str(k + 1), f"plan {k + 1} found so far does not beat this one")
            builder.add_row(g, keep, coefs[keep], -constant, int(np.abs(coefs).sum()) + abs(constant))


def _round_problem(problem: Problem) -> Problem:
    """The problem with stability off (and an objective defined among stable plans only, such as
    ``sex_equal``, read as ``total_fit``)."""
    update: dict[str, object] = {"stability": None}
    if problem.policy.objective in STABLE_OBJECTIVES:
        update["objective"] = "total_fit"
    return problem.model_copy(update={"policy": problem.policy.model_copy(update=update)})


def _plan_vector(sc: Scores, plan: Mapping[str, str]) -> IntArray:
    """The plan as a 0/1 vector over the pairs; every placement must be an acceptable pair."""
    check_plan_ids(sc, plan)
    enc = sc.encoding
    x = np.zeros(sc.n_pairs, dtype=np.int64)
    issues = []
    for a_id, s_id in sorted(plan.items()):
        hit = np.flatnonzero(
            (sc.applicant == enc.applicant_index[a_id]) & (sc.supervisor == enc.supervisor_index[s_id])
        )
        if hit.size == 0:
            issues.append(
                ValidationIssue.of(
                    f"plan[{a_id!r}]",
                    msg(
                        "places the applicant with supervisor {supervisor!r}, which is not an acceptable pair",
                        supervisor=s_id,
                    ),
                    msg("fix the plan, or check the applicant's wishes, conflicts and the unit's requirements"),
                )
            )
        x[hit] = 1
    if issues:
        raise InputError(issues)
    return x


def _as_mapping(plan: Result | Mapping[str, str]) -> dict[str, str]:
    if isinstance(plan, Result):
        return {a.applicant: a.supervisor for a in plan.assignments}
    return dict(plan)


def popularity(problem: Problem, plan: Result | Mapping[str, str], options: SolveOptions | None = None) -> Popularity:
    """Whether ``plan`` (a result, or applicant id -> supervisor id) is popular among the plans that
    meet ``problem``'s constraints; see the module docstring.

    Raises:
        InputError: if the plan names an unknown applicant or supervisor, or places an applicant at a
            pair that is not acceptable (every such entry listed).
    """
    opts = options if options is not None else SolveOptions()
    base = _round_problem(problem)
    sc = score(base)
    mine = _plan_vector(sc, _as_mapping(plan))
    model = build_model(base, sc, default_constraints(base), [_Margin(mine)])
    # Only the margin counts: a soft link's level (added by the links piece) is a wish, not a rule.
    margin_only = dataclasses.replace(model, levels=tuple(lv for lv in model.levels if lv.name == _Margin.name))
    out = solve_model(base, margin_only, opts)
    if not out.status.has_plan:
        return Popularity(popular=False, margin=0, prefer_other=0, prefer_this=0, better=None, status=out.status)
    other = {a.applicant: a.supervisor for a in out.assignments}
    theirs = _plan_vector(sc, other)
    coefs, constant = _votes(sc, mine)  # votes for ``theirs`` against ``mine``, per applicant
    per_applicant = np.zeros(sc.encoding.n_applicants, dtype=np.int64)
    np.add.at(per_applicant, sc.applicant, coefs * theirs[: sc.n_pairs])
    placed_mine = np.zeros(sc.encoding.n_applicants, dtype=bool)
    placed_mine[sc.applicant[mine == 1]] = True
    per_applicant += np.where(placed_mine, -1, 0)
    margin = int(per_applicant.sum())
    assert margin == int(coefs @ theirs) + constant
    return Popularity(
        popular=margin <= 0,
        margin=margin,
        prefer_other=int((per_applicant > 0).sum()),
        prefer_this=int((per_applicant < 0).sum()),
        better=other if margin > 0 else None,
        status=out.status,
    )


def popular_plan(problem: Problem, options: SolveOptions | None = None, *, max_rounds: int = MAX_ROUNDS) -> PopularPlan:
    """The policy's best popular plan for ``problem``, or the proof that none exists; see the module
    docstring. Each round solves the policy's objective vector under the cuts found so far."""
    opts = options if options is not None else SolveOptions()
    base = _round_problem(problem)
    sc = score(base)
    others: list[IntArray] = []
    for _ in range(max_rounds):
        model = build_model(base, sc, [*default_constraints(base), _Cuts(others)], default_objectives(base))
        candidate = solve_model(base, model, opts)
        if candidate.status is Status.INFEASIBLE:
            if not others:
                return _outcome(Status.INFEASIBLE, "no_plan", 0)
            return _outcome(Status.INFEASIBLE, "none_exists", len(others))
        if candidate.status is not Status.OPTIMAL:
            break
        plan = {a.applicant: a.supervisor for a in candidate.assignments}
        verdict = popularity(base, plan, opts)
        if verdict.status is not Status.OPTIMAL:
            break
        if verdict.popular:
            return _outcome(Status.OPTIMAL, "popular", len(others), plan, verdict.margin)
        assert verdict.better is not None
        others.append(_plan_vector(sc, verdict.better))
    return _outcome(Status.UNKNOWN, "no_verdict", len(others))
