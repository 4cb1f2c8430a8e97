"""Stability: the audit, stable mode (deferred acceptance and CP-SAT), popular plans.

References for the definitions and the textbook cases:

* Gale & Shapley, "College admissions and the stability of marriage", Amer. Math. Monthly 69 (1962);
* Gusfield & Irving, "The Stable Marriage Problem: Structure and Algorithms", MIT Press (1989), the
  3x3 instance with three stable matchings of section 1.2 (a Latin-square instance);
* Abraham, Irving & Manlove, "Two algorithms for the Student-Project Allocation problem", J. Discrete
  Algorithms 5(1) (2007): blocking pairs with project and lecturer capacities (here: supervisor and
  unit), the student-optimal and lecturer-optimal stable matchings, and the "rural hospitals" theorem;
* Abraham, Irving, Kavitha & Mehlhorn, "Popular matchings", SIAM J. Computing 37(4) (2007): three
  applicants with one preference list over three posts have no popular matching.

The brute force below enumerates every plan of a tiny round from the raw records, and defines a
blocking pair by the plans it would lead to (move the applicant; drop at most one applicant the unit
likes less), not by the audit's case analysis.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchmaker as mm
from brute import Plan, feasible, vector_of
from conftest import EXAMPLES, make_problem
from matchmaker._checks import Truth, stability_audit
from matchmaker._checks.stability import strict_rank, unit_key, unit_preference
from matchmaker._engines.deferred_acceptance import deferred_acceptance
from matchmaker._engines.stable_start import stable_start
from matchmaker._scoring import score
from strategies import problems

# --------------------------------------------------------------------------------------------------
# Brute force from the raw records


class Prefs:
    """Both sides' preferences, from the checker's independent reading of the records."""

    def __init__(self, problem: mm.Problem, *, strict: bool) -> None:
        self.problem = problem
        self.t = Truth(problem)
        self.strict = strict
        self.upref = unit_preference(problem, self.t)
        self.pinned = {p.applicant for p in problem.pins}
        self.options = {
            a.id: sorted(s.id for s in problem.supervisors if self.t.refusal(a, s.id) is None)
            for a in problem.applicants
        }

    def akey(self, a_id: str, sid: str) -> tuple[int, int]:
        """The applicant's key of a supervisor: smaller is better."""
        a = self.t.apps[a_id]
        if self.strict:
            return (strict_rank(self.t, a, sid, self.problem.policy.lottery_seed), 0)
        return (self.t.rank(a, sid), 0)

    def ukey(self, unit: str, a_id: str) -> tuple[int, int, str]:
        """The unit's key of an applicant: smaller is preferred."""
        return unit_key(self.problem, self.upref, unit, a_id, strict=self.strict)

    def unit_of(self, sid: str) -> str:
        return self.t.sups[sid].unit

    def fits(self, plan: Plan) -> bool:
        """Every maximum holds (supervisor, unit, municipality); minimums are not a blocking matter."""
        t = self.t
        sups = Counter(plan.values())
        units = Counter(t.sups[s].unit for s in plan.values())
        munis = Counter(t.units[t.sups[s].unit].municipality for s in plan.values())
        return (
            all(sups[s.id] <= s.capacity for s in self.problem.supervisors)
            and all(units[u.id] <= u.max_places for u in self.problem.units)
            and all(m.max_places is None or munis[m.id] <= m.max_places for m in self.problem.municipalities)
        )


def enumerated_blocking(prefs: Prefs, plan: Plan) -> list[tuple[str, str]]:
    """(applicant, supervisor) pairs that block ``plan``: the applicant prefers the supervisor, and
    moving there is feasible as it is, or after the unit drops one applicant it likes less (who must
    be with that supervisor if the supervisor is full, and only if the unit itself is full otherwise)."""
    out = []
    for a_id, options in prefs.options.items():
        if a_id in prefs.pinned:
            continue
        for sid in options:
            cur = plan.get(a_id)
            if cur == sid or (cur is not None and not prefs.akey(a_id, sid) < prefs.akey(a_id, cur)):
                continue
            moved = {**{k: v for k, v in plan.items() if k != a_id}, a_id: sid}
            if prefs.fits(moved):
                out.append((a_id, sid))
                continue
            unit = prefs.unit_of(sid)
            s_full = Counter(plan.values())[sid] >= prefs.t.sups[sid].capacity
            u_full = Counter(prefs.unit_of(s) for s in plan.values())[unit] >= prefs.t.units[unit].max_places
            for b, bs in plan.items():
                if b == a_id or b in prefs.pinned or prefs.unit_of(bs) != unit:
                    continue
                if not prefs.ukey(unit, a_id) < prefs.ukey(unit, b):
                    continue
                if (s_full and bs != sid) or (not s_full and not u_full):
                    continue
                if prefs.fits({k: v for k, v in moved.items() if k != b}):
                    out.append((a_id, sid))
                    break
    return sorted(out)


