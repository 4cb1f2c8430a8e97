"""The programme archive: round trip, the hash chain against edited, removed and reordered rounds, the
schema's migration, concurrent writers and a killed one, the next round from the archive, privacy, the
export and the command line."""

from __future__ import annotations

import csv
import multiprocessing
import os
import shutil
import signal
import sqlite3
from pathlib import Path
from typing import Literal

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import matchmaker as mm
from archive_workers import add_and_hang, add_rounds, as_texts, tiny_round
from matchmaker._cli import EXIT_BAD_INPUT, EXIT_NO_PLAN, EXIT_OK, cli
from matchmaker.io._archive_store import APPLICATION_ID, ARCHIVE_SCHEMA_VERSION, GENESIS, chain_hash, connect
from matchmaker.io._pseudonym import Person, PseudonymKey, pseudonymise
from test_privacy import SENTINEL, roster

Rounds = list[tuple[mm.Problem, mm.Result, mm.AuditRecord]]
YEARS: list[tuple[int, Literal["VT", "HT"]]] = [(2024, "VT"), (2024, "HT"), (2025, "VT"), (2025, "HT")]


@pytest.fixture(scope="module")
def rounds() -> Rounds:
    return [tiny_round(year, term) for year, term in YEARS]


@pytest.fixture
def archive(tmp_path: Path, rounds: Rounds) -> Path:
    """An archive of the four rounds (closed again)."""
    path = tmp_path / "programme.sqlite"
    with mm.Archive(path) as a:
        for problem, result, record in rounds:
            a.add(problem, result, record)
    return path


def raw(path: Path, *statements: str, foreign_keys: bool = True) -> None:
    """Run SQL on the archive's file directly, as someone editing it by hand would."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def verify(path: Path, expect_head: str | None = None) -> mm.ArchiveVerification:
    with mm.Archive(path, create=False) as a:
        return a.verify(expect_head=expect_head)


def kinds(verification: mm.ArchiveVerification) -> set[tuple[str, str | None]]:
    return {(f.kind, f.key) for f in verification.findings}


# --- round trip and the chain -----------------------------------------------------------------------------


def test_a_clean_archive_round_trips_and_verifies(archive: Path, rounds: Rounds) -> None:
    with mm.Archive(archive, create=False) as a:
        entries = a.rounds()
        assert [e.key for e in entries] == ["2024-VT-1", "2024-HT-1", "2025-VT-1", "2025-HT-1"]
        assert [e.position for e in entries] == [1, 2, 3, 4]
        assert entries[0].previous_hash == GENESIS
        assert [e.previous_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
        for (problem, result, record), entry in zip(rounds, entries, strict=True):
            stored = a.round(entry.key)
            assert stored.problem.fingerprint() == problem.fingerprint()
            assert stored.result.decision_json() == result.decision_json()
            assert stored.record == record
            assert (stored.placed, stored.applicants, stored.official) == (
                len(record.decision.assignments),
                4,
                "official-7",
            )
        assert a.round().key == "2025-HT-1"  # the last one added
        verification = a.verify()
    assert verification.ok, verification.text()
    assert verification.rounds == 4
    assert verification.head == entries[-1].hash
    with sqlite3.connect(archive) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == ARCHIVE_SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_an_edited_round_is_named(archive: Path) -> None:
    # A placement changed by hand in the stored approval of the second round.
    raw(
        archive,
        'UPDATE rounds SET record = replace(record, \'"supervisor":"H1"\', \'"supervisor":"H2"\') WHERE seq = 2',
    )
    found = verify(archive)
    assert not found.ok
    assert {key for _, key in kinds(found)} == {"2024-HT-1"}
    assert ("edited", "2024-HT-1") in kinds(found)
    assert ("fingerprint", "2024-HT-1") in kinds(found)  # the approved plan no longer matches its fingerprint


def test_an_edited_problem_is_named(archive: Path) -> None:
    raw(archive, "UPDATE rounds SET problem = replace(problem, '\"max_places\":2', '\"max_places\":3') WHERE seq = 3")
    found = verify(archive)
    assert ("edited", "2025-VT-1") in kinds(found)
    assert ("fingerprint", "2025-VT-1") in kinds(found)
    assert {key for _, key in kinds(found)} == {"2025-VT-1"}


def test_an_edit_with_its_hash_rewritten_shows_at_the_next_round(archive: Path) -> None:
    """Someone who recomputes the edited row's own hash still breaks the link the next row holds."""
    conn = sqlite3.connect(archive)
    row = conn.execute(
        "SELECT key, term, year, step, added_at, problem, result, record, previous_hash FROM rounds WHERE seq = 2"
    ).fetchone()
    added = "2024-01-01T00:00:00+00:00"  # a changed date of adding: no fingerprint covers it
    own = chain_hash((*row[:4], added, *row[5:8]), row[8])
    conn.execute("UPDATE rounds SET added_at = ?, hash = ? WHERE seq = 2", (added, own))
    conn.commit()
    conn.close()
    found = verify(archive)
    assert kinds(found) == {("edited", "2025-VT-1")}
    assert "the round before 2025-VT-1 was changed" in found.findings[0].text()


