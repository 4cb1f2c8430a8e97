"""Pseudonymisation, and the sentinel test: names never reach logs, errors, problem files or results.

A coordinator's roster carries sentinel names. They must appear in the private key and the human-facing
export (which shows that the search below can find them) and nowhere else: not in a log record, a
warning, an error message, the command line's output, the problem in any format, or the result in any
format.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

import matchmaker as mm
from matchmaker._cli import EXIT_BAD_INPUT, EXIT_OK, cli
from matchmaker.io._pseudonym import load_key, pseudonym, pseudonymise, read_secret, save_key, write_secret

SENTINEL = re.compile("sentinel", re.IGNORECASE)
PEOPLE = [
    ("Zxq Sentinelsson", "zxq.sentinel@example.se", "Södertörns högskola"),
    ("Åke Sentinelberg", "ake.sentinel@example.se", "Stockholms universitet"),
    ("Ylva Sentineldotter", "ylva.sentinel@example.se", "Södertörns högskola"),
]


def roster(path: Path, *, broken: bool = False) -> Path:
    """A coordinator's workbook with names (Swedish headers); ``broken`` adds three mistakes."""
    sheets: dict[str, list[list[Any]]] = {
        "Kommuner": [["id"], ["sodertalje"]],
        "Enheter": [
            ["id", "kommun", "område", "max platser"],
            ["bou", "sodertalje", "Barn och ungdom", 2],
            ["vux", "sodertalje", "Vuxen", 1],
        ],
        "Handledare": [["id", "enhet"], ["h1", "bou"], ["h2", "bou"], ["h3", "vux"]],
        "Sökande": [["Namn", "E-post", "Lärosäte", "Förtur"], *[[n, e, u, None] for n, e, u in PEOPLE]],
        "Önskemål": [
            ["Sökande", "Typ", "Alternativ", "Rang"],
            ["zxq  SENTINELSSON", "enhet", "bou", 1],
            ["Åke Sentinelberg", "enhet", "vux", 1],
            ["Åke Sentinelberg", "enhet", "bou", 2],
            ["Ylva Sentineldotter ", "område", "Barn och ungdom", 1],
        ],
        "Kriterier": [["id"], ["motivation"]],
        "Intervjupoäng": [["Sökande", "Kriterium", "Poäng"], ["Ylva Sentineldotter", "motivation", 5]],
        "Jäv": [["Sökande", "Handledare"], ["Ylva Sentineldotter", "h1"]],
        "Enheternas rangordning": [
            ["Enhet", "Sökande", "Rang"],
            ["bou", "Ylva Sentineldotter", 1],
            ["bou", "zxq sentinelsson", 2],
            ["bou", "Åke Sentinelberg", 2],
        ],
        "Kopplingar": [
            ["Sökande", "Annan sökande", "Relation", "Tvingande"],
            ["Zxq Sentinelsson", "Ylva Sentineldotter", "samma kommun", "nej"],
        ],
    }
    if broken:
        sheets["Sökande"][1][3] = "Sentinel"  # a name typed into the priority column
        sheets["Sökande"].append(["zxq sentinelsson", "other.sentinel@example.se", "SH", None])  # a second Zxq
        sheets["Önskemål"].append(["Zxq Sentinelson", "enhet", "vux", 2])  # misspelt
        sheets["Kopplingar"].append(["Åke Sentinelberg", "Ylva Sentinel", "isär", "ja"])  # misspelt
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def text_of(path: Path) -> str:
    """Everything a file or folder holds, as text (an .xlsx unzipped)."""
    if path.is_dir():
        return "\n".join(text_of(p) for p in sorted(path.iterdir()))
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", errors="replace") for n in z.namelist())
    return path.read_bytes().decode("utf-8", errors="replace")