def all_plans(problem: mm.Problem, prefs: Prefs) -> list[Plan]:
    """Every plan that meets the round's constraints (capacities, minimums, pins, links, balance)."""
    apps = sorted(prefs.options)
    out = []
    for choice in itertools.product(*[[None, *prefs.options[a]] for a in apps]):
        plan = {a: s for a, s in zip(apps, choice, strict=True) if s is not None}
        if feasible(problem, prefs.t, plan):
            out.append(plan)
    return out


def plan_of(result: mm.Result) -> Plan:
    return {a.applicant: a.supervisor for a in result.assignments}


def with_policy(raw: dict[str, Any], **policy: Any) -> mm.Problem:
    data = json.loads(json.dumps(raw))
    data["policy"] = {**data.get("policy", {}), **policy}
    return make_problem(data)


# --------------------------------------------------------------------------------------------------
# The audit


@settings(max_examples=80)
@given(raw=problems(max_applicants=5, max_supervisors=3), pick=st.integers(0, 10**6), strict=st.booleans())
def test_audit_equals_enumeration(raw: dict[str, Any], pick: int, strict: bool) -> None:
    problem = make_problem(raw)
    prefs = Prefs(problem, strict=strict)
    plans = all_plans(problem, prefs)
    if not plans:
        return
    plan = plans[pick % len(plans)]
    fast = [(b.applicant, b.supervisor) for b in mm.blocking_pairs(problem, plan, strict=strict)]
    reference = [(a, s) for a, s, _ in stability_audit(problem, plan, strict=strict)]
    assert fast == reference == enumerated_blocking(prefs, plan)


def test_result_reports_the_count_and_the_checker_lists_the_pairs() -> None:
    problem = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    result = mm.solve(problem)
    assert result.decision.metrics is not None
    found = mm.blocking_pairs(problem, result)
    # The total-fit optimum is not stable: units ranking by interview have grievances.
    assert result.decision.metrics.blocking_pairs == len(found) > 0
    assert mm.check(problem, result).ok
    # The checker catches a wrong count.
    bad_metrics = result.decision.metrics.model_copy(update={"blocking_pairs": len(found) - 1})
    bad = result.model_copy(update={"decision": result.decision.model_copy(update={"metrics": bad_metrics})})
    assert [v.kind for v in mm.check(problem, bad).violations] == ["metrics"]
    # In stable mode the checker lists every blocking pair as a violation.
    stable = problem.model_copy(
        update={"policy": problem.policy.model_copy(update={"stability": mm.Stability(mode="optimise")})}
    )
    strict_found = mm.blocking_pairs(stable, result, strict=True)
    forged = result.model_copy(
        update={
            "decision": result.decision.model_copy(
                update={
                    "input_fingerprint": stable.fingerprint(),
                    "metrics": result.decision.metrics.model_copy(update={"blocking_pairs": len(strict_found)}),
                }
            )
        }
    )
    listed = [v for v in mm.check(stable, forged).violations if v.kind == "blocking_pair"]
    assert [v.record for v in listed] == [b.applicant for b in strict_found]


def test_audit_of_a_plan_from_outside_rejects_unknown_records() -> None:
    problem = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json")
    assert mm.blocking_pairs(problem, {}) == mm.blocking_pairs(problem, {})
    empty = mm.blocking_pairs(problem, {})
    # With nobody placed, every acceptable pair with room blocks.
    assert empty
    assert all(b.case == "undersubscribed" for b in empty)


# --------------------------------------------------------------------------------------------------
# Stable mode against brute force


MODES = [
    {"mode": "applicant_optimal"},
    {"mode": "unit_optimal"},
    {"mode": "optimise"},
    {"mode": "optimise", "ties": "keep"},
]


