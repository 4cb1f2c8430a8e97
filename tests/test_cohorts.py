"""Cohort figures (step 1 -> step 2 -> employment) against a hand count, consistency, outputs and the CLI.

The hand-built archive: seven students over three years, in two municipalities (M1 with unit U1, and
M2 with unit U2), two supervisors each; every applicant ranks one supervisor only, so every round
places exactly as written in ``PLACEMENTS``. The expected figures are counted by hand in the comments.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import matchmaker as mm
from matchmaker._cli import EXIT_BAD_INPUT, EXIT_OK, cli
from matchmaker._cohorts import term_index

ROSTER: dict[str, Any] = {
    "municipalities": [{"id": "M1"}, {"id": "M2"}],
    "units": [
        {"id": "U1", "municipality": "M1", "area": "Barn och ungdom", "max_places": 2},
        {"id": "U2", "municipality": "M2", "area": "Vuxenenhet", "max_places": 2},
    ],
    "supervisors": [
        {"id": "S1", "unit": "U1", "capacity": 1},
        {"id": "S2", "unit": "U1", "capacity": 1},
        {"id": "S3", "unit": "U2", "capacity": 1},
        {"id": "S4", "unit": "U2", "capacity": 1},
    ],
}

#: Every round in the order added: (year, term, step, {applicant: (supervisor, university)}).
PLACEMENTS: list[tuple[int, str, int, dict[str, tuple[str, str | None]]]] = [
    (2020, "VT", 1, {"A": ("S1", "X"), "B": ("S2", "X"), "C": ("S3", "Y")}),
    (2020, "HT", 2, {"A": ("S1", "X"), "C": ("S4", "Y")}),
    (2020, "HT", 1, {"D": ("S1", "X"), "E": ("S3", "Y")}),
    (2021, "VT", 2, {"D": ("S2", "X")}),
    (2021, "VT", 1, {"F": ("S4", "Y")}),
    (2021, "HT", 3, {"A": ("S1", "X")}),
    (2021, "HT", 1, {"B": ("S3", "Z")}),  # B again in step 1: B stays in the cohort of VT 2020, group X
    (2022, "VT", 3, {"D": ("S3", "X")}),
    (2022, "VT", 2, {"F": ("S4", "Y")}),
    (2022, "HT", 1, {"G": ("S1", None)}),
]


def approved_round(year: int, term: str, step: int, who: dict[str, tuple[str, str | None]]) -> tuple[Any, ...]:
    """One round placing each applicant with their one ranked supervisor, solved, checked and approved."""
    applicants = []
    for applicant, (supervisor, university) in sorted(who.items()):
        record: dict[str, Any] = {"id": applicant, "ranking": {"supervisors": {supervisor: 1}}}
        if university is not None:
            record["university"] = university
        applicants.append(record)
    data = {**ROSTER, "applicants": applicants, "round": {"term": term, "year": year, "step": step}}
    problem = mm.Problem.model_validate(data)
    result = mm.solve(problem)
    mm.check(problem, result).raise_if_invalid()
    placed = {(a.applicant, a.supervisor) for a in result.assignments}
    assert placed == {(a, s) for a, (s, _) in who.items()}
    return problem, result, mm.approve(problem, result, "official-7", approved_at=f"{year}-06-01")


@pytest.fixture(scope="module")
def hand_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cohorts") / "archive.sqlite"
    with mm.Archive(path) as archive:
        for year, term, step, who in PLACEMENTS:
            archive.add(*approved_round(year, term, step, who))
    return path


def counts(row: mm.CohortRow) -> tuple[int, ...]:
    return (
        row.step_1,
        row.step_2,
        row.step_3,
        row.open_2,
        row.open_3,
        row.same_supervisor_2,
        row.same_unit_2,
        row.same_supervisor_3,
        row.same_unit_3,
    )


def test_figures_match_the_hand_count(hand_archive: Path) -> None:
    with mm.Archive(hand_archive, create=False) as archive:
        figures = archive.cohort_figures()
    per_cohort = {(r.year, r.term): counts(r) for r in figures.select("all")}
    # (step 1, step 2, employed, open 2, open 3, same sup 2, same unit 2, same sup 3, same unit 3)
    assert per_cohort == {
        # A: S1 -> S1 -> S1 (hired); B: never in step 2 (the window to HT 2021 has closed: a step-2
        # round in VT 2022); C: S3 -> S4 (same unit), not hired and the window to HT 2022 closed.
        (2020, "VT"): (3, 2, 1, 0, 0, 1, 2, 1, 1),
        # D: S1 -> S2 (same unit) -> S3 (another unit); E: not in step 2, the window closed (VT 2022).
        (2020, "HT"): (2, 1, 1, 0, 0, 0, 1, 0, 0),
        # F: S4 -> S4 in VT 2022; employment still open (window to HT 2023, last step-3 round VT 2022).
        (2021, "VT"): (1, 1, 0, 0, 1, 1, 1, 0, 0),
        # No cohort in HT 2021: B was there in step 1 a second time. G: step 2 still open.
        (2022, "HT"): (1, 0, 0, 1, 0, 0, 0, 0, 0),
    }
    total = figures.total()
    assert counts(total) == (7, 4, 2, 1, 1, 2, 4, 1, 1)
    assert (total.rate_2, total.rate_3, total.rate_1_3) == (4 / 6, 2 / 3, 2 / 5)
    first = figures.select("all")[0]
    assert (first.rate_2, first.rate_3, first.rate_1_3, first.complete) == (2 / 3, 1 / 2, 1 / 3, True)
    f_row = figures.select("all")[2]
    assert (f_row.rate_2, f_row.rate_3, f_row.rate_1_3, f_row.complete) == (1.0, None, None, False)
    g_row = figures.select("all")[3]
    assert (g_row.rate_2, g_row.complete) == (None, False)
    # By group (the university of the step-1 round), unit and municipality of the step-1 placement.
    by_group = {r.value: counts(r)[:5] for r in figures.select("group", total=True)}
    assert by_group == {"X": (3, 2, 2, 0, 0), "Y": (3, 2, 0, 0, 1), "": (1, 0, 0, 1, 0)}
    by_unit = {r.value: counts(r)[:5] for r in figures.select("unit", total=True)}
    assert by_unit == {"U1": (4, 2, 2, 1, 0), "U2": (3, 2, 0, 0, 1)}
    by_municipality = {r.value: counts(r)[:5] for r in figures.select("municipality", total=True)}
    assert by_municipality == {"M1": (4, 2, 2, 1, 0), "M2": (3, 2, 0, 0, 1)}
    # Supervisor load per year and step: (supervisors, placements, mean, most).
    load = {(s.year, s.step): (s.supervisors, s.placements, s.mean, s.most) for s in figures.load}
    assert load == {
        (2020, 1): (3, 5, 5 / 3, 2),  # S1: A and D, S2: B, S3: C and E
        (2020, 2): (2, 2, 1.0, 1),
        (2021, 1): (2, 2, 1.0, 1),
        (2021, 2): (1, 1, 1.0, 1),
        (2021, 3): (1, 1, 1.0, 1),
        (2022, 1): (1, 1, 1.0, 1),
        (2022, 2): (1, 1, 1.0, 1),
        (2022, 3): (1, 1, 1.0, 1),
    }


def test_wider_windows_keep_cohorts_open(hand_archive: Path) -> None:
    with mm.Archive(hand_archive, create=False) as archive:
        figures = archive.cohort_figures(to_step_2=4, to_step_3=6)
        narrow = archive.cohort_figures(to_step_2=0, to_step_3=0)
    # Four terms to step 2: B's window (VT 2020) ends in VT 2022, which had a step-2 round: closed.
    # Six terms to employment: C's window runs from HT 2020 to HT 2023, so C is still open.
    first = figures.select("all")[0]
    assert (first.open_2, first.open_3) == (0, 1)
    # E (HT 2020) ends in HT 2022, after the last step-2 round (VT 2022): open; F, G open too.
    assert [(r.year, r.term, r.open_2, r.open_3) for r in figures.select("all")][1:] == [
        (2020, "HT", 1, 0),
        (2021, "VT", 0, 1),
        (2022, "HT", 1, 0),
    ]
    # No window: no one is in step 2 in their step-1 term; only G's term (HT 2022) has no step-2 round.
    assert counts(narrow.total())[:5] == (7, 0, 0, 1, 0)


# --- consistency, from the raw placement rows --------------------------------------------------------

#: The roster: each supervisor in one unit, each unit in one municipality.
UNIT_OF = {"S1": ("U1", "M1"), "S2": ("U1", "M1"), "S3": ("U2", "M2")}


@st.composite
def placement(draw: st.DrawFn) -> mm.CohortPlacement:
    supervisor = draw(st.sampled_from(sorted(UNIT_OF)))
    return mm.CohortPlacement(
        year=draw(st.sampled_from([2020, 2021, 2022])),
        term=draw(st.sampled_from(["VT", "HT"])),
        step=draw(st.integers(1, 3)),
        applicant=draw(st.sampled_from("ABCDEFGH")),
        unit=UNIT_OF[supervisor][0],
        supervisor=supervisor,
        municipality=UNIT_OF[supervisor][1],
        group=draw(st.sampled_from(["X", "Y", None])),
    )


placement_rows = st.lists(placement(), max_size=30)
held_rounds = st.lists(st.tuples(st.sampled_from([2020, 2021, 2022]), st.sampled_from(["VT", "HT"]), st.integers(1, 3)))


@settings(max_examples=150, deadline=None)
@given(placement_rows, held_rounds, st.integers(0, 3), st.integers(0, 3))
def test_counts_are_consistent_with_the_raw_rows(
    rows: list[mm.CohortPlacement], extra: list[tuple[int, str, int]], w2: int, w3: int
) -> None:
    rounds = [(p.year, p.term, p.step) for p in rows] + extra
    figures = mm.cohort_figures(rows, rounds, to_step_2=w2, to_step_3=w3)
    total = figures.total()

    # Recounted from the raw rows, applicant by applicant, without the module's helpers.
    def terms(who: str, step: int) -> list[int]:
        return sorted(term_index(p.year, p.term) for p in rows if p.applicant == who and p.step == step)

    def last(step: int) -> int:
        return max((term_index(y, t) for y, t, s in rounds if s == step), default=-1)

    step_1 = {p.applicant for p in rows if p.step == 1}
    in_2, in_3, open_2, open_3 = set(), set(), set(), set()
    for who in step_1:
        t1 = terms(who, 1)[0]
        seconds = [t for t in terms(who, 2) if t1 <= t <= t1 + w2]
        if not seconds:
            if last(2) < t1 + w2:
                open_2.add(who)
            continue
        in_2.add(who)
        if any(seconds[0] <= t <= seconds[0] + w3 for t in terms(who, 3)):
            in_3.add(who)
        elif last(3) < seconds[0] + w3:
            open_3.add(who)
    assert (total.step_1, total.step_2, total.step_3) == (len(step_1), len(in_2), len(in_3))
    assert (total.open_2, total.open_3) == (len(open_2), len(open_3))
    # Step 2 is a subset of step 1, employment of step 2; open members are neither in nor out.
    assert in_3 <= in_2 <= step_1
    assert not open_2 & in_2
    assert open_3 <= in_2 - in_3
    # Every breakdown, and the cohorts, add up to the total; continuity stays within its step (and with
    # supervisors who stay in their unit, the same supervisor means the same unit).
    fields = ("step_1", "step_2", "step_3", "open_2", "open_3", "same_supervisor_2", "same_unit_2")
    for by in ("group", "unit", "municipality"):
        parts = figures.select(by, total=True)
        assert all(sum(getattr(r, f) for r in parts) == getattr(total, f) for f in fields), by
    cohorts = figures.select("all")
    assert all(sum(getattr(r, f) for r in cohorts) == getattr(total, f) for f in fields)
    for r in figures.rows:
        assert r.same_supervisor_2 <= r.same_unit_2 <= r.step_2
        assert r.same_supervisor_3 <= r.same_unit_3 <= r.step_3
        assert r.step_3 <= r.step_2
        assert r.step_2 + r.open_2 <= r.step_1
        assert r.step_3 + r.open_3 <= r.step_2
        for rate in (r.rate_2, r.rate_3, r.rate_1_3):
            assert rate is None or 0 <= rate <= 1
    # Supervisor load counts every placement once.
    assert sum(s.placements for s in figures.load) == len(rows)
    assert Counter({(s.year, s.step): s.placements for s in figures.load}) == Counter((p.year, p.step) for p in rows)


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(mm.InputError, match="to_step_2") as raised:
        mm.cohort_figures([], [], to_step_2=-1)
    assert "terminer" in raised.value.text("sv")


# --- outputs -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures(hand_archive: Path) -> mm.CohortFigures:
    with mm.Archive(hand_archive, create=False) as archive:
        return archive.cohort_figures()


def _read_csv(path: Path, lang: str) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines(), delimiter="," if lang == "en" else ";"))


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_csv_round_trips_the_figures(figures: mm.CohortFigures, tmp_path: Path, lang: str) -> None:
    mm.save_cohort_figures(figures, tmp_path / "out", lang=lang, min_cell=0)  # type: ignore[arg-type]
    names = {"en": ("cohorts.csv", "supervisor_load.csv"), "sv": ("kullar.csv", "handledarbelastning.csv")}[lang]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(names)
    rows = _read_csv(tmp_path / "out" / names[0], lang)
    assert len(rows) == len(figures.rows)
    step_1, by, rate = ("step_1", "by", "rate_2") if lang == "en" else ("steg 1", "uppdelning", "andel steg 1 till 2")
    for read, row in zip(rows, figures.rows, strict=True):
        assert int(read[step_1]) == row.step_1
        sv = {"all": "alla", "group": "grupp", "unit": "enhet", "municipality": "kommun"}[row.by]
        assert read[by] == (row.by if lang == "en" else sv)
        back = float(read[rate].replace(",", ".")) if read[rate] else None
        assert back == (None if row.rate_2 is None else round(row.rate_2, 4))  # four decimals, exactly
    load = _read_csv(tmp_path / "out" / names[1], lang)
    placements = "placements" if lang == "en" else "placeringar"
    assert [int(r[placements]) for r in load] == [s.placements for s in figures.load]


def test_small_cells_are_withheld(figures: mm.CohortFigures, tmp_path: Path) -> None:
    mm.save_cohort_figures(figures, tmp_path / "out", min_cell=3)
    rows = _read_csv(tmp_path / "out" / "cohorts.csv", "en")
    for read, row in zip(rows, figures.rows, strict=True):
        small = 0 < row.step_1 < 3
        assert read["suppressed"] == ("yes" if small else "no")
        assert (read["step_1"] == "") == small
        assert (read["step_2"] == "") == small
        assert read["year"] == ("" if row.year is None else str(row.year))  # the row itself stays
    assert sum(1 for r in rows if r["suppressed"] == "yes") == sum(1 for r in figures.rows if 0 < r.step_1 < 3)


def test_the_workbook_has_swedish_sheets_and_the_figures(figures: mm.CohortFigures, tmp_path: Path) -> None:
    path = mm.save_cohort_figures(figures, tmp_path / "kullar.xlsx", lang="sv", min_cell=0)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Läs mig", "Kullar", "Handledarbelastning"]
    sheet = wb["Kullar"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["år", "termin", "uppdelning", "värde", "steg 1"]
    got = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [g[4] for g in got] == [r.step_1 for r in figures.rows]
    assert [g[header.index("andel steg 1 till anställning")] for g in got] == [
        None if r.rate_1_3 is None else round(r.rate_1_3, 4) for r in figures.rows
    ]
    readme = " ".join(str(c.value) for c in wb["Läs mig"]["A"])
    assert "kull" in readme
    assert "cohort" not in readme.lower()


def test_another_kind_of_file_is_refused(figures: mm.CohortFigures, tmp_path: Path) -> None:
    with pytest.raises(mm.InputError, match="xlsx"):
        mm.save_cohort_figures(figures, tmp_path / "figures.pdf")


def test_frames_hold_the_rows(figures: mm.CohortFigures) -> None:
    records = figures.records()
    assert [r["step_2"] for r in records["cohorts"]] == [r.step_2 for r in figures.rows]
    assert records["cohorts"][0]["rate_2"] == 2 / 3  # the hand count's first cohort, exact
    frames = figures.to_frames()
    cohorts = frames["cohorts"]
    assert list(cohorts["step_1"]) == [r.step_1 for r in figures.rows]  # type: ignore[index]
    assert list(frames["load"]["placements"]) == [s.placements for s in figures.load]  # type: ignore[index]


# --- the page ------------------------------------------------------------------------------------------

#: English words of the page that must not appear in its Swedish version.
ENGLISH = ("step 1", "step 2", "employed", "cohort", "still open", "supervisor", "Continuity", "spring", "autumn")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_page_shows_the_flow_in_either_language(figures: mm.CohortFigures, lang: str) -> None:
    page = mm.cohort_html(figures, lang=lang, min_cell=0)  # type: ignore[arg-type]
    assert "http" not in page
    assert "<script src" not in page
    total = figures.total()
    flows = dict(re.findall(r'data-flow="([0-9-]+)" data-value="(\d+)"', page))
    assert flows == {"1-2": str(total.step_2), "2-3": str(total.step_3)}
    boxes = dict(re.findall(r'data-box="(\w+)" data-value="(\d+)"', page))
    assert boxes["step_1"] == "7"
    assert boxes["left_1"] == "2"
    assert boxes["open_1"] == "1"
    assert boxes["open_2"] == "1"
    text = re.sub(r"<style>.*?</style>|<script>.*?</script>|<[^>]+>", " ", page, flags=re.S)
    if lang == "sv":
        for word in ENGLISH:
            assert word not in text, word
        assert "VT 2020" in text
        assert "67 %" in text.replace("\xa0", " ")
    else:
        assert "spring 2020" in text
        assert "67%" in text


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_page_charts_are_well_formed_svg(figures: mm.CohortFigures, lang: str) -> None:
    page = mm.cohort_html(figures, lang=lang, min_cell=0)  # type: ignore[arg-type]
    charts = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(charts) == 2
    for chart in charts:
        root = ElementTree.fromstring(chart)  # parses: every element closed, every attribute quoted
        for rect in root.iter("rect"):
            assert float(rect.get("width", "0")) >= 0
            assert float(rect.get("height", "0")) >= 0
    # Every cohort's parts add up to its students: employed, step 2 only, left after step 1, open.
    for row in figures.select("all"):
        parts = re.findall(rf'data-cohort="{row.year}-{row.term}" data-part="\w+" data-value="(\d+)"', page)
        assert sum(map(int, parts)) == row.step_1


def test_the_page_withholds_small_rows(figures: mm.CohortFigures) -> None:
    page = mm.cohort_html(figures, lang="en", min_cell=3)
    assert page.count("&lt;3") >= 2  # the cohorts of VT 2021 and HT 2022 (one student each), at least
    assert 'data-cohort="2021-VT"' not in page


# --- the command line -------------------------------------------------------------------------------


def test_the_cohorts_command_prints_and_writes(hand_archive: Path, tmp_path: Path) -> None:
    args = ["archive", "cohorts", "--archive", str(hand_archive), "--lang", "sv", "--min-cell", "0"]
    out = tmp_path / "ut"
    result = CliRunner().invoke(
        cli, [*args, "--csv", str(out), "--xlsx", str(tmp_path / "k.xlsx"), "--report", str(tmp_path / "k.html")]
    )
    assert result.exit_code == EXIT_OK, result.output
    lines = result.stdout.replace("\xa0", " ").splitlines()
    assert "VT 2020: steg 1 3, steg 2 2, anställda 1 (67 % / 50 % / 33 %)" in lines
    assert "VT 2021: steg 1 1, steg 2 1, anställda 0 (100 % / - / -); 1 fortfarande öppen" in lines
    assert (out / "kullar.csv").is_file()
    assert (tmp_path / "k.xlsx").is_file()
    assert "<h1>Kullsiffror: steg 1 → steg 2 → anställning</h1>" in (tmp_path / "k.html").read_text(encoding="utf-8")
    as_json = CliRunner().invoke(cli, ["archive", "cohorts", "--archive", str(hand_archive), "--json"])
    data = json.loads(as_json.stdout)
    assert data["rows"][0]["step_1"] == 3
    assert data["to_step_2"] == 2


def test_the_cohorts_command_withholds_small_cohorts(hand_archive: Path) -> None:
    result = CliRunner().invoke(cli, ["archive", "cohorts", "--archive", str(hand_archive)])
    assert result.exit_code == EXIT_OK, result.output
    assert "spring 2021: <3" in result.stdout.splitlines()


def test_the_cohorts_command_names_a_missing_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["archive", "cohorts", "--archive", str(tmp_path / "none.sqlite"), "--lang", "sv"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "none.sqlite" in result.output
    assert not (tmp_path / "none.sqlite").exists()  # reading never creates an archive
