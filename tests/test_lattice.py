"""Every stable plan: rotations, the lattice, each applicant's range and the two-sided optima.

Brute force from the raw records (every plan of a tiny round, kept when the independent checker's
audit finds no blocking pair for the lottery-strict orders) must agree with :func:`stable_plans` on
the count, the set of plans, and the egalitarian and minimum-regret values. References:

* Gusfield & Irving, "The Stable Marriage Problem: Structure and Algorithms", MIT Press (1989): the
  Latin-square instance with three stable matchings in a chain of two rotations;
* Irving, Leather & Gusfield, J. ACM 34(3) (1987): the egalitarian stable matching;
* Gusfield, SIAM J. Computing 16(1) (1987): the minimum-regret stable matching;
* issue 21: three applicants whose egalitarian two-sided plan has rank sum 9 (not the
  applicant-optimal 10).
"""

from __future__ import annotations

import itertools
import json
import random
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import matchmaker as mm
from matchmaker._checks import stability_audit
from matchmaker._engines.deferred_acceptance import deferred_acceptance, unit_proposing
from matchmaker._engines.rotations import lattice, reduce_to_hr, two_sided_plan
from matchmaker._lottery import pair_draw
from matchmaker._scoring import score
from strategies import problems
from test_stability import Prefs, _free_of_side_constraints, all_plans, latin_square, one_place_units, with_policy

Plan = dict[str, str]


def brute_stable(problem: mm.Problem) -> list[Plan]:
    """Every plan meeting the round's constraints with no blocking pair (strict), by the checker."""
    prefs = Prefs(problem, strict=True)
    return [p for p in all_plans(problem, prefs) if not stability_audit(problem, p, strict=True)]


def two_sided(problem: mm.Problem, plan: Plan) -> tuple[int, int]:
    """(both sides' rank sum, worst rank on either side), from the raw records."""
    prefs = Prefs(problem, strict=False)
    ranks = []
    for a_id, sid in plan.items():
        ranks.append(prefs.t.rank(prefs.t.apps[a_id], sid))
        ranks.append(prefs.upref[(prefs.unit_of(sid), a_id)])
    return sum(ranks), max(ranks, default=0)


def key(plan: Plan) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(plan.items()))


def issue_example() -> mm.Problem:
    """Issue 21: a1 [u2, u1, u3], a2 [u1, u2, u3], a3 [u3, u2, u1]; u1 [a1, a3, a2], u2 [a2, a1, a3],
    u3 [a2, a3, a1]; one supervisor (named as its unit) with one place each."""
    apps = {"a1": ["u2", "u1", "u3"], "a2": ["u1", "u2", "u3"], "a3": ["u3", "u2", "u1"]}
    units = {"u1": ["a1", "a3", "a2"], "u2": ["a2", "a1", "a3"], "u3": ["a2", "a3", "a1"]}
    return one_place_units(apps, units)


def test_issue_example_egalitarian_and_minimum_regret() -> None:
    problem = issue_example()
    r = mm.stable_plans(problem)
    assert r.method == "rotations"
    assert r.complete
    assert r.count == 2
    assert r.plans == ({"a1": "u2", "a2": "u1", "a3": "u3"}, {"a1": "u1", "a2": "u2", "a3": "u3"})
    assert r.egalitarian is not None
    assert r.minimum_regret is not None
    assert r.egalitarian.plan == {"a1": "u1", "a2": "u2", "a3": "u3"}
    assert (r.egalitarian.rank_sum, r.egalitarian.worst_rank) == (9, 2)
    assert r.minimum_regret.plan == r.egalitarian.plan
    assert two_sided(problem, r.plans[0]) == (10, 3)
    # one rotation: a1 and a2 swap
    assert r.rotations is not None
    assert len(r.rotations) == 1
    assert {(s.applicant, s.old, s.new) for s in r.rotations[0].steps} == {("a1", "u2", "u1"), ("a2", "u1", "u2")}
    ranges = {x.applicant: (x.best, x.worst, x.options) for x in r.ranges}
    assert ranges == {"a1": ("u2", "u1", ("u2", "u1")), "a2": ("u1", "u2", ("u1", "u2")), "a3": ("u3", "u3", ("u3",))}