@pytest.mark.parametrize("stability", MODES, ids=lambda s: "-".join(s.values()))
@settings(max_examples=50)
@given(raw=problems(max_applicants=5, max_supervisors=3), objective=st.sampled_from(["egalitarian", "sex_equal"]))
def test_stable_mode_equals_brute_force(stability: dict[str, str], raw: dict[str, Any], objective: str) -> None:
    policy: dict[str, Any] = {"stability": stability}
    if stability["mode"] == "optimise":
        policy["objective"] = objective
    problem = with_policy(raw, **policy)
    strict = stability.get("ties", "lottery") == "lottery"
    prefs = Prefs(problem, strict=strict)
    stable = [p for p in all_plans(problem, prefs) if not enumerated_blocking(prefs, p)]
    result = mm.solve(problem, mm.SolveOptions(workers=1))
    report = mm.check(problem, result)
    assert report.ok, str(report)
    if not stable:
        assert result.status is mm.Status.INFEASIBLE
        assert result.decision.message
        return
    assert result.status is mm.Status.OPTIMAL
    best = max(vector_of(problem, prefs.t, p) for p in stable)
    winners = [p for p in stable if vector_of(problem, prefs.t, p) == best]
    assert plan_of(result) in winners
    assert mm.blocking_pairs(problem, result, strict=strict) == ()


def _free_of_side_constraints(raw: dict[str, Any]) -> dict[str, Any]:
    """The round without municipality caps, minimums, targets, links, balance or unit pins."""
    data = json.loads(json.dumps(raw))
    for m in data["municipalities"]:
        m.pop("max_places", None)
        m.pop("min_places", None)
    for u in data["units"]:
        u.pop("min_places", None)
        u.pop("target_places", None)
    data["links"] = []
    data["policy"]["balance"] = None
    data["pins"] = [p for p in data["pins"] if "supervisor" in p]
    out: dict[str, Any] = data
    return out


@settings(max_examples=60)
@given(raw=problems(max_applicants=5, max_supervisors=3))
def test_applicant_and_unit_optimal_are_best_and_worst_for_every_applicant(raw: dict[str, Any]) -> None:
    data = _free_of_side_constraints(raw)
    best = with_policy(data, stability={"mode": "applicant_optimal"})
    worst = with_policy(data, stability={"mode": "unit_optimal"})
    prefs = Prefs(best, strict=True)
    plans = all_plans(best, prefs)
    if not plans:  # a pin at a pair that is not acceptable: no plan at all
        assert mm.solve(best).status is mm.Status.INFEASIBLE
        return
    stable = [p for p in plans if not enumerated_blocking(prefs, p)]
    assert stable, "a stable plan always exists without side constraints (Abraham, Irving & Manlove 2007)"
    top = mm.solve(best, mm.SolveOptions(workers=1))
    bottom = mm.solve(worst, mm.SolveOptions(workers=1))
    assert top.statistics.engine == "deferred-acceptance"
    assert bottom.statistics.engine == "deferred-acceptance"
    none = (10**9, 0)
    for a_id in prefs.options:
        mine = [prefs.akey(a_id, p[a_id]) if a_id in p else none for p in stable]
        got_top = plan_of(top).get(a_id)
        got_bottom = plan_of(bottom).get(a_id)
        assert (prefs.akey(a_id, got_top) if got_top else none) == min(mine)
        assert (prefs.akey(a_id, got_bottom) if got_bottom else none) == max(mine)
    # Rural hospitals: every stable plan places the same applicants.
    assert {frozenset(p) for p in stable} == {frozenset(plan_of(top))}


@settings(max_examples=120)
@given(raw=problems(max_applicants=5, max_supervisors=3), strict=st.booleans(), reserve=st.booleans())
def test_the_stable_start_meets_every_cap_and_has_no_blocking_pair(
    raw: dict[str, Any], strict: bool, reserve: bool
) -> None:
    """The capped deferred acceptance meets every maximum (also when it keeps the places units miss of
    their minimums); the walk's plan, when it returns one, also has no blocking pair by the
    enumeration (the search takes it as a hint only, so nothing else is asked of it)."""
    data = json.loads(json.dumps(raw))
    data["pins"] = [p for p in data["pins"] if "supervisor" in p]
    problem = with_policy(data, stability={"mode": "optimise", "ties": "lottery" if strict else "keep"})
    prefs = Prefs(problem, strict=strict)
    sc = score(problem)
    enc = sc.encoding

    def plan_from(x: Any) -> Plan:
        return {
            enc.applicant_ids[int(sc.applicant[p])]: enc.supervisor_ids[int(sc.supervisor[p])] for p in x.nonzero()[0]
        }

    capped = deferred_acceptance(sc, municipality_caps=True, reserve=reserve)
    if capped is None:  # a pin that leaves a choice, or pins that overfill a capacity
        return
    assert prefs.fits(plan_from(capped))
    assert all(plan_from(capped).get(p.applicant) == p.supervisor for p in problem.pins)
    start = stable_start(sc, strict=strict, reserve=reserve)
    if start is not None:
        plan = plan_from(start)
        assert prefs.fits(plan)
        assert enumerated_blocking(prefs, plan) == []


