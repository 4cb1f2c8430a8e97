"""The vectorised checker: its pair arrays against its scalar rules, its stability audit against the
library's own blocking pairs (two implementations that share no code), and whole reports on random
rounds, solved and then corrupted in each way the checker knows: over capacity, an unacceptable pair, a
wrong level value, fit or rank, a blocking pair, a missing, doubled or unknown applicant, an unknown
supervisor, a wrong unit, a wrong unplaced reason, wrong metrics.

(While it replaced the plain-Python checker, every report and audit of these tests was also compared
with that checker's, finding by finding; that comparison and the copy it needed are in the history.)
"""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchmaker as mm
from conftest import EXAMPLES, make_problem
from matchmaker._checks import Truth, arrays, check, stability_audit
from matchmaker._checks.arrays import _sort_pairs
from matchmaker._checks.audit import strict_ranks
from matchmaker._checks.stability import strict_rank
from matchmaker._lottery import pair_draw
from strategies import problems, rich_problems

STABILITY = [None, {"mode": "applicant_optimal"}, {"mode": "optimise"}, {"mode": "optimise", "ties": "keep"}]


@st.composite
def rounds(draw: st.DrawFn, *, rich: bool = False) -> mm.Problem:
    """A random round, with what :func:`strategies.problems` leaves out: periods, unavailable
    supervisors, load limits and commitments, continuity, a stable mode."""
    raw: dict[str, Any] = json.loads(json.dumps(draw(rich_problems() if rich else problems(max_applicants=7))))
    if draw(st.booleans()):
        raw["round"] = {
            "term": "HT",
            "year": 2026,
            "step": draw(st.sampled_from([1, 2])),
            "periods": [
                {"id": "P1", "start": "2026-09-01", "end": "2026-10-15"},
                {"id": "P2", "start": "2026-10-01", "end": "2026-12-15", "university": "U-Gbg"},
            ],
        }
        for app in raw["applicants"]:
            app["period"] = draw(st.sampled_from([None, "P1", "P2"]))
            if draw(st.booleans()):
                app["university"] = "U-Gbg"
        for sup in raw["supervisors"]:
            if draw(st.integers(0, 2)) == 0:
                sup["unavailable_periods"] = [draw(st.sampled_from(["P1", "P2"]))]
            if draw(st.integers(0, 2)) == 0:
                sup["load_limit"] = draw(st.sampled_from([0.5, 1.0, 1.5]))
        if raw["supervisors"] and draw(st.booleans()):
            raw["commitments"] = [
                {"supervisor": raw["supervisors"][0]["id"], "start": "2026-09-20", "end": "2026-11-01", "load": 0.3}
            ]
    for app in raw["applicants"]:
        for _ in range(draw(st.integers(0, 3))):  # more interviewers: their scores are averaged in order
            score = {"criterion": draw(st.sampled_from(["c1", "c2"])), "score": draw(st.sampled_from([1.0, 2.5, 3.7]))}
            if draw(st.booleans()):
                score["unit"] = draw(st.sampled_from(raw["units"]))["id"]
            app["interview"] = [
                *app.get("interview", []),
                {**score, "interviewer": f"extra{len(app.get('interview', []))}"},
            ]
        if draw(st.integers(0, 4)) == 0:
            unit = draw(st.sampled_from(raw["units"]))
            app["previous_unit"] = unit["id"]
            same: list[str] = [s["id"] for s in raw["supervisors"] if s["unit"] == unit["id"]]
            if draw(st.booleans()) and same:
                app["previous_supervisor"] = same[0]
    for key in ("applicants", "supervisors", "units"):  # the records' order is not the ids' order
        raw[key] = draw(st.permutations(raw[key]))
    stability = draw(st.sampled_from(STABILITY))
    if stability is not None:
        raw["policy"]["stability"] = stability
        raw["policy"]["balance"] = None
        raw["links"] = []
        if draw(st.booleans()):
            raw["policy"]["objective"] = "sex_equal"
    return make_problem(raw)


def findings(checker: Any, problem: mm.Problem, result: mm.Result) -> list[tuple[str, str, str, str]] | str:
    """Every finding in order (kind, record, English and Swedish text), or the error the checker raised."""
    try:
        report = checker(problem, result)
    except KeyError as exc:  # both checkers fail alike on some broken plans (see test below)
        return f"KeyError {exc}"
    return [(v.kind, v.record, str(v), v.text("sv")) for v in report]


