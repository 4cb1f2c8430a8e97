"""`matchmaker template`: a workbook a coordinator fills in and solves directly; the CLI in every format."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import matchmaker as mm
from conftest import EXAMPLES
from matchmaker._cli import EXIT_BAD_INPUT, EXIT_OK, cli

SDT = EXAMPLES / "sodertalje" / "problem.json"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_template_workbook(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "round.xlsx"
    code, stdout, stderr = run("template", "--xlsx", str(path), "--lang", lang)
    assert code == EXIT_OK, stderr
    sv = lang == "sv"
    assert ("ersätt exempelraderna" if sv else "replace the example rows") in stdout
    wb = load_workbook(path)
    expected = ["Läs mig", "Omgång", "Kommuner", "Enheter", "Handledare", "Sökande", "Önskemål"] if sv else [
        "Read me", "round", "municipalities", "units", "supervisors", "applicants", "preferences"
    ]  # fmt: skip
    assert wb.sheetnames[:7] == expected
    sups = wb["Handledare" if sv else "supervisors"]
    assert [c.value for c in sups[1]] == (
        ["id", "enhet", "kapacitet", "handledarutbildning", "belastningsgräns", "otillgängliga perioder"]
        if sv
        else ["id", "unit", "capacity", "training", "load_limit", "unavailable_periods"]
    )
    assert sups.max_row == 2  # one example row
    units = wb["Enheter" if sv else "units"]
    header = [c.value for c in units[1]]
    assert ("målantal" if sv else "target_places") in header
    assert ("rangordnar sökande" if sv else "ranks_applicants") in header
    yes_no = {dv.formula1 for dv in units.data_validations.dataValidation if dv.type == "list"}
    assert ('"ja,nej"' if sv else '"yes,no"') in yes_no
    links = wb["Kopplingar" if sv else "links"]
    assert [c.value for c in links[2]] == (["A1", "A2", "samma enhet", "nej"] if sv else
                                           ["A1", "A2", "same_unit", "no"])  # fmt: skip
    relations = {dv.formula1 for dv in links.data_validations.dataValidation if dv.type == "list"}
    assert ('"isär,samma enhet,samma kommun"' if sv else '"apart,same_unit,same_municipality"') in relations
    assert any(f.startswith(("'Sökande'!", "'applicants'!")) for f in relations)  # drop-down of applicant ids
    rankings = wb["Enheternas rangordning" if sv else "unit_rankings"]
    assert [[c.value for c in row] for row in rankings.iter_rows(min_row=2)] == [["bou", "A1", 1], ["bou", "A2", 2]]
    round_sheet = wb["Omgång" if sv else "round"]
    words = {dv.formula1 for dv in round_sheet.data_validations.dataValidation if dv.type == "list"}
    assert ('"inom tolerans,andel,maximin"' if sv else '"within,ratio,maximin"') in words
    assert ('"hård,mjuk"' if sv else '"hard,soft"') in words
    assert any("flest förstahandsval" in w if sv else "rank_maximal" in w for w in words)
    lists = {dv.formula1 for dv in sups.data_validations.dataValidation if dv.type == "list"}
    assert ('"ingen,pågår,genomförd"' if sv else '"none,in_progress,completed"') in lists
    assert any(f.startswith(("'Enheter'!", "'units'!")) for f in lists)  # drop-down of unit ids
    assert sups["A1"].comment is not None
    assert sups.column_dimensions["A"].number_format == "@"  # ids stay text: 001 keeps its zeros
    prefs = wb["Önskemål" if sv else "preferences"]
    kinds = {dv.formula1 for dv in prefs.data_validations.dataValidation if dv.type == "list"}
    assert ('"område,enhet,handledare"' if sv else '"area,unit,supervisor"') in kinds
    applicants = wb["Sökande" if sv else "applicants"]
    group = applicants.cell(1, applicants.max_column)
    assert group.value == ("grupp:home_municipality" if sv else "group:home_municipality")
    assert group.comment is not None
    assert ("En kolumn per familj" if sv else "One column per family") in group.comment.text
    assert [r[-1].value for r in applicants.iter_rows(min_row=2)] == ["Södertälje", "Nykvarn"]
    rules = wb["Gruppregler" if sv else "group_rules"]
    assert [c.value for c in rules[2]][:3] == ["home_municipality", "lägsta andel" if sv else "rate", 0.75]
    rule_words = {dv.formula1 for dv in rules.data_validations.dataValidation if dv.type == "list"}
    assert ('"lägsta andel,inom tolerans,maximin,antal"' if sv else '"rate,band,maximin,count"') in rule_words
    # As it is, the template is a valid round that solves.
    result = mm.solve(mm.load_problem(path))
    assert result.is_optimal
    assert [a.applicant for a in result.assignments] == ["A1", "A2"]
    assert result.objective["link_violations"] == 0


def test_filled_template_solves_directly(tmp_path: Path) -> None:
    path = tmp_path / "omgang.xlsx"
    assert run("template", "--xlsx", str(path), "--lang", "sv")[0] == EXIT_OK
    wb = load_workbook(path)
    examples = ["Sökande", "Önskemål", "Intervjupoäng", "Låsta placeringar", "Justeringar", "Enheternas rangordning"]
    for sheet in [*examples, "Kopplingar", "Gruppregler"]:
        wb[sheet].delete_rows(2, wb[sheet].max_row)
    wb["Enheter"].append(["vux", "Vuxenenheten", "sodertalje", "Vuxen", 2, 0, None])
    wb["Handledare"].append(["h2", "vux", 2, "Pågår"])
    for number, university, quals in [(1, "Södertörns högskola", "körkort"), (2, "Stockholms universitet", None),
                                      (3, "Marie Cederschiölds högskola", None)]:  # fmt: skip
        wb["Sökande"].append([f"HT26-00{number} ", university, None, None, quals])
    for row in [
        ["HT26-001", "enhet", "bou", 1],
        ["HT26-001", "enhet", "vux", 2],
        ["HT26-002", "område", "Vuxen", 1],
        ["HT26-003", "enhet", "vux", 1],
        ["HT26-003", "enhet", "bou", 2],
    ]:
        wb["Önskemål"].append(row)
    wb["Intervjupoäng"].append(["HT26-002", "motivation", 5, "i1"])
    wb["Jäv"].append(["HT26-003", "bou", None])
    wb.save(path)

    out = tmp_path / "resultat.xlsx"
    code, stdout, stderr = run("solve", str(path), "-o", str(out), "--lang", "sv")
    assert code == EXIT_OK, stderr
    assert "status: optimal" in stdout
    problem = mm.load_problem(path)
    result = mm.load_result(out)
    assert mm.check(problem, result).ok
    assert {a.applicant: a.unit for a in result.assignments} == {
        "HT26-001": "bou",
        "HT26-002": "vux",
        "HT26-003": "vux",
    }
    assert "Placeringar" in load_workbook(out).sheetnames


def test_csv_template(tmp_path: Path) -> None:
    folder = tmp_path / "round"
    assert run("template", "--csv", str(folder))[0] == EXIT_OK
    assert (folder / "README.txt").exists()
    assert (folder / "units.csv").exists()
    assert mm.solve(mm.load_problem(folder)).is_optimal


def test_template_never_replaces_a_file(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    path.write_text("precious", encoding="utf-8")
    code, _, stderr = run("template", "--xlsx", str(path))
    assert code == EXIT_BAD_INPUT
    assert "already exists" in stderr
    assert path.read_text("utf-8") == "precious"
    assert "give exactly one of --xlsx FILE and --csv DIR" in run("template")[2]
    assert "a workbook's name ends in .xlsx" in run("template", "--xlsx", str(tmp_path / "x.ods"))[2]


def test_solve_and_validate_by_extension(tmp_path: Path) -> None:
    csv_in = tmp_path / "in"
    mm.save_problem(mm.load_problem(SDT), csv_in, lang="sv")
    code, stdout, _ = run("validate", str(csv_in))
    assert code == EXIT_OK
    assert "valid. 20 applicants" in stdout
    code, _, stderr = run("solve", str(csv_in), "-o", str(tmp_path / "out"), "-q")
    assert code == EXIT_OK, stderr
    assert mm.load_result(tmp_path / "out").decision_json() == mm.solve(mm.load_problem(SDT)).decision_json()
    code, _, stderr = run("solve", str(csv_in), "-o", str(csv_in), "-q")
    assert code == EXIT_BAD_INPUT
    assert "is also the input folder" in stderr


def test_bad_cells_exit_2_with_the_place(tmp_path: Path) -> None:
    csv_in = tmp_path / "in"
    mm.save_problem(mm.load_problem(SDT), csv_in)
    units = csv_in / "units.csv"
    units.write_text(units.read_text("utf-8-sig").replace(",3,", ",three,", 1), encoding="utf-8")
    code, _, stderr = run("solve", str(csv_in))
    assert code == EXIT_BAD_INPUT
    assert "units.csv, row 4, column max_places: is not a whole number ('three')" in stderr
    assert "Traceback" not in stderr


def test_missing_extra_exits_2_with_the_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    code, _, stderr = run("solve", str(SDT), "-o", str(tmp_path / "r.xlsx"))
    assert code == EXIT_BAD_INPUT
    assert "install it with: pip install 'matchmaker[excel]'" in stderr
    assert "Traceback" not in stderr


def test_readme_workbook_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## From a workbook to a report") :]
    block = section[section.index("```bash") : section.index("```", section.index("```bash") + 3)]
    commands = [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("matchmaker ")]
    assert [c[0] for c in commands] == ["template", "validate", "solve", "report"]
    monkeypatch.chdir(tmp_path)
    for args in commands:
        code, _, stderr = run(*args)
        assert code == EXIT_OK, (args, stderr)
    assert mm.load_result(tmp_path / "resultat.xlsx").is_optimal
    report = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "<h1>HT 2026</h1>" in report
    assert "Placeringar" in report