def test_the_capped_start_keeps_a_municipality_cap_in_a_hospitals_residents_round() -> None:
    # One supervisor per unit, so the round takes the rounds over arrays when no cap is asked for; two
    # applicants, one per unit, both in municipality M with a cap of one: the capped start places one.
    problem = with_policy(
        {
            "municipalities": [{"id": "M", "max_places": 1}],
            "units": [{"id": f"U{i}", "municipality": "M", "area": "bou", "max_places": 1} for i in range(2)],
            "supervisors": [{"id": f"S{i}", "unit": f"U{i}", "capacity": 1} for i in range(2)],
            "applicants": [{"id": f"A{i}", "ranking": {"units": {f"U{i}": 1}}} for i in range(2)],
        },
        stability={"mode": "applicant_optimal"},
    )
    sc = score(problem)
    uncapped, capped = deferred_acceptance(sc), deferred_acceptance(sc, municipality_caps=True)
    assert uncapped is not None
    assert capped is not None
    assert (int(uncapped.sum()), int(capped.sum())) == (2, 1)


def test_the_stable_start_of_the_joint_example_is_stable_within_its_caps() -> None:
    """Its caps bind (deferred acceptance without them overfills every municipality); the walk ends in
    a plan within them that has no blocking pair (it misses a unit minimum, so the search repairs it)."""
    problem = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    problem = problem.model_copy(
        update={"policy": problem.policy.model_copy(update={"stability": mm.Stability(mode="applicant_optimal")})}
    )
    sc = score(problem)
    enc = sc.encoding
    uncapped = deferred_acceptance(sc)
    assert uncapped is not None
    over = np.bincount(sc.municipality[uncapped == 1], minlength=len(enc.municipality_ids)) > enc.municipality_max
    assert over.all()
    start = stable_start(sc, strict=True)
    assert start is not None
    plan = {
        enc.applicant_ids[int(sc.applicant[p])]: enc.supervisor_ids[int(sc.supervisor[p])]
        for p in np.flatnonzero(start)
    }
    assert mm.blocking_pairs(problem, plan, strict=True) == ()
    counts = np.bincount(sc.municipality[start == 1], minlength=len(enc.municipality_ids))
    assert (counts <= enc.municipality_max).all()


# --------------------------------------------------------------------------------------------------
# Deferred acceptance against CP-SAT, and against the `matching` package


#: Shapes of a random round: ``spa`` (a unit's cap and its supervisors' caps may both bind), and the
#: hospitals/residents shapes that deferred acceptance solves in rounds over arrays: ``one`` (a
#: supervisor per unit), ``supervisors`` (the unit takes all its supervisors can: their caps bind) and
#: ``unit`` (each supervisor could take the whole unit: the unit's cap binds).
SHAPES = ("spa", "one", "supervisors", "unit")


