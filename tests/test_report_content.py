"""The report an official signs: plain level names and readable values in both languages, Swedish number
and date formats, the policy, the same facts in Swedish and English, the approval block, a round without
a plan explained as a list, the text report, the workbook's objective sheet, long rounds folded, and the
PDF printed by Chromium."""

from __future__ import annotations

import html as html_module
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import matchmaker as mm
from matchmaker._i18n import Lang, msg
from matchmaker._result import Unplaced, UnplacedReason
from matchmaker._scoring import REMOVAL_RULES
from matchmaker.errors import InputError
from matchmaker.report import _format
from matchmaker.report import _html as html_mod
from matchmaker.report._approval import approval_from_data, approval_from_record
from matchmaker.report._content import UnplacedFacts, level_name, level_reading, unplaced_facts, unplaced_reason
from matchmaker.report._html import html_report
from matchmaker.report._pdf import find_chromium
from matchmaker.report._text import text_report
from matchmaker.review._audit import approve, audit_record
from matchmaker.review._overrides import Override, apply_overrides

ROOT = Path(__file__).resolve().parents[1]
JOINT = ROOT / "examples" / "huddinge-nacka-tyreso" / "problem.json"
INFEASIBLE = ROOT / "examples" / "nacka-infeasible" / "problem.json"

# Words of one language that must not show in a report in the other (unit names are Swedish in both,
# so "och" is not on the Swedish list).
ENGLISH = ("the", "placed", "applicant", "applicants", "supervisor", "unit", "because", "not", "with", "and", "of")
SWEDISH = ("sökande", "placerad", "placerade", "handledare", "enhet", "eftersom", "inte", "förtursnivå", "av")


@pytest.fixture(scope="module")
def joint() -> tuple[mm.Problem, mm.Result]:
    problem = mm.load_problem(JOINT)
    return problem, mm.solve(problem)


def visible(page: str, *, footer: bool = True) -> str:
    """The text a reader sees: no style, script or tags; entities decoded."""
    page = re.sub(r"<(style|script)>.*?</\1>", " ", page, flags=re.DOTALL)
    if not footer:
        page = re.sub(r"<footer>.*?</footer>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<title>.*?</title>", " ", page)  # shown in the tab, and in the page as <h1>
    return html_module.unescape(re.sub(r"<[^>]+>", " ", page))


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text.lower()))


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_levels_by_name_and_readable_value(joint: tuple[mm.Problem, mm.Result], lang: str) -> None:
    problem, result = joint
    shown = visible(html_report(result, problem, lang=lang))  # type: ignore[arg-type]
    for internal in ("placed_tier_", "total_fit", "no_acceptable_option", "not_selected"):
        assert internal not in shown
    seed = result.decision.lottery_seed
    # The seed is an id a person may retype, shown as given; no other long number (a raw level value).
    assert not re.findall(r"\d{8,}", shown.replace(str(seed), "")), "a raw level value"
    total = next(lv.value for lv in result.decision.objective if lv.name == "total_fit")
    assert total is not None
    mean = total / 10_000 / len(result.assignments)
    of100 = f"{round(mean * 100)} {'av' if lang == 'sv' else 'of'} 100"
    mean_text = f"{mean:.2f}".replace(".", "," if lang == "sv" else ".")
    assert f"{mean_text} ({of100})" in shown
    drawn = "lottad med slumpfrö" if lang == "sv" else "drawn with seed"
    assert f"{drawn} {seed}, " in shown
    tier = "Placerade sökande i förtursnivå 1" if lang == "sv" else "Applicants in priority tier 1 placed"
    assert tier in shown


def test_swedish_decimals_have_a_comma(joint: tuple[mm.Problem, mm.Result]) -> None:
    problem, result = joint
    shown = visible(html_report(result, problem, lang="sv"), footer=False)
    assert not re.findall(r"\d\.\d", shown)
    assert re.findall(r"\b0,\d\d?\b", shown)  # fits are shown, with a comma
    english = visible(html_report(result, problem, lang="en"), footer=False)
    assert not re.findall(r"\b0,\d", english)
    assert re.findall(r"\b0\.\d\d?\b", english)


