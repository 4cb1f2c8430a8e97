"""Every format round-trips exactly: JSON, CSV and Parquet folders and Excel workbooks (English and Swedish),
DataFrames and Arrow tables.

The same data in any format, or passed through a chain of formats, gives an identical Problem (equal
records, equal fingerprint) and so the identical decision; results round-trip too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import matchmaker as mm
from conftest import EXAMPLES, make_problem
from matchmaker._base import protected_label
from matchmaker.io._arrow import dump_problem_parquet, load_problem_parquet
from matchmaker.io._csv import dump_problem_csv, dump_result_csv, load_problem_csv, load_result_csv
from matchmaker.io._excel import dump_problem_excel, dump_result_excel, load_problem_excel, load_result_excel
from matchmaker.io._json import problem_from_json
from matchmaker.io._rows import table_by_key
from strategies import grouped_problems, rich_problems

Trip = Callable[[mm.Problem, Path], mm.Problem]

#: Each model, its table, and its fields that the table holds elsewhere (in another table, or spread
#: over other columns). Any other field must be a column of the table.
LAYOUT: list[tuple[type[BaseModel], str, set[str]]] = [
    (mm.Problem, "round", {"policy", "criteria", "municipalities", "units", "supervisors", "applicants", "pins",
                           "adjustments", "links", "round", "commitments"}),
    (mm.Round, "round", {"periods"}),
    (mm.Period, "periods", set()),
    (mm.Commitment, "commitments", set()),
    (mm.Policy, "round", {"group_rules"}),
    (mm.GroupRule, "group_rules", set()),
    (mm.Balance, "round", {"mode", "tolerance", "ratio"}),
    (mm.Municipality, "municipalities", set()),
    (mm.Unit, "units", {"ranking"}),
    (mm.Supervisor, "supervisors", set()),
    # groups: one group:<family> column per family, made for the round at hand
    (mm.Applicant, "applicants", {"interests", "ranking", "interview", "conflicts", "groups"}),
    (mm.Ranking, "preferences", {"areas", "units", "supervisors"}),
    (mm.Interests, "preferences", {"areas", "units", "supervisors"}),
    (mm.Conflicts, "conflicts", {"units", "supervisors"}),
    (mm.InterviewScore, "interview_scores", set()),
    (mm.InterviewCriterion, "criteria", set()),
    (mm.Pin, "pins", set()),
    (mm.Adjustment, "adjustments", set()),
    (mm.Link, "links", {"applicants"}),
    (mm.Decision, "result", {"objective", "assignments", "unplaced", "repair"}),
    (mm.RepairRecord, "repair", {"diff"}),
    (mm.PlanDiff, "repair", {"moved", "newly_placed", "newly_unplaced", "withdrawn"}),
    (mm.Move, "moves", set()),
    (mm.Metrics, "result", {"rank_profile", "fit_percentiles", "units", "municipalities"}),
    (mm.LevelValue, "objective", set()),
    (mm.Assignment, "assignments", set()),
    (mm.Unplaced, "unplaced", set()),
    (mm.UnitMetrics, "unit_metrics", set()),
    (mm.MunicipalityMetrics, "municipality_metrics", set()),
    (mm.RunStatistics, "statistics", {"stages", "versions", "parameters"}),
    (mm.StageStatistics, "stages", set()),
]  # fmt: skip


def via_json(p: mm.Problem, tmp: Path) -> mm.Problem:
    return problem_from_json(mm.dump_problem(p))


def _via_files(
    dump: Callable[..., object], load: Callable[[Path], mm.Problem], name: str, lang: str
) -> Callable[[mm.Problem, Path], mm.Problem]:
    """A round trip through files written by ``dump`` in ``lang`` under ``name`` and read by ``load``."""

    def go(p: mm.Problem, tmp: Path) -> mm.Problem:
        dump(p, tmp / name, lang=lang)
        return load(tmp / name)

    return go


via_csv_en = _via_files(dump_problem_csv, load_problem_csv, "csv-en", "en")
via_csv_sv = _via_files(dump_problem_csv, load_problem_csv, "csv-sv", "sv")
via_excel_en = _via_files(dump_problem_excel, load_problem_excel, "p-en.xlsx", "en")
via_excel_sv = _via_files(dump_problem_excel, load_problem_excel, "p-sv.xlsx", "sv")
via_parquet_en = _via_files(dump_problem_parquet, load_problem_parquet, "p-en.parquet", "en")
via_parquet_sv = _via_files(dump_problem_parquet, load_problem_parquet, "p-sv.parquet", "sv")


def via_frames(p: mm.Problem, tmp: Path) -> mm.Problem:
    return mm.problem_from_frames(mm.problem_to_frames(p))


def via_frames_sv(p: mm.Problem, tmp: Path) -> mm.Problem:
    return mm.problem_from_frames(mm.problem_to_frames(p, lang="sv"))


def via_arrow(p: mm.Problem, tmp: Path) -> mm.Problem:
    return mm.problem_from_arrow(mm.problem_to_arrow(p))


TRIPS: dict[str, Trip] = {
    "json": via_json,
    "csv-en": via_csv_en,
    "csv-sv": via_csv_sv,
    "excel-en": via_excel_en,
    "excel-sv": via_excel_sv,
    "frames": via_frames,
    "frames-sv": via_frames_sv,
    "parquet-en": via_parquet_en,
    "parquet-sv": via_parquet_sv,
    "arrow": via_arrow,
}


def assert_identical(a: mm.Problem, b: mm.Problem) -> None:
    assert b == a
    assert b.fingerprint() == a.fingerprint()
    assert mm.dump_problem(b) == mm.dump_problem(a)


@pytest.mark.parametrize(("model", "table", "elsewhere"), LAYOUT, ids=lambda v: getattr(v, "__name__", None))
def test_every_model_field_has_a_column(model: type[BaseModel], table: str, elsewhere: set[str]) -> None:
    """A field added to a model without a column (or table) in the layout would be lost by the table formats."""
    columns = {c.key for c in table_by_key(table).columns}
    assert set(model.model_fields) - columns == elsewhere


@pytest.mark.parametrize("name", sorted(TRIPS))
@settings(max_examples=25)
@given(raw=rich_problems())
def test_problem_round_trip(name: str, raw: dict[str, object]) -> None:
    problem = make_problem(raw)
    with tempfile.TemporaryDirectory() as tmp:
        assert_identical(problem, TRIPS[name](problem, Path(tmp)))


@pytest.mark.parametrize("name", sorted(TRIPS))
@settings(max_examples=15)
@given(raw=grouped_problems())
def test_groups_and_group_rules_round_trip(name: str, raw: dict[str, object]) -> None:
    problem = make_problem(raw)
    with tempfile.TemporaryDirectory() as tmp:
        again = TRIPS[name](problem, Path(tmp))
    assert_identical(problem, again)
    assert mm.solve(again).decision_json() == mm.solve(problem).decision_json()


#: Family names as a person may write them: any text of a label (spaces, colons, ;, quotes, accents).
_FAMILIES = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30).map(str.strip)


@pytest.mark.parametrize("name", sorted(set(TRIPS) - {"json"}))
@settings(max_examples=15)
@given(
    families=st.lists(
        _FAMILIES.filter(lambda f: bool(f) and not protected_label(f)), min_size=1, max_size=3, unique=True
    )
)
def test_any_family_name_round_trips(name: str, families: list[str]) -> None:
    """A group column's header is its prefix and the family exactly, so no family name is lost or merged."""
    problem = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json")
    applicants = [
        a.model_copy(update={"groups": {f: f"g{(i + j) % 2}" for j, f in enumerate(families) if (i + j) % 3}})
        for i, a in enumerate(problem.applicants)
    ]
    rules = tuple(mm.GroupRule(family=f, rule="maximin") for f in families)
    policy = problem.policy.model_copy(update={"group_rules": rules})
    grouped = mm.Problem.model_validate(
        {**problem.model_dump(), "applicants": [a.model_dump() for a in applicants], "policy": policy.model_dump()}
    )
    with tempfile.TemporaryDirectory() as tmp:
        assert_identical(grouped, TRIPS[name](grouped, Path(tmp)))


