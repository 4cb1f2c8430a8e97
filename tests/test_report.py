"""The HTML report: its chart numbers against the Result, self-containment, both languages, the
``report`` command, and the page rendered in headless Chromium (tests/browser.py)."""

from __future__ import annotations

import html as html_module
import re
from collections import Counter
from pathlib import Path

import pytest

import matchmaker as mm
from browser import Browser, find_chromium
from matchmaker.explanations import display_names, explain
from matchmaker.report._charts import all_charts, fit_bin
from matchmaker.report._html import html_report

ROOT = Path(__file__).resolve().parents[1]
JOINT = ROOT / "examples" / "huddinge-nacka-tyreso" / "problem.json"
SODERTALJE = ROOT / "examples" / "sodertalje" / "problem.json"
INFEASIBLE = ROOT / "examples" / "nacka-infeasible" / "problem.json"


@pytest.fixture(scope="module")
def joint() -> tuple[mm.Problem, mm.Result]:
    problem = mm.load_problem(JOINT)
    return problem, mm.solve(problem)


def _expected_charts(problem: mm.Problem, result: mm.Result) -> dict[str, list[tuple[str, int, int | None]]]:
    """Each chart's bars recomputed here from the assignments and the records (not from the metrics)."""
    ranks = Counter(a.rank for a in result.assignments)
    worst = max(ranks, default=0)
    per_unit = Counter(a.unit for a in result.assignments)
    per_muni = Counter(a.municipality for a in result.assignments)
    offered = {}
    for m in problem.municipalities:
        total = sum(u.max_places for u in problem.units if u.municipality == m.id)
        offered[m.id] = total if m.max_places is None else min(total, m.max_places)
    fits = Counter(fit_bin(a.fit_points) for a in result.assignments)
    return {
        "rank_profile": [(str(k), ranks[k], None) for k in range(1, worst + 1)],
        "fill_units": [
            (u.id, per_unit[u.id], u.max_places) for u in sorted(problem.units, key=lambda u: (u.municipality, u.id))
        ],
        "fill_municipalities": [
            (m.id, per_muni[m.id], offered[m.id]) for m in sorted(problem.municipalities, key=lambda m: m.id)
        ],
        "fit_distribution": [(f"{k / 10:.1f}-{(k + 1) / 10:.1f}", fits[k], None) for k in range(10)],
    }


def test_chart_numbers_equal_the_result(joint: tuple[mm.Problem, mm.Result]) -> None:
    problem, result = joint
    charts = {c.key: [(b.label, b.value, b.capacity) for b in c.bars] for c in all_charts(result)}
    assert charts == _expected_charts(problem, result)
    assert sum(v for _, v, _ in charts["rank_profile"]) == len(result.assignments)
    assert sum(v for _, v, _ in charts["fit_distribution"]) == len(result.assignments)


def test_fit_bins_hold_their_upper_end() -> None:
    assert [fit_bin(p) for p in (0, 1, 1000, 1001, 9999, 10_000)] == [0, 0, 0, 1, 9, 9]
    assert fit_bin(-1) == -1
    assert fit_bin(10_001) == 10


def test_charts_without_metrics_come_from_the_assignments(joint: tuple[mm.Problem, mm.Result]) -> None:
    _, result = joint
    bare = result.model_copy(update={"decision": result.decision.model_copy(update={"metrics": None})})
    full = {c.key: c for c in all_charts(result)}
    for chart in all_charts(bare):
        assert chart.total == full[chart.key].total
    assert [b.value for b in all_charts(bare)[0].bars] == [b.value for b in full["rank_profile"].bars]