@pytest.mark.parametrize(("lang", "foreign"), [("sv", ENGLISH), ("en", SWEDISH)])
def test_no_word_of_the_other_language(joint: tuple[mm.Problem, mm.Result], lang: str, foreign: tuple[str]) -> None:
    problem, result = joint
    shown = visible(html_report(result, problem, lang=lang))  # type: ignore[arg-type]
    assert words_of(shown) & set(foreign) == set()
    text = text_report(result, problem, lang=lang)  # type: ignore[arg-type]
    assert words_of(text) & set(foreign) == set()


def test_the_stop_list_catches_a_foreign_word(joint: tuple[mm.Problem, mm.Result]) -> None:
    """The check above can fail: an English reason in a Swedish page is caught."""
    problem, result = joint
    page = html_report(result, problem, lang="sv").replace("Beslutet", "The decision")
    assert words_of(visible(page)) & set(ENGLISH) == {"the"}


def test_policy_in_words(joint: tuple[mm.Problem, mm.Result]) -> None:
    problem, result = joint
    shown = visible(html_report(result, problem, lang="sv"))
    assert "Mål: högsta sammanlagda matchningsvärde för placeringarna." in shown
    assert "intresse 0,6 och intervjun 0,4" in shown  # the policy's 0.6 and 0.4, normalised
    assert "Slumpfrö för lottningen 20260801:" in shown
    assert problem.policy.lottery_seed == 20_260_801
    other = problem.model_copy(update={"policy": problem.policy.model_copy(update={"objective": "rank_maximal"})})
    assert "så många förstahandsval som möjligt" in visible(html_report(mm.solve(other), other, lang="sv"))


def _facts(text: str) -> list[str]:
    """The numbers and ids of a text, decimal commas and thousands spaces made plain."""
    text = re.sub(r"(?<=\d)[\xa0 ,](?=\d{3}\b)", "", text)
    return sorted(x.replace(",", ".") for x in re.findall(r"[\w-]*\d[\w.,-]*\d|[\w-]*\d[\w-]*", text))


@given(
    reason=st.sampled_from([UnplacedReason.NOT_SELECTED, UnplacedReason.NO_ACCEPTABLE_OPTION]),
    supervisors=st.integers(0, 20_000),
    units=st.integers(0, 2_000),
    wished=st.integers(0, 20_000),
    removed=st.dictionaries(st.sampled_from(REMOVAL_RULES), st.integers(1, 20_000)),
)
def test_a_reason_has_the_same_facts_in_both_languages(
    reason: UnplacedReason, supervisors: int, units: int, wished: int, removed: dict[str, int]
) -> None:
    u = Unplaced(applicant="A-17", reason=reason, detail="")
    facts = UnplacedFacts(supervisors, units, wished, removed)
    en, sv = (unplaced_reason(u, lang, facts) for lang in ("en", "sv"))
    assert _facts(en) == _facts(sv)
    if reason is UnplacedReason.NOT_SELECTED:
        assert _facts(en) == sorted([str(supervisors), str(units)])
    elif wished:
        assert _facts(en) == sorted([str(wished), *map(str, removed.values())])


@pytest.mark.parametrize(
    ("count", "en", "sv"),
    [
        (1, "Allowed with 1 supervisor in 1 unit,", "Tillåten hos 1 handledare på 1 enhet,"),
        (3, "Allowed with 3 supervisors in 3 units,", "Tillåten hos 3 handledare på 3 enheter,"),
    ],
)
def test_a_reason_counts_in_the_right_number(count: int, en: str, sv: str) -> None:
    u = Unplaced(applicant="A-17", reason=UnplacedReason.NOT_SELECTED, detail="")
    facts = UnplacedFacts(count, count, count, {})
    assert unplaced_reason(u, "en", facts).startswith(en)
    assert unplaced_reason(u, "sv", facts).startswith(sv)


