"""The checker flags every kind of violation, one deliberately corrupted result per kind."""

from __future__ import annotations

from typing import Any

import pytest

from matchmaker import Assignment, CheckFailedError, Problem, Result, Unplaced, UnplacedReason, check, solve


@pytest.fixture
def solved(tiny: Problem) -> tuple[Problem, Result]:
    return tiny, solve(tiny)


def edited(problem: Problem, *changes: tuple[str, int, str, object]) -> tuple[Problem, Result]:
    """The problem with (table, row, field, value) changes, and its optimal result."""
    data = problem.model_dump(mode="json")
    for table, row, field, value in changes:
        data[table][row][field] = value
    p = Problem.model_validate(data)
    return p, solve(p)


def not_selected(*applicants: str) -> tuple[Unplaced, ...]:
    """Unplaced entries for ``applicants``, as if the plan had given their places to others."""
    return tuple(Unplaced(applicant=a, reason=UnplacedReason.NOT_SELECTED, detail="x") for a in applicants)


def corrupt(result: Result, **decision_changes: Any) -> Result:
    decision = result.decision.model_copy(update=decision_changes)
    return result.model_copy(update={"decision": decision})


def assignment(applicant: str, supervisor: str, unit: str, fit_points: int = 8500, rank: int = 1) -> Assignment:
    return Assignment(
        applicant=applicant,
        supervisor=supervisor,
        unit=unit,
        municipality="M",
        fit=fit_points / 10_000,
        fit_points=fit_points,
        rank=rank,
    )


def test_valid_result_passes(solved: tuple[Problem, Result]) -> None:
    p, r = solved
    report = check(p, r)
    assert report.ok
    assert len(report) == 0
    report.raise_if_invalid()


def test_supervisor_over_capacity(solved: tuple[Problem, Result]) -> None:
    p, r = solved
    # Everyone who wants BoU with H1 (capacity 1).
    bad = corrupt(
        r,
        assignments=(assignment("A1", "H1", "BoU"), assignment("A2", "H1", "BoU"), assignment("A3", "H3", "Vux")),
        unplaced=not_selected("A4"),
    )
    assert "supervisor_capacity" in check(p, bad).kinds()
    with pytest.raises(CheckFailedError, match="supervisor_capacity"):
        check(p, bad).raise_if_invalid()


def test_unit_maximum(tiny: Problem) -> None:
    p, r = edited(tiny, ("supervisors", 0, "capacity", 2), ("units", 0, "max_places", 1))
    bad = corrupt(
        r,
        assignments=(assignment("A1", "H1", "BoU"), assignment("A2", "H1", "BoU"), assignment("A3", "H3", "Vux")),
        unplaced=not_selected("A4"),
    )
    assert {"unit_max"} <= check(p, bad).kinds()


def test_unit_minimum(tiny: Problem) -> None:
    p, r = edited(tiny, ("units", 1, "min_places", 1))
    moved = tuple(a for a in r.assignments if a.unit != "Vux")
    unplaced = r.unplaced + not_selected(*(a.applicant for a in r.assignments if a.unit == "Vux"))
    bad = corrupt(r, assignments=moved, unplaced=tuple(sorted(unplaced, key=lambda u: u.applicant)))
    assert "unit_min" in check(p, bad).kinds()


def test_municipality_maximum_and_minimum(tiny: Problem) -> None:
    p, r = edited(tiny, ("municipalities", 0, "max_places", 2))
    bad = corrupt(
        r,
        assignments=(assignment("A1", "H1", "BoU"), assignment("A2", "H2", "BoU"), assignment("A3", "H3", "Vux")),
        unplaced=not_selected("A4"),
    )
    assert "municipality_max" in check(p, bad).kinds()
    p2, r2 = edited(tiny, ("municipalities", 0, "min_places", 3))
    few = corrupt(
        r2,
        assignments=r2.assignments[:2],
        unplaced=r2.unplaced + not_selected(*(a.applicant for a in r2.assignments[2:])),
    )
    assert "municipality_min" in check(p2, few).kinds()


def test_unacceptable_pair(solved: tuple[Problem, Result]) -> None:
    p, r = solved
    # A2 only wants BoU; put A2 at Vux.
    others = tuple(a for a in r.assignments if a.applicant not in ("A2", "A3"))
    bad = corrupt(
        r,
        assignments=(*others, assignment("A2", "H3", "Vux")),
        unplaced=not_selected(*(x for x in ("A1", "A3", "A4") if x not in {a.applicant for a in others})),
    )
    report = check(p, bad)
    assert "not_acceptable" in report.kinds()
    assert any("not among the applicant's wishes" in v.message for v in report)
    # A violation carries its message to translate: str() is English, text("sv") Swedish, same content.
    wrong = next(v for v in report if v.kind == "not_acceptable")
    assert str(wrong) == "[not_acceptable] A2: placed with 'H3' but not among the applicant's wishes"
    assert wrong.text("sv") == "[not_acceptable] A2: placerad hos 'H3' men finns inte bland den sökandes önskemål"
    assert str(report).startswith("check: ")
    assert report.text("sv").startswith("kontroll: ")


def test_conflict_violation(tiny: Problem) -> None:
    data = tiny.model_dump(mode="json")
    data["applicants"][2]["conflicts"] = {"supervisors": ["H3"]}
    p = Problem.model_validate(data)
    r = solve(p)
    fixed = tuple(a for a in r.assignments if a.applicant != "A3" and a.unit != "Vux")
    bad = corrupt(
        r,
        assignments=(*fixed, assignment("A3", "H3", "Vux")),
        unplaced=not_selected(*(x for x in ("A1", "A2", "A4") if x not in {a.applicant for a in fixed})),
    )
    assert any(v.kind == "not_acceptable" and "conflict" in v.message for v in check(p, bad))