def _bars(page: str, key: str) -> list[tuple[str, int, int | None]]:
    figure = re.search(rf'<figure data-chart="{key}".*?</figure>', page, flags=re.DOTALL)
    assert figure is not None, key
    found = re.findall(
        r'<rect class="bar"[^>]*data-label="([^"]*)" data-value="(\d+)"(?: data-capacity="(\d+)")?', figure[0]
    )
    return [(label, int(v), int(c) if c else None) for label, v, c in found]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_page_is_self_contained_and_complete(joint: tuple[mm.Problem, mm.Result], lang: str) -> None:
    problem, result = joint
    page = html_report(result, problem, lang=lang)  # type: ignore[arg-type]
    assert "http" not in page.lower()
    assert not re.search(r"\b(?:src|href)=|url\(|@import", page)
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in page
    for a in result.assignments:
        assert f'<td class="id">{a.applicant}</td>' in page  # an id never breaks (white-space: nowrap)
    for u in result.unplaced:
        assert f'<td class="id">{u.applicant}</td>' in page
    expected = _expected_charts(problem, result)
    for key, bars in expected.items():
        assert _bars(page, key) == bars
    words = (
        ("Placeringsplan", "Sökande som inte är placerade", "Gällande policy", "Godkännande")
        if lang == "sv"
        else ("Placement plan", "Applicants not placed", "The policy in force", "Approval")
    )
    for word in words:
        assert word in page
    # units by name where the problem gives one, the id in brackets never broken
    assert 'Barn och ungdom Huddinge <span class="id">(huddinge-bou)</span>' in page


def test_an_infeasible_result_has_no_charts_and_says_why() -> None:
    problem = mm.load_problem(INFEASIBLE)
    result = mm.solve(problem)
    assert not result.status.has_plan
    page = html_report(result, problem)
    assert "data-chart" not in page
    assert 'class="status infeasible"' in page
    assert "There is no plan" in page
    assert "Nacka (nacka) takes at most 8 students;" in page  # why, from the explanation


def test_a_different_problem_is_refused(joint: tuple[mm.Problem, mm.Result]) -> None:
    _, result = joint
    with pytest.raises(mm.ResultMismatchError, match="different problem"):
        html_report(result, mm.load_problem(SODERTALJE))


def test_explained_reasons_come_from_the_explanations() -> None:
    problem = mm.load_problem(SODERTALJE)
    result = mm.solve(problem)
    page = html_report(result, problem, lang="sv", explain=True)
    first = result.unplaced[0].applicant
    text = explain(problem, result, first).text("sv", display_names(problem))
    for line in text.splitlines()[1:]:
        assert html_module.escape(line.removeprefix("- "), quote=True) in page