def random_strict_round(rng: random.Random, n_apps: int, n_units: int, shape: str = "spa") -> dict[str, Any]:
    """Units with 1-3 supervisors, applicants ranking 2-5 supervisors strictly, units ranking all."""
    units, sups = [], []
    for u in range(n_units):
        k = 1 if shape == "one" else rng.randint(1, 3)
        caps = [rng.randint(1, 2) for _ in range(k)]
        top = rng.randint(1, sum(caps))
        if shape == "supervisors":
            top = sum(caps)
        elif shape == "unit":
            top = rng.randint(1, 3)
            caps = [rng.randint(top, top + 1) for _ in caps]
        units.append({"id": f"U{u}", "municipality": "M", "area": "A", "max_places": top})
        sups += [{"id": f"U{u}S{s}", "unit": f"U{u}", "capacity": c} for s, c in enumerate(caps)]
    apps = []
    for a in range(n_apps):
        chosen = rng.sample([s["id"] for s in sups], rng.randint(2, min(5, len(sups))))
        apps.append({"id": f"A{a:02d}", "ranking": {"supervisors": {s: i for i, s in enumerate(chosen, 1)}}})
    for unit in units:
        order = [a["id"] for a in apps]
        rng.shuffle(order)
        unit["ranking"] = {a: i for i, a in enumerate(order, 1)}
    return {
        "municipalities": [{"id": "M"}],
        "units": units,
        "supervisors": sups,
        "applicants": apps,
        "policy": {"stability": {"mode": "applicant_optimal"}, "lottery_seed": rng.randint(0, 2**32)},
    }


@pytest.mark.parametrize("mode", ["applicant_optimal", "unit_optimal"])
@pytest.mark.parametrize("seed", range(12))
def test_deferred_acceptance_equals_cpsat(seed: int, mode: str) -> None:
    rng = random.Random(seed)
    raw = random_strict_round(rng, rng.randint(8, 16), rng.randint(2, 4))
    raw["policy"]["stability"] = {"mode": mode}
    problem = mm.Problem.model_validate(raw)
    fast = mm.solve(problem)
    assert fast.statistics.engine == "deferred-acceptance"
    assert mm.check(problem, fast).ok
    # engine="cp-sat" asks for CP-SAT: deferred acceptance is not used then.
    exact = mm.solve(problem, mm.SolveOptions(engine="cp-sat", workers=2))
    assert exact.statistics.engine == "cp-sat"
    assert exact.decision_json() == fast.decision_json()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", range(12))
def test_student_optimal_equals_the_matching_package(seed: int, shape: str) -> None:
    from matching.games import StudentAllocation

    rng = random.Random(100 + seed)
    raw = random_strict_round(rng, rng.randint(6, 20), rng.randint(2, 5), shape)
    problem = mm.Problem.model_validate(raw)
    # Names mapped: the package's "supervisor" is our unit (it ranks students and has a capacity),
    # its "project" is our supervisor (a capacity, offered by one of its supervisors).
    student_prefs = {
        a["id"]: sorted(a["ranking"]["supervisors"], key=a["ranking"]["supervisors"].get) for a in raw["applicants"]
    }
    listing: dict[str, set[str]] = {u["id"]: set() for u in raw["units"]}
    unit_of = {s["id"]: s["unit"] for s in raw["supervisors"]}
    max_of = {u["id"]: u["max_places"] for u in raw["units"]}
    for a, prefs in student_prefs.items():
        for s in prefs:
            listing[unit_of[s]].add(a)
    unit_prefs = {
        u["id"]: [a for a in sorted(u["ranking"], key=u["ranking"].get) if a in listing[u["id"]]] for u in raw["units"]
    }
    game = StudentAllocation.create_from_dictionaries(
        student_prefs,
        unit_prefs,
        unit_of,
        # The package clips (with a warning) a project's capacity to its supervisor's, as the unit's
        # maximum already does here: give it clipped.
        {s["id"]: min(s["capacity"], max_of[s["unit"]]) for s in raw["supervisors"]},
        {u["id"]: u["max_places"] for u in raw["units"]},
    )
    theirs = {
        str(student): str(project)
        for project, students in game.solve(optimal="student").items()
        for student in students
    }
    ours = mm.solve(problem)
    assert ours.statistics.engine == "deferred-acceptance"
    assert plan_of(ours) == theirs


# --------------------------------------------------------------------------------------------------
# Textbook cases


def one_place_units(
    applicants: dict[str, list[str]], units: dict[str, list[str]], *, supervisor: str = "{unit}", **policy: Any
) -> mm.Problem:
    """Units of one supervisor (named by ``supervisor``) and one place each, ranking the applicants in the
    given order; applicants ranking the units' supervisors in theirs."""
    return mm.Problem.model_validate(
        {
            "municipalities": [{"id": "M"}],
            "units": [
                {
                    "id": u,
                    "municipality": "M",
                    "area": "A",
                    "max_places": 1,
                    "ranking": {a: i for i, a in enumerate(o, 1)},
                }
                for u, o in units.items()
            ],
            "supervisors": [{"id": supervisor.format(unit=u), "unit": u} for u in units],
            "applicants": [
                {"id": a, "ranking": {"supervisors": {supervisor.format(unit=u): i for i, u in enumerate(o, 1)}}}
                for a, o in applicants.items()
            ],
            "policy": policy,
        }
    )