def test_names_never_leave_the_key_and_the_export(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    outputs: list[str] = []

    def run(*args: str) -> None:
        res = runner.invoke(cli, list(args))
        assert res.exit_code == EXIT_OK, res.stderr
        outputs.extend([res.stdout, res.stderr])

    book = roster(tmp_path / "roster.xlsx")
    run("secret", str(tmp_path / "secret.key"))
    run(
        "pseudonymise", str(book), "--secret", str(tmp_path / "secret.key"),
        "-o", str(tmp_path / "problem.xlsx"), "--key", str(tmp_path / "key.csv"), "--lang", "sv",
    )  # fmt: skip
    run("validate", str(tmp_path / "problem.xlsx"))
    run("solve", str(tmp_path / "problem.xlsx"), "-o", str(tmp_path / "result.json"), "-vv")
    run("solve", str(tmp_path / "problem.xlsx"), "-o", str(tmp_path / "result.xlsx"), "--lang", "sv")
    run("solve", str(tmp_path / "problem.xlsx"), "-o", str(tmp_path / "result-csv"))
    run(
        "names", str(tmp_path / "result.json"), "--key", str(tmp_path / "key.csv"), "-o", str(tmp_path / "letters.xlsx")
    )
    run("names", str(tmp_path / "result.json"), "--key", str(tmp_path / "key.csv"), "-o", str(tmp_path / "letters.csv"))

    problem = mm.load_problem(tmp_path / "problem.xlsx")
    mm.save_problem(problem, tmp_path / "problem.json")
    mm.save_problem(problem, tmp_path / "problem-csv", lang="sv")
    result = mm.load_result(tmp_path / "result.json")
    frames = {**mm.problem_to_frames(problem), **{f"r-{k}": v for k, v in mm.result_to_frames(result).items()}}

    errors: list[str] = []
    with pytest.raises(mm.InputError) as info:
        pseudonymise(roster(tmp_path / "broken.xlsx", broken=True), read_secret(tmp_path / "secret.key"))
    errors.append(str(info.value))
    res = runner.invoke(cli, ["pseudonymise", str(tmp_path / "broken.xlsx"), "--secret", str(tmp_path / "secret.key"),
                              "-o", str(tmp_path / "x.json"), "--key", str(tmp_path / "x.csv")])  # fmt: skip
    assert res.exit_code == EXIT_BAD_INPUT
    errors += [res.stdout, res.stderr]
    assert "sheet Önskemål, row 6, column Sökande (A): names a person who is not on the applicants sheet" in errors[0]
    assert "sheet Sökande, row 5, column Namn (A): the same name as row 2" in errors[0]
    assert "sheet Sökande, row 2, column Förtur (D): is not a whole number. Fix" in errors[0]
    assert "sheet Kopplingar, row 3, column Annan sökande (B): names a person who is not on the applicants" in errors[0]

    captured = capfd.readouterr()
    everywhere = {
        "log records": caplog.text,
        "command line output": "\n".join([*outputs, captured.out, captured.err]),
        "error messages": "\n".join(errors),
        "problem files": "\n".join(text_of(tmp_path / n) for n in ("problem.xlsx", "problem.json", "problem-csv")),
        "result files": "\n".join(text_of(tmp_path / n) for n in ("result.json", "result.xlsx", "result-csv")),
        "frames": "\n".join(f.to_csv() for f in frames.values()),
        "objects": repr(problem) + repr(result) + repr(load_key(tmp_path / "key.csv")),
    }
    for what, text in everywhere.items():
        assert not SENTINEL.search(text), f"a name leaked into the {what}"
    assert len(problem.applicants) == 3
    assert all(a.id.startswith("P-") for a in problem.applicants)
    ids = {a.id for a in problem.applicants}
    ranking = problem.unit_by_id["bou"].ranking
    assert ranking is not None
    assert set(ranking) == ids
    assert sorted(ranking.values()) == [1, 2, 2]
    ((first, second),) = [link.applicants for link in problem.links]
    assert {first, second} <= ids
    # The search finds names where they belong: the private key and the export for people.
    assert "Zxq Sentinelsson" in text_of(tmp_path / "key.csv")
    assert "Åke Sentinelberg" in text_of(tmp_path / "letters.xlsx")
    assert "Ylva Sentineldotter" in text_of(tmp_path / "letters.csv")


def test_ids_are_stable_keyed_and_private(tmp_path: Path) -> None:
    secret = bytes.fromhex(mm.io.new_secret())
    other = bytes.fromhex(mm.io.new_secret())
    first, key = pseudonymise(roster(tmp_path / "a.xlsx"), secret)
    again, _ = pseudonymise(roster(tmp_path / "b.xlsx"), secret)
    assert [a.id for a in first.applicants] == [a.id for a in again.applicants]  # the same person, the same id
    elsewhere, _ = pseudonymise(roster(tmp_path / "c.xlsx"), other)
    assert not {a.id for a in first.applicants} & {a.id for a in elsewhere.applicants}
    assert re.fullmatch(r"P-[A-Z2-7]{12}", first.applicants[0].id)
    assert first.applicants[0].id == pseudonym("email:zxq.sentinel@example.se", secret)
    assert "Sentinel" not in repr(key)
    assert "Sentinel" not in repr(key.people[0])
    assert key.by_id()[first.applicants[0].id].name == "Zxq Sentinelsson"
    ranking = first.applicant_by_id[first.applicants[0].id].ranking
    assert ranking == mm.Ranking(units={"bou": 1})  # found although written "zxq  SENTINELSSON"


def test_key_and_secret_files(tmp_path: Path) -> None:
    write_secret(tmp_path / "s.key")
    assert stat.S_IMODE(os.stat(tmp_path / "s.key").st_mode) == 0o600
    with pytest.raises(mm.InputFileError, match="already exists"):
        write_secret(tmp_path / "s.key")
    (tmp_path / "short.key").write_text("abcd\n", encoding="ascii")
    with pytest.raises(mm.InputFileError, match="does not hold a secret of at least 32 hex digits"):
        read_secret(tmp_path / "short.key")
    _, key = pseudonymise(roster(tmp_path / "r.xlsx"), read_secret(tmp_path / "s.key"))
    for name in ("key.csv", "key.xlsx"):
        save_key(key, tmp_path / name)
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600
        assert load_key(tmp_path / name) == key


def test_export_defuses_formulas_in_csv(tmp_path: Path) -> None:
    problem, key = pseudonymise(roster(tmp_path / "r.xlsx"), b"0" * 16)
    person = key.people[0]
    evil = mm.io.PseudonymKey((mm.io.Person(person.id, '=HYPERLINK("http://x","click")'), *key.people[1:]))
    result = mm.solve(problem)
    mm.io.save_named_export(result, evil, tmp_path / "letters.csv")
    assert "'=HYPERLINK" in text_of(tmp_path / "letters.csv")


def test_roster_with_an_id_column_is_refused(tmp_path: Path) -> None:
    wb = Workbook()
    assert wb.active is not None
    wb.active.title = "Sökande"
    wb.active.append(["id", "namn"])
    wb.active.append(["A1", "Zxq Sentinelsson"])
    for name, rows in (
        ("Kommuner", [["id"], ["m"]]),
        ("Enheter", [["id", "kommun", "område"]]),
        ("Handledare", [["id", "enhet"]]),
    ):
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(tmp_path / "r.xlsx")
    with pytest.raises(mm.InputFileError, match="a roster has names, not ids") as info:
        pseudonymise(tmp_path / "r.xlsx", b"0" * 16)
    assert not SENTINEL.search(str(info.value))
