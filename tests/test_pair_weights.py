"""Pair weights as input and the objective vector's order (issue #22, items 1 and 2).

Known answers by hand, brute force on tiny random rounds (through the records, see ``brute.py``), an
oracle for the maximum-weight plan that reads the weight rows itself, the same decision and fingerprint
from JSON, DataFrames, arrays and a workbook, and validation errors that name the row and field.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchmaker as mm
from brute import assert_solved_as_brute_force, feasible, level_names
from conftest import make_problem
from matchmaker import PairWeights, Problem, ProblemValidationError, SolveOptions, Status, check, solve
from matchmaker._canonical import canonical_problem
from matchmaker._checks import Truth
from strategies import weighted_problems


def _hand(order: Any = "placed_first", *, weights: dict[str, Any] | None = None, **policy: Any) -> Problem:
    """Applicant a may go to x (weight 1,000) or y (weight 1); b only to x (weight 1)."""
    table = weights or {
        "rows": [
            {"applicant": "a", "supervisor": "x", "weight": 1000},
            {"applicant": "a", "supervisor": "y", "weight": 1},
            {"applicant": "b", "supervisor": "x", "weight": 1},
        ]
    }
    return Problem.model_validate(
        {
            "policy": {"order": order, **policy},
            "municipalities": [{"id": "M"}],
            "units": [
                {"id": "U", "municipality": "M", "area": "A", "max_places": 5},
                {"id": "V", "municipality": "M", "area": "A", "max_places": 5},
            ],
            "supervisors": [{"id": "x", "unit": "U"}, {"id": "y", "unit": "U"}, {"id": "z", "unit": "V"}],
            "applicants": [
                {"id": "a", "interests": {"supervisors": {"x": 1.0, "y": 1.0}}},
                {"id": "b", "interests": {"supervisors": {"x": 1.0}}},
            ],
            "pair_weights": table,
        }
    )


def _plan(result: Any) -> dict[str, str]:
    return {x.applicant: x.supervisor for x in result.assignments}


# --- known answers -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["auto", "lp", "cp-sat"])
def test_the_maximum_weight_plan_places_a_at_x(engine: str) -> None:
    problem = _hand("maximum_weight")
    result = solve(problem, SolveOptions(engine=engine, workers=1))
    assert check(problem, result).ok
    assert _plan(result) == {"a": "x"}
    assert [(lv.name, lv.value) for lv in result.decision.objective][:1] == [("total_weight", 1000)]


def test_the_default_order_places_both_and_then_counts_the_weights() -> None:
    problem = _hand()
    result = solve(problem)
    assert check(problem, result).ok
    assert _plan(result) == {"a": "y", "b": "x"}
    assert [(lv.name, lv.value) for lv in result.decision.objective][:2] == [("placed", 2), ("total_weight", 2)]


def test_objective_first_counts_placed_after_the_weight() -> None:
    result = solve(_hand("objective_first"))
    assert [lv.name for lv in result.decision.objective] == ["total_weight", "placed", "lottery"]
    assert _plan(result) == {"a": "x"}


@pytest.mark.parametrize("order", ["maximum_weight", "objective_first", ("objective", "placed")])
def test_a_reordered_vector_stays_on_the_flow_fast_path(order: Any) -> None:
    problem = _hand(order)
    result = solve(problem)
    assert check(problem, result).ok
    assert result.statistics.engine == "flow"
    assert all(stage.status == "optimal" for stage in result.statistics.stages)


def test_add_puts_the_fit_and_the_weight_on_one_scale() -> None:
    problem = _hand("maximum_weight", pair_weights="add")
    result = solve(problem)
    assert check(problem, result).ok
    fit = {x.applicant: x.fit_points for x in result.assignments}
    # fit points are 1/10,000; weights of scale 1 enter as weight * 10,000 on that scale
    assert result.objective["total_fit_and_weight"] == fit["a"] + 1000 * 10_000


def test_a_supervisor_weight_overrides_its_units_and_a_unit_weight_reaches_each_supervisor() -> None:
    table = {
        "rows": [
            {"applicant": "a", "unit": "U", "weight": 50},
            {"applicant": "a", "supervisor": "y", "weight": 70},
            {"applicant": "b", "unit": "U", "weight": 5},
        ]
    }
    problem = _hand("maximum_weight", weights=table)
    result = solve(problem)
    assert check(problem, result).ok
    # a at y (70) with b at x (5, from the unit) beats a at x (50, from the unit) with b at x impossible
    assert _plan(result) == {"a": "y", "b": "x"}
    assert result.objective["total_weight"] == 75


def test_weights_of_ten_thousand_and_more_are_exact() -> None:
    table = {
        "scale": 100,
        "rows": [
            {"applicant": "a", "supervisor": "x", "weight": 123_456_789.01},
            {"applicant": "a", "supervisor": "y", "weight": "123456789.02"},
            {"applicant": "b", "supervisor": "x", "weight": 10_000},
        ],
    }
    problem = _hand("maximum_weight", weights=table)
    result = solve(problem)
    assert check(problem, result).ok
    # y is one hundredth better for a, so both fit: 12,345,678,902 + 1,000,000 hundredths
    assert _plan(result) == {"a": "y", "b": "x"}
    assert result.objective["total_weight"] == 12_345_678_902 + 1_000_000


def test_rank_maximal_without_the_placed_count_first_keeps_every_rank_count() -> None:
    problem = _hand(["objective", "placed"], objective="rank_maximal")
    names = [lv.name for lv in solve(problem).decision.objective]
    assert names == ["placed_at_rank_1", "placed", "lottery"]
    assert names == level_names(problem)


def test_the_explanation_and_report_call_the_weight_the_score_your_system_gave() -> None:
    from matchmaker import explanations, report

    problem = _hand("maximum_weight")
    result = solve(problem)
    e = explanations.explain(problem, result, "a")
    assert e.weight == 1000
    assert "The score your system gave this placement is 1,000." in e.text("en")
    assert "Poängen ert system gav placeringen är 1 000." in e.text("sv").replace("\u00a0", " ")
    text = report.text_report(result, problem, lang="en")
    assert "Total of the scores your system gave" in text
    assert "highest total of the scores your system gave" in text
    assert "Order of the objective: the policy's objective" in text


# --- brute force on tiny random rounds ------------------------------------------------------------


@pytest.mark.parametrize("engine", ["auto", "lp", "cp-sat"])
@settings(max_examples=80)
@given(raw=weighted_problems())
def test_weighted_and_reordered_optimum_equals_brute_force(engine: str, raw: dict[str, Any]) -> None:
    assert_solved_as_brute_force(make_problem(raw), engine)


def _raw_weight(problem: Problem, applicant: str, supervisor: str) -> Fraction:
    """The pair's weight read straight from the rows: the supervisor's, else its unit's, else 0."""
    assert problem.pair_weights is not None
    unit = next(s.unit for s in problem.supervisors if s.id == supervisor)
    found = {(r.applicant, r.supervisor, r.unit): Fraction(str(r.weight)) for r in problem.pair_weights.rows}
    return found.get((applicant, supervisor, None), found.get((applicant, None, unit), Fraction(0)))


