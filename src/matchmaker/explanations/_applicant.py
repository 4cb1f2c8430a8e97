"""Why and why not, per applicant, verified by re-solving.

For a placed applicant, every unit they ranked above their placement gets a reason; for an unplaced
one, every unit they wished for. A unit removed by a rule gets that rule. For any other unit the
applicant is *forced* into it (a row: placed there, among their acceptable supervisors) and the round
is re-solved near the plan: among the optimal plans with that placement, the one that moves the
fewest people (:mod:`matchmaker._repair`). The reason is then the first level of the objective vector
that gets worse (a higher priority applicant unplaced, one fewer placed, less fit, ...), with who
would move; or, if no level above the lottery gets worse, the lottery; or infeasibility. A repaired
result is explained under the repair's objective: moving someone of the previous plan is a cost
(level ``moved``, or the penalty per move), and a placement the repair keeps is explained as kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

import numpy as np

from matchmaker._build import build_model
from matchmaker._checks import Violation, check_groups
from matchmaker._i18n import msg
from matchmaker._linear import ConstraintPiece, ObjectivePiece
from matchmaker._metrics import offered_places
from matchmaker._models import Balance, Problem
from matchmaker._options import SolveOptions
from matchmaker._pieces import TotalFit, default_constraints, default_objectives
from matchmaker._pieces.balance import MAX_DENOMINATOR
from matchmaker._pieces.change import Disruption, Force, MovePenalty
from matchmaker._repair import EXPLAIN_POSITION, REPAIR_POSITION, plan_of, repair_basis
from matchmaker._result import LevelValue, RepairBasis, Result
from matchmaker._rules import REMOVAL_ORDER, refusal
from matchmaker._scoring import FIT_SCALE, Scores, applicant_wishes, score
from matchmaker._solve import solve_model
from matchmaker.errors import InputError, ResultMismatchError, ValidationIssue
from matchmaker.explanations._types import ApplicantExplanation, LevelChange, Move, OptionReason, WhatIf

__all__ = [
    "LOW_FIT",
    "WHAT_IF_MOVED",
    "explain",
    "explain_all",
    "level_changes",
    "moves_between",
    "require_same_problem",
    "what_if",
]

#: The level of a what-if that counts who moves from the explained plan (minimised after the policy's
#: objective, so that the what-if moves the fewest people); not a cost of the option itself.
WHAT_IF_MOVED = "what_if_moved"
_SKIP = ("lottery", WHAT_IF_MOVED)


def _weight_of(sc: Scores, problem: Problem, applicant: str, supervisor: str) -> int | float | None:
    """The score the caller's system gave the pair (its pair weight), or ``None`` without one."""
    table = problem.pair_weights
    enc = sc.encoding
    if table is None or supervisor not in enc.supervisor_index:
        return None
    hit = np.flatnonzero(
        (sc.applicant == enc.applicant_index[applicant]) & (sc.supervisor == enc.supervisor_index[supervisor])
    )
    if not hit.size or not sc.weighted[hit[0]]:
        return None
    units = int(sc.weight_units[hit[0]])
    return units // table.scale if units % table.scale == 0 else units / table.scale


#: A placement with a fit below this (on the 0-1 scale) is called very low in its explanation, which
#: then says what placed the applicant there (priority tier, pin, override) where the data says so.
LOW_FIT = 0.25


def require_same_problem(problem: Problem, result: Result) -> None:
    """Raise :class:`ResultMismatchError` unless ``result`` was solved for ``problem``."""
    if result.decision.input_fingerprint != problem.fingerprint():
        raise ResultMismatchError(
            msg(
                "the result was solved for a different problem (its input fingerprint differs); "
                "explain, evaluate or repair it with the problem it was made from"
            )
        )


def moves_between(
    problem: Problem, before: Mapping[str, str], after: Mapping[str, str], skip: Iterable[str] = ()
) -> tuple[Move, ...]:
    """Every applicant (sorted by id) whose supervisor differs between two plans."""
    sups = problem.supervisor_by_id
    skipped = set(skip)
    out = []
    for a in sorted(set(before) | set(after)):
        if a in skipped or before.get(a) == after.get(a):
            continue
        b, c = before.get(a), after.get(a)
        out.append(
            Move(
                applicant=a,
                before=b,
                before_unit=sups[b].unit if b is not None and b in sups else None,
                after=c,
                after_unit=sups[c].unit if c is not None and c in sups else None,
            )
        )
    return tuple(out)


def level_changes(base: Sequence[LevelValue], other: Result) -> tuple[LevelChange, ...]:
    """Every level of ``base`` (but the lottery and a what-if's own count of moves) before, and in
    ``other`` after. A repaired plan's level ``moved`` (people of the previous plan moved) is a level
    like any other."""
    values = {lv.name: lv.value for lv in other.decision.objective}
    return tuple(
        LevelChange(name=lv.name, sense=lv.sense, before=lv.value, after=values[lv.name])
        for lv in base
        if lv.name not in _SKIP and lv.value is not None and values.get(lv.name) is not None
    )


