"""Validation in one pass (issue 22, item 5): every error of a file at once, options' own error with a
did-you-mean, and the cap on what an error's text lists."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import matchmaker as mm
from conftest import EXAMPLES
from matchmaker._cli import EXIT_BAD_INPUT, cli
from strategies import problems
from test_spreadsheets import workbook

# One round with seven errors of four kinds: two field errors (a negative maximum, priority tier 0), a
# duplicate id (S2 and s2), unknown references (municipality Mx, unit U9, criterion Cx) and a
# cross-record rule (A3's ranks leave a gap). Supervisor S1 works in the broken unit U1: nothing is said
# about it until U1 is fixed.
TABLES: dict[str, list[list[Any]]] = {
    "municipalities": [["id"], ["M"]],
    "units": [
        ["id", "municipality", "area", "max_places"],
        ["U1", "M", "BoU", -1],
        ["U2", "M", "Vux", 2],
        ["U3", "Mx", "Vux", 1],
    ],
    "supervisors": [["id", "unit", "capacity"], ["S1", "U1", 1], ["S2", "U2", 1], ["S3", "U3", 1], ["s2", "U2", 1]],
    "applicants": [["id", "priority_tier"], ["A1", None], ["A2", 0], ["A3", None]],
    "preferences": [
        ["applicant", "kind", "option", "rank"],
        ["A1", "unit", "U2", 1],
        ["A1", "unit", "U9", 2],
        ["A2", "unit", "U2", 1],
        ["A3", "unit", "U2", 1],
        ["A3", "unit", "U3", 3],
    ],
    "criteria": [["id", "weight"], ["C1", 1.0]],
    "interview_scores": [["applicant", "criterion", "score"], ["A1", "Cx", 3.0], ["A3", "C1", 3.0]],
}

#: What each of the seven issues says, whatever the format.
MESSAGES = [
    "input should be greater than or equal to 0",
    "input should be greater than or equal to 1",
    "2 records share the id 'S2' ('S2', 's2')",
    "refers to municipality 'Mx', which does not exist",
    "refers to unit 'U9', which does not exist",
    "refers to criterion 'Cx', which does not exist",
    "the ranks leave a gap (no rank 2)",
]


def _records(name: str) -> list[dict[str, Any]]:
    header, *rows = TABLES[name]
    return [{k: v for k, v in zip(header, row, strict=True) if v is not None} for row in rows]


def _json_data() -> dict[str, Any]:
    applicants = _records("applicants")
    for applicant in applicants:
        ranks = {p["option"]: p["rank"] for p in _records("preferences") if p["applicant"] == applicant["id"]}
        applicant["ranking"] = {"units": ranks}
        scores = [s for s in _records("interview_scores") if s.pop("applicant") == applicant["id"]]
        if scores:
            applicant["interview"] = scores
    return {
        "municipalities": _records("municipalities"),
        "units": _records("units"),
        "supervisors": _records("supervisors"),
        "applicants": applicants,
        "criteria": _records("criteria"),
    }


def _write_json(tmp: Path) -> Path:
    path = tmp / "round.json"
    path.write_text(json.dumps(_json_data()), "utf-8")
    return path


def _write_csv(tmp: Path) -> Path:
    folder = tmp / "round"
    folder.mkdir()
    for name, rows in TABLES.items():
        lines = [",".join("" if v is None else str(v) for v in row) for row in rows]
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def _write_excel(tmp: Path) -> Path:
    return workbook(tmp, TABLES)  # every table of the base round replaced


@pytest.mark.parametrize(
    ("write", "where"),
    [
        (
            _write_json,
            {
                "units['U1'].max_places",
                "applicants['A2'].priority_tier",
                "supervisors['S2']",
                "units['U3'].municipality",
                "applicants['A1'].ranking.units['U9']",
                "applicants['A1'].interview[0].criterion",
                "applicants['A3'].ranking",
            },
        ),
        (
            _write_csv,
            {
                "units.csv, row 2, column max_places",
                "applicants.csv, row 3, column priority_tier",
                "supervisors.csv, row 3",
                "units.csv, row 4, column municipality",
                "preferences.csv, row 3, column option",
                "interview_scores.csv, row 2, column criterion",
                "preferences.csv, row 5, column rank",
            },
        ),
        (
            _write_excel,
            {
                "sheet units, row 2, column max_places",
                "sheet applicants, row 3, column priority_tier",
                "sheet supervisors, row 3",
                "sheet units, row 4, column municipality",
                "sheet preferences, row 3, column option",
                "sheet interview_scores, row 2, column criterion",
                "sheet preferences, row 5, column rank",
            },
        ),
    ],
    ids=["json", "csv", "excel"],
)
def test_every_error_of_a_file_at_once(tmp_path: Path, write: Any, where: set[str]) -> None:
    with pytest.raises(mm.ProblemValidationError) as info:
        mm.load_problem(write(tmp_path))
    issues = info.value.issues
    assert len(issues) == len(MESSAGES), str(info.value)
    for said in MESSAGES:
        assert sum(i.message.startswith(said) for i in issues) == 1, (said, str(info.value))
    for place in where:  # each issue still names its file, row and column
        assert any(place in i.location for i in issues), (place, str(info.value))
    assert not any("'S1'" in str(i) for i in issues)  # the supervisor of the broken unit waits for the fix
    swedish = info.value.text("sv")
    assert "hänvisar till enhet 'U9', som inte finns" in swedish
    assert "7 problem hittades" in swedish


def test_field_errors_come_first_then_cross_record_ones() -> None:
    with pytest.raises(mm.ProblemValidationError) as info:
        mm.Problem.model_validate(_json_data())
    kinds = ["should be" in i.message for i in info.value.issues]
    assert kinds == sorted(kinds, reverse=True)


def _error_text(data: dict[str, Any]) -> str:
    with pytest.raises(mm.ProblemValidationError) as info:
        mm.Problem.model_validate(data)
    return str(info.value)


def test_positions_are_those_of_the_input() -> None:
    """Leaving a broken pin out must not shift the positions the other pins are named by."""
    data = _json_data()
    data["units"][0]["max_places"] = 1
    data["applicants"][1]["priority_tier"] = 1
    data["pins"] = [
        {"applicant": "A1", "unit": "U2", "note": "agreed"},  # broken: pins have no notes
        {"applicant": "A3", "unit": "U2"},
        {"applicant": "A3", "unit": "U3"},
    ]
    text = _error_text(data)
    assert "pins[0] (applicant 'A1').note: unknown field" in text
    assert "pins[2] (applicant 'A3'): applicant 'A3' is already pinned by pins[1]" in text


def test_the_text_lists_the_first_50_issues_and_counts_the_rest() -> None:
    data = _json_data()
    data["applicants"] = [{"id": f"A{i}", "priority_tier": 0} for i in range(60)]
    with pytest.raises(mm.ProblemValidationError) as info:
        mm.Problem.model_validate(data)
    error = info.value
    assert len(error.issues) == 60 + 3  # every issue is kept (U1's maximum, S2 twice and Mx too)
    lines = str(error).splitlines()
    assert lines[0] == "63 problems found:"
    assert len([line for line in lines if line.startswith("  - ")]) == mm.errors.SHOWN_ISSUES == 50
    assert lines[-1] == "  ... and 13 more problems"
    assert error.text("sv").splitlines()[-1] == "  ... och 13 problem till"


# --- a broken record never yields an issue that would vanish once it is fixed -----------------------------

_BREAKS: dict[str, list[tuple[str, Any]]] = {
    "municipalities": [("id", 7), ("max_places", -1)],
    "units": [("id", None), ("municipality", 7), ("area", ""), ("max_places", "two"), ("min_places", -1)],
    "supervisors": [("id", 7), ("unit", None), ("capacity", -1), ("training", "expert")],
    "applicants": [("id", None), ("priority_tier", 0), ("ranking", {"units": {"U0": 0}}), ("period", 3)],
    "criteria": [("id", None), ("weight", -1.0)],
    "pins": [("applicant", None), ("unit", 5)],
    "adjustments": [("applicant", 7), ("delta", 3.0)],
    "links": [("applicants", ["x"]), ("relation", "near")],
}


@st.composite
def _broken_rounds(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A round with some cross-record mistakes, the same round with one record broken, and the broken
    record's location prefix."""
    fixed = draw(problems())
    mistakes = ["ref", "dup", "wish", "minimum", "pin", "weight"]
    for mistake in draw(st.lists(st.sampled_from(mistakes), max_size=3)):
        if mistake == "weight":
            fixed["criteria"][0]["weight"] = 0.0
        elif mistake == "ref":
            fixed["supervisors"][0]["unit"] = "U9"
        elif mistake == "dup":
            fixed["applicants"].append({**fixed["applicants"][0]})
        elif mistake == "wish":
            fixed["applicants"][-1]["interests"] = {"units": {"U0": 1.0, "U8": 0.5}}
            fixed["applicants"][-1].pop("ranking", None)
        elif mistake == "minimum":
            fixed["units"][0]["min_places"] = 9
        else:
            fixed["pins"] = [*fixed["pins"], {"applicant": fixed["applicants"][0]["id"], "supervisor": "S0"}]
    tables = [t for t in _BREAKS if fixed.get(t)]
    table = draw(st.sampled_from([*tables, "policy"]))
    broken = copy.deepcopy(fixed)
    if table == "policy":
        broken["policy"] = {**broken.get("policy", {}), "objectve": "total_fit"}
        return fixed, broken, "policy."
    index = draw(st.integers(0, len(fixed[table]) - 1))
    field, value = draw(st.sampled_from(_BREAKS[table]))
    item = broken[table][index]
    if value is None:
        item.pop(field, None)
        if field not in ("id", "applicant"):
            return fixed, broken, "-"  # an optional field left out breaks nothing
    else:
        item[field] = value
    if table in ("pins", "adjustments", "links"):
        return fixed, broken, f"{table}[{index}]"
    ident = item.get("id")  # a record is located by its id when it has one that is text, else by position
    return fixed, broken, f"{table}[{ident!r}]" if isinstance(ident, str) else f"{table}[{index}]"