def latin_square(**policy: Any) -> mm.Problem:
    """Gusfield & Irving (1989): m1: w1 w2 w3, m2: w2 w3 w1, m3: w3 w1 w2; w1: m2 m3 m1, w2: m3 m1 m2,
    w3: m1 m2 m3. Three stable matchings: everyone's first choice on the men's side (M0), on the
    women's side (M2), and everyone's second choice (M1). Men are applicants, women are one-supervisor
    units that rank the applicants."""
    men = {"m1": ["w1", "w2", "w3"], "m2": ["w2", "w3", "w1"], "m3": ["w3", "w1", "w2"]}
    women = {"w1": ["m2", "m3", "m1"], "w2": ["m3", "m1", "m2"], "w3": ["m1", "m2", "m3"]}
    return one_place_units(men, women, supervisor="{unit}-s", **policy)


@pytest.mark.parametrize("engine", ["auto", "cp-sat"])
def test_latin_square_of_gusfield_and_irving(engine: str) -> None:
    m0 = {"m1": "w1-s", "m2": "w2-s", "m3": "w3-s"}
    m1 = {"m1": "w2-s", "m2": "w3-s", "m3": "w1-s"}
    m2 = {"m1": "w3-s", "m2": "w1-s", "m3": "w2-s"}
    cases = [
        ({"mode": "applicant_optimal"}, "total_fit", m0),
        ({"mode": "unit_optimal"}, "total_fit", m2),
        ({"mode": "optimise"}, "sex_equal", m1),
    ]
    for stability, objective, expected in cases:
        problem = latin_square(stability=stability, objective=objective)
        result = mm.solve(problem, mm.SolveOptions(engine=engine, workers=1))
        assert mm.check(problem, result).ok
        assert plan_of(result) == expected, stability
    # Each of the three is stable; swapping two men's partners in M0 is not.
    problem = latin_square()
    for plan in (m0, m1, m2):
        assert mm.blocking_pairs(problem, plan) == ()
    swapped = {"m1": "w2-s", "m2": "w1-s", "m3": "w3-s"}
    # m1 would rather have w1, but w1 ranks m2 (hers) above m1. m2, at his last choice, would rather
    # have w2 (who ranks m1, hers, above m2) or w3, who ranks m2 above m3 (hers): (m2, w3) blocks.
    # m3 has his first choice.
    assert [(b.applicant, b.supervisor, b.case) for b in mm.blocking_pairs(problem, swapped)] == [
        ("m2", "w3-s", "supervisor_full")
    ]


def test_supervisor_and_unit_capacities_of_spa() -> None:
    """Student-project allocation in miniature (Abraham, Irving & Manlove 2007, the lecturer's capacity
    below the sum of its projects'): unit U (capacity 2) offers S1 (capacity 2) and S2 (capacity 1);
    U ranks a3 > a1 > a2. a1 and a2 want S1 first, a3 wants only S2. Deferred acceptance: a1, a2 take S1,
    then a3 takes S2 and U, over capacity, drops its least liked, a2. a2 may not return to S1 (U would
    still prefer a1 and a3), so the stable plan is {a1: S1, a3: S2}, and a2 is unplaced."""
    problem = mm.Problem.model_validate(
        {
            "municipalities": [{"id": "M"}],
            "units": [
                {"id": "U", "municipality": "M", "area": "A", "max_places": 2, "ranking": {"a3": 1, "a1": 2, "a2": 3}}
            ],
            "supervisors": [{"id": "S1", "unit": "U", "capacity": 2}, {"id": "S2", "unit": "U", "capacity": 1}],
            "applicants": [
                {"id": "a1", "ranking": {"supervisors": {"S1": 1, "S2": 2}}},
                {"id": "a2", "ranking": {"supervisors": {"S1": 1, "S2": 2}}},
                {"id": "a3", "ranking": {"supervisors": {"S2": 1}}},
            ],
            "policy": {"stability": {"mode": "applicant_optimal"}},
        }
    )
    result = mm.solve(problem)
    assert plan_of(result) == {"a1": "S1", "a3": "S2"}
    assert mm.check(problem, result).ok
    # The plan {a1: S1, a2: S1} leaves a3 out, and U would rather have a3 than a2.
    assert [(b.applicant, b.case) for b in mm.blocking_pairs(problem, {"a1": "S1", "a2": "S1"})] == [
        ("a3", "unit_full")
    ]