@settings(max_examples=20)
@given(raw=rich_problems(), chain=st.permutations(sorted(TRIPS)))
def test_chained_formats_give_the_identical_decision(raw: dict[str, object], chain: list[str]) -> None:
    problem = make_problem(raw)
    current = problem
    with tempfile.TemporaryDirectory() as tmp:
        for name in chain:
            current = TRIPS[name](current, Path(tmp))
    assert_identical(problem, current)
    assert mm.solve(current).decision_json() == mm.solve(problem).decision_json()


@pytest.mark.parametrize("example", ["sodertalje", "huddinge-nacka-tyreso"])
def test_examples_give_one_decision_in_every_format(example: str, tmp_path: Path) -> None:
    problem = mm.load_problem(EXAMPLES / example / "problem.json")
    expected = mm.solve(problem).decision_json()
    for name, trip in TRIPS.items():
        again = trip(problem, tmp_path)
        assert_identical(problem, again)
        assert mm.solve(again).decision_json() == expected, name


@pytest.mark.parametrize("suffix", [".json", ".xlsx", "", ".parquet"])
def test_save_and_load_by_path(suffix: str, tmp_path: Path) -> None:
    problem = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json")
    path = tmp_path / f"round{suffix}"
    mm.save_problem(problem, path, lang="sv")
    assert_identical(problem, mm.load_problem(path))
    result = mm.solve(problem)
    out = tmp_path / f"result{suffix}"
    mm.save_result(result, out, lang="sv")
    again = mm.load_result(out)
    assert again == result
    assert mm.check(problem, again).ok


