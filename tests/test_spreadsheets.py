"""CSV folders, Excel workbooks and DataFrames as people make them: the traps, and one test per malformed file.

Every error names the file (and sheet), row and column, says what is wrong and how to fix it; all
errors of a read are reported together; cell values of applicant rows are never echoed.
"""

from __future__ import annotations

import datetime as dt
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

import matchmaker as mm
from conftest import ROOT
from matchmaker.io._csv import load_problem_csv
from matchmaker.io._excel import load_problem_excel

DATA = ROOT / "tests" / "data" / "spreadsheet"

BASE = {
    "municipalities.csv": "id\nM\n",
    "units.csv": "id,municipality,area,max_places\nU1,M,BoU,2\nU2,M,Vux,1\n",
    "supervisors.csv": "id,unit,training\nS1,U1,completed\nS2,U2,none\n",
    "applicants.csv": "id,priority_tier\nA1,\nA2,1\n",
    "preferences.csv": "applicant,kind,option,rank\nA1,unit,U1,1\nA1,unit,U2,2\nA2,unit,U2,1\n",
}


def folder(tmp: Path, **files: str | bytes | None) -> Path:
    """A CSV folder: the base round with ``files`` (by name, dots as ``_``) replaced, added or removed."""
    out = tmp / "round"
    out.mkdir(parents=True)
    merged: dict[str, str | bytes | None] = {**BASE, **{k.replace("_csv", ".csv"): v for k, v in files.items()}}
    for name, text in merged.items():
        if text is not None:
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            (out / name).write_bytes(data)
    return out


def invalid(tmp: Path, **files: str) -> tuple[str, tuple[mm.ValidationIssue, ...]]:
    """The message and issues of a CSV folder whose content breaks the round's rules."""
    with pytest.raises(mm.ProblemValidationError) as info:
        load_problem_csv(folder(tmp, **files))
    return str(info.value), tuple(info.value.issues)


def csv_error(tmp: Path, **files: str | bytes | None) -> str:
    with pytest.raises(mm.InputError) as info:
        load_problem_csv(folder(tmp, **files))
    return str(info.value)


def workbook(tmp: Path, sheets: dict[str, list[list[Any]]], edit: Callable[[Workbook], None] | None = None) -> Path:
    """An .xlsx with the base round's tables plus ``sheets`` (replacing same-named ones)."""
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    base: dict[str, list[list[Any]]] = {
        "municipalities": [["id"], ["M"]],
        "units": [["id", "municipality", "area", "max_places"], ["U1", "M", "BoU", 2], ["U2", "M", "Vux", 1]],
        "supervisors": [["id", "unit", "training"], ["S1", "U1", "completed"], ["S2", "U2", "none"]],
        "applicants": [["id", "priority_tier"], ["A1", None], ["A2", 1]],
        "preferences": [["applicant", "kind", "option", "rank"], ["A1", "unit", "U1", 1], ["A2", "unit", "U2", 1]],
    }
    for name, rows in {**base, **sheets}.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if edit is not None:
        edit(wb)
    path = tmp / "round.xlsx"
    wb.save(path)
    return path


def xlsx_error(tmp: Path, sheets: dict[str, list[list[Any]]], edit: Callable[[Workbook], None] | None = None) -> str:
    with pytest.raises(mm.InputError) as info:
        load_problem_excel(workbook(tmp, sheets, edit))
    return str(info.value)


# --- hand-made fixtures ----------------------------------------------------------------------------------


def test_libreoffice_workbook_with_every_trap() -> None:
    """Saved by LibreOffice Calc: merged title, Swedish headers, numeric ids, 000 format, merged wish rows."""
    expected = mm.load_problem(DATA / "coordinator.json")
    with pytest.warns(mm.InputWarning, match=r"sheet Handledare, column id \(A\): 3 ids were typed as a number"):
        problem = mm.load_problem(DATA / "coordinator-sv.xlsx")
    assert problem == expected
    assert [a.id for a in problem.applicants] == ["001", "002", "003"]
    assert problem.applicant_by_id["003"].ranking == mm.Ranking(areas={"Barn och ungdom": 1}, units={"vux": 2})