def test_side_constraints_can_rule_out_every_stable_plan() -> None:
    """Södertälje requires two students in Arbete och försörjning; with the units ranking by interview,
    no stable plan has them, and that is a result with the reason."""
    problem = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json")
    stable = problem.model_copy(update={"policy": problem.policy.model_copy(update={"stability": mm.Stability()})})
    result = mm.solve(stable)
    assert result.status is mm.Status.INFEASIBLE
    assert result.decision.message is not None
    assert "sdt-af" in result.decision.message
    assert mm.check(stable, result).ok


# --------------------------------------------------------------------------------------------------
# Popular plans


def one_list(n: int, posts: int) -> mm.Problem:
    """``n`` applicants with one and the same strict list over ``posts`` one-place supervisors."""
    return mm.Problem.model_validate(
        {
            "municipalities": [{"id": "M"}],
            "units": [{"id": "U", "municipality": "M", "area": "A", "max_places": posts}],
            "supervisors": [{"id": f"p{k}", "unit": "U"} for k in range(1, posts + 1)],
            "applicants": [
                {"id": f"a{i}", "ranking": {"supervisors": {f"p{k}": k for k in range(1, posts + 1)}}}
                for i in range(1, n + 1)
            ],
        }
    )


def test_no_popular_plan_for_three_applicants_with_one_list() -> None:
    """Abraham, Irving, Kavitha & Mehlhorn (2007): a1, a2, a3 all rank p1 > p2 > p3; any plan is beaten
    (the applicants at p2 and p3 move up, the one at p1 drops out: two against one)."""
    problem = one_list(3, 3)
    outcome = mm.popular_plan(problem)
    assert outcome.status is mm.Status.INFEASIBLE
    assert outcome.plan is None
    assert "No popular plan exists" in outcome.message
    # The verdict as data, said in either language with the same content (the number of plans too).
    assert outcome.verdict == "none_exists"
    assert outcome.text("en") == outcome.message
    assert outcome.text("sv").startswith("Det finns ingen populär plan")
    assert f"bevisat med {outcome.cuts} plan" in outcome.text("sv")
    verdict = mm.popularity(problem, {"a1": "p1", "a2": "p2", "a3": "p3"})
    assert not verdict.popular
    assert (verdict.margin, verdict.prefer_other, verdict.prefer_this) == (1, 2, 1)


def test_a_popular_plan_when_one_exists() -> None:
    """Two applicants, two posts, one list: {a1: p1, a2: p2} is popular (any change helps one and
    hurts the other)."""
    problem = one_list(2, 2)
    outcome = mm.popular_plan(problem)
    assert outcome.status is mm.Status.OPTIMAL
    assert outcome.plan is not None
    assert sorted(outcome.plan.values()) == ["p1", "p2"]
    assert mm.popularity(problem, outcome.plan).popular
    # Leaving one out is not popular: the left-out applicant and nobody else gain by placing them.
    assert not mm.popularity(problem, {"a1": "p1"}).popular


def _prefers(prefs: Prefs, a_id: str, mine: str | None, other: str | None) -> int:
    """+1 if ``a_id`` prefers ``other`` to ``mine``, -1 if the reverse, 0 if equal."""
    if mine == other:
        return 0
    if mine is None or other is None:
        return 1 if mine is None else -1
    x, y = prefs.t.rank(prefs.t.apps[a_id], mine), prefs.t.rank(prefs.t.apps[a_id], other)
    return (y < x) - (x < y)