def test_latin_square_has_three_plans_in_a_chain_of_two_rotations() -> None:
    r = mm.stable_plans(latin_square())
    m0 = {"m1": "w1-s", "m2": "w2-s", "m3": "w3-s"}
    m1 = {"m1": "w2-s", "m2": "w3-s", "m3": "w1-s"}
    m2 = {"m1": "w3-s", "m2": "w1-s", "m3": "w2-s"}
    assert r.count == 3
    assert r.complete
    assert r.plans == (m0, m1, m2)
    assert r.rotations is not None
    assert [rot.after for rot in r.rotations] == [(), (1,)]
    assert r.minimum_regret is not None
    assert r.minimum_regret.plan == m1
    assert r.minimum_regret.worst_rank == 2
    # every plan sums to 12 on both sides: the egalitarian optimum is 12, the first found is the top
    assert r.egalitarian is not None
    assert r.egalitarian.rank_sum == 12


def test_the_limit_is_reported_in_both_languages() -> None:
    r = mm.stable_plans(latin_square(), limit=2)
    assert (r.count, r.complete, len(r.plans)) == (2, False, 2)
    assert "More than 2 stable plans" in r.text("en")
    assert "Fler än 2 stabila planer" in r.text("sv")
    with pytest.raises(mm.InputError, match="limit"):
        mm.stable_plans(latin_square(), limit=0)


def random_round(rng: random.Random, *, hr: bool) -> dict[str, Any]:
    """Units of one or two supervisors; one or two blocks of 2-3 supervisors with cyclic preferences
    inside each block (as in the Latin square), lightly shuffled; as many applicants as places (one
    supervisor may have two); a supervisor's unit likes best the applicants who like it least, so
    that a round has several stable plans. ``hr``: each unit's maximum is its supervisors'
    capacities added (so it never binds), else a random maximum that often binds."""
    # one or two blocks of 2-3 supervisors, each block a cycle of its own (two blocks multiply the
    # plans: rotations that are not ordered); an applicant may add a supervisor of the other block last
    blocks = [rng.randint(2, 3) for _ in range(rng.randint(1, 2))]
    n_sups = sum(blocks)
    caps = [1] * n_sups
    caps[rng.randrange(n_sups)] = rng.choice([1, 2])
    unit_of = [f"U{s // 2}" if rng.random() < (0.5 if hr else 0.9) else f"V{s}" for s in range(n_sups)]
    sup_ids = [f"S{s}" for s in range(n_sups)]
    apps: list[dict[str, Any]] = []
    first = 0
    for size in blocks:
        block = list(range(first, first + size))
        seats = [s for s in block for _ in range(caps[s])]
        for k in range(len(seats)):
            chosen = [sup_ids[block[(k + j) % size]] for j in range(size)]
            if rng.random() < 0.3:
                i = rng.randrange(size - 1)
                chosen[i], chosen[i + 1] = chosen[i + 1], chosen[i]
            if len(blocks) > 1 and rng.random() < 0.3:
                chosen.append(sup_ids[rng.choice([s for s in range(n_sups) if s not in block])])
            apps.append({"id": f"A{len(apps)}", "ranking": {"supervisors": {s: i for i, s in enumerate(chosen, 1)}}})
        first += size
    units: dict[str, dict[str, Any]] = {}
    for s, u in enumerate(unit_of):
        unit = units.setdefault(u, {"id": u, "municipality": "M", "area": "A", "max_places": 0, "room": 0})
        unit["room"] += caps[s]
    for u, unit in units.items():
        room = unit.pop("room")
        unit["max_places"] = room if hr else rng.randint(1, room)
        mine = {sup_ids[s] for s, v in enumerate(unit_of) if v == u}

        def liking(app: dict[str, Any], mine: set[str] = mine) -> float:
            ranks = [r for s, r in app["ranking"]["supervisors"].items() if s in mine]
            return -min(ranks, default=9) + rng.random() * 1.2

        unit["ranking"] = {a["id"]: i for i, a in enumerate(sorted(apps, key=liking), 1)}
    return {
        "municipalities": [{"id": "M"}],
        "units": list(units.values()),
        "supervisors": [
            {"id": sid, "unit": u, "capacity": c} for sid, u, c in zip(sup_ids, unit_of, caps, strict=True)
        ],
        "applicants": apps,
        "policy": {"lottery_seed": rng.randint(0, 2**32)},
    }