@settings(max_examples=60)
@given(raw=weighted_problems(max_applicants=5, max_supervisors=3))
def test_the_maximum_weight_preset_reaches_the_best_total_weight_of_any_plan(raw: dict[str, Any]) -> None:
    raw["policy"].update(order="maximum_weight", objective="total_fit", pair_weights="replace")
    problem = make_problem(raw)
    result = solve(problem)
    truth = Truth(problem)
    apps = sorted(a.id for a in problem.applicants)
    options = [[None, *(s.id for s in problem.supervisors if truth.refusal(truth.apps[a], s.id) is None)] for a in apps]
    best: Fraction | None = None
    for choice in itertools.product(*options):
        plan = {a: s for a, s in zip(apps, choice, strict=True) if s is not None}
        if feasible(problem, truth, plan):
            weight = sum((_raw_weight(problem, a, s) for a, s in plan.items()), Fraction(0))
            best = weight if best is None or weight > best else best
    if best is None:
        assert result.status is Status.INFEASIBLE
        return
    assert problem.pair_weights is not None
    total = result.objective["total_weight"]
    assert total is not None
    assert Fraction(total, problem.pair_weights.scale) == best


# --- one table, four routes -----------------------------------------------------------------------


@settings(max_examples=15)
@given(raw=weighted_problems(max_applicants=4, max_supervisors=3), as_units=st.booleans())
def test_json_frames_arrays_and_workbook_give_one_decision_and_fingerprint(
    raw: dict[str, Any], as_units: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    from matchmaker import io as mio

    base = make_problem(raw)
    assert base.pair_weights is not None
    rows = base.pair_weights.rows
    by_json = mio.problem_from_json(json.dumps(base.model_dump(mode="json")))
    frames = mio.problem_to_frames(base)
    frames["pairs"] = pd.DataFrame(
        {
            "applicant": [r.applicant for r in rows],
            "unit": pd.array([r.unit for r in rows], dtype="string"),
            "supervisor": pd.array([r.supervisor for r in rows], dtype="string"),
            "weight": [float(r.weight) for r in rows],
        }
    )
    by_frames = mio.problem_from_frames(frames)
    table = PairWeights.from_arrays(
        [r.applicant for r in rows if r.supervisor is not None],
        [r.supervisor for r in rows if r.supervisor is not None],
        [str(r.weight) for r in rows if r.supervisor is not None],  # decimal text, as a CSV column holds it
        scale=base.pair_weights.scale,
        unwished="ignore",
    )
    units = PairWeights.from_arrays(
        [r.applicant for r in rows if r.unit is not None],
        [r.unit for r in rows if r.unit is not None],
        [r.weight for r in rows if r.unit is not None],
        place="unit",
        scale=base.pair_weights.scale,
    )
    combined = PairWeights(scale=table.scale, unwished="ignore", rows=table.rows + units.rows)
    by_arrays = Problem.model_validate(
        {**{k: getattr(base, k) for k in Problem.model_fields}, "pair_weights": combined}
    )
    path = tmp_path_factory.mktemp("book") / "round.xlsx"
    mio.dump_problem_excel(base, path, lang="sv" if as_units else "en")
    by_workbook = mio.load_problem_excel(path)
    expected = solve(base)
    for other in (by_json, by_frames, by_arrays, by_workbook):
        assert other.fingerprint() == base.fingerprint()
        assert solve(other).decision == expected.decision


# --- bad input ------------------------------------------------------------------------------------


def _issues(table: dict[str, Any], **policy: Any) -> list[mm.ValidationIssue]:
    with pytest.raises(ProblemValidationError) as info:
        _hand(weights=table, **policy)
    return list(info.value.issues)


def test_every_bad_row_is_named_with_its_field() -> None:
    issues = _issues(
        {
            "scale": 10,
            "rows": [
                {"applicant": "nobody", "supervisor": "x", "weight": 1},
                {"applicant": "a", "supervisor": "q", "weight": 1},
                {"applicant": "a", "supervisor": "x", "unit": "U", "weight": 1},
                {"applicant": "a", "supervisor": "x", "weight": 1.25},
                {"applicant": "b", "supervisor": "x", "weight": 2},
                {"applicant": "b", "supervisor": "x", "weight": 3},
                {"applicant": "b", "supervisor": "z", "weight": 10**12},
            ],
        }
    )
    where = {i.location: i.message for i in issues}
    assert "does not exist" in where["pair_weights.rows[0] (applicant 'nobody').applicant"]
    assert "supervisor 'q'" in where["pair_weights.rows[1] (applicant 'a').supervisor"]
    assert where["pair_weights.rows[2] (applicant 'a')"] == "names both a unit and a supervisor"
    assert "scale 10 allows (1)" in where["pair_weights.rows[3] (applicant 'a').weight"]
    assert "repeats pair_weights.rows[4]" in where["pair_weights.rows[5] (applicant 'b')"]
    assert "out of range" in where["pair_weights.rows[6] (applicant 'b').weight"]
    assert "not among the applicant's wishes" in where["pair_weights.rows[6] (applicant 'b')"]
    sv = next(i for i in issues if i.location.endswith("rows[3] (applicant 'a').weight")).text("sv")
    assert "decimaler" in sv
    assert "skala" in sv


def test_an_unwished_pair_is_an_error_unless_the_table_ignores_it() -> None:
    rows = [{"applicant": "b", "supervisor": "z", "weight": 9}]
    [issue] = _issues({"rows": rows})
    assert issue.location == "pair_weights.rows[0] (applicant 'b')"
    assert "unwished" in issue.fix
    problem = _hand(weights={"unwished": "ignore", "rows": rows})
    result = solve(problem)
    assert check(problem, result).ok
    assert "z" not in _plan(result).values()
    assert result.objective["total_weight"] == 0


@pytest.mark.parametrize("weight", [True, "1,5", float("nan"), [1]])
def test_a_weight_that_is_not_a_number_is_refused(weight: Any) -> None:
    [issue] = _issues({"rows": [{"applicant": "a", "supervisor": "x", "weight": weight}]})
    assert issue.location.startswith("pair_weights.rows[0]")


def test_arrays_of_different_lengths_are_refused() -> None:
    with pytest.raises(ProblemValidationError, match="differ in length"):
        PairWeights.from_arrays(["a", "b"], ["x"], [1, 2])


def test_weights_too_large_for_exact_sums_are_refused_when_scored() -> None:
    rows = [{"applicant": "a", "supervisor": "x", "weight": 10**12}]
    problem = _hand(weights={"rows": rows}, order="maximum_weight")
    assert solve(problem).objective["total_weight"] == 10**12  # one pair: exact
    many = Problem.model_validate(
        {
            "municipalities": [{"id": "M"}],
            "units": [{"id": "U", "municipality": "M", "area": "A", "max_places": 10_000}],
            "supervisors": [{"id": "x", "unit": "U", "capacity": 10_000}],
            "applicants": [{"id": f"a{i}", "ranking": {"units": {"U": 1}}} for i in range(10_000)],
            "pair_weights": {"rows": [{"applicant": f"a{i}", "unit": "U", "weight": 10**12} for i in range(10_000)]},
        }
    )
    with pytest.raises(ProblemValidationError, match="too large for exact integer arithmetic"):
        solve(many)


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        ({"order": ["placed", "placed"]}, "at most once"),
        ({"order": []}, "at least one part"),
        ({"order": "maximum_weight", "objective": "egalitarian"}, "needs the placed count before it"),
        ({"order": "objective_first", "stability": {"mode": "optimise"}}, "cannot be changed with stability"),
        ({"order": "max_weight"}, "order"),
    ],
)
def test_orders_that_make_no_sense_are_refused(policy: dict[str, Any], words: str) -> None:
    with pytest.raises(ProblemValidationError, match=words):
        mm.Policy.model_validate(policy)