def test_report_command(tmp_path: Path) -> None:
    pytest.importorskip("click")
    from click.testing import CliRunner

    from matchmaker._cli import cli

    runner = CliRunner()
    result_path = tmp_path / "result.json"
    solved = runner.invoke(cli, ["solve", str(SODERTALJE), "-q", "-o", str(result_path)])
    assert solved.exit_code == 0, solved.output
    page = tmp_path / "report.html"
    run = runner.invoke(cli, ["report", str(result_path), "-o", str(page), "--lang", "sv", "--title", "VT26"])
    assert run.exit_code == 0, run.output
    assert run.output == f"rapporten skrevs till {page}\n"  # the confirmation in the --lang asked for
    text = page.read_text("utf-8")
    assert "<h1>VT26</h1>" in text
    assert "Södertälje" in text  # the problem was found through the result
    quiet = runner.invoke(cli, ["report", str(result_path), "-o", str(tmp_path / "r.txt"), "-q"])
    assert quiet.exit_code == 0
    assert quiet.output == ""
    assert (tmp_path / "r.txt").read_text("utf-8").startswith("Placement plan\n")
    printed = runner.invoke(cli, ["report", str(result_path)])
    assert printed.exit_code == 0
    assert printed.output.startswith("<!DOCTYPE html>")
    bad = runner.invoke(cli, ["report", str(result_path), "-o", str(tmp_path / "r.doc")])
    assert bad.exit_code == 2
    assert "a report's name ends in .html, .pdf or .txt" in bad.output
    other = runner.invoke(cli, ["report", str(result_path), "--problem", str(JOINT)])
    assert other.exit_code == 2
    assert "solved for a different problem" in other.output
    over = runner.invoke(cli, ["report", str(result_path), "-o", str(result_path)])
    assert over.exit_code == 2  # never over an input
    missing = runner.invoke(cli, ["report", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2


needs_chromium = pytest.mark.skipif(
    find_chromium() is None, reason="no Chromium: apt-get install chromium (.ci/run installs it)"
)


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_report_in_a_browser(joint: tuple[mm.Problem, mm.Result], tmp_path: Path, lang: str) -> None:
    """Rendered by headless Chromium: no script errors, nothing loaded, the key text shown, the charts'
    numbers (read through the DOM) equal the Result's, sorting works, a screenshot and a print."""
    problem, result = joint
    page = tmp_path / "report.html"
    page.write_text(html_report(result, problem, lang=lang), encoding="utf-8")  # type: ignore[arg-type]
    executable = find_chromium()
    assert executable is not None
    with Browser(executable) as browser:
        browser.open(page)
        shown = browser.evaluate("document.body.innerText")
        heading = "Placeringsplan" if lang == "sv" else "Placement plan"
        assert heading in shown
        assert ("Placeringar (40)" if lang == "sv" else "Placements (40)") in shown
        assert result.unplaced[0].applicant in shown
        drawn = browser.evaluate(
            """Object.fromEntries(Array.from(document.querySelectorAll("figure[data-chart]")).map(f => [
                f.dataset.chart,
                Array.from(f.querySelectorAll("rect.bar")).map(r => [
                    r.dataset.label, Number(r.dataset.value),
                    r.dataset.capacity === undefined ? null : Number(r.dataset.capacity),
                    r.getBBox().height > 0 || Number(r.dataset.value) === 0])]))"""
        )
        expected = _expected_charts(problem, result)
        assert {k: [tuple(b[:3]) for b in v] for k, v in drawn.items()} == expected
        assert all(b[3] for bars in drawn.values() for b in bars)  # every non-zero bar is drawn
        # A click on the "choice" header sorts the assignments by rank, descending on a second click.
        column = "val" if lang == "sv" else "choice"
        click = f"""(() => {{ const th = Array.from(document.querySelectorAll("#assignments th"))
            .find(h => h.textContent === "{column}"); th.click(); th.click();
            return Array.from(document.querySelectorAll("#assignments tbody tr"))
            .map(r => Number(r.cells[4].dataset.sort)); }})()"""
        ranks = browser.evaluate(click)
        assert ranks == sorted((a.rank for a in result.assignments), reverse=True)
        png = browser.screenshot()
        pdf = browser.pdf()
        assert browser.errors() == []
        assert browser.requests() == []
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 50_000  # a drawn page, not a blank one
    (tmp_path / "report.png").write_bytes(png)
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2  # the table continues on a second page


@needs_chromium
@pytest.mark.slow
def test_the_browser_test_sees_script_errors(tmp_path: Path) -> None:
    """The check above can fail: a page with a broken script is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction();</script></body></html>")
    executable = find_chromium()
    assert executable is not None
    with Browser(executable) as browser:
        browser.open(page)
        errors = browser.errors()
    assert len(errors) == 1
    assert "undefinedFunction" in errors[0]


def test_without_the_problem_the_report_shows_ids(joint: tuple[mm.Problem, mm.Result]) -> None:
    _, result = joint
    page = html_report(result)
    assert "Barn och ungdom Huddinge" not in page  # no names without the problem
    assert '<span class="id">huddinge-bou</span>' in page
    assert "--problem" in page  # says how to show the policy
    assert _bars(page, "rank_profile") == [(b.label, b.value, None) for b in all_charts(result)[0].bars]
    with pytest.raises(mm.ResultMismatchError, match="different problem"):
        html_report(result, mm.load_problem(SODERTALJE), explain=True)