def _issues(data: dict[str, Any]) -> list[mm.ValidationIssue]:
    try:
        mm.Problem.model_validate(data)
    except mm.ProblemValidationError as exc:
        return list(exc.issues)
    return []


@given(_broken_rounds())
def test_a_broken_record_never_yields_an_issue_that_vanishes_when_it_is_fixed(
    case: tuple[dict[str, Any], dict[str, Any], str],
) -> None:
    fixed, broken, prefix = case
    once_fixed = {(i.location, i.message) for i in _issues(fixed)}
    found = _issues(broken)
    if prefix == "-":
        return
    own = [i for i in found if i.location.startswith(prefix)]
    assert own, f"the break at {prefix} went unreported: {found}"
    for issue in found:
        if issue.location.startswith(prefix):
            continue
        assert (issue.location, issue.message) in once_fixed, f"{issue} would vanish once {prefix} is fixed"


# --- options ----------------------------------------------------------------------------------------------


def test_a_misspelt_option_gets_its_own_error_and_the_name_meant() -> None:
    with pytest.raises(mm.OptionsError) as info:
        mm.SolveOptions(time_limt=5)  # type: ignore[call-arg]
    assert isinstance(info.value, mm.InputError)
    assert not isinstance(info.value, mm.ProblemValidationError)
    (issue,) = info.value.issues
    assert issue.location == "time_limt"
    assert issue.fix == "write 'time_limit' instead of 'time_limt', the field it most likely means"
    assert "skriv 'time_limit' i stället för 'time_limt'" in info.value.text("sv")