def corrupt(problem: mm.Problem, result: mm.Result, how: str, rnd: random.Random) -> mm.Result:
    """``result`` broken one way (or left alone: ``"none"``)."""
    d = result.decision
    placed = list(d.assignments)
    unplaced = list(d.unplaced)
    sups = problem.supervisors
    unit_of = {u.id: u for u in problem.units}
    change: dict[str, Any] = {}

    def at(a_id: str, sid: str) -> mm.Assignment:
        s = next(x for x in sups if x.id == sid)
        return mm.Assignment(
            applicant=a_id,
            supervisor=sid,
            unit=s.unit,
            municipality=unit_of[s.unit].municipality,
            fit=0.5,
            fit_points=5000,
            rank=1,
        )

    if how == "move" and unplaced + placed:
        # anyone anywhere: over capacity, unacceptable, blocking pairs, wrong fit and rank
        who = rnd.choice([x.applicant for x in unplaced + placed])
        placed = [x for x in placed if x.applicant != who] + [at(who, rnd.choice(sups).id)]
        unplaced = [y for y in unplaced if y.applicant != who]
    elif how == "shuffle" and placed:
        chosen = rnd.sample([s.id for s in sups], k=min(len(sups), len(placed)))
        placed = [at(x.applicant, sid) for x, sid in zip(placed, chosen, strict=False)] + placed[len(chosen) :]
    elif how == "drop" and placed:
        placed.pop(rnd.randrange(len(placed)))
    elif how == "twice" and placed:
        placed.append(rnd.choice(placed))
    elif how == "unknown":
        placed.append(at("NOBODY", sups[0].id))
        if placed[:-1]:
            x = placed[0]
            placed[0] = x.model_copy(update={"supervisor": "NO-SUPERVISOR"})
    elif how == "unit" and placed:
        x = placed[0]
        placed[0] = x.model_copy(update={"unit": "ELSEWHERE", "municipality": "NOWHERE"})
    elif how == "numbers" and placed:
        i = rnd.randrange(len(placed))
        x = placed[i]
        placed[i] = x.model_copy(update={"fit_points": x.fit_points + 1, "rank": x.rank + 1, "continuity": 0.5})
    elif how == "reason" and unplaced:
        y = unplaced[0]
        other = next(r for r in mm.UnplacedReason if r is not y.reason)
        unplaced[0] = y.model_copy(update={"reason": other})
    elif how == "unplace" and placed:  # room left behind: blocking pairs
        x = placed.pop(rnd.randrange(len(placed)))
        unplaced.append(mm.Unplaced(applicant=x.applicant, reason=mm.UnplacedReason.NOT_SELECTED, detail="x"))
    elif how == "listed" and placed and unplaced:
        unplaced.append(unplaced[0])
        unplaced.append(mm.Unplaced(applicant=placed[0].applicant, reason=mm.UnplacedReason.NOT_SELECTED, detail="x"))
    elif how == "pinned" and problem.pins:
        pinned = {pin.applicant for pin in problem.pins}
        placed = [x for x in placed if x.applicant not in pinned]
        unplaced += [mm.Unplaced(applicant=a, reason=mm.UnplacedReason.NOT_SELECTED, detail="x") for a in pinned]
    elif how == "stamp":
        change.update(lottery_seed=d.lottery_seed + 1, input_fingerprint="0" * 64)
    elif how == "levels" and d.objective:
        i = rnd.randrange(len(d.objective))
        lv = d.objective[i]
        value = None if lv.value is None else lv.value + 1
        change["objective"] = (*d.objective[:i], lv.model_copy(update={"value": value}), *d.objective[i + 1 :])
    elif how == "metrics" and d.metrics is not None:
        m = d.metrics
        bp = 3 if m.blocking_pairs is None else m.blocking_pairs + 1
        change["metrics"] = m.model_copy(update={"blocking_pairs": bp, "rank_profile": (*m.rank_profile, 1)})
    change.update(assignments=tuple(placed), unplaced=tuple(unplaced))
    return result.model_copy(update={"decision": d.model_copy(update=change)})


HOW = [
    "none",
    "move",
    "move",
    "shuffle",
    "drop",
    "twice",
    "unknown",
    "unit",
    "numbers",
    "reason",
    "levels",
    "metrics",
    "unplace",
    "listed",
    "pinned",
    "stamp",
]


def assert_caught(problem: mm.Problem, result: mm.Result, how: str, seed: int) -> None:
    """The solved plan passes; a corruption that changes the decision is found."""
    assert findings(check, problem, result) == []
    bad = corrupt(problem, result, how, random.Random(seed))
    found = findings(check, problem, bad)
    assert isinstance(found, list), found
    # A change that matters: the plan's entries as a set (their order carries nothing), or any other
    # field; the metrics of a round without a plan are not checked (there is no plan to measure).
    if how == "metrics" and not result.status.has_plan:
        return
    if _meaning(bad.decision) != _meaning(result.decision):
        assert found, how


