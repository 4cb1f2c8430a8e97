"""Step 3 (employment) and load across rounds: a continuing student's old placement never counts on top of
their new one (a hand count over four terms, the checker, brute force on tiny chains of rounds)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import matchmaker as mm
from brute import brute_force
from conftest import make_problem
from matchmaker._checks import Truth
from matchmaker._timeline import commitment_load, commitment_span
from matchmaker.report import html_report, text_report
from strategies import problems

ONE = mm.SolveOptions(workers=1)
D = dt.date


def plan_of(result: mm.Result) -> dict[str, str]:
    return {a.applicant: a.supervisor for a in result.assignments}


def intake(term: str, year: int, step: int, start: dt.date, end: dt.date) -> mm.Round:
    return mm.Round.model_validate(
        {"term": term, "year": year, "step": step, "periods": [{"id": f"{term}{year}", "start": start, "end": end}]}
    )


def load_on(problem: mm.Problem, result: mm.Result, day: dt.date) -> dict[str, float]:
    """Each supervisor's load on ``day``: this round's students whose period runs then, plus the
    commitments that count then."""
    out: dict[str, float] = {}
    per_student = problem.policy.load_of(problem.step)
    for s in problem.supervisors:
        mine = [a for a in result.assignments if a.supervisor == s.id]
        load = sum(per_student for a in mine if (q := problem.period_of[a.applicant]) and q.start <= day <= q.end)
        load += sum(pts for span, pts in commitment_load(problem, s.id) if span.contains(day)) / 1000
        out[s.id] = load
    return out


def first_term() -> mm.Problem:
    """HT 2026, step 1: a, b and c each wish one supervisor; every supervisor gives 1.0 a week."""
    return mm.Problem.model_validate(
        {
            "municipalities": [{"id": "M"}],
            "units": [
                {"id": "U", "municipality": "M", "area": "BoU", "max_places": 4},
                {"id": "V", "municipality": "M", "area": "Vux", "max_places": 2},
            ],
            "supervisors": [
                {"id": "S", "unit": "U", "capacity": 2, "load_limit": 1.0},
                {"id": "T", "unit": "U", "capacity": 2, "load_limit": 1.0},
                {"id": "R", "unit": "V", "capacity": 2, "load_limit": 0.5},
            ],
            "applicants": [
                {"id": "a", "interests": {"supervisors": {"S": 1.0}}},
                {"id": "b", "interests": {"supervisors": {"T": 1.0}}},
                {"id": "c", "interests": {"supervisors": {"R": 1.0}}},
            ],
            "round": {
                "term": "HT",
                "year": 2026,
                "step": 1,
                "periods": [{"id": "vfu", "start": "2026-08-31", "end": "2026-10-30"}],
            },
            "policy": {"load_step_1": 0.5},
        }
    )


def test_four_terms_hand_count() -> None:
    # Term 1, VFU: a with S, b with T, c with R.
    p1 = first_term()
    r1 = mm.solve(p1, ONE)
    assert plan_of(r1) == {"a": "S", "b": "T", "c": "R"}
    # Term 2, step 2 for a year: the VFU ended in October, so nothing carries over; everyone stays.
    p2 = mm.next_round(p1, r1, intake("VT", 2027, 2, D(2027, 1, 11), D(2027, 12, 17)))
    assert p2.commitments == ()
    r2 = mm.solve(p2, ONE)
    assert plan_of(r2) == {"a": "S", "b": "T", "c": "R"}
    assert load_on(p2, r2, D(2027, 1, 11)) == {"S": 0.5, "T": 0.5, "R": 0.5}
    # Term 3, step 2 again in the autumn for a and b (c stays in their year-long post, not in the round),
    # with a new studentmedarbetare e for S and f for R. The year-long placements of term 2 still run.
    drawn = mm.next_round(p2, r2, intake("HT", 2027, 2, D(2027, 8, 23), D(2028, 1, 14)), applicants=["a", "b"])
    assert sorted((c.applicant, c.supervisor) for c in drawn.commitments) == [("a", "S"), ("b", "T"), ("c", "R")]
    data = drawn.model_dump(mode="json")
    data["applicants"] += [
        {"id": "e", "interests": {"supervisors": {"S": 1.0}}},
        {"id": "f", "interests": {"supervisors": {"R": 1.0}}},
    ]
    p3 = mm.Problem.model_validate(data)
    r3 = mm.solve(p3, ONE)
    assert mm.check(p3, r3).ok
    # By hand, on 23 August: S has a (0.5, continuing: their own spring placement no longer counts) and
    # e (0.5): 1.0 of 1.0. T has b: 0.5. R has c's running placement (0.5, c is not in the round): full,
    # so f gets nothing.
    assert plan_of(r3) == {"a": "S", "b": "T", "e": "S"}
    assert [u.applicant for u in r3.unplaced] == ["f"]
    assert load_on(p3, r3, D(2027, 8, 23)) == {"S": 1.0, "T": 0.5, "R": 0.5}
    # Counting a's spring placement on top (the old double count) leaves room at S for a or e, not both.
    counted_twice = p3.model_dump(mode="json")
    for c in counted_twice["commitments"]:
        c["applicant"] = None
    twice = mm.Problem.model_validate(counted_twice)
    assert len([a for a in mm.solve(twice, ONE).assignments if a.supervisor == "S"]) == 1
    assert Truth(twice).load_violations(plan_of(r3))  # the checker sees the plan overload S that way
    assert not Truth(p3).load_violations(plan_of(r3))
    # Term 4, step 3 from 3 January: a and e are hired, both into posts of S's team (capacity: posts).
    # The autumn placements run to 14 January, so all three carry over; a's and e's end on 2 January,
    # when their employment starts, while b's (b is not hired) runs on at T. An employee takes none of
    # a supervisor's week (load_step_3 = 0).
    p4 = mm.next_round(p3, r3, intake("VT", 2028, 3, D(2028, 1, 3), D(2028, 12, 31)), applicants=["a", "e"])
    assert sorted((c.applicant, c.supervisor, c.end) for c in p4.commitments) == [
        ("a", "S", D(2028, 1, 14)),
        ("b", "T", D(2028, 1, 14)),
        ("e", "S", D(2028, 1, 14)),
    ]
    assert p4.step == 3
    r4 = mm.solve(p4, ONE)
    assert mm.check(p4, r4).ok
    assert plan_of(r4) == {"a": "S", "e": "S"}
    assert all(a.continuity == p4.policy.continuity_same_supervisor for a in r4.assignments)
    assert load_on(p4, r4, D(2028, 1, 3)) == {"S": 0.0, "T": 0.5, "R": 0.0}
    assert load_on(p4, r4, D(2028, 1, 2)) == {"S": 1.0, "T": 0.5, "R": 0.0}


def test_a_commitment_of_a_student_in_the_round_counts_only_before_their_period() -> None:
    data = first_term().model_dump(mode="json")
    data["supervisors"][2]["load_limit"] = 1.5
    data["commitments"] = [
        # a's earlier placement with R runs into a's new period: it counts until 30 August only.
        {"supervisor": "R", "start": "2026-06-01", "end": "2026-12-31", "step": 2, "applicant": "a"},
        # someone not in this round: counts throughout.
        {"supervisor": "R", "start": "2026-06-01", "end": "2026-12-31", "step": 2, "applicant": "z"},
    ]
    p = mm.Problem.model_validate(data)
    assert [(s.start, s.end, pts) for s, pts in commitment_load(p, "R")] == [
        (D(2026, 6, 1), D(2026, 8, 30), 500),
        (D(2026, 6, 1), D(2026, 12, 31), 500),
    ]
    # Without dates the round runs alongside every commitment: a's counts on no day.
    data.pop("round")
    undated = mm.Problem.model_validate(data)
    assert [(s.start, s.end) for s, _ in commitment_load(undated, "R")] == [(D(2026, 6, 1), D(2026, 12, 31))]


def test_step_three_and_a_student_in_two_places_are_validated() -> None:
    data = first_term().model_dump(mode="json")
    data["round"]["step"] = 4
    with pytest.raises(mm.ProblemValidationError, match=r"round\.step"):
        mm.Problem.model_validate(data)
    data["round"]["step"] = 3
    data["commitments"] = [
        {"supervisor": "S", "start": "2026-01-01", "end": "2026-06-30", "applicant": "z"},
        {"supervisor": "T", "start": "2026-06-01", "end": "2026-12-31", "applicant": "z"},
    ]
    with pytest.raises(mm.ProblemValidationError, match=r"commitments\[1\].*student 'z' has two commitments") as e:
        mm.Problem.model_validate(data)
    assert "studenten 'z' har två åtaganden samtidigt" in e.value.text("sv")
    data["commitments"][1]["start"] = "2026-07-01"
    assert mm.Problem.model_validate(data).step == 3


def test_step_three_fingerprint_and_report_words(tmp_path: Any) -> None:
    from matchmaker._canonical import canonical_problem

    p1 = first_term()
    text = str(canonical_problem(p1))
    assert "load_step_3" not in text  # defaults are left out: old fingerprints hold
    assert "'applicant'" not in text
    data = p1.model_dump(mode="json")
    data["round"]["step"] = 3
    p3 = mm.Problem.model_validate(data)
    r3 = mm.solve(p3, ONE)
    en = text_report(r3, p3, lang="en")
    sv = text_report(r3, p3, lang="sv")
    assert "The round: step 3, employment (posts offered to the programme's graduates), autumn (HT) 2026." in en
    assert "Omgången: steg 3, anställning (tjänster som erbjuds programmets utexaminerade), HT 2026." in sv
    html = html_report(r3, p3, lang="sv")
    assert '<p id="round">Omgången: steg 3, anställning' in html
    path = tmp_path / "p.xlsx"
    data["policy"]["load_step_3"] = 0.25
    data["commitments"] = [{"supervisor": "R", "start": "2026-01-01", "end": "2026-09-30", "applicant": "z"}]
    mm.save_problem(mm.Problem.model_validate(data), path)
    again = mm.load_problem(path)
    assert again.step == 3
    assert again.policy.load_step_3 == 0.25
    assert again.commitments[0].applicant == "z"


# --- brute force over tiny chains of rounds ----------------------------------------------------------------

DAYS = [D(2026, 9, 1) + dt.timedelta(days=14 * k) for k in range(6)]


@st.composite
def chains(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], float]:
    """A tiny dated round with load limits and commitments (some naming students of the round, some
    others), the next round's intake (step 2 or 3, dates overlapping the first round's), and the load
    limit the next round gives supervisors without one."""
    raw = draw(problems(max_applicants=4, max_supervisors=3, core_only=True))
    periods = []
    for k in range(draw(st.integers(1, 2))):
        start = draw(st.sampled_from(DAYS[:4]))
        period = {"id": f"P{k}", "start": start.isoformat(), "end": DAYS[-1].isoformat()}
        periods.append({**period, "university": "X"} if k else period)
    raw["round"] = {"term": "HT", "year": 2026, "step": draw(st.sampled_from([1, 2])), "periods": periods}
    for a in raw["applicants"]:
        a["period"] = draw(st.sampled_from(periods))["id"]
    for s in raw["supervisors"]:
        if draw(st.booleans()):
            s["load_limit"] = draw(st.sampled_from([0.5, 1.0, 1.5, 2.0]))
    # Commitments of step 2 (0.5), at most one per supervisor: never above a limit on their own.
    who = [a["id"] for a in raw["applicants"]] + ["outside"]
    commitments = []
    for s in raw["supervisors"]:
        if "load_limit" in s and draw(st.booleans()):
            start = draw(st.sampled_from(DAYS[:3]))
            commitments.append(
                {
                    "supervisor": s["id"],
                    "start": start.isoformat(),
                    "end": draw(st.sampled_from([d for d in DAYS if d >= start])).isoformat(),
                    "step": 2,
                    "applicant": draw(st.sampled_from(who)),
                }
            )
    raw["commitments"] = commitments
    raw["policy"] = {**raw.get("policy", {}), "load_step_1": 1.0, "load_step_2": 0.5, "load_step_3": 0.25}
    start = draw(st.sampled_from(DAYS[1:5]))
    new = {
        "term": "VT",
        "year": 2027,
        "step": draw(st.sampled_from([2, 3])),
        "periods": [{"id": "N", "start": start.isoformat(), "end": (DAYS[-1] + dt.timedelta(days=60)).isoformat()}],
    }
    return raw, new, draw(st.sampled_from([0.5, 1.0, 1.5]))


def agrees_with_brute_force(problem: mm.Problem) -> None:
    truth = brute_force(problem)
    result = mm.solve(problem, ONE)
    report = mm.check(problem, result)
    assert report.ok, str(report)
    if truth.vector is None:
        assert result.status is mm.Status.INFEASIBLE
        return
    assert result.status is mm.Status.OPTIMAL
    assert tuple(result.objective.values()) == truth.vector


@settings(max_examples=40)
@given(chain=chains(), data=st.data())
def test_chains_of_rounds_equal_brute_force(
    chain: tuple[dict[str, Any], dict[str, Any], float], data: st.DataObject
) -> None:
    raw, new, limit = chain
    try:
        first = make_problem(raw)
    except mm.ProblemValidationError:
        assume(False)  # commitments alone above a limit, or one student twice at once: refused on input
        return
    agrees_with_brute_force(first)
    result = mm.solve(first, ONE)
    assume(result.status.has_plan and result.assignments)
    placed = data.draw(st.lists(st.sampled_from(sorted(plan_of(result))), min_size=1, unique=True))
    drawn = mm.next_round(first, result, mm.Round.model_validate(new), applicants=placed)
    # Every continuing student's placement of the first round runs into the second: it is carried as
    # their commitment, and counts only before their new period.
    mine = {c.applicant for c in drawn.commitments}
    assert set(placed) <= mine
    raw2 = drawn.model_dump(mode="json")
    for sup in raw2["supervisors"]:
        if sup["load_limit"] is None:
            sup["load_limit"] = limit
    try:
        second = mm.Problem.model_validate(raw2)
    except mm.ProblemValidationError:
        assume(False)
        return
    # A continuing student's own commitments end before their new period starts.
    for c in second.commitments:
        if c.applicant is not None and c.applicant in second.applicant_by_id:
            period = second.period_of[c.applicant]
            assert period is not None
            assert commitment_span(second, c).end < period.start
    agrees_with_brute_force(second)


def test_next_round_command_chains_step_two_and_three(tmp_path: Path) -> None:
    pytest.importorskip("click")
    from click.testing import CliRunner

    from matchmaker._cli import EXIT_BAD_INPUT, EXIT_OK, cli

    def run(*args: object) -> tuple[int, str, str]:
        done = CliRunner().invoke(cli, [str(a) for a in args])
        return done.exit_code, done.stdout, done.stderr

    p1 = tmp_path / "vfu.json"
    mm.save_problem(first_term(), p1)
    r1, p2, r2, p3 = (tmp_path / name for name in ("vfu-r.json", "sm.json", "sm-r.json", "anst.xlsx"))
    assert run("solve", p1, "-q", "-o", r1)[0] == EXIT_OK
    code, out, _ = run(
        "next-round", p1, "--result", r1, "--step", 2, "--term", "VT", "--year", 2027,
        "--start", "2027-01-11", "--end", "2027-12-17", "-o", p2,
    )  # fmt: skip
    assert code == EXIT_OK
    assert out == f"step 2 (studentmedarbetare), VT 2027: applicants 3, commitments 0; written to {p2}\n"
    assert run("solve", p2, "-q", "-o", r2)[0] == EXIT_OK
    code, out, _ = run(
        "next-round", p2, "--result", r2, "--step", 3, "--term", "VT", "--year", 2027, "--start", "2027-06-01",
        "--end", "2028-05-31", "--applicant", "a", "--applicant", "c", "--lang", "sv", "-o", p3,
    )  # fmt: skip
    assert code == EXIT_OK
    assert out == f"steg 3 (anställning), VT 2027: sökande 2, åtaganden 3; skrevs till {p3}\n"
    hired = mm.load_problem(p3)
    assert hired.step == 3
    assert sorted((a.id, a.previous_supervisor) for a in hired.applicants) == [("a", "S"), ("c", "R")]
    # a's and c's step-2 placements end, for the load, when their posts start; b's runs on.
    counted = {c.applicant: c for c in hired.commitments}
    assert set(counted) == {"a", "b", "c"}
    assert [(s.end, pts) for s, pts in commitment_load(hired, "S")] == [(D(2027, 5, 31), 500)]
    assert [(s.end, pts) for s, pts in commitment_load(hired, "T")] == [(D(2027, 12, 17), 500)]
    # Bad input: a result of another problem, someone not placed, an input as output.
    common = ("--step", 3, "--term", "HT", "--year", 2027, "--start", "2027-08-01", "--end", "2028-07-31")
    code, _, err = run("next-round", p2, "--result", r1, *common, "-o", tmp_path / "x.json")
    assert code == EXIT_BAD_INPUT
    assert "the result was not made from this problem" in err
    code, _, err = run("next-round", p2, "--result", r2, *common, "--applicant", "zz", "-o", tmp_path / "x.json")
    assert code == EXIT_BAD_INPUT
    assert "applicant 'zz' was not placed in the earlier round" in err
    code, _, err = run("next-round", p2, "--result", r2, *common, "-o", p2)
    assert code == EXIT_BAD_INPUT
    assert "would overwrite an input" in err