def test_the_facts_check_catches_a_shorter_translation() -> None:
    """The comparison above can fail: a Swedish text without the unit count differs from the English."""
    u = Unplaced(applicant="A-17", reason=UnplacedReason.NOT_SELECTED, detail="")
    en = unplaced_reason(u, "en", UnplacedFacts(22, 5, 30, {}))
    assert _facts(en) != _facts("Tillåten hos 22 handledare, men de platserna gick till andra.")


def test_reasons_count_what_the_records_say(joint: tuple[mm.Problem, mm.Result]) -> None:
    problem, result = joint
    facts = unplaced_facts(problem, [u.applicant for u in result.unplaced])
    for u in result.unplaced:
        # the solver's own English detail carries the same counts
        numbers = [int(n) for n in re.findall(r"\d+", u.detail)]
        assert numbers == [facts[u.applicant].supervisors, facts[u.applicant].units]
        en, sv = unplaced_reason(u, "en", facts[u.applicant]), unplaced_reason(u, "sv", facts[u.applicant])
        assert _facts(en) == _facts(sv) == sorted(map(str, numbers))


def test_explanations_have_the_same_facts_in_both_languages(joint: tuple[mm.Problem, mm.Result]) -> None:
    from matchmaker.explanations import display_names, explain

    problem, result = joint
    names = display_names(problem)
    e = explain(problem, result, result.unplaced[0].applicant)
    assert _facts(e.text("en", names)) == _facts(e.text("sv", names))


def test_unusual_placements_say_so(joint: tuple[mm.Problem, mm.Result]) -> None:
    problem, result = joint
    page = html_report(result, problem, lang="sv")
    tiers = {a.id: a.priority_tier for a in problem.applicants if a.priority_tier is not None}
    pinned = {p.applicant for p in problem.pins}
    low = {a.applicant for a in result.assignments if a.fit < 0.3}
    assert tiers
    assert pinned
    assert low
    for a in result.assignments:
        row = re.search(rf"<tr><td class=\"id\">{a.applicant}</td>.*?</tr>", page)
        assert row is not None
        assert (f"placerad genom förtursnivå {tiers.get(a.applicant)}<" in row[0]) == (a.applicant in tiers)
        assert ("förhandsplacering" in row[0]) == (a.applicant in pinned)
        assert ("mycket lågt matchningsvärde" in row[0]) == (a.applicant in low)
        tier_cell = re.findall(r"<td[^>]*>([^<]*)</td>", row[0])[1]
        assert tier_cell == str(tiers.get(a.applicant, "-"))


def test_approval_block(joint: tuple[mm.Problem, mm.Result]) -> None:
    problem, result = joint
    moved = next(a for a in result.assignments if a.unit != "nacka-bou" and a.municipality != "nacka")
    override = Override(
        action="pin", applicant=moved.applicant, unit="tyreso-bou", reason="närhet till hemmet", official="off-2"
    )
    record = approve(problem, result, "off-1", overrides=(override,), approved_at="2026-12-06T09:30:00+00:00")
    approved = result.model_copy(update={"decision": record.decision})
    approval = approval_from_data(record.model_dump(mode="json"), approved, source="approved.json")
    assert approval.official == "off-1"
    base, problem = problem, apply_overrides(problem, approval.overrides)  # the approved plan's round
    shown = visible(html_report(approved, problem, lang="sv", approval=approval))
    block = shown[shown.index("Godkännande") :]
    for expected in (
        "Tjänsteperson off-1",
        "Roll inte registrerad",
        "Datum 6 december 2026",
        "Signatur ingen digital signatur registrerad",
        f"{moved.applicant} placeras hos Barn och ungdom Tyresö: närhet till hemmet (av off-2)",
    ):
        assert expected in " ".join(block.split()), expected
    assert "Godkänd av tjänsteperson off-1 den 6 december 2026." in shown
    row = re.search(
        rf'<tr><td class="id">{moved.applicant}</td>.*?</tr>',
        html_report(approved, problem, lang="sv", approval=approval),
    )
    assert row is not None
    assert "placerad genom en ändring: närhet till hemmet" in row[0]
    assert "förhandsplacering" not in row[0]  # the override's pin is not noted twice
    english = " ".join(visible(html_report(approved, problem, lang="en", approval=approval)).split())
    assert "Date 6 December 2026" in english
    text = text_report(approved, problem, lang="sv", approval=approval)
    assert "Datum: 6 december 2026" in text
    assert "(av off-2)" in text
    # the record approved another plan than the recommendation: refused, with the field and the fix
    with pytest.raises(InputError, match="output_fingerprint: the record approved another plan"):
        approval_from_record(record, result, source="approved.json")
    with pytest.raises(InputError, match="state: the record is a recommendation") as refused:
        approval_from_record(audit_record(base, result), result)
    assert "posten är en rekommendation som ingen tjänsteperson har godkänt" in refused.value.text("sv")