def _meaning(d: mm.Decision) -> tuple[object, ...]:
    rest = d.model_dump(mode="json", exclude={"assignments", "unplaced"})
    entries = sorted(x.model_dump_json() for x in d.assignments)
    left = sorted(y.model_dump_json() for y in d.unplaced)
    return (json.dumps(rest, sort_keys=True), entries, left)


@settings(max_examples=120)
@given(problem=rounds(), how=st.sampled_from(HOW), seed=st.integers(0, 2**16))
def test_every_corruption_is_found(problem: mm.Problem, how: str, seed: int) -> None:
    assert_caught(problem, mm.solve(problem, mm.SolveOptions(time_limit=10)), how, seed)


@settings(max_examples=40)
@given(problem=rounds(rich=True), how=st.sampled_from(HOW), seed=st.integers(0, 2**16))
def test_every_corruption_is_found_with_tricky_ids(problem: mm.Problem, how: str, seed: int) -> None:
    assert_caught(problem, mm.solve(problem, mm.SolveOptions(time_limit=10)), how, seed)


JOINT_POLICIES = [
    {},
    {"stability": {"mode": "applicant_optimal"}},
    {"stability": {"mode": "optimise", "ties": "keep"}, "objective": "egalitarian"},
    {"balance": {"mode": "ratio", "ratio": 0.75}, "missing_interview": "cohort_mean"},
    {"objective": "rank_maximal", "minimums": "soft"},
]


@pytest.mark.slow
@pytest.mark.parametrize("policy", JOINT_POLICIES, ids=lambda p: "-".join(p) or "default")
def test_every_corruption_of_the_joint_example_is_found(policy: dict[str, Any]) -> None:
    """90 applicants, a pin, minimums: every corruption, three times, and the findings they reach. A
    stable mode is checked against the plan solved without it (a stable solve of this round is slow),
    which has blocking pairs of every case."""
    raw = json.loads((EXAMPLES / "huddinge-nacka-tyreso" / "problem.json").read_text(encoding="utf-8"))
    raw["policy"] = {**raw["policy"], **policy}
    problem = mm.Problem.model_validate(raw)
    if policy.get("stability"):
        raw["policy"]["stability"] = None
    result = mm.solve(mm.Problem.model_validate(raw))
    reached: set[str] = set()
    for how in HOW:
        for seed in range(3):
            bad = corrupt(problem, result, how, random.Random(seed))
            new = findings(check, problem, bad)
            assert isinstance(new, list), new  # the checker does not fail on this round
            reached |= {kind for kind, *_ in new}
    expected = {
        "fingerprint", "lottery_seed", "unknown_applicant", "unknown_supervisor", "placed_twice",
        "placed_and_unplaced", "unplaced_twice", "missing_applicant", "wrong_unit", "wrong_municipality",
        "not_acceptable", "fit", "rank", "continuity", "supervisor_capacity", "pin", "unplaced_reason",
        "metrics",
    }  # fmt: skip
    if policy.get("stability"):
        expected.add("blocking_pair")
    assert expected <= reached, expected - reached
    # a wrong level value, or (a plan solved without the stable mode's level) the wrong levels
    assert {"objective", "objective_levels"} & reached


@settings(max_examples=150)
@given(problem=rounds(), seed=st.integers(0, 2**16), strict=st.booleans())
def test_audit_equals_the_librarys_blocking_pairs(problem: mm.Problem, seed: int, strict: bool) -> None:
    """Any plan of acceptable pairs (over capacity too): the checker's audit and the library's blocking
    pairs (scored arrays, decode's floor) find the same pairs in the same cases."""
    rnd = random.Random(seed)
    t = Truth(problem)
    plan = {a.id: rnd.choice(t.options(a.id)) for a in problem.applicants if t.options(a.id) and rnd.random() < 0.7}
    library = sorted((b.applicant, b.supervisor, b.case) for b in mm.blocking_pairs(problem, plan, strict=strict))
    assert sorted(stability_audit(problem, plan, strict=strict)) == library