def assert_agrees_with_brute_force(problem: mm.Problem, r: mm.StablePlans) -> None:
    stable = brute_stable(problem)
    assert r.complete
    assert r.count == len(stable) == len(r.plans)
    assert sorted(map(key, r.plans)) == sorted(map(key, stable))
    for plan in r.plans:
        assert stability_audit(problem, plan, strict=True) == []
    if not stable:  # possible with side constraints: a binding cap
        assert r.egalitarian is None
        assert r.minimum_regret is None
        assert r.ranges == ()
        return
    # the two-sided optima are taken among the largest stable plans (all of one size in HR), ties
    # broken by the greatest lottery total, as the solver's last level does
    largest = [p for p in stable if len(p) == max(map(len, stable))]
    seed = problem.policy.lottery_seed

    def draws(plan: Plan) -> int:
        return sum(pair_draw(seed, a, s) for a, s in plan.items())

    assert r.egalitarian is not None
    assert r.minimum_regret is not None
    egalitarian = min(largest, key=lambda p: (two_sided(problem, p)[0], -draws(p)))
    assert r.egalitarian.plan == egalitarian
    assert (r.egalitarian.rank_sum, r.egalitarian.worst_rank) == two_sided(problem, egalitarian)
    regret = min(largest, key=lambda p: (two_sided(problem, p)[1], two_sided(problem, p)[0], -draws(p)))
    assert r.minimum_regret.plan == regret
    assert (r.minimum_regret.rank_sum, r.minimum_regret.worst_rank) == two_sided(problem, regret)
    for rg in r.ranges:
        got = [p.get(rg.applicant) for p in stable]
        assert set(rg.options) == {s for s in got if s is not None}
        assert (rg.worst is None) == (None in got)


@pytest.mark.parametrize("seed", range(25))
def test_rotations_equal_brute_force(seed: int) -> None:
    problem = mm.Problem.model_validate(random_round(random.Random(seed), hr=True))
    r = mm.stable_plans(problem)
    assert r.method == "rotations"
    assert_agrees_with_brute_force(problem, r)
    sc = score(problem)
    hr = reduce_to_hr(sc)
    assert hr is not None
    assert r.count == closed_set_count(list(lattice(sc, hr).preds))
    # the arrays' entry point for the solver gives the same plans
    enc = sc.encoding
    for x, best in (
        (two_sided_plan(sc, "egalitarian"), r.egalitarian),
        (two_sided_plan(sc, "minimum_regret"), r.minimum_regret),
    ):
        assert x is not None
        assert best is not None
        chosen = np.flatnonzero(x)
        got = {enc.applicant_ids[int(sc.applicant[p])]: enc.supervisor_ids[int(sc.supervisor[p])] for p in chosen}
        assert got == best.plan


def unit_maximum_can_bind(raw: dict[str, Any]) -> bool:
    """Whether some unit's maximum couples two supervisors: below their capacities added, and below
    the number of applicants who list one of them (the round is then not HR)."""
    for unit in raw["units"]:
        mine = [s for s in raw["supervisors"] if s["unit"] == unit["id"]]
        listing = [a for a in raw["applicants"] if set(a["ranking"]["supervisors"]) & {s["id"] for s in mine}]
        if len(mine) > 1 and unit["max_places"] < min(sum(s["capacity"] for s in mine), len(listing)):
            return True
    return False


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
def test_exact_model_enumeration_equals_brute_force(seed: int) -> None:
    raw = random_round(random.Random(1000 + seed), hr=False)
    problem = mm.Problem.model_validate(raw)
    r = mm.stable_plans(problem, options=mm.SolveOptions(workers=1))
    assert r.method == ("cp-sat" if unit_maximum_can_bind(raw) else "rotations")
    assert (two_sided_plan(score(problem), "egalitarian") is None) == (r.method == "cp-sat")
    assert (r.rotations is None) == (r.method == "cp-sat")
    assert_agrees_with_brute_force(problem, r)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(8))
def test_a_binding_municipality_cap_enumerates_plans_of_different_sizes(seed: int) -> None:
    """A municipality cap one below the places: not HR; a stable plan may not exist (a full
    municipality takes no one, so an applicant shut out of it can block elsewhere)."""
    raw = random_round(random.Random(2000 + seed), hr=True)
    raw["municipalities"][0]["max_places"] = len(raw["applicants"]) - 1
    problem = mm.Problem.model_validate(raw)
    r = mm.stable_plans(problem, options=mm.SolveOptions(workers=1))
    assert r.method == "cp-sat"
    assert_agrees_with_brute_force(problem, r)


def closed_set_count(preds: list[tuple[int, ...]]) -> int:
    """The closed sets of the poset, counted over every subset of rotations."""
    n = len(preds)
    return sum(
        all(all(q in chosen for q in preds[i]) for i in chosen)
        for k in range(n + 1)
        for chosen in map(set, itertools.combinations(range(n), k))
    )