def test_approval_block_shows_the_checked_signature(joint: tuple[mm.Problem, mm.Result]) -> None:
    """The signature line says what is known: checked and valid with the office's key, invalid with
    another key or after an edit, unchecked without a key, none for an unsigned record."""
    pytest.importorskip("cryptography")
    problem, result = joint
    (office, office_public), (_, other_public) = mm.generate_keypair(), mm.generate_keypair()
    record = approve(problem, result, "off-1", role="enhetschef", approved_at="2026-12-06", signing_key=office)
    data = record.model_dump(mode="json")

    def status(payload: object, key: mm.PublicKey | None) -> str:
        return approval_from_data(payload, result, source="approved.json", public_key=key).signature

    assert status(data, office_public) == "valid"
    assert status(data, None) == "unchecked"
    assert status(data, other_public) == "invalid"
    edited = record.model_dump(mode="json")
    edited["approval"]["official"] = "off-9"  # the name of who approved, changed after signing
    assert status(edited, office_public) == "invalid"
    unsigned = approve(problem, result, "off-1", approved_at="2026-12-06").model_dump(mode="json")
    assert status(unsigned, None) == "none"
    assert status(unsigned, office_public) == "invalid"  # a key was given: a missing signature fails
    approval = approval_from_data(data, result, source="approved.json", public_key=office_public)
    assert approval.role == "enhetschef"
    block = " ".join(visible(html_report(result, problem, lang="sv", approval=approval)).split())
    assert "Signatur signerad; signaturen är kontrollerad och giltig" in block
    assert "Roll enhetschef" in block
    unchecked = approval_from_data(data, result, source="approved.json")
    english = " ".join(visible(html_report(result, problem, lang="en", approval=unchecked)).split())
    assert "Signature signed; the signature is not checked here (give the office's public key)" in english


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_without_approval_lines_to_sign(joint: tuple[mm.Problem, mm.Result], lang: str) -> None:
    problem, result = joint
    page = html_report(result, problem, lang=lang)  # type: ignore[arg-type]
    block = re.search(r'<section id="approval".*?</section>', page, flags=re.DOTALL)
    assert block is not None
    labels = re.findall(r'<div class="sign">(.*?)</div>', block[0])
    words = ("Namn", "Roll", "Datum", "Signatur") if lang == "sv" else ("Name", "Role", "Date", "Signature")
    assert labels == ["".join(f"<p>{w}</p>" for w in words)]


def test_a_round_without_a_plan_is_explained_in_swedish_as_a_list() -> None:
    problem = mm.load_problem(INFEASIBLE)
    result = mm.solve(problem)
    page = html_report(result, problem, lang="sv")
    decision = re.search(r'<section id="decision">.*?</section>', page, flags=re.DOTALL)
    assert decision is not None
    items = re.findall(r"<li>(.*?)</li>", decision[0])
    assert "Nacka (nacka) tar högst 8 studenter;" in items
    assert "höj maxnivån för Nacka (nacka) från 8 till 9;" in items
    shown = visible(page)
    assert words_of(shown) & set(ENGLISH) == set()
    text = text_report(result, problem, lang="sv")
    assert "- Nacka (nacka) tar högst 8 studenter;" in text.splitlines()