def test_swedish_excel_csv_export() -> None:
    """Semicolons, BOM, CRLF, decimal commas, sep=;, ="001", stray spaces, empty lines, a notes column."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        problem = mm.load_problem(DATA / "coordinator-sv-csv")
    assert problem == mm.load_problem(DATA / "coordinator.json")
    assert problem.policy.interest_weight == 0.6


def test_fixtures_solve_to_one_decision() -> None:
    with pytest.warns(mm.InputWarning):
        xlsx = mm.load_problem(DATA / "coordinator-sv.xlsx")
    assert mm.solve(xlsx).decision_json() == mm.solve(mm.load_problem(DATA / "coordinator-sv-csv")).decision_json()


# --- malformed CSV -----------------------------------------------------------------------------------------


def test_csv_not_utf8(tmp_path: Path) -> None:
    message = csv_error(tmp_path, units_csv="id,municipality,area,max_places\nU1,M,Södertälje,2\n".encode("latin-1"))
    assert message.startswith("1 problem found")
    assert "units.csv: is not UTF-8 text (byte 38); it was probably saved in a Windows or Mac encoding" in message
    assert "save it again as 'CSV UTF-8 (comma delimited)'" in message


def test_csv_utf16_from_unicode_text_export(tmp_path: Path) -> None:
    text = "id\tmunicipality\tarea\tmax_places\r\nU1\tM\tBoU\t2\r\nU2\tM\tVux\t1\r\n"
    problem = load_problem_csv(folder(tmp_path, units_csv=text.encode("utf-16")))
    assert [u.id for u in problem.units] == ["U1", "U2"]


def test_missing_table_and_ignored_file(tmp_path: Path) -> None:
    with pytest.warns(mm.InputWarning, match=r"ignored unit\.csv, which names no problem table"):
        message = csv_error(tmp_path, units_csv=None, unit_csv=BASE["units.csv"])
    assert "has no file for the 'units' table (named 'units' or, in Swedish, 'Enheter')" in message
    assert "`matchmaker template` writes every problem table" in message


def test_two_files_for_one_table(tmp_path: Path) -> None:
    message = csv_error(tmp_path, enheter_csv=BASE["units.csv"])
    assert "a second file for the 'units' table" in message


def test_preferences_mode_column(tmp_path: Path) -> None:
    problem = load_problem_csv(
        folder(tmp_path, applicants_csv="id,preferences\nA1,weights\nA2,rangordning\n", preferences_csv=None)
    )
    assert problem.applicant_by_id["A1"].interests == mm.Interests()
    assert problem.applicant_by_id["A2"].ranking == mm.Ranking()


def test_validation_issues_name_file_row_and_column(tmp_path: Path) -> None:
    refs = {
        "preferences_csv": "applicant,kind,option,rank\nA1,unit,U1,1\nA1,unit,U2,3\nA2,unit,U9,1\n",
        "pins_csv": "applicant,supervisor\nA1,S1\n",
        "conflicts_csv": "applicant,supervisor\nA1,S1\n",
    }
    message, issues = invalid(tmp_path, units_csv="id,municipality,area,max_places\nU1,Mx,BoU,-1\nU2,M,Vux,1\n", **refs)
    assert "units.csv, row 2, column max_places: input should be greater than or equal to 0" in message
    # One pass: the cross-record issues of the records that validate come with the field error; the broken
    # unit's own references (municipality 'Mx') and the pin to its supervisor wait until it is fixed.
    assert "preferences.csv, row 2, column rank: the ranks leave a gap (no rank 2)" in message
    assert "preferences.csv, row 4, column option: refers to unit 'U9', which does not exist" in message
    assert "'Mx'" not in message
    assert len(issues) == 3
    message, issues = invalid(
        tmp_path / "2", units_csv="id,municipality,area,max_places\nU1,Mx,BoU,1\nU2,M,Vux,1\n", **refs
    )
    assert "in " + str(tmp_path / "2" / "round") in message
    assert "units.csv, row 2, column municipality: refers to municipality 'Mx', which does not exist" in message
    assert "preferences.csv, row 2, column rank: the ranks leave a gap (no rank 2)" in message
    assert "preferences.csv, row 4, column option: refers to unit 'U9', which does not exist" in message
    assert "pins.csv, row 2: the pin places the applicant with supervisor 'S1', which their conflicts forbid" in message
    assert len(issues) == 4


def test_all_errors_of_every_file_together(tmp_path: Path) -> None:
    message = csv_error(
        tmp_path,
        units_csv="id,municipality,area,max_places\nU1,M,BoU,x\nU2,M,Vux,1\n",
        supervisors_csv="id,unit,training,cap\nS1,U1,completed,1\nS2,U2,none,1\n",
        preferences_csv="applicant,kind,option,rank\nA1,unit,U1,1\nA7,unit,U1,1\n",
    )
    assert message.startswith("3 problems found in")
    assert "units.csv" in message
    assert "supervisors.csv" in message
    assert "preferences.csv" in message


def test_spreadsheet_words_and_numbers(tmp_path: Path) -> None:
    problem = load_problem_csv(
        folder(
            tmp_path,
            round_csv="sep=;\nVikt intresse;Vikt intervju\n0,25;1e-1\n",
            units_csv='ID ;Kommun;OMRÅDE;Max_Platser;Krav\n="U1";M;BoU;2;" a ; b "\nU2;M;Vux;1,0;\n',
        )
    )
    assert problem.policy.interest_weight == 0.25
    assert problem.policy.interview_weight == 0.1
    assert problem.unit_by_id["U1"].requirements == ("a", "b")
    assert problem.unit_by_id["U2"].max_places == 1


# --- unit rankings, links and the policy ---------------------------------------------------------------------


def test_unit_rankings_and_links_in_swedish(tmp_path: Path) -> None:
    problem = load_problem_csv(
        folder(
            tmp_path,
            units_csv="id,municipality,area,max_places,målantal,rangordnar sökande\nU1,M,BoU,2,1,\nU2,M,Vux,1,,ja\n",
            enheternas_rangordning_csv="Enhet;Sökande;Rang\nU1;A2;1\nU1;A1;1\n",
            kopplingar_csv="Sökande;Annan sökande;Relation;Tvingande\nA1;A2;Samma kommun;nej\n",
        )
    )
    assert problem.unit_by_id["U1"].target_places == 1
    assert problem.unit_by_id["U1"].ranking == {"A2": 1, "A1": 1}
    assert problem.unit_by_id["U2"].ranking == {}  # ranks applicants itself and lists none: takes nobody
    assert problem.links == (mm.Link(applicants=("A1", "A2"), relation="same_municipality", hard=False),)


def test_unit_ranking_rows_that_cannot_be_read(tmp_path: Path) -> None:
    message = csv_error(
        tmp_path,
        units_csv="id,municipality,area,max_places,ranks_applicants\nU1,M,BoU,2,\nU2,M,Vux,1,no\n",
        unit_rankings_csv="unit,applicant,rank\nU1,A1,1\nU1,A1,2\nU3,A2,1\nU2,A2,1\nU1,A9,2\nU1,A2,\n",
    )
    assert "unit_rankings.csv, row 3, column applicant: the unit ranks this applicant again (first at row 2)" in (
        message
    )
    assert "row 4, column unit: refers to unit 'U3', which is not in the units table. Fix: use the id of" in message
    assert "row 5, column unit: the units table says that this unit does not rank applicants itself" in message
    assert "row 6, column applicant: refers to applicant 'A9', who is not in the applicants table" in message
    assert "row 7, column rank: is empty. Fix: give the unit's rank of the applicant" in message
    assert message.startswith("5 problems found")


def test_unit_ranking_rules_name_the_row(tmp_path: Path) -> None:
    with pytest.raises(mm.ProblemValidationError, match=r"rankings\.csv, row 4, column rank: input should be greater"):
        load_problem_csv(folder(tmp_path, unit_rankings_csv="unit,applicant,rank\nU1,A1,1\nU1,A2,1\nU2,A1,0\n"))
    message, issues = invalid(
        tmp_path / "2",
        units_csv="id,municipality,area,max_places,target_places\nU1,M,BoU,2,3\nU2,M,Vux,1,\n",
        unit_rankings_csv="unit,applicant,rank\nU1,A1,1\nU1,A2,3\nU2,A1,1\n",
    )
    assert "units.csv, row 2, column target_places: the target (3) is above the maximum (2)" in message
    assert "unit_rankings.csv, row 2, column rank: the ranks leave a gap (no rank 2)" in message
    assert len(issues) == 2


def test_link_rows(tmp_path: Path) -> None:
    message = csv_error(
        tmp_path,
        links_csv="applicant,other_applicant,relation,hard\nA1,A3,apart,yes\nA1,A2,together,perhaps\nA2,,apart,\n",
    )
    assert "links.csv, row 2, column other_applicant: refers to applicant 'A3', who is not in the applicants" in message
    # The cells of applicant tables are not echoed.
    assert "links.csv, row 3, column relation: is not one of the allowed values. Fix: use one of apart, " in message
    assert "(Swedish: isär, samma enhet, samma kommun)" in message
    assert "links.csv, row 3, column hard: is not true or false. Fix: write true or false (ja or nej)" in message
    assert "links.csv, row 4, column other_applicant: is empty" in message
    with pytest.raises(mm.ProblemValidationError, match=r"links\.csv, row 3: links an applicant to themself"):
        load_problem_csv(
            folder(tmp_path / "2", links_csv="applicant,other_applicant,relation\nA1,A2,apart\nA2,A2,same_unit\n")
        )


def test_policy_words_and_balance(tmp_path: Path) -> None:
    problem = load_problem_csv(
        folder(
            tmp_path,
            omgang_csv="Mål;Enheternas preferenser;Minimum;Målantal;Balans;Balans andel\n"
            "Flest förstahandsval;alla lika;mjuk;hård;andel;0,5\n",
        )
    )
    policy = problem.policy
    assert (policy.objective, policy.unit_preferences, policy.minimums, policy.targets) == (
        "rank_maximal", "indifferent", "soft", "hard"
    )  # fmt: skip
    assert policy.balance == mm.Balance(mode="ratio", ratio=0.5)
    message = csv_error(tmp_path / "2", round_csv="objective,balance_tolerance\nleximin,0.2\n")
    assert "round.csv, row 2, column balance_tolerance: a balance setting is given, but no balance mode" in message
    with pytest.raises(mm.ProblemValidationError, match=r"round\.csv, row 2, column balance_ratio: input should be"):
        load_problem_csv(folder(tmp_path / "3", round_csv="balance,balance_ratio\nwithin,1.5\n"))


def test_result_metrics_tables(tmp_path: Path) -> None:
    problem = mm.load_problem(DATA / "coordinator.json")
    result = mm.solve(problem)
    mm.save_result(result, tmp_path / "r")
    assert mm.load_result(tmp_path / "r") == result
    profile = (tmp_path / "r" / "rank_profile.csv").read_text("utf-8-sig")
    (tmp_path / "r" / "rank_profile.csv").write_text(profile.replace("\n1,", "\n7,", 1), encoding="utf-8")
    with pytest.raises(mm.InputFileError, match=r"rank_profile\.csv: has no row for rank 1"):
        mm.load_result(tmp_path / "r")
    head = (tmp_path / "r" / "result.csv").read_text("utf-8-sig")
    assert ",yes," in head
    (tmp_path / "r" / "result.csv").write_text(head.replace(",yes,", ",no,"), encoding="utf-8")
    with pytest.raises(mm.InputFileError, match="column metrics: says the decision has no metrics, but rank_profile"):
        mm.load_result(tmp_path / "r")


# --- Excel traps -------------------------------------------------------------------------------------------


def test_excel_title_rows_merged_cells_and_notes(tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["preferences"]
        ws.insert_rows(1, 2)
        ws["A1"] = "Önskemål VT 2026"
        ws.merge_cells("A1:D1")
        ws["E3"] = "# notes"
        ws["E4"] = "private remark"
        ws.append([None, "unit", "U1", 2])
        ws.merge_cells("A5:A6")

    problem = load_problem_excel(workbook(tmp_path, {}, edit))
    assert problem.applicant_by_id["A1"].ranking == mm.Ranking(units={"U1": 1})
    assert problem.applicant_by_id["A2"].ranking == mm.Ranking(units={"U2": 1, "U1": 2})


def test_excel_ids_typed_as_numbers(tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["applicants"]["A2"].number_format = "000"  # shows 001: the zeros come back

    sheets: dict[str, list[list[Any]]] = {
        "applicants": [["id"], [1], [2]],
        "preferences": [["applicant", "kind", "option", "rank"], ["001", "unit", "U1", 1], [2, "unit", "U2", 1]],
    }
    with pytest.warns(mm.InputWarning) as caught:
        problem = load_problem_excel(workbook(tmp_path, sheets, edit))
    assert [a.id for a in problem.applicants] == ["001", "2"]
    assert problem.applicant_by_id["2"].ranking == mm.Ranking(units={"U2": 1})
    text = " | ".join(str(w.message) for w in caught)
    assert "sheet applicants, column id (A): 1 id was typed as a number and read as text (first at row 3)" in text
    assert "sheet preferences, column applicant (A): 1 id was typed as a number" in text
    assert "an id such as 001 loses its zeros in a number cell: format the column as Text" in text


def test_excel_dates_and_errors(tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        ws = wb["units"]
        ws["D2"].number_format = "yyyy-mm-dd"  # the 2 now shows as 1900-01-02
        ws["A3"] = dt.datetime(2024, 3, 1)  # "3-1" typed into a General cell
        ws["C3"] = "#N/A"
        ws["C3"].data_type = "e"

    message = xlsx_error(tmp_path, {}, edit)
    assert "sheet units, row 2, column max_places (D): is formatted as a date" in message
    assert "holds the number 2. Fix: format the cell as a number" in message
    assert "sheet units, row 3, column id (A): holds a date" in message
    assert "format the column as Text, then retype the value" in message
    assert "sheet units, row 3, column area (C): shows a spreadsheet error (#N/A)" in message


def test_excel_true_false_in_a_number_column(tmp_path: Path) -> None:
    message = xlsx_error(tmp_path, {"supervisors": [["id", "unit", "capacity"], ["S1", "U1", True], ["S2", "U2", 1]]})
    assert "sheet supervisors, row 2, column capacity (C): holds TRUE or FALSE, not a whole number" in message


def test_excel_missing_sheet_lists_found_sheets(tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["units"].title = "Enhet"

    with pytest.warns(mm.InputWarning, match="ignored Enhet, which names no problem table"):
        message = xlsx_error(tmp_path, {}, edit)
    assert "has no sheet for the 'units' table (named 'units' or, in Swedish, 'Enheter')" in message


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "round.xlsx"
    bad.write_bytes(b"id,unit\nS1,U1\n")
    with pytest.raises(mm.InputFileError, match=r"round.xlsx: is not an Excel workbook \(.xlsx\) that can be read"):
        mm.load_problem(bad)


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("round.xls", "save the workbook as 'Excel Workbook (.xlsx)'"),
        ("round.ods", "save the workbook as 'Excel Workbook (.xlsx)'"),
        ("units.csv", "give the folder that holds the CSV files"),
        ("round.txt", "give a .json file, an .xlsx workbook, or a folder of CSV or Parquet files"),
    ],
)
def test_unreadable_formats(tmp_path: Path, name: str, fix: str) -> None:
    path = tmp_path / name
    path.write_text("x", encoding="utf-8")
    with pytest.raises(mm.InputFileError, match="is not a format matchmaker reads or writes") as info:
        mm.load_problem(path)
    assert fix in str(info.value)


def test_table_schema_versions(tmp_path: Path) -> None:
    message = csv_error(tmp_path, round_csv="schema_version\n2\n")
    assert "round.csv, row 2, column schema_version: schema version 2 is newer than this matchmaker knows" in message
    message = csv_error(tmp_path / "old", round_csv="schema_version\n0\n")
    assert "round.csv, row 2, column schema_version: schema version 0 existed only as JSON" in message


# --- DataFrames ----------------------------------------------------------------------------------------------


def test_frames_errors_name_the_index(tmp_path: Path) -> None:
    problem = mm.load_problem(DATA / "coordinator.json")
    frames = mm.problem_to_frames(problem)
    units = frames["units"].astype({"max_places": "object"})
    units.index = ["first", "second"]
    units.loc["second", "max_places"] = "many"
    frames["units"] = units
    with pytest.raises(mm.InputFileError, match=r"DataFrame 'units', index second, column max_places: is not a whole"):
        mm.problem_from_frames(frames)
    del frames["units"]
    with pytest.raises(mm.InputFileError, match="has no DataFrame for the 'units' table"):
        mm.problem_from_frames(frames)


def test_frames_accept_numpy_lists_and_nan() -> None:
    import pandas as pd

    frames = {
        "kommuner": pd.DataFrame({"id": ["M"], "max_places": [float("nan")]}),
        "units": pd.DataFrame(
            {"id": ["U1"], "municipality": ["M"], "area": ["BoU"], "max_places": [2.0], "requirements": [["a", "b"]]}
        ),
        "supervisors": pd.DataFrame({"id": [1, 2], "unit": ["U1", "U1"]}),
        "applicants": pd.DataFrame({"id": ["A1"], "qualifications": [["a", "b"]]}),
    }
    with pytest.warns(mm.InputWarning, match="2 ids were typed as a number"):
        problem = mm.problem_from_frames(frames)
    assert problem.unit_by_id["U1"].requirements == ("a", "b")
    assert problem.municipalities[0].max_places is None
    assert [s.id for s in problem.supervisors] == ["1", "2"]


# --- optional extras -----------------------------------------------------------------------------------------


def test_missing_openpyxl_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(mm.MissingExtraError, match=r"pip install 'matchmaker\[excel\]'"):
        mm.load_problem(DATA / "coordinator-sv.xlsx")
    with pytest.raises(ImportError, match="needs the optional package 'openpyxl'"):
        mm.save_problem(mm.load_problem(DATA / "coordinator.json"), tmp_path / "x.xlsx")


def test_missing_pandas_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(mm.MissingExtraError, match=r"pip install 'matchmaker\[pandas\]'"):
        mm.problem_to_frames(mm.load_problem(DATA / "coordinator.json"))


def test_writer_refuses_a_folder_with_the_other_language(tmp_path: Path) -> None:
    problem = mm.load_problem(DATA / "coordinator.json")
    mm.save_problem(problem, tmp_path / "out", lang="sv")
    with pytest.raises(mm.InputError, match=r"enheter\.csv: also holds the 'units' table"):
        mm.save_problem(problem, tmp_path / "out", lang="en")
    mm.save_problem(problem, tmp_path / "out", lang="sv")  # the same language replaces its own files
    assert mm.load_problem(tmp_path / "out") == problem


def test_list_items_with_the_separator_cannot_be_written(tmp_path: Path) -> None:
    data = mm.load_problem(DATA / "coordinator.json").model_dump()
    data["units"][0]["requirements"] = ["körkort; B"]
    data["applicants"][0]["qualifications"] = ["körkort; B"]
    with pytest.raises(mm.InputError, match=r"units\['bou'\]\.requirements: an item contains ';'"):
        mm.save_problem(mm.Problem.model_validate(data), tmp_path / "x.xlsx")


def test_workbooks_with_earlier_swedish_words_still_read(tmp_path: Path) -> None:
    """The glossary renamed some Swedish headers and words (passning -> matchningsvärde, lottningsfrö ->
    slumpfrö, total passning -> totalt matchningsvärde); a workbook written before still reads, and to the
    same problem and result."""
    from openpyxl import load_workbook

    problem = mm.load_problem(ROOT / "examples" / "sodertalje" / "problem.json")
    result = mm.solve(problem)
    earlier = {"matchningsvärde": "passning", "matchningspoäng": "passningspoäng", "slumpfrö": "lottningsfrö"}
    for name, value in (("round.xlsx", problem), ("result.xlsx", result)):
        path = tmp_path / name
        if isinstance(value, mm.Problem):
            mm.save_problem(value, path, lang="sv")
        else:
            mm.save_result(value, path, lang="sv")
        book = load_workbook(path)
        renamed = 0
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value in earlier:
                        cell.value = earlier[cell.value]
                        renamed += 1
                    elif cell.value == "totalt matchningsvärde":
                        cell.value = "total passning"
                        renamed += 1
        assert renamed
        book.save(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", mm.InputWarning)
            back = mm.load_problem(path) if isinstance(value, mm.Problem) else mm.load_result(path)
        assert back == value


#: Files that fail to read, each with the lines its message must have (and must not have).
FILE_ERRORS: list[tuple[str, dict[str, str | bytes | None], list[str], list[str]]] = [
    (
        "csv_bad_quotes",
        {"units_csv": 'id,municipality,area,max_places\nU1,M,"BoU"x,2\n'},
        ["units.csv, row 2: is not valid CSV", "a value with a quote must be quoted and the quote doubled"],
        [],
    ),
    (
        "csv_unquoted_separator",
        {"units_csv": "id,municipality,area,max_places\nU1,M,Barn, unga,2\n"},
        ["units.csv, row 2: a value stands right of the last column (an unquoted separator in a value?)"],
        [],
    ),
    (
        "unknown_column_with_suggestion",
        {"supervisors_csv": "id,unit,capacty\nS1,U1,1\nS2,U2,1\n"},
        ["supervisors.csv, row 1, column capacty: unknown column (did you mean 'capacity'?)"],
        [],
    ),
    (
        "protected_column_is_refused_without_echo",
        {"applicants_csv": "id,Kön,Personnummer\nA1,kvinna,19900101-1234\nA2,man,\n"},
        [
            "applicants.csv, row 1, column Kön: the column holds personal data",
            "column Personnummer: the column holds personal data",
        ],
        ["kvinna", "19900101"],
    ),
    (
        "duplicate_and_missing_columns",
        {"units_csv": "id,municipality,max_places,max platser\nU1,M,2,2\n"},
        [
            "units.csv, row 1, column max platser: a second 'max_places' column",
            "units.csv, row 1: the header has no 'area' column (Swedish: 'område')",
        ],
        [],
    ),
    (
        "header_not_found",
        {"municipalities_csv": "kommun\nM\n"},
        ["municipalities.csv: no header row with the columns of 'municipalities' was found"],
        [],
    ),
    (
        "bad_number_echoed_only_outside_applicant_tables",
        {
            "units_csv": "id,municipality,area,max_places\nU1,M,BoU,två\nU2,M,Vux,1\n",
            "applicants_csv": "id,priority_tier\nA1,hög\nA2,1\n",
        },
        [
            "units.csv, row 2, column max_places: is not a whole number ('två')",
            "applicants.csv, row 2, column priority_tier: is not a whole number. Fix: write a whole number",
        ],
        ["hög", "a required field is missing"],
    ),
    (
        "bad_enumeration_word",
        {"supervisors_csv": "id,unit,training\nS1,U1,klar\nS2,U2,none\n"},
        [
            "supervisors.csv, row 2, column training: is not one of the allowed values ('klar')",
            "use one of none, in_progress, completed (Swedish: ingen, pågår, genomförd)",
        ],
        [],
    ),
    (
        "round_has_one_row",
        {"round_csv": "name,lottery_seed\nVT,1\nHT,2\n"},
        ["round.csv, row 3: the 'round' table has one row, but 2 are filled"],
        [],
    ),
    (
        "unknown_applicant_in_preferences",
        {"preferences_csv": "applicant,kind,option,rank\na1 ,unit,U1,1\n"},
        [
            "preferences.csv, row 2, column applicant: refers to applicant 'a1', who is not in the applicants table",
            "(did you mean 'A1'?)",
        ],
        [],
    ),
    (
        "rank_and_weight",
        {
            "preferences_csv": (
                "applicant,kind,option,rank,weight\nA1,unit,U1,1,0.5\nA1,unit,U2,,\nA2,unit,U2,,0.5\n"
                "A2,unit,U1,2,\nA1,unit,U1,2,\n"
            )
        },
        [
            "row 2, column weight: both a rank and a weight are given",
            "row 3, column rank: neither a rank nor a weight is given",
            "row 5, column rank: the applicant's wishes are weighted, but this row gives a rank",
        ],
        [],
    ),
    (
        "wish_listed_twice",
        {"preferences_csv": "applicant,kind,option,rank\nA1,unit,U1,1\nA1,unit,U1,2\n"},
        ["preferences.csv, row 3, column option: the applicant lists this unit again (first at row 2)"],
        [],
    ),
    (
        "conflict_names_nothing",
        {"conflicts_csv": "applicant,unit,supervisor\nA1,,\n"},
        ["conflicts.csv, row 2, column unit: names neither a unit nor a supervisor"],
        [],
    ),
]


@pytest.mark.parametrize(("kw", "present", "absent"), [c[1:] for c in FILE_ERRORS], ids=[c[0] for c in FILE_ERRORS])
def test_file_errors(tmp_path: Path, kw: dict[str, str | bytes | None], present: list[str], absent: list[str]) -> None:
    message = csv_error(tmp_path, **kw)
    for line in present:
        assert line in message
    for line in absent:
        assert line not in message