def test_the_default_order_leaves_the_fingerprint_of_a_round_without_weights_alone() -> None:
    problem = _hand()
    plain = problem.model_copy(update={"pair_weights": None})
    again = Problem.model_validate(plain.model_dump(mode="json") | {"policy": {"order": "placed_first"}})
    assert again.fingerprint() == Problem.model_validate(plain.model_dump(mode="json")).fingerprint()
    assert "order" not in json.dumps(canonical_problem(again)["policy"])


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_bad_row_on_the_pairs_sheet_is_named_by_file_row_and_column(lang: str, tmp_path: Any) -> None:
    from matchmaker import io as mio

    problem = _hand(weights={"scale": 10, "rows": [{"applicant": "a", "supervisor": "x", "weight": 2.5}]})
    folder = tmp_path / "round"
    mio.dump_problem_csv(problem, folder, lang=lang)  # type: ignore[arg-type]
    name = "pairs.csv" if lang == "en" else "par.csv"
    text = (folder / name).read_text(encoding="utf-8")
    (folder / name).write_text(text.replace("2.5", "2.55").replace("2,5", "2,55"), encoding="utf-8")
    with pytest.raises(ProblemValidationError) as info:
        mio.load_problem_csv(folder)
    [issue] = info.value.issues
    column = "weight" if lang == "en" else "vikt"
    assert name in issue.location
    assert column in issue.text(lang)  # type: ignore[arg-type]
    assert "scale 10 allows (1)" in issue.message


def test_a_broken_row_leaves_the_other_rows_checked_in_the_same_pass() -> None:
    issues = _issues(
        {
            "rows": [
                {"applicant": "a", "supervisor": "x", "weight": "abc"},
                {"applicant": "zz", "supervisor": "y", "weight": 1},
                {"applicant": "b", "supervisor": "x", "weight": 1.5},
            ]
        }
    )
    assert [i.location for i in issues] == [
        "pair_weights.rows[0].weight",
        "pair_weights.rows[1] (applicant 'zz').applicant",
        "pair_weights.rows[2] (applicant 'b').weight",
    ]


def test_a_repair_with_pair_weights_counts_moves_at_a_position_not_as_a_penalty_in_fit() -> None:
    problem = _hand("maximum_weight")
    before = solve(problem)
    with pytest.raises(mm.InputError, match="pair weights stand in for the fit"):
        mm.reoptimise(problem, before, penalty=0.3)
    again = mm.reoptimise(problem, before, position=2.5)
    assert check(problem, again).ok
    # the moved level's part (soft goals, at 2.5) is not in the order: it comes last but the lottery
    assert [lv.name for lv in again.decision.objective] == ["total_weight", "moved", "lottery"]
    assert again.objective["moved"] == 0