def what_if(
    problem: Problem,
    result: Result,
    applicant: str,
    unit: str,
    *,
    scores: Scores | None = None,
    options: SolveOptions | None = None,
) -> WhatIf:
    """The best plan that places ``applicant`` in ``unit`` (among their acceptable supervisors there),
    moving as few others as possible, compared with ``result``.

    A repaired ``result`` (:func:`matchmaker.reoptimise`) is compared under its own objective: the
    what-if keeps the repair's hard keeps and counts the repair's level ``moved`` (people of the
    previous plan who move), or its penalty per move."""
    sc = scores if scores is not None else score(problem)
    base = plan_of(result)
    constraints, objectives = _repair_pieces(problem, repair_basis(result))
    model = build_model(
        problem,
        sc,
        constraints=[*constraints, Force(applicant, unit=unit)],
        objectives=[
            *objectives,
            Disruption(base, position=EXPLAIN_POSITION, exclude=frozenset({applicant}), level=WHAT_IF_MOVED),
        ],
    )
    forced = solve_model(problem, model, options or SolveOptions(workers=1))
    if not forced.status.has_plan:
        return WhatIf(applicant=applicant, unit=unit, status=forced.status, first_worse=None, changes=(), moves=())
    changes = level_changes(result.decision.objective, forced)
    first_worse = next((c.name for c in changes if c.worse), None)
    return WhatIf(
        applicant=applicant,
        unit=unit,
        status=forced.status,
        first_worse=first_worse,
        changes=changes,
        moves=moves_between(problem, base, plan_of(forced), skip=[applicant]),
    )


def _repair_pieces(problem: Problem, basis: RepairBasis | None) -> tuple[list[ConstraintPiece], list[ObjectivePiece]]:
    """The constraints and objectives ``problem`` was solved with: the defaults, and for a repair its
    keeps and its level ``moved`` (or its penalty per move in place of the total fit)."""
    constraints: list[ConstraintPiece] = list(default_constraints(problem))
    objectives: list[ObjectivePiece] = list(default_objectives(problem))
    if basis is None:
        return constraints, objectives
    previous = {p.applicant: p.supervisor for p in basis.previous}
    constraints += [Force(a, supervisor=previous[a], kind="keep") for a in basis.keep if a in previous]
    if basis.penalty is None:
        objectives.append(Disruption(previous, position=basis.position or REPAIR_POSITION))
    else:
        points = round(basis.penalty * FIT_SCALE)
        objectives = [MovePenalty(previous, points) if isinstance(o, TotalFit) else o for o in objectives]
    return constraints, objectives


def _balance_closes(problem: Problem, result: Result, applicant: str, unit: str) -> bool:
    """Whether the municipality balance rule (``policy.balance``, mode ``within`` or ``ratio``) forbids
    taking a place in ``unit``: the plan keeps the rule, and with ``applicant`` in ``unit`` (moved from
    their placement, if any) it would not. The same rule as :mod:`matchmaker._pieces.balance`."""
    balance = problem.policy.balance
    if balance is None or balance.mode == "maximin":
        return False
    offered = {m: o for m, o in offered_places(problem).items() if o > 0}
    if len(offered) < 2:
        return False
    counts = Counter(a.municipality for a in result.assignments)
    if not _balanced(balance, offered, counts):
        return False  # pragma: no cover - a plan always keeps its hard rules
    moved = Counter(counts)
    moved[problem.unit_by_id[unit].municipality] += 1
    placed = result.placement_of.get(applicant)
    if placed is not None:
        moved[placed.municipality] -= 1
    return not _balanced(balance, offered, moved)


def _group_rule_closes(problem: Problem, result: Result, applicant: str) -> bool:
    """Whether a group rule (``policy.group_rules``: a rate, a band or a maximum count) forbids placing
    the unplaced ``applicant`` anywhere: the plan keeps the rules, and with one more placed it would not
    (the rates move with the placed count; a placed applicant who moves changes no count)."""
    if not problem.policy.group_rules or applicant in result.placement_of:
        return False
    placed = set(result.placement_of)
    broken: list[Violation] = []
    check_groups(problem, placed, broken.append)
    if broken:
        return False  # pragma: no cover - a plan always keeps its hard rules
    check_groups(problem, placed | {applicant}, broken.append)
    return bool(broken)


def _balanced(balance: Balance, offered: Mapping[str, int], placed: Counter[str]) -> bool:
    rate = {m: Fraction(placed[m], o) for m, o in offered.items()}
    if balance.mode == "within":
        tolerance = Fraction(balance.tolerance).limit_denominator(MAX_DENOMINATOR)
        return max(rate.values()) - min(rate.values()) <= tolerance
    ratio = Fraction(balance.ratio).limit_denominator(MAX_DENOMINATOR)
    overall = Fraction(sum(placed.values()), sum(offered.values()))
    return all(r >= ratio * overall for r in rate.values())