def test_a_removed_middle_round_is_named(archive: Path) -> None:
    raw(archive, "DELETE FROM rounds WHERE seq = 2")
    found = verify(archive)
    assert kinds(found) == {("removed", "2025-VT-1")}
    assert found.findings[0].position == 3
    assert found.findings[0].text() == "the round at position 2, just before round 2025-VT-1, was removed"
    assert found.findings[0].text("sv") == "omgången på plats 2, närmast före omgång 2025-VT-1, har tagits bort"


def test_reordered_rounds_are_named(archive: Path) -> None:
    swap = [
        "UPDATE rounds SET seq = 99 WHERE seq = 2",
        "UPDATE placements SET round = 99 WHERE round = 2",
        "UPDATE rounds SET seq = 2 WHERE seq = 3",
        "UPDATE placements SET round = 2 WHERE round = 3",
        "UPDATE rounds SET seq = 3 WHERE seq = 99",
        "UPDATE placements SET round = 3 WHERE round = 99",
    ]
    raw(archive, *swap, foreign_keys=False)
    found = verify(archive)
    assert {"reordered"} == {kind for kind, _ in kinds(found)}
    assert ("reordered", "2025-VT-1") in kinds(found)
    assert ("reordered", "2024-HT-1") in kinds(found)
    assert "in the chain it follows round 2024-HT-1" in next(f.text() for f in found.findings if f.key == "2025-VT-1")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, rounds: Rounds) -> Path:
    """A closed archive of the four rounds (its WAL checkpointed into the file on close), to copy."""
    path = tmp_path_factory.mktemp("pristine") / "programme.sqlite"
    with mm.Archive(path) as a:
        for problem, result, record in rounds:
            a.add(problem, result, record)
    return path


@settings(max_examples=40)
@given(
    seq=st.integers(1, 4),
    column=st.sampled_from(["problem", "result", "record", "added_at"]),
    where=st.floats(0.0, 1.0),
    char=st.sampled_from(list('0x{ "é')),
)
def test_any_one_character_changed_names_its_round(
    pristine: Path, tmp_path_factory: pytest.TempPathFactory, seq: int, column: str, where: float, char: str
) -> None:
    """Whatever one character of a stored round is changed to, verify fails and names that round alone."""
    path = tmp_path_factory.mktemp("edit") / "programme.sqlite"
    shutil.copy(pristine, path)
    with sqlite3.connect(path) as conn:
        key, text = conn.execute(f"SELECT key, {column} FROM rounds WHERE seq = ?", (seq,)).fetchone()
        i = min(int(where * len(text)), len(text) - 1)
        if text[i] == char:
            char = "1" if char != "1" else "2"
        conn.execute(f"UPDATE rounds SET {column} = ? WHERE seq = ?", (text[:i] + char + text[i + 1 :], seq))
    conn.close()
    found = verify(path)
    assert not found.ok
    assert {k for _, k in kinds(found)} == {key}
    assert ("edited", key) in kinds(found)


def test_signed_approvals_verify_with_the_office_key(tmp_path: Path, rounds: Rounds) -> None:
    key, public = mm.generate_keypair()
    _, other = mm.generate_keypair()
    path = tmp_path / "signed.sqlite"
    with mm.Archive(path) as a:
        for problem, result, _ in rounds[:2]:
            a.add(problem, result, mm.approve(problem, result, "official-7", signing_key=key))
        assert a.verify(public_key=public).ok
        wrong = a.verify(public_key=other)
        assert {kind for kind, _ in kinds(wrong)} == {"signature"}
        assert {k for _, k in kinds(wrong)} == {"2024-VT-1", "2024-HT-1"}
        a.add(*rounds[2])  # unsigned
        assert a.verify().ok  # the chain and approvals hold without a key ...
        unsigned = a.verify(public_key=public)  # ... but with it every approval must be signed
        assert {k for _, k in kinds(unsigned)} == {"2025-VT-1"}
        assert "round 2025-VT-1: " in unsigned.findings[0].text()
        assert "omgång 2025-VT-1: " in unsigned.findings[0].text("sv")