@settings(max_examples=100)
@given(raw=problems(max_applicants=4, max_supervisors=3), pick=st.integers(0, 10**6))
def test_popularity_equals_enumeration(raw: dict[str, Any], pick: int) -> None:
    problem = make_problem(raw)
    prefs = Prefs(problem, strict=False)
    plans = all_plans(problem, prefs)
    if not plans:
        return

    def margin(mine: Plan, other: Plan) -> int:
        return sum(_prefers(prefs, a, mine.get(a), other.get(a)) for a in prefs.options)

    def is_popular(p: Plan) -> bool:
        return all(margin(p, q) <= 0 for q in plans)

    plan = plans[pick % len(plans)]
    verdict = mm.popularity(problem, plan, mm.SolveOptions(workers=1))
    assert verdict.margin == max(margin(plan, q) for q in plans)
    assert verdict.popular == is_popular(plan)
    if verdict.better is not None:
        assert margin(plan, verdict.better) == verdict.margin
    popular = [p for p in plans if is_popular(p)]
    outcome = mm.popular_plan(problem, mm.SolveOptions(workers=1))
    if not popular:
        assert outcome.status is mm.Status.INFEASIBLE
        return
    assert outcome.status is mm.Status.OPTIMAL
    assert outcome.plan is not None
    assert outcome.plan in popular
    # The policy's best popular plan (stability off, as documented).
    base = problem.model_copy(update={"policy": problem.policy.model_copy(update={"stability": None})})
    best = max(vector_of(base, prefs.t, p) for p in popular)
    assert vector_of(base, prefs.t, outcome.plan) == best


# --------------------------------------------------------------------------------------------------
# The command line


def _cli(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from matchmaker._cli import cli

    out = CliRunner().invoke(cli, list(args))
    return out.exit_code, out.stdout, out.stderr


def test_cli_stable_mode_then_audit(tmp_path: Any) -> None:
    pytest.importorskip("click")
    problem = EXAMPLES / "sodertalje" / "problem.json"
    stable = tmp_path / "stable.json"
    # Without the Arbete och försörjning minimum as a rule, a stable plan exists.
    code, _, err = _cli(
        "solve", str(problem), "--stability", "applicant_optimal", "--minimums", "soft", "-q", "-o", str(stable)
    )
    assert code == 0, err
    result = mm.load_result(stable)
    assert result.statistics.engine != "deferred-acceptance"  # the municipality cap binds: CP-SAT
    # Stable for the lottery's strict orders, so weakly stable for the plain problem.
    code, out, _ = _cli("stability", str(problem), str(stable))
    assert (code, out) == (0, "stable: no blocking pair\n")
    plain = mm.load_problem(problem)
    total_fit = tmp_path / "total-fit.json"
    assert _cli("solve", str(problem), "-q", "-o", str(total_fit))[0] == 0
    code, out, _ = _cli("stability", str(problem), str(total_fit))
    found = mm.blocking_pairs(plain, mm.load_result(total_fit))
    assert code == 1
    assert out.startswith(f"{len(found)} blocking pairs:")
    code, out, _ = _cli("stability", str(problem), str(total_fit), "--strict", "--json")
    strict = mm.blocking_pairs(plain, mm.load_result(total_fit), strict=True)
    assert json.loads(out) == [p.model_dump(mode="json") for p in strict]
    code, _, err = _cli("solve", str(problem), "--stability-ties", "keep")
    assert code == 2
    assert "--stability-ties needs a stable mode" in err


def test_cli_popular() -> None:
    pytest.importorskip("click")
    problem = EXAMPLES / "huddinge-nacka-tyreso" / "problem.json"
    code, out, _ = _cli("popular", str(problem), "--json")
    outcome = mm.PopularPlan.model_validate_json(out)
    assert code == 0
    assert outcome.status is mm.Status.OPTIMAL
    assert outcome.plan is not None
    assert mm.popularity(mm.load_problem(problem), outcome.plan).popular


def test_a_plan_from_outside_with_unknown_ids_or_pairs_is_refused() -> None:
    problem = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json")
    with pytest.raises(mm.InputError) as unknown:
        mm.blocking_pairs(problem, {"NOBODY": "H-BOU-1", "VT26-01": "NO-SUPERVISOR"})
    assert [i.location for i in unknown.value.issues] == ["plan['NOBODY']", "plan['VT26-01']"]
    assert "an applicant the problem does not have" in unknown.value.issues[0].message
    assert "a supervisor the problem does not have" in unknown.value.issues[1].message
    truth = Truth(problem)
    refused = next((a.id, s.id) for a in problem.applicants for s in problem.supervisors if truth.refusal(a, s.id))
    with pytest.raises(mm.InputError) as unacceptable:
        mm.popularity(problem, {refused[0]: refused[1]})
    assert [i.location for i in unacceptable.value.issues] == [f"plan[{refused[0]!r}]"]
    assert "not an acceptable pair" in unacceptable.value.issues[0].message