@settings(max_examples=150)
@given(problem=rounds(rich=True))
def test_pair_arrays_equal_the_scalar_rules(problem: mm.Problem) -> None:
    """Acceptability, options, the interview values and the strict ranks of the arrays, pair by pair,
    against the checker's scalar rules (refusal, interview, the pair's draw)."""
    t = Truth(problem)
    for a in problem.applicants:
        scalar = [s.id for s in problem.supervisors if t.refusal(a, s.id) is None]
        assert sorted(t.options(a.id)) == sorted(scalar)
    assert sorted((a.id, s) for a, s in t.acceptable()) == sorted(
        (a.id, s.id) for a in problem.applicants for s in problem.supervisors if t.refusal(a, s.id) is None
    )
    everywhere = [(i, k) for i in range(len(problem.applicants)) for k in range(len(problem.units))]
    values = t.interviews(
        np.array([i for i, _ in everywhere], np.int64), np.array([k for _, k in everywhere], np.int64)
    )
    for (i, k), v in zip(everywhere, values.tolist(), strict=True):
        expected = t.interview(problem.applicants[i], problem.units[k].id)
        assert (v == expected) if expected is not None else np.isnan(v)
    plan = [(a.id, s.id) for a in problem.applicants for s in problem.supervisors]
    seed = problem.policy.lottery_seed
    fast = strict_ranks(t, *t.table.indices(plan)).tolist()
    assert fast == [strict_rank(t, t.apps[a], s, seed) for a, s in plan]


def test_strict_ranks_break_ties_by_the_pairs_draw() -> None:
    """One applicant wishes one unit of three supervisors: all rank 1, and the draws order them."""
    raw = {
        "municipalities": [{"id": "M"}],
        "units": [{"id": "U", "municipality": "M", "area": "Vuxenenhet", "max_places": 3}],
        "supervisors": [{"id": f"S{k}", "unit": "U"} for k in range(3)],
        "applicants": [{"id": "A", "interests": {"units": {"U": 1.0}}}],
        "policy": {"lottery_seed": 7},
    }
    problem = mm.Problem.model_validate(raw)
    t = Truth(problem)
    draws = [pair_draw(7, "A", f"S{k}") for k in range(3)]
    expected = [1 + sum(d > mine for d in draws) for mine in draws]
    assert sorted(expected) == [1, 2, 3]
    got = strict_ranks(t, np.zeros(3, np.int64), np.arange(3, dtype=np.int64)).tolist()
    assert got == expected
    assert [t.rank(t.apps["A"], f"S{k}") for k in range(3)] == [1, 1, 1]


def test_a_full_municipality_leaves_room_for_an_applicant_already_in_it() -> None:
    """A moves within the full municipality M to the supervisor they prefer, who has room: blocking."""
    raw = {
        "municipalities": [{"id": "M", "max_places": 1}],
        "units": [
            {"id": "U1", "municipality": "M", "area": "Vuxenenhet", "max_places": 1},
            {"id": "U2", "municipality": "M", "area": "Vuxenenhet", "max_places": 1},
        ],
        "supervisors": [{"id": "S1", "unit": "U1"}, {"id": "S2", "unit": "U2"}],
        "applicants": [{"id": "A", "interests": {"supervisors": {"S1": 0.5, "S2": 0.9}}}],
    }
    problem = mm.Problem.model_validate(raw)
    found = stability_audit(problem, {"A": "S1"})
    assert found == [("A", "S2", "undersubscribed")]


@settings(max_examples=100)
@given(problem=rounds(rich=True), dense=st.booleans())
def test_units_keys_of_the_pairs_by_table_or_by_sort(problem: mm.Problem, dense: bool) -> None:
    """The units' (unit, applicant) keys of the acceptable pairs, and each pair's place among them,
    whether marked in a table of all keys or sorted, equal a plain ``np.unique`` of them."""
    tb = Truth(problem).table
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(arrays, "_DENSE_KEYS", 10**9 if dense else 0)
        keys, pos = tb.unit_pairs
    expected, inverse = np.unique(tb.unit[tb.ok] * tb.n_app + tb.app[tb.ok], return_inverse=True)
    assert keys.tolist() == expected.tolist()
    assert pos.tolist() == inverse.reshape(-1).tolist()


@given(
    pairs=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 9)), unique_by=lambda x: x[0], max_size=10),
    big=st.booleans(),
)
def test_pairs_sorted_with_their_entries(pairs: list[tuple[int, int]], big: bool) -> None:
    """The wish table's sort (packed in one integer, or by argsort when that would overflow) orders
    the (distinct) keys and keeps each key's entry."""
    shift = 2**62 if big else 0
    key = np.array([k for k, _ in pairs], np.int64) + shift
    entry = np.array([e for _, e in pairs], np.int64)
    got_key, got_entry = _sort_pairs(key, entry, 10)
    assert sorted(zip(key.tolist(), entry.tolist(), strict=True)) == list(
        zip(got_key.tolist(), got_entry.tolist(), strict=True)
    )