def test_results_round_trip_in_every_format(tmp_path: Path) -> None:
    problem = mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json")
    result = mm.solve(problem)
    for lang in ("en", "sv"):
        dump_result_csv(result, tmp_path / f"r-{lang}", lang=lang)
        assert load_result_csv(tmp_path / f"r-{lang}") == result
        dump_result_excel(result, tmp_path / f"r-{lang}.xlsx", lang=lang)
        assert load_result_excel(tmp_path / f"r-{lang}.xlsx") == result
        assert mm.result_from_frames(mm.result_to_frames(result, lang=lang)) == result


def test_infeasible_result_round_trips(tmp_path: Path) -> None:
    data = mm.load_problem(EXAMPLES / "sodertalje" / "problem.json").model_dump()
    data["units"][2]["min_places"] = 3
    data["municipalities"][0]["max_places"] = 2
    result = mm.solve(mm.Problem.model_validate(data))
    assert result.status is mm.Status.INFEASIBLE
    mm.save_result(result, tmp_path / "r.xlsx")
    assert mm.load_result(tmp_path / "r.xlsx") == result
    assert mm.result_from_frames(mm.result_to_frames(result)) == result


def test_frames_are_typed() -> None:
    frames = mm.problem_to_frames(mm.load_problem(EXAMPLES / "sodertalje" / "problem.json"))
    assert set(frames) >= {"units", "supervisors", "applicants", "preferences", "round"}
    units = frames["units"]
    assert str(units["max_places"].dtype) == "Int64"
    assert str(units["id"].dtype).startswith(("string", "str"))
    assignments = mm.result_to_frames(mm.solve(mm.load_problem(EXAMPLES / "sodertalje" / "problem.json")))
    assert str(assignments["assignments"]["fit"].dtype) == "Float64"