def test_an_unreadable_round_is_named_and_still_listed(archive: Path) -> None:
    raw(archive, "UPDATE rounds SET record = substr(record, 1, 100) WHERE seq = 3")
    with mm.Archive(archive) as a:
        assert [e.key for e in a.rounds()][2] == "2025-VT-1"
        found = a.verify()
    assert ("unreadable", "2025-VT-1") in kinds(found)
    assert ("edited", "2025-VT-1") in kinds(found)
    assert {key for _, key in kinds(found)} == {"2025-VT-1"}


def test_removed_last_rounds_need_the_head_kept_elsewhere(archive: Path) -> None:
    head = verify(archive).head
    assert verify(archive, expect_head=head).ok
    raw(archive, "DELETE FROM rounds WHERE seq = 4")
    assert verify(archive).ok  # a shorter chain is a valid chain ...
    found = verify(archive, expect_head=head)  # ... but not one that still holds the head kept earlier
    assert kinds(found) == {("truncated", None)}


def test_an_edited_placements_index_is_named(archive: Path) -> None:
    raw(
        archive,
        "UPDATE placements SET unit = 'Vux' WHERE round = 1 AND applicant = "
        "(SELECT min(applicant) FROM placements WHERE round = 1 AND unit = 'BoU')",
    )
    assert kinds(verify(archive)) == {("index", "2024-VT-1")}


# --- what enters --------------------------------------------------------------------------------------------


def test_only_approved_rounds_enter(tmp_path: Path, rounds: Rounds) -> None:
    problem, result, _ = rounds[0]
    recommendation = mm.audit_record(problem, result)
    with mm.Archive(tmp_path / "a.sqlite") as a:
        with pytest.raises(mm.ArchiveError) as info:
            a.add(problem, result, recommendation)
        assert "is a recommendation, not an approved plan" in info.value.text()
        assert "är en rekommendation, inte en godkänd plan" in info.value.text("sv")
        _other_problem, _other_result, other_record = rounds[1]
        with pytest.raises(mm.ArchiveError, match="the problem is not the one the approval was made for"):
            a.add(problem, result, other_record)
        a.add(*rounds[0])
        with pytest.raises(mm.ArchiveError, match="round 2024-VT-1 is already in the archive"):
            a.add(*rounds[0])
        no_round = problem.model_copy(update={"round": None})
        result_of = mm.solve(no_round)
        with pytest.raises(mm.ArchiveError, match="this problem has no round"):
            a.add(no_round, result_of, mm.approve(no_round, result_of, "official-7"))
        assert a.add(no_round, result_of, mm.approve(no_round, result_of, "official-7"), key="extra").position == 2
        assert [e.key for e in a.rounds()] == ["2024-VT-1", "extra"]
        assert a.verify().ok