def test_an_option_without_a_close_name_keeps_the_general_fix() -> None:
    with pytest.raises(mm.OptionsError) as info:
        mm.SolveOptions.model_validate({"colour": "red"})
    assert "instead of" not in str(info.value)
    assert "remove 'colour' or correct its spelling" in str(info.value)


def test_a_misspelt_cpsat_parameter_gets_the_name_meant() -> None:
    with pytest.raises(mm.OptionsError, match="did you mean 'linearization_level'"):
        mm.SolveOptions(cpsat_parameters={"linearisation_level": 2})


def test_a_misspelt_policy_field_gets_the_name_meant() -> None:
    data = json.loads((EXAMPLES / "huddinge-nacka-tyreso" / "problem.json").read_text("utf-8"))
    data["policy"].update(objectve="total_fit", balance={"mod": "within"})
    text = _error_text(data)
    assert "policy.objectve: unknown field. Fix: write 'objective' instead of 'objectve'" in text
    assert "policy.balance.mod: unknown field. Fix: write 'mode' instead of 'mod'" in text


def test_the_cli_names_the_option_and_exits_2() -> None:
    problem = EXAMPLES / "huddinge-nacka-tyreso" / "problem.json"
    out = CliRunner().invoke(cli, ["solve", str(problem), "--time-limit", "1e9", "-q", "--lang", "sv"])
    assert out.exit_code == EXIT_BAD_INPUT, out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)
    assert "--time-limit: " in out.output
    assert "time_limit" not in out.output


def test_a_rule_over_a_whole_table_waits_for_its_broken_record() -> None:
    """Every criterion weighing 0 is a rule over the whole table: with c2 left out it would hold."""
    data = _json_data()
    data["units"][0]["max_places"] = 1
    data["criteria"] = [{"id": "C1", "weight": 0.0}, {"id": "C2", "weight": "two"}]
    text = _error_text(data)
    assert "criteria['C2'].weight: input should be a valid number" in text
    assert "weight 0" not in text
    data["criteria"][1]["weight"] = 2.0
    assert "weight 0" not in _error_text(data)
    data["criteria"][1]["weight"] = 0.0
    assert "criteria.weight: every interview criterion has weight 0" in _error_text(data)