def test_pin_violation(tiny: Problem) -> None:
    data = tiny.model_dump(mode="json")
    data["pins"] = [{"applicant": "A1", "unit": "Vux"}]
    p = Problem.model_validate(data)
    r = solve(p)
    other = tuple(a for a in r.assignments if a.applicant != "A1")
    bad = corrupt(
        r,
        assignments=other,
        unplaced=tuple(
            sorted(
                (*r.unplaced, Unplaced(applicant="A1", reason=UnplacedReason.NOT_SELECTED, detail="x")),
                key=lambda u: u.applicant,
            )
        ),
    )
    assert "pin" in check(p, bad).kinds()


def test_applicant_twice_and_missing(solved: tuple[Problem, Result]) -> None:
    p, r = solved
    first = r.assignments[0]
    twice = corrupt(r, assignments=(*r.assignments, first))
    assert "placed_twice" in check(p, twice).kinds()
    missing = corrupt(r, unplaced=())
    assert "missing_applicant" in check(p, missing).kinds()
    both = corrupt(
        r, unplaced=(*r.unplaced, Unplaced(applicant=first.applicant, reason=UnplacedReason.NOT_SELECTED, detail="x"))
    )
    assert "placed_and_unplaced" in check(p, both).kinds()


def test_unknown_records(solved: tuple[Problem, Result]) -> None:
    p, r = solved
    bad = corrupt(r, assignments=(*r.assignments[:-1], assignment(r.assignments[-1].applicant, "H9", "BoU")))
    assert "unknown_supervisor" in check(p, bad).kinds()
    ghost = corrupt(r, unplaced=(*r.unplaced, Unplaced(applicant="Z", reason=UnplacedReason.NOT_SELECTED, detail="")))
    assert "unknown_applicant" in check(p, ghost).kinds()
    wrong_unit = r.assignments[0].model_copy(update={"unit": "Vux" if r.assignments[0].unit == "BoU" else "BoU"})
    assert "wrong_unit" in check(p, corrupt(r, assignments=(wrong_unit, *r.assignments[1:]))).kinds()


def test_objective_level_wrong(solved: tuple[Problem, Result]) -> None:
    p, r = solved
    for name in ("placed", "total_fit", "lottery"):
        levels = tuple(
            lv.model_copy(update={"value": (lv.value or 0) + 1}) if lv.name == name else lv
            for lv in r.decision.objective
        )
        report = check(p, corrupt(r, objective=levels))
        assert any(v.kind == "objective" and v.record == name for v in report), name


def test_fit_and_rank_wrong(solved: tuple[Problem, Result]) -> None:
    p, r = solved
    a = r.assignments[0]
    bad_fit = a.model_copy(update={"fit_points": a.fit_points + 7, "fit": (a.fit_points + 7) / 10_000})
    assert "fit" in check(p, corrupt(r, assignments=(bad_fit, *r.assignments[1:]))).kinds()
    bad_rank = a.model_copy(update={"rank": a.rank + 1})
    assert "rank" in check(p, corrupt(r, assignments=(bad_rank, *r.assignments[1:]))).kinds()


def test_unplaced_reason_wrong(solved: tuple[Problem, Result]) -> None:
    p, r = solved
    u = r.unplaced[0].model_copy(update={"reason": UnplacedReason.NO_ACCEPTABLE_OPTION})
    assert "unplaced_reason" in check(p, corrupt(r, unplaced=(u,))).kinds()


def test_fingerprint_and_seed(solved: tuple[Problem, Result], tiny: Problem) -> None:
    _p, r = solved
    data = tiny.model_dump(mode="json")
    data["policy"]["lottery_seed"] = 99
    other = Problem.model_validate(data)
    kinds = check(other, r).kinds()
    assert {"fingerprint", "lottery_seed"} <= kinds


def test_infeasible_result_with_assignments_flagged(tiny: Problem) -> None:
    data = tiny.model_dump(mode="json")
    data["pins"] = [{"applicant": a, "unit": "BoU"} for a in ("A1", "A2", "A4")]
    p = Problem.model_validate(data)
    r = solve(p)
    bad = corrupt(r, assignments=(assignment("A1", "H1", "BoU"),))
    assert "status" in check(p, bad).kinds()


def test_every_per_placement_rule_behind_the_column_screen(solved: tuple[Problem, Result]) -> None:
    """The placements are screened column by column and only suspects are read one by one: each field
    wrong in one placement among clean ones is still reported, in the plan's order, and a number no
    int64 holds is reported rather than raised."""
    p, r = solved
    first, *rest = r.assignments
    last = rest[-1]
    cases = {
        "wrong_unit": first.model_copy(update={"unit": last.unit if last.unit != first.unit else "nowhere"}),
        "wrong_municipality": first.model_copy(update={"municipality": "elsewhere"}),
        "continuity": first.model_copy(update={"continuity": 0.1}),
        "fit": first.model_copy(update={"fit": first.fit + 0.5}),
        "rank": first.model_copy(update={"rank": first.rank + 3}),
    }
    for kind, bad in cases.items():
        report = check(p, corrupt(r, assignments=(bad, *rest)))
        assert kind in report.kinds(), kind
    huge = last.model_copy(update={"fit_points": 10**30, "rank": 10**30})
    report = check(p, corrupt(r, assignments=(*r.assignments[:-1], huge)))
    assert {"fit", "rank"} <= set(report.kinds())
    two = (cases["rank"], *rest[:-1], last.model_copy(update={"rank": last.rank + 3}))
    ranked = [v.record for v in check(p, corrupt(r, assignments=two)) if v.kind == "rank"]
    assert ranked == [first.applicant, last.applicant]
