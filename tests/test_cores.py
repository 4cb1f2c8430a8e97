"""Infeasibility cores and relaxations, checked by brute force from the raw records on tiny rounds.

A core is correct when no plan meets all of its constraints (infeasible) and, for each member, some
plan meets all the others (minimal). A relaxation is correct when applying it to the problem gives a
round with a plan, and no plan needs less total slack (places changed plus constraints dropped).
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import matchmaker as mm
from brute import brute_force
from conftest import EXAMPLES, make_problem
from matchmaker._checks import Truth, stability_audit
from matchmaker._metrics import offered_places
from matchmaker.explanations._types import CoreItem
from strategies import problems

Plan = dict[str, str]


def _plans(problem: mm.Problem, truth: Truth, *, rules: bool) -> Iterator[Plan]:
    """Every plan over wished (or pinned) pairs with capacity; with ``rules``, only acceptable pairs."""
    options = []
    for a in sorted(problem.applicants, key=lambda a: a.id):
        sups = []
        for s in problem.supervisors:
            why = truth.refusal(a, s.id)
            if rules and why is None:
                sups.append(s.id)
            elif not rules and (truth.wished(a, s.id) or truth.pinned_here(a, s.id)):
                u = truth.units[s.unit]
                m = truth.munis[u.municipality]
                if s.capacity > 0 and u.max_places > 0 and m.max_places != 0:
                    sups.append(s.id)
        options.append([(a.id, None), *((a.id, s) for s in sups)])
    for choice in itertools.product(*options):
        yield {a: s for a, s in choice if s is not None}


def _holds(problem: mm.Problem, truth: Truth, item: CoreItem) -> Callable[[Plan], bool]:
    p = item.params

    def units(plan: Plan) -> Counter[str]:
        return Counter(truth.sups[s].unit for s in plan.values())

    def munis(plan: Plan) -> Counter[str]:
        return Counter(truth.units[truth.sups[s].unit].municipality for s in plan.values())

    k = item.kind
    if k == "unit_min":
        return lambda plan: units(plan)[str(p["unit"])] >= int(p["bound"])
    if k == "unit_max":
        return lambda plan: units(plan)[str(p["unit"])] <= int(p["bound"])
    if k == "municipality_min":
        return lambda plan: munis(plan)[str(p["municipality"])] >= int(p["bound"])
    if k == "municipality_max":
        return lambda plan: munis(plan)[str(p["municipality"])] <= int(p["bound"])
    if k == "supervisor_capacity":
        return lambda plan: Counter(plan.values())[str(p["supervisor"])] <= int(p["bound"])
    if k == "pin":
        a, target = str(p["applicant"]), str(p["target"])
        if p["target_kind"] == "unit":
            return lambda plan: a in plan and truth.sups[plan[a]].unit == target
        return lambda plan: plan.get(a) == target
    if k == "conflict":
        a, target = str(p["applicant"]), str(p["target"])
        return lambda plan: a not in plan or (plan[a] != target and truth.sups[plan[a]].unit != target)
    if k == "requirement":
        unit, req = str(p["unit"]), str(p["requirement"])
        lacking = {a.id for a in problem.applicants if req.casefold() not in {q.casefold() for q in a.qualifications}}
        return lambda plan: not any(a in lacking and truth.sups[s].unit == unit for a, s in plan.items())
    if k == "training":
        return lambda plan: str(p["supervisor"]) not in plan.values()
    if k == "unit_ranking":
        listed = set(problem.unit_by_id[str(p["unit"])].ranking or {})
        return lambda plan: all(a in listed for a, s in plan.items() if truth.sups[s].unit == p["unit"])
    if k == "link":
        first, second, relation = str(p["first"]), str(p["second"]), str(p["relation"])

        def link(plan: Plan) -> bool:
            where = {a: (truth.sups[s].unit, truth.units[truth.sups[s].unit].municipality) for a, s in plan.items()}
            x, y = where.get(first), where.get(second)
            if relation == "apart":
                return x is None or y is None or x[0] != y[0]
            level = 0 if relation == "same_unit" else 1
            return (x is None and y is None) or (x is not None and y is not None and x[level] == y[level])

        return link
    if k in ("balance_within", "balance_ratio"):
        balance = problem.policy.balance
        assert balance is not None
        offered = {m: o for m, o in offered_places(problem).items() if o > 0}
        if k == "balance_within":
            m, other = item.record.split("/")
            tol = Fraction(balance.tolerance).limit_denominator(10_000)
            return lambda plan: (
                Fraction(munis(plan)[m], offered[m]) - Fraction(munis(plan)[other], offered[other]) <= tol
            )
        rho = Fraction(balance.ratio).limit_denominator(10_000)
        total = sum(offered.values())
        return lambda plan: (
            Fraction(munis(plan)[item.record], offered[item.record])
            >= rho * Fraction(sum(munis(plan)[x] for x in offered), total)
        )
    raise AssertionError(f"no predicate for core kind {k}")


def _violation(problem: mm.Problem, truth: Truth, plan: Plan) -> int:
    """Total slack a plan needs: places beyond maximums and below minimums, plus pins, hard links and
    balance rules broken (each counts one), as the elastic model measures it."""
    pol = problem.policy
    units = Counter(truth.sups[s].unit for s in plan.values())
    munis = Counter(truth.units[truth.sups[s].unit].municipality for s in plan.values())
    sups = Counter(plan.values())
    total = sum(max(0, sups[s.id] - s.capacity) for s in problem.supervisors)
    for u in problem.units:
        total += max(0, units[u.id] - u.max_places)
        lo = u.min_places if pol.minimums == "hard" else 0
        if pol.targets == "hard" and u.target_places is not None:
            lo = max(lo, u.target_places)
        total += max(0, lo - units[u.id])
    for m in problem.municipalities:
        if m.max_places is not None:
            total += max(0, munis[m.id] - m.max_places)
        total += max(0, (m.min_places if pol.minimums == "hard" else 0) - munis[m.id])
    for pin in problem.pins:
        got = plan.get(pin.applicant)
        ok = got is not None and (got == pin.supervisor if pin.supervisor else truth.sups[got].unit == pin.unit)
        total += 0 if ok else 1
    for link in problem.links:
        if link.hard:
            item = CoreItem(
                kind="link",
                record="",
                params={"first": link.applicants[0], "second": link.applicants[1], "relation": link.relation},
            )
            total += 0 if _holds(problem, truth, item)(plan) else 1
    if pol.balance is not None and pol.balance.mode != "maximin":
        offered = {m: o for m, o in offered_places(problem).items() if o > 0}
        if len(offered) >= 2:
            if pol.balance.mode == "within":
                records = [f"{m}/{k}" for m in offered for k in offered if m != k]
                kind = "balance_within"
            else:
                records, kind = list(offered), "balance_ratio"
            for record in records:
                item = CoreItem(kind=kind, record=record, params={})
                total += 0 if _holds(problem, truth, item)(plan) else 1
    return total


def _apply(problem: mm.Problem, e: mm.InfeasibilityExplanation) -> mm.Problem:
    data: dict[str, Any] = problem.model_dump(mode="json")
    for r in e.relaxation:
        if r.kind == "unit_max":
            next(u for u in data["units"] if u["id"] == r.record)["max_places"] = r.after
        elif r.kind == "unit_min":
            unit = next(u for u in data["units"] if u["id"] == r.record)
            unit["min_places"] = min(unit["min_places"], r.after or 0)
            if unit.get("target_places") is not None and data["policy"]["targets"] == "hard":
                unit["target_places"] = min(unit["target_places"], r.after or 0)
        elif r.kind == "supervisor_capacity":
            next(s for s in data["supervisors"] if s["id"] == r.record)["capacity"] = r.after
        elif r.kind == "municipality_max":
            next(m for m in data["municipalities"] if m["id"] == r.record)["max_places"] = r.after
        elif r.kind == "municipality_min":
            next(m for m in data["municipalities"] if m["id"] == r.record)["min_places"] = r.after
        elif r.kind == "pin":
            data["pins"] = [p for p in data["pins"] if p["applicant"] != r.record]
        elif r.kind == "link":
            first, second = r.record.split("~")
            data["links"] = [k for k in data["links"] if tuple(k["applicants"]) != (first, second)]
        elif r.kind.startswith("balance"):
            data["policy"]["balance"] = None
        else:
            raise AssertionError(r.kind)
    return mm.Problem.model_validate(data)


@settings(max_examples=40)
@given(raw=problems(max_applicants=5, max_supervisors=3))
def test_cores_are_minimal_and_relaxations_smallest(raw: dict[str, Any]) -> None:
    problem = make_problem(raw)
    assume(brute_force(problem).vector is None)
    e = mm.explain_infeasibility(problem)
    assert e is not None
    assert e.core
    truth = Truth(problem)
    universe = list(_plans(problem, truth, rules=False))
    checks = [_holds(problem, truth, item) for item in e.core]
    # Infeasible: no plan meets every member of the core.
    assert not any(all(c(plan) for c in checks) for plan in universe)
    # Minimal: without any one member, some plan meets the rest.
    for i in range(len(checks)):
        rest = checks[:i] + checks[i + 1 :]
        assert any(all(c(plan) for c in rest) for plan in universe), e.core[i]
    # Smallest relaxation: equals the least total violation over all plans that keep the rules.
    needed = min(_violation(problem, truth, plan) for plan in _plans(problem, truth, rules=True))
    assert e.slack == needed
    # And applying it gives a round with a plan.
    relaxed = _apply(problem, e)
    assert mm.solve(relaxed).status.has_plan


def test_a_minimum_far_above_the_applicants_gets_its_smallest_change() -> None:
    # One applicant, a unit minimum of 3: the minimum must come down by 2, more than the round's one pair.
    problem = mm.Problem.model_validate(
        {
            "municipalities": [{"id": "M"}],
            "units": [{"id": "U", "municipality": "M", "area": "X", "max_places": 3, "min_places": 3}],
            "supervisors": [{"id": "S", "unit": "U", "capacity": 3}],
            "applicants": [{"id": "A", "interests": {"units": {"U": 1.0}}}],
        }
    )
    e = mm.explain_infeasibility(problem)
    assert e is not None
    assert e.search == "found"
    assert (e.slack, [(r.kind, r.record, r.before, r.after) for r in e.relaxation]) == (2, [("unit_min", "U", 3, 1)])
    assert "The smallest change that makes a plan possible (size 2):\n- lower the minimum of U from 3 to 1;" in e.text()
    assert "Den minsta ändringen som gör en plan möjlig (storlek 2):\n- sänk miniminivån för U från 3 till 1;" in (
        e.text("sv")
    )


def test_no_change_within_the_bounds_is_said_plainly_in_both_languages() -> None:
    e = mm.InfeasibilityExplanation(core=(), relaxation=(), slack=None, search="none_within_bounds")
    assert e.text("en").splitlines()[1].startswith("No change within the bounds makes a plan possible: a minimum")
    assert e.text("sv").splitlines()[1].startswith("Ingen ändring inom gränserna gör en plan möjlig: en miniminivå")
    for lang in ("en", "sv"):
        assert (
            mm.InfeasibilityExplanation(core=(), relaxation=(), slack=None, search="found").text(lang).count("\n") == 0
        )  # nothing is claimed when there is nothing to say


@st.composite
def _short_rounds(draw: st.DrawFn) -> dict[str, Any]:
    """One or two units whose minimums (up to 4) are far above their one or two applicants."""
    n_units = draw(st.integers(1, 2))
    caps = [draw(st.integers(1, 4)) for _ in range(n_units)]
    units = [
        {"id": f"U{u}", "municipality": "M", "area": "X", "max_places": 4, "min_places": draw(st.integers(0, cap))}
        for u, cap in enumerate(caps)
    ]
    sups = [{"id": f"S{u}", "unit": f"U{u}", "capacity": cap} for u, cap in enumerate(caps)]
    apps: list[dict[str, Any]] = []
    for a in range(draw(st.integers(1, 2))):
        wished = {f"U{u}": 1.0 for u in range(n_units) if draw(st.booleans())}
        apps.append({"id": f"A{a}", "interests": {"units": wished}} if wished else {"id": f"A{a}"})
    muni: dict[str, Any] = {"id": "M", "min_places": draw(st.integers(0, 3))}
    return {"municipalities": [muni], "units": units, "supervisors": sups, "applicants": apps}


@settings(max_examples=40, deadline=None)
@given(raw=_short_rounds())
def test_relaxations_that_need_more_than_the_pairs_are_found_and_smallest(raw: dict[str, Any]) -> None:
    problem = make_problem(raw)
    assume(brute_force(problem).vector is None)
    e = mm.explain_infeasibility(problem)
    assert e is not None
    assert e.search == "found"
    truth = Truth(problem)
    # Brute force: every relaxation within the bounds is a plan's total violation; the least is the answer.
    assert e.slack == min(_violation(problem, truth, plan) for plan in _plans(problem, truth, rules=True))
    assert mm.solve(_apply(problem, e)).status.has_plan


def _stable_clash() -> dict[str, Any]:
    # A wants U2 first; U2 has room and nobody else, so any plan without A in U2 has a blocking pair;
    # U1's minimum of one can only be met by A.
    return {
        "policy": {"stability": {"mode": "applicant_optimal"}},
        "municipalities": [{"id": "M"}],
        "units": [
            {"id": "U1", "municipality": "M", "area": "X", "max_places": 1, "min_places": 1},
            {"id": "U2", "municipality": "M", "area": "Y", "max_places": 1},
        ],
        "supervisors": [{"id": "S1", "unit": "U1", "capacity": 1}, {"id": "S2", "unit": "U2", "capacity": 1}],
        "applicants": [{"id": "A", "ranking": {"units": {"U2": 1, "U1": 2}}}],
    }


def test_a_round_infeasible_by_stability_names_the_stability_rule() -> None:
    problem = mm.Problem.model_validate(_stable_clash())
    truth = Truth(problem)
    plans = list(_plans(problem, truth, rules=True))
    # Brute force: a plan meets the minimum, a plan is stable, but no plan is both.
    meets = [p for p in plans if Counter(truth.sups[s].unit for s in p.values())["U1"] >= 1]
    stable = [p for p in plans if not stability_audit(problem, p)]
    assert meets
    assert stable
    assert not [p for p in meets if p in stable]
    e = mm.explain_infeasibility(problem)
    assert e is not None
    assert [(c.kind, c.record) for c in e.core] == [("stability", "policy"), ("unit_min", "U1")]
    assert "- the plan must be stable (policy.stability, mode applicant_optimal): no blocking pair" in e.text("en")
    assert "- planen måste vara stabil (policy.stability, läge applicant_optimal): inga blockerande par" in e.text("sv")
    assert [(r.kind, r.record, r.before, r.after) for r in e.relaxation] == [("unit_min", "U1", 1, 0)]


def test_sodertalje_minimum_against_stability_is_a_clash_of_both() -> None:
    data = json.loads((EXAMPLES / "sodertalje" / "problem.json").read_text(encoding="utf-8"))
    data["policy"]["stability"] = {"mode": "applicant_optimal"}
    problem = mm.Problem.model_validate(data)
    e = mm.explain_infeasibility(problem)
    assert e is not None
    assert [(c.kind, c.record) for c in e.core] == [("stability", "policy"), ("unit_min", "sdt-af")]
    # Each member is needed: without stability, or without the minimum, the round has a plan.
    data["policy"]["stability"] = None
    assert mm.solve(mm.Problem.model_validate(data)).status.has_plan
    data["policy"]["stability"] = {"mode": "applicant_optimal"}
    next(u for u in data["units"] if u["id"] == "sdt-af")["min_places"] = 0
    assert mm.solve(mm.Problem.model_validate(data)).status.has_plan