def _full(problem: Problem, result: Result, unit: str, sups: Iterable[str]) -> tuple[str, ...]:
    plan = result.assignments
    u = problem.unit_by_id[unit]
    m = problem.municipality_by_id[u.municipality]
    per_sup = Counter(a.supervisor for a in plan)
    out = []
    if sum(1 for a in plan if a.unit == unit) >= u.max_places:
        out.append("unit")
    sup_list = list(sups)
    if sup_list and all(per_sup[s] >= problem.supervisor_by_id[s].capacity for s in sup_list):
        out.append("supervisors")
    if m.max_places is not None and sum(1 for a in plan if a.municipality == m.id) >= m.max_places:
        out.append("municipality")
    return tuple(out)


def _cost_key(option: OptionReason) -> tuple[int, ...]:
    w = option.what_if
    assert w is not None
    # Lexicographically: each level's loss (positive = worse), then the number of people moved.
    losses = [(c.before - c.after) if c.sense == "max" else (c.after - c.before) for c in w.changes]
    return (*losses, len(w.moves))


def explain(
    problem: Problem,
    result: Result,
    applicant: str,
    *,
    options: SolveOptions | None = None,
    scores: Scores | None = None,
) -> ApplicantExplanation:
    """Why ``applicant`` got their placement (or none), with a verified reason per better option.

    Raises:
        ResultMismatchError: if ``result`` was not solved for ``problem``.
        InputError: if the applicant is not in the problem.
    """
    require_same_problem(problem, result)
    if applicant not in problem.applicant_by_id:
        raise InputError(
            [
                ValidationIssue.of(
                    msg("applicant {applicant!r}", applicant=applicant),
                    msg("is not in the problem"),
                    msg("give the id of an applicant"),
                )
            ]
        )
    sc = scores if scores is not None else score(problem)
    placed = result.placement_of.get(applicant)
    unplaced = next((u for u in result.unplaced if u.applicant == applicant), None)
    pinned = any(p.applicant == applicant for p in problem.pins)
    repair = result.decision.repair
    kept = placed is not None and repair is not None and applicant in repair.keep
    mine = sc.applicant == sc.encoding.applicant_index[applicant]
    facts = {
        "tier": problem.applicant_by_id[applicant].priority_tier,
        "low_fit": placed is not None and placed.fit < LOW_FIT,
        "acceptable_supervisors": int(np.unique(sc.supervisor[mine]).size),
        "acceptable_units": int(np.unique(sc.unit[mine]).size),
        "weight": _weight_of(sc, problem, applicant, placed.supervisor) if placed is not None else None,
    }
    if not result.status.has_plan or pinned or kept:
        return ApplicantExplanation(
            applicant=applicant, placed=placed, unplaced=unplaced, pinned=pinned, kept=kept, options=(), **facts
        )
    wishes = applicant_wishes(problem, applicant)
    by_unit: dict[str, list[tuple[str, int]]] = {}
    for sup, (_, rank) in wishes.items():
        by_unit.setdefault(problem.supervisor_by_id[sup].unit, []).append((sup, rank))
    current_rank = placed.rank if placed is not None else None
    reasons: list[OptionReason] = []
    for unit in sorted(by_unit, key=lambda u: (min(r for _, r in by_unit[u]), u)):
        entries = by_unit[unit]
        best = min(r for _, r in entries)
        if placed is not None and (unit == placed.unit or current_rank is None or best >= current_rank):
            continue
        u = problem.unit_by_id[unit]
        common = {"unit": unit, "municipality": u.municipality, "area": u.area, "rank": best}
        refusals = {sup: refusal(problem, applicant, sup) for sup, _ in entries}
        usable = [sup for sup, why in refusals.items() if why is None]
        if not usable:
            found = Counter(why for why in refusals.values() if why is not None)
            rule = min(found, key=lambda r: (-found[r], REMOVAL_ORDER.index(r)))
            reasons.append(OptionReason(**common, outcome="rule", rule=rule))
            continue
        w = what_if(problem, result, applicant, unit, scores=sc, options=options)
        full = _full(problem, result, unit, usable)
        if not full and _balance_closes(problem, result, applicant, unit):
            full = ("balance",)  # a free place, which the balance rule keeps closed
        elif not full and _group_rule_closes(problem, result, applicant):
            full = ("group_rule",)  # a free place, which a group rule keeps closed to one more placed
        if not w.status.has_plan:
            reasons.append(OptionReason(**common, outcome="infeasible", full=full, what_if=w))
            continue
        outcome = "full" if w.first_worse is not None else "lottery"
        reasons.append(OptionReason(**common, outcome=outcome, full=full, what_if=w))
    cheapest = None
    if placed is None:
        feasible = [o for o in reasons if o.what_if is not None and o.what_if.status.has_plan]
        cheapest = min(feasible, key=_cost_key) if feasible else None
    return ApplicantExplanation(
        applicant=applicant,
        placed=placed,
        unplaced=unplaced,
        pinned=pinned,
        options=tuple(reasons),
        cheapest=cheapest,
        **facts,
    )


def explain_all(
    problem: Problem, result: Result, *, options: SolveOptions | None = None
) -> tuple[ApplicantExplanation, ...]:
    """:func:`explain` for every applicant, sorted by id (the problem is scored once)."""
    require_same_problem(problem, result)
    sc = score(problem)
    return tuple(
        explain(problem, result, a.id, options=options, scores=sc)
        for a in sorted(problem.applicants, key=lambda a: a.id)
    )