def test_formats() -> None:
    assert _format.number(12345, "sv") == "12\xa0345"
    assert _format.number(12345, "en") == "12,345"
    assert _format.decimal(3.5, "sv") == "3,5"
    assert _format.decimal(0.874, "sv") == "0,87"
    assert _format.decimal(0.874, "en", 3) == "0.874"
    assert _format.percent(0.87, "sv") == "87\xa0%"
    assert _format.date("2026-12-06T09:30:00+00:00", "sv") == "6 december 2026"
    assert _format.date("2026-12-06", "en") == "6 December 2026"
    assert _format.date("Monday", "en") == "Monday"  # not a date: shown as given


def test_workbook_objective_sheet_in_swedish(joint: tuple[mm.Problem, mm.Result], tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    _, result = joint
    path = tmp_path / "r.xlsx"
    mm.save_result(result, path, lang="sv")
    rows = list(openpyxl.load_workbook(path)["Mål"].iter_rows(values_only=True))
    assert rows[0] == ("namn", "riktning", "värde", "regel", "klartext")
    placed = len(result.assignments)
    seed = result.decision.lottery_seed
    assert [r[3:] for r in rows[1:]] == [
        (level_name(lv.name, "sv"), level_reading(lv, "sv", placed=placed, seed=seed))
        for lv in result.decision.objective
    ]
    assert rows[4][3:] == ("Matchningsvärde i medel per placerad sökande", "0,85 (85 av 100)")
    assert mm.load_result(path).decision == result.decision  # the words are not read back


def test_a_long_round_is_folded_per_municipality(
    joint: tuple[mm.Problem, mm.Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, result = joint
    monkeypatch.setattr(html_mod, "COLLAPSE_AT", 10)
    page = html_report(result, problem, lang="sv")
    summaries = re.findall(r"<summary>(.*?)</summary>", page)
    per_muni = {a.municipality: 0 for a in result.assignments}
    for a in result.assignments:
        per_muni[a.municipality] += 1
    names = {m.id: m.name for m in problem.municipalities}
    expected = [f"{names[m]} ({m}): {n} rader" for m, n in sorted(per_muni.items())]
    assert summaries[:3] == expected
    assert "<details" not in html_report(result, problem, lang="sv", printable=True)  # the PDF shows all


def _joint_solved(tmp_path: Path) -> tuple[Callable[[list[str]], Any], Path]:
    """The command line (as a function of its arguments) and the joint example solved into a file."""
    pytest.importorskip("click")
    from click.testing import CliRunner

    from matchmaker._cli import cli

    runner = CliRunner()
    result_path = tmp_path / "result.json"
    assert runner.invoke(cli, ["solve", str(JOINT), "-q", "-o", str(result_path)]).exit_code == 0
    return lambda args: runner.invoke(cli, args), result_path


def test_report_command_text_and_approval(tmp_path: Path) -> None:
    invoke, result_path = _joint_solved(tmp_path)
    approved = tmp_path / "approved.json"
    run = invoke(["approve", str(JOINT), str(result_path), "--official", "off-1", "-o", str(approved)])
    assert run.exit_code == 0, run.output
    out = tmp_path / "r.txt"
    run = invoke(["report", str(result_path), "-o", str(out), "--lang", "sv", "--approval", str(approved)])
    assert run.exit_code == 0, run.output
    text = out.read_text("utf-8")
    assert text.startswith("Placeringsplan\n")
    assert "Tjänsteperson: off-1" in text
    assert "Ändringar:\n- inga: godkänd som rekommenderad" in text
    assert "placed_tier_" not in text
    assert "total_fit" not in text
    bad = invoke(["report", str(result_path), "--approval", str(result_path)])
    assert bad.exit_code == 2
    assert "error: " in bad.output
    assert "state: a required field is missing" in bad.output
    assert "Traceback" not in bad.output


def test_report_command_checks_the_signature(tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    invoke, result_path = _joint_solved(tmp_path)
    approved, key, out = (tmp_path / n for n in ("approved.json", "office.key", "r.txt"))
    assert invoke(["keygen", "--out", str(key)]).exit_code == 0
    args = ["approve", str(JOINT), str(result_path), "--official", "off-1", "--key", str(key), "-o", str(approved)]
    assert invoke(args).exit_code == 0
    report = ["report", str(result_path), "-o", str(out), "--lang", "sv", "--approval", str(approved)]
    run = invoke([*report, "--public-key", f"{key}.pub"])
    assert run.exit_code == 0, run.output
    assert "Signatur: signerad; signaturen är kontrollerad och giltig" in out.read_text("utf-8")
    assert invoke(report).exit_code == 0
    assert "Signatur: signerad; signaturen är inte kontrollerad här" in out.read_text("utf-8")
    lone = invoke(["report", str(result_path), "--public-key", f"{key}.pub"])
    assert lone.exit_code == 2
    assert "--approval" in lone.output
    assert "Traceback" not in lone.output


def test_pdf_without_chromium_says_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matchmaker.report._pdf as pdf

    invoke, result_path = _joint_solved(tmp_path)
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    run = invoke(["report", str(result_path), "-o", str(tmp_path / "r.pdf")])
    assert run.exit_code == 2
    assert "install it (e.g. `apt-get install chromium`)" in run.output
    assert not (tmp_path / "r.pdf").exists()
    swedish = invoke(["report", str(result_path), "-o", str(tmp_path / "r.pdf"), "--lang", "sv"])
    assert swedish.exit_code == 2
    assert "fel: en PDF-rapport skrivs ut av Chromium, som inte är installerat" in swedish.output
    failed = pdf.PdfError(msg("Chromium did not print the report within {timeout} s", timeout="5"))
    assert (str(failed), failed.text("sv")) == (
        "Chromium did not print the report within 5 s",
        "Chromium skrev inte ut rapporten inom 5 s",
    )
    assert pdf.PdfError("plain").text("sv") == "plain"  # a text without a message id is shown as it is


@pytest.mark.parametrize(
    ("lang", "titles"),
    [
        ("en", ["Rank profile", "Fill per unit", "Fill per municipality", "Fit distribution"]),
        (
            "sv",
            ["Rangprofil", "Fyllda platser per enhet", "Fyllda platser per kommun", "Fördelning av matchningsvärde"],
        ),
    ],
)
def test_plots_speak_the_language_asked_for(joint: tuple[mm.Problem, mm.Result], lang: Lang, titles: list[str]) -> None:
    pytest.importorskip("matplotlib")
    _, result = joint
    figure = mm.plot_result(result, lang=lang)
    assert [ax.get_title() for ax in figure.axes] == titles
    assert figure.axes[0].get_xlabel() == ("choice" if lang == "en" else "val")
    legend = figure.axes[1].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == (
        ["offered", "placed"] if lang == "en" else ["erbjudna", "placerade"]
    )


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium: apt-get install chromium (.ci/run installs it)")
@pytest.mark.slow
def test_the_pdf_report(tmp_path: Path) -> None:
    invoke, result_path = _joint_solved(tmp_path)
    out = tmp_path / "r.pdf"
    run = invoke(["report", str(result_path), "-o", str(out), "--lang", "sv"])
    assert run.exit_code == 0, run.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert 3 <= pages <= 12, pages
    if shutil.which("pdftotext") is None:
        pytest.skip("no pdftotext to read the PDF's text: apt-get install poppler-utils (.ci/run installs it)")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True, text=True).stdout
    for heading in ("Placeringsplan", "Beslutet", "Gällande policy", "Placeringar (40)", "Godkännande", "Signatur"):
        assert heading in text, heading
    result = mm.load_result(result_path)
    for a in result.assignments:
        assert a.applicant in text  # whole: an id never breaks across lines


def test_the_role_shows_once_the_record_has_one(joint: tuple[mm.Problem, mm.Result]) -> None:
    """The audit record is getting a role: the report shows it without a change of its own."""
    from types import SimpleNamespace

    problem, result = joint
    record = approve(problem, result, "off-1", approved_at="2026-12-06")
    with_role = record.model_copy(
        update={"approval": SimpleNamespace(official="off-1", approved_at="2026-12-06", role="enhetschef")}
    )
    assert approval_from_record(with_role, result).role == "enhetschef"
    assert approval_from_record(record, result).role is None
    shown = " ".join(
        visible(html_report(result, problem, lang="sv", approval=approval_from_record(with_role, result))).split()
    )
    assert "Roll enhetschef" in shown