@settings(max_examples=60)
@given(raw=problems(max_applicants=5, max_supervisors=3))
def test_every_listed_plan_is_stable_and_distinct_and_the_count_is_the_closed_sets(raw: dict[str, Any]) -> None:
    problem = with_policy(_free_of_side_constraints(raw))
    sc = score(problem)
    hr = reduce_to_hr(sc)
    r = mm.stable_plans(problem, options=mm.SolveOptions(workers=1))
    assert len({key(p) for p in r.plans}) == len(r.plans) == r.count
    for plan in r.plans:
        assert stability_audit(problem, plan, strict=True) == []
    if hr is None:
        return
    assert r.method == "rotations"
    lat = lattice(sc, hr)
    if len(lat.preds) <= 10:
        assert r.count == closed_set_count(list(lat.preds))
    # the top and the bottom are deferred acceptance's two plans
    for ours, theirs in ((lat.top, deferred_acceptance(sc)), (lat.bottom, unit_proposing(sc))):
        assert theirs is not None
        x = np.zeros(sc.n_pairs, dtype=np.int64)
        x[ours[ours >= 0]] = 1
        assert np.array_equal(x, theirs)


def test_cli_stability_all_in_both_languages(tmp_path: Any) -> None:
    pytest.importorskip("click")
    from click.testing import CliRunner

    from matchmaker._cli import cli

    path = tmp_path / "problem.json"
    mm.save_problem(issue_example(), path)
    runner = CliRunner()
    out = runner.invoke(cli, ["stability", str(path), "--all"])
    assert out.exit_code == 0, out.stderr
    assert out.stdout.startswith("2 stable plans.\n1 rotation:\n  1. a1 from u2 to u1, a2 from u1 to u2")
    assert "  a3: always u3 (rank 1)\n" in out.stdout
    assert "least sum of both sides' ranks, 9; worst rank 2" in out.stdout
    sv = runner.invoke(cli, ["stability", str(path), "--all", "--lang", "sv"])
    assert sv.exit_code == 0
    assert sv.stdout.startswith("2 stabila planer.\n1 rotation:\n  1. a1 från u2 till u1, a2 från u1 till u2")
    assert "  a1: u2 (rang 1) till u1 (rang 2)\n" in sv.stdout
    as_json = runner.invoke(cli, ["stability", str(path), "--all", "--json", "--limit", "1"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert (data["count"], data["complete"], data["plans"]) == (1, False, [{"a1": "u2", "a2": "u1", "a3": "u3"}])
    # usage: --all takes no RESULT, and without --all a RESULT is needed
    both = runner.invoke(cli, ["stability", str(path), str(path), "--all"])
    assert both.exit_code == 2
    assert "give no RESULT" in both.stderr
    neither = runner.invoke(cli, ["stability", str(path)])
    assert neither.exit_code == 2
    assert "give a RESULT to audit, or --all" in neither.stderr
    bad = runner.invoke(cli, ["stability", str(path), "--all", "--limit", "0"])
    assert bad.exit_code == 2


def test_no_stable_plan_exits_1(tmp_path: Any) -> None:
    """A hard minimum that no stable plan meets (every stable plan fills each unit alike)."""
    from click.testing import CliRunner

    from matchmaker._cli import cli

    raw = issue_example().model_dump(mode="json", exclude_none=True)
    raw["supervisors"] = [*raw["supervisors"], {"id": "u4", "unit": "u4"}]
    raw["units"] = [*raw["units"], {"id": "u4", "municipality": "M", "area": "A", "max_places": 1, "min_places": 1}]
    problem = mm.Problem.model_validate(raw)
    r = mm.stable_plans(problem)
    assert (r.method, r.count, r.complete, r.ranges, r.egalitarian) == ("cp-sat", 0, True, (), None)
    path = tmp_path / "problem.json"
    mm.save_problem(problem, path)
    out = CliRunner().invoke(cli, ["stability", str(path), "--all"])
    assert out.exit_code == 1
    assert out.stdout.startswith("0 stable plans.")


def cyclic(n: int, k: int) -> mm.Problem:
    """n applicants and n one-place units in a circle: applicant i wants units i, i+1, ..., i+k-1; a
    unit likes best the applicant who wants it least (a Latin square when k = n)."""
    units = [
        {
            "id": f"u{s}",
            "municipality": "M",
            "area": "A",
            "max_places": 1,
            "ranking": {f"a{(s - j) % n}": k - j for j in range(k)},
        }
        for s in range(n)
    ]
    return mm.Problem.model_validate(
        {
            "municipalities": [{"id": "M"}],
            "units": units,
            "supervisors": [{"id": f"u{s}", "unit": f"u{s}"} for s in range(n)],
            "applicants": [
                {"id": f"a{i}", "ranking": {"supervisors": {f"u{(i + j) % n}": j + 1 for j in range(k)}}}
                for i in range(n)
            ],
        }
    )


def test_a_long_rotation_is_shown_one_move_a_line() -> None:
    problem = cyclic(6, 3)
    r = mm.stable_plans(problem)
    assert_agrees_with_brute_force(problem, r)
    # every applicant moves one step at a time, all six together: a chain of k - 1 rotations
    assert r.rotations is not None
    assert [len(rot.steps) for rot in r.rotations] == [6, 6]
    lines = r.text().splitlines()
    first = lines.index("  1. (can come first)")
    assert lines[first + 1 : first + 7] == [f"     a{i} from u{i} to u{(i + 1) % 6}" for i in range(6)]
    assert lines[first + 7] == "  2. (after rotation 1)"


def test_the_report_shows_each_applicants_range_beside_this_plan(tmp_path: Any) -> None:
    """The report's stable-plans section: the count, whether this plan is stable, and each applicant's range
    beside their place here, in both languages; the command computes it with --stable-plans."""
    from matchmaker.report import html_report
    from matchmaker.report._text import text_report

    problem = issue_example()
    stable = mm.stable_plans(problem)
    optimal = mm.solve(
        problem.model_copy(update={"policy": problem.policy.model_copy(update={"stability": mm.Stability()})})
    )
    unstable_problem = problem.model_copy(
        update={"policy": problem.policy.model_copy(update={"objective": "egalitarian", "stability": None})}
    )
    text = text_report(optimal, problem=None, stable=stable)
    assert f"The round has {stable.count} stable plans. This plan is one of them." in text
    # a1 has u2 here, u2 at best and u1 at worst; a3 has u3 in every stable plan
    assert re.search(r"a1 +u2 \(rank 1\) +u2 \(rank 1\) +u1 \(rank 2\)", text), text
    assert re.search(r"a3 +u3 \(rank 1\) +u3 \(rank 1\) +u3 \(rank 1\)", text), text
    sv = text_report(optimal, problem=None, lang="sv", stable=stable)
    assert f"Omgången har {stable.count} stabila planer. Den här planen är en av dem." in sv
    html = html_report(optimal, lang="sv", stable=stable)
    assert 'id="stable"' in html
    assert "u1 (rang 2)" in html
    # a plan outside the stable ones is said to be so (a plan solved without stability: maybe stable by chance)
    other = mm.solve(unstable_problem)
    plan = {a.applicant: a.supervisor for a in other.assignments}
    said = text_report(other, problem=None, stable=stable)
    expected = "This plan is one of them." if plan in stable.plans else "This plan is not one of them."
    assert expected in said
    without = text_report(optimal, problem=None)
    assert "stable plans" not in without

    pytest.importorskip("click")
    from click.testing import CliRunner

    from matchmaker._cli import cli

    path, result_path = tmp_path / "problem.json", tmp_path / "result.json"
    mm.save_problem(problem, path)
    runner = CliRunner()
    assert runner.invoke(cli, ["solve", str(path), "-q", "-o", str(result_path)]).exit_code == 0
    out = runner.invoke(cli, ["report", str(result_path), "-o", str(tmp_path / "r.txt"), "--stable-plans"])
    assert out.exit_code == 0, out.output
    assert "The round has 2 stable plans." in (tmp_path / "r.txt").read_text("utf-8")
    limited = runner.invoke(cli, ["report", str(result_path), "-o", str(tmp_path / "r2.txt"), "--stable-plans", "1"])
    assert limited.exit_code == 0, limited.output
    assert "at least 1 stable plan (not all were listed)" in (tmp_path / "r2.txt").read_text("utf-8")


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("objective", ["egalitarian_two_sided", "minimum_regret_two_sided"])
def test_the_solver_takes_the_poset_path_with_the_models_decision(seed: int, objective: str) -> None:
    """On a hospitals/residents round `solve` finds a two-sided optimum from the rotation poset
    (engine "rotations"), and its decision is byte for byte the one CP-SAT proves on the stable model."""
    raw = random_round(random.Random(1000 + seed), hr=True)
    raw["policy"] = {**raw["policy"], "stability": {"mode": "optimise"}, "objective": objective}
    problem = mm.Problem.model_validate(raw)
    fast = mm.solve(problem)
    exact = mm.solve(problem, mm.SolveOptions(engine="cp-sat", time_limit=60))
    assert fast.statistics.engine == "rotations"
    assert exact.status is mm.Status.OPTIMAL
    assert fast.decision_json() == exact.decision_json()
    assert mm.check(problem, fast).ok