def test_a_busy_archive_refuses_the_write_and_stays_as_it_was(archive: Path) -> None:
    late = tiny_round(2026, "VT")
    holder = sqlite3.connect(archive, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock for longer than the timeout
    try:
        with (
            mm.Archive(archive, timeout=0.05) as a,
            pytest.raises(mm.ArchiveError, match=r"could not be written \(database is locked\); the archive is as it"),
        ):
            a.add(*late)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert verify(archive).rounds == 4


def test_files_that_are_not_archives_are_refused(tmp_path: Path) -> None:
    with pytest.raises(mm.InputFileError, match="there is no archive here"):
        mm.Archive(tmp_path / "missing.sqlite", create=False)
    assert not (tmp_path / "missing.sqlite").exists()
    other = tmp_path / "other.sqlite"
    raw(other, "CREATE TABLE t (x)")
    with pytest.raises(mm.InputFileError, match="another program, not a matchmaker archive"):
        mm.Archive(other)
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all, but long enough to be read as one" * 20)
    with pytest.raises(mm.InputFileError, match="is not an SQLite database"):
        mm.Archive(text)
    newer = tmp_path / "newer.sqlite"
    mm.Archive(newer).close()
    raw(newer, f"PRAGMA user_version = {ARCHIVE_SCHEMA_VERSION + 1}")
    with pytest.raises(mm.InputFileError, match="newer than this matchmaker knows"):
        mm.Archive(newer)


def test_a_version_1_file_is_migrated_on_open(archive: Path, tmp_path: Path) -> None:
    """A version-1 archive (rounds, no placements table) opens as the current version, its placements
    index filled from the stored approvals, and verifies."""
    old = tmp_path / "v1.sqlite"
    conn = connect(old, timeout=5.0, create=True, upto=1)
    conn.execute("ATTACH DATABASE ? AS current", (str(archive),))
    conn.execute("INSERT INTO rounds SELECT * FROM current.rounds")
    conn.execute("DETACH DATABASE current")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'placements'").fetchone()[0] == 0
    conn.close()
    with mm.Archive(old) as a:
        assert a.verify().ok
        migrated = a.placement_rows()
    with mm.Archive(archive) as a:
        assert migrated == a.placement_rows()
        assert len(migrated) > 4
    with sqlite3.connect(old) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == ARCHIVE_SCHEMA_VERSION


# --- the next round -----------------------------------------------------------------------------------------


def test_next_round_comes_from_the_approved_plan(archive: Path, rounds: Rounds) -> None:
    intake = mm.Round(term="VT", year=2026, step=2)
    problem, result, _ = rounds[-1]
    with mm.Archive(archive) as a:
        following = a.next_round(intake)
        assert following.fingerprint() == mm.next_round(problem, result, intake).fingerprint()
        named = a.next_round(intake, key="2024-VT-1", applicants=["A1"])
    first = named.applicant_by_id["A1"]
    placed = {x.applicant: x for x in rounds[0][2].decision.assignments}
    if "A1" in placed:
        assert (first.previous_unit, first.previous_supervisor) == (placed["A1"].unit, placed["A1"].supervisor)
    assert [x.id for x in named.applicants] == ["A1"]


def test_next_round_follows_overrides(tmp_path: Path, rounds: Rounds) -> None:
    problem, result, _ = rounds[0]
    pin = mm.Override(action="pin", applicant="A4", unit="Vux", reason="agreed with the student", official="official-7")
    record = mm.approve(problem, result, "official-7", overrides=[pin], approved_at="2024-06-02")
    with mm.Archive(tmp_path / "a.sqlite") as a:
        a.add(problem, result, record)
        assert a.verify().ok
        following = a.next_round(mm.Round(term="HT", year=2024, step=2))
    a4 = following.applicant_by_id["A4"]
    assert (a4.previous_unit, a4.previous_supervisor) == ("Vux", "H3")


def test_an_applicants_path_through_the_programme(tmp_path: Path, rounds: Rounds) -> None:
    """The same pseudonymous id across a step-1 round and the step-2 round drawn from it."""
    problem, result, record = rounds[0]
    with mm.Archive(tmp_path / "a.sqlite") as a:
        a.add(problem, result, record)
        step2 = a.next_round(mm.Round(term="HT", year=2024, step=2))
        result2 = mm.solve(step2)
        a.add(step2, result2, mm.approve(step2, result2, "official-7"))
        first = record.decision.assignments[0]
        second = result2.placement_of[first.applicant]
        assert a.placement_rows(first.applicant) == [
            ("2024-VT-1", "VT", 2024, 1, first.applicant, first.unit, first.supervisor, first.municipality),
            ("2024-HT-2", "HT", 2024, 2, first.applicant, second.unit, second.supervisor, second.municipality),
        ]
        assert a.placement_rows("nobody") == []


def test_the_next_round_of_an_empty_archive_is_refused(tmp_path: Path) -> None:
    with mm.Archive(tmp_path / "a.sqlite") as a, pytest.raises(mm.ArchiveError, match="holds no round yet"):
        a.next_round(mm.Round(term="VT", year=2026, step=2))
    with mm.Archive(tmp_path / "a.sqlite") as a, pytest.raises(mm.ArchiveError, match="no round 2030-VT-1"):
        a.round("2030-VT-1")


# --- concurrency and crashes ------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite")
    mm.Archive(path).close()
    first = as_texts([tiny_round(year, "VT") for year in range(2030, 2036)])
    second = as_texts([tiny_round(year, "HT") for year in range(2030, 2036)])
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(2)
    writers = [spawn.Process(target=add_rounds, args=(path, texts, start)) for texts in (first, second)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(120)
        assert w.exitcode == 0
    with mm.Archive(path) as a:
        keys = [e.key for e in a.rounds()]
        verification = a.verify()
    assert sorted(keys) == sorted([f"{y}-VT-1" for y in range(2030, 2036)] + [f"{y}-HT-1" for y in range(2030, 2036)])
    assert verification.ok, verification.text()
    assert keys.index("2030-VT-1") < keys.index("2035-VT-1")  # each writer's rounds in its own order


@pytest.mark.slow
def test_a_writer_killed_mid_write_leaves_the_archive_as_it_was(archive: Path) -> None:
    with mm.Archive(archive) as a:
        head = a.verify().head
    spawn = multiprocessing.get_context("spawn")
    inside = spawn.Event()
    writer = spawn.Process(target=add_and_hang, args=(str(archive), as_texts([tiny_round(2026, "VT")])[0], inside))
    writer.start()
    assert inside.wait(120), "the writer never reached its transaction"
    assert writer.pid is not None
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(30)
    assert writer.exitcode == -signal.SIGKILL
    with mm.Archive(archive) as a:
        verification = a.verify(expect_head=head)
        assert verification.ok
        assert verification.head == head
        assert verification.rounds == 4
        assert a.add(*tiny_round(2026, "VT")).position == 5  # the lock died with the writer
        assert a.verify().ok


# --- privacy ------------------------------------------------------------------------------------------------


def test_no_names_land_in_the_archive(tmp_path: Path) -> None:
    secret = bytes(range(32))
    problem, key = pseudonymise(roster(tmp_path / "roster.xlsx"), secret)
    problem = problem.model_copy(update={"round": mm.Round(term="HT", year=2026)})
    problem = mm.Problem.model_validate(problem.model_dump(mode="json"))
    result = mm.solve(problem)
    record = mm.approve(problem, result, "official-7", role="enhetschef")
    path = tmp_path / "a.sqlite"
    with mm.Archive(path) as a:
        a.add(problem, result, record, people=key)
        a.export(tmp_path / "all.csv")
        a.export(tmp_path / "all.xlsx", lang="sv")
        assert a.verify().ok
        named = next(p for p in key.people if p.id in problem.applicant_by_id)
        pin = mm.Override(action="pin", applicant=named.id, unit="bou", reason=f"asked by {named.name}", official="o-1")
        with_reason = mm.approve(problem, result, "official-7", overrides=[pin])
        with pytest.raises(mm.ArchiveError) as info:
            a.add(problem, result, with_reason, key="again", people=key)
        assert "record.overrides[0].reason: looks like personal data" in info.value.text()
        assert not SENTINEL.search(info.value.text() + info.value.text("sv"))
        mailed = problem.model_copy(update={"name": "round for ylva@example.se"})
        mailed = mm.Problem.model_validate(mailed.model_dump(mode="json"))
        mailed_result = mm.solve(mailed)
        with pytest.raises(mm.ArchiveError, match=r"problem\.name: looks like personal data"):
            a.add(mailed, mailed_result, mm.approve(mailed, mailed_result, "o-1"), key="mailed")
        with pytest.raises(mm.ArchiveError, match=r"record\.approval\.role: looks like personal data"):
            a.add(problem, result, mm.approve(problem, result, "o-1", role="19811218-9876"), key="pnr")
        assert [e.key for e in a.rounds()] == ["2026-HT-1"]
    files = [p for p in tmp_path.iterdir() if p.name.startswith("a.sqlite") or p.name.startswith("all.")]
    text = b"".join(p.read_bytes() for p in files).decode("utf-8", errors="replace")
    assert not SENTINEL.search(text)
    assert not SENTINEL.search(repr(mm.Archive(path).rounds()))


def test_ids_that_only_look_like_numbers_are_kept(tmp_path: Path) -> None:
    """The screen refuses what checks out as a personal identity number, not every run of digits, and
    never a fingerprint (its hex digits may hold such a run by chance)."""
    problem, result, record = tiny_round(2024, "VT", name="2024-06-01 round 1234567890")
    fingerprint = "sha256:a8112189876" + "b" * 53  # 811218-9876 passes the checksum
    other = tiny_round(2025, "VT", name=fingerprint)
    with mm.Archive(tmp_path / "a.sqlite") as a:
        assert a.add(problem, result, record).position == 1
        assert a.add(*other).position == 2
        with pytest.raises(mm.ArchiveError, match=r"problem\.name: looks like personal data"):
            a.add(*tiny_round(2026, "VT", name="a8112189876"))
        ann = PseudonymKey((Person("P-1", "Ann"),))
        assert a.add(*tiny_round(2027, "VT", name="planning round"), people=ann).position == 3
        with pytest.raises(mm.ArchiveError, match=r"problem\.name: looks like personal data"):
            a.add(*tiny_round(2028, "VT", name="asked by ANN"), people=ann)


# --- export and the command line ----------------------------------------------------------------------------


def test_export_writes_one_row_per_placement_per_round(archive: Path, tmp_path: Path, rounds: Rounds) -> None:
    expected = [
        (
            f"{p.round.year}-{p.round.term}-1",
            p.round.term,
            str(p.round.year),
            "1",
            x.applicant,
            x.unit,
            x.supervisor,
            x.municipality,
        )
        for p, _, rec in rounds
        if p.round is not None
        for x in sorted(rec.decision.assignments, key=lambda x: x.applicant)
    ]
    with mm.Archive(archive) as a:
        a.export(tmp_path / "en.csv")
        a.export(tmp_path / "sv.csv", lang="sv")
        a.export(tmp_path / "sv.xlsx", lang="sv")
        with pytest.raises(mm.ArchiveError, match=r"neither a \.csv nor an \.xlsx"):
            a.export(tmp_path / "x.txt")
    with (tmp_path / "en.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["round", "term", "year", "step", "applicant", "unit", "supervisor", "municipality"]
    assert [tuple(r) for r in rows[1:]] == expected
    with (tmp_path / "sv.csv").open(encoding="utf-8-sig", newline="") as f:
        assert next(csv.reader(f, delimiter=";"))[:4] == ["omgång", "termin", "år", "steg"]
    sheet = load_workbook(tmp_path / "sv.xlsx")["Arkiv"]
    cells = [tuple("" if c is None else str(c) for c in row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][4] == "sökande"
    assert cells[1:] == expected


def test_the_command_line(tmp_path: Path, rounds: Rounds, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    problem, result, record = rounds[0]
    files = {"p": tmp_path / "p.json", "r": tmp_path / "r.json", "a": tmp_path / "a.json", "rec": tmp_path / "rec.json"}
    mm.dump_problem(problem, files["p"])
    mm.dump_result(result, files["r"])
    files["a"].write_text(record.to_json(), encoding="utf-8")
    files["rec"].write_text(mm.audit_record(problem, result).to_json(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path) -> tuple[int, str]:
        res = runner.invoke(cli, ["archive", *map(str, args)])
        return res.exit_code, res.stdout + res.stderr

    assert run("list")[0] == EXIT_BAD_INPUT  # no archive in the working folder yet
    code, out = run("add", files["p"], files["r"], files["rec"], "--lang", "sv")
    assert code == EXIT_BAD_INPUT
    assert "är en rekommendation, inte en godkänd plan" in out
    code, out = run("add", files["p"], files["r"], files["a"])
    assert code == EXIT_OK
    assert "round 2024-VT-1 added to matchmaker-archive.sqlite at position 1" in out
    assert (tmp_path / "matchmaker-archive.sqlite").is_file()
    monkeypatch.setenv("MATCHMAKER_ARCHIVE", str(tmp_path / "env.sqlite"))
    assert run("add", files["p"], files["r"], files["a"], "--key", "k")[0] == EXIT_OK
    assert (
        run("add", files["p"], files["r"], files["a"], "--archive", "matchmaker-archive.sqlite", "--key", "again")[0]
        == EXIT_OK
    )
    monkeypatch.delenv("MATCHMAKER_ARCHIVE")
    code, out = run("list", "--lang", "sv")
    assert code == EXIT_OK
    assert "2024-VT-1" in out
    assert "again" in out
    assert "godkänd av official-7" in out
    code, out = run("show", "2024-VT-1")
    assert code == EXIT_OK
    assert all(a.applicant in out for a in record.decision.assignments)
    assert run("show", "nope")[0] == EXIT_BAD_INPUT
    code, out = run("export", tmp_path / "out.csv", "--lang", "sv")
    assert code == EXIT_OK
    assert "placeringar skrivna till" in out
    code, out = run("verify")
    assert code == EXIT_OK
    assert "the archive verifies: 2 rounds" in out
    raw(tmp_path / "matchmaker-archive.sqlite", "DELETE FROM rounds WHERE seq = 1")
    code, out = run("verify", "--lang", "sv")
    assert code == EXIT_NO_PLAN
    assert "arkivet går INTE att verifiera" in out
    assert "närmast före omgång again" in out
    assert run("verify", "--bogus")[0] == EXIT_BAD_INPUT
    assert run("verify", "--public-key", tmp_path / "missing.pub")[0] == EXIT_BAD_INPUT
