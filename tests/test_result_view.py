"""A result in a notebook (issue 22, item 6): ``_repr_html_`` shows the summary, the objective in plain
words and the first rows of placements and unplaced applicants; ``repr`` is one line."""

from __future__ import annotations

import re

import pytest

import matchmaker as mm
from conftest import EXAMPLES
from matchmaker.report import result_html_summary
from matchmaker.report._content import level_name, level_reading


@pytest.fixture(scope="module")
def result() -> mm.Result:
    return mm.solve(mm.load_problem(EXAMPLES / "huddinge-nacka-tyreso" / "problem.json"))


def test_repr_is_one_line_with_status_counts_engine_and_fingerprint(result: mm.Result) -> None:
    d = result.decision
    text = repr(result)
    assert "\n" not in text
    assert len(text) < 120
    assert text.startswith(f"<Result {d.status.value}: {len(d.assignments)} placed, {len(d.unplaced)} unplaced")
    assert f"engine {result.statistics.engine!r}" in text
    assert d.input_fingerprint.removeprefix("sha256:")[:12] in text


def test_html_shows_summary_levels_in_words_and_the_first_rows(result: mm.Result) -> None:
    d = result.decision
    page = result._repr_html_()
    assert f"{len(d.assignments)} placed, {len(d.unplaced)} unplaced; solved by {result.statistics.engine}" in page
    for level in d.objective:
        assert level_name(level.name, "en") in page
        reading = level_reading(level, "en", placed=len(d.assignments), seed=d.lottery_seed)
        assert reading.replace("&", "&amp;") in page
    assert "Mean fit per placed applicant" in page  # plain words, not the level's name total_fit
    shown = [x.applicant for x in d.assignments[:10]]
    assert all(f"<td>{a}</td>" in page for a in shown)
    assert f"<td>{d.assignments[10].applicant}</td>" not in page
    assert f"... and {len(d.assignments) - 10} more" in page
    assert f"<td>{d.unplaced[0].applicant}</td>" in page
    assert f"<td>{d.unplaced[10].applicant}</td>" not in page
    assert f"... and {len(d.unplaced) - 10} more" in page


def test_html_in_swedish(result: mm.Result) -> None:
    page = result_html_summary(result, "sv")
    assert "placerade" in page
    assert "Inte placerade" in page
    assert "Placed" not in page


def test_html_escapes_what_it_shows() -> None:
    problem = mm.Problem(
        municipalities=[mm.Municipality(id="M&<1>")],
        units=[mm.Unit(id="U<b>", municipality="M&<1>", area="A", max_places=1)],
        supervisors=[mm.Supervisor(id="S'\"", unit="U<b>")],
        applicants=[
            mm.Applicant(id="<script>1", ranking=mm.Ranking(units={"U<b>": 1})),
            mm.Applicant(id="<script>2", ranking=mm.Ranking(units={"U<b>": 1})),
        ],
    )
    page = mm.solve(problem)._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;1" in page
    assert "&lt;script&gt;2" in page
    assert "U&lt;b&gt;" in page
    assert not re.search(r"<td>[^<]*<b>", page)
