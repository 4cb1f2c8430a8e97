"""The bundled examples: regenerated exactly, solved optimally, verified, and their rules shown to bind."""

from __future__ import annotations

import json
import re
import runpy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import matchmaker as mm
from conftest import EXAMPLES

CASES = {
    # example folder: (applicant with a binding conflict, unit with a binding minimum, applicant whose tier matters)
    "sodertalje": ("VT26-07", "sdt-af", "VT26-18"),
    "huddinge-nacka-tyreso": ("HT26-012", "tyreso-af", "HT26-077"),
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name / "problem.json").read_text(encoding="utf-8"))
    return data


def plan(data: dict[str, Any]) -> tuple[dict[str, str], mm.Result]:
    problem = mm.Problem.model_validate(data)
    result = mm.solve(problem)
    assert mm.check(problem, result).ok
    assert result.status is mm.Status.OPTIMAL
    return {a.applicant: a.supervisor for a in result.assignments}, result


@pytest.mark.parametrize("name", sorted(CASES))
def test_generator_reproduces_the_file(name: str) -> None:
    module = runpy.run_path(str(EXAMPLES / name / "generate.py"))
    text = json.dumps(module["build"](), indent=2, ensure_ascii=False) + "\n"
    assert text == (EXAMPLES / name / "problem.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_run_script(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(EXAMPLES / name / "run.py"))
    result = module["main"]()
    out = capsys.readouterr().out
    assert result.status is mm.Status.OPTIMAL
    assert "status: optimal" in out
    assert f"{len(result.assignments)} placed" in out
    if name == "huddinge-nacka-tyreso":  # each municipality's share, from the metrics
        for m in result.decision.metrics.municipalities:
            assert f"{m.municipality}: {m.placed} of {m.offered} places filled" in out


def test_example_sizes() -> None:
    sdt = mm.Problem.model_validate(load("sodertalje"))
    hnt = mm.Problem.model_validate(load("huddinge-nacka-tyreso"))
    assert len(sdt.applicants) == 20
    assert sdt.municipalities[0].max_places == 9
    assert len(hnt.applicants) == 90
    assert sum(m.max_places or 0 for m in hnt.municipalities) == 40
    _, r = plan(load("huddinge-nacka-tyreso"))
    assert r.objective["placed"] == 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_removing_the_conflict_changes_the_plan(name: str) -> None:
    applicant = CASES[name][0]
    data = load(name)
    base, _ = plan(data)
    assert applicant not in base
    for a in data["applicants"]:
        if a["id"] == applicant:
            forbidden = a.pop("conflicts")["units"][0]
    changed, _ = plan(data)
    assert changed != base
    assert changed[applicant].startswith(forbidden[:3]) or applicant in changed


@pytest.mark.parametrize("name", sorted(CASES))
def test_removing_the_minimum_changes_the_plan(name: str) -> None:
    unit = CASES[name][1]
    data = load(name)
    base, r = plan(data)
    minimum = next(u["min_places"] for u in data["units"] if u["id"] == unit)
    assert Counter(a.unit for a in r.assignments)[unit] == minimum
    for u in data["units"]:
        if u["id"] == unit:
            u.pop("min_places")
    changed, r2 = plan(data)
    assert changed != base
    assert Counter(a.unit for a in r2.assignments)[unit] < minimum
    assert (r2.objective["total_fit"] or 0) > (r.objective["total_fit"] or 0)


@pytest.mark.parametrize("name", sorted(CASES))
def test_removing_the_tier_changes_the_plan(name: str) -> None:
    applicant = CASES[name][2]
    data = load(name)
    base, _ = plan(data)
    assert applicant in base
    for a in data["applicants"]:
        if a["id"] == applicant:
            a.pop("priority_tier")
    changed, _ = plan(data)
    assert applicant not in changed


def test_examples_exist_with_scripts() -> None:
    for name in CASES:
        folder: Path = EXAMPLES / name
        assert {"generate.py", "run.py", "problem.json"} <= {p.name for p in folder.iterdir()}


def test_infeasible_example_gets_a_minimal_core_and_a_working_relaxation(capsys: pytest.CaptureFixture[str]) -> None:
    folder = EXAMPLES / "nacka-infeasible"
    module = runpy.run_path(str(folder / "generate.py"))
    text = json.dumps(module["build"](), indent=2, ensure_ascii=False) + "\n"
    assert text == (folder / "problem.json").read_text(encoding="utf-8")
    explanation = runpy.run_path(str(folder / "run.py"))["main"]()
    out = capsys.readouterr().out
    assert "status: infeasible" in out
    assert "Dessa 3 villkor kan inte gälla samtidigt" in out
    assert {(c.kind, c.record) for c in explanation.core} == {
        ("municipality_max", "nacka"),
        ("unit_min", "nacka-af"),
        ("unit_min", "nacka-vux"),
    }
    data = json.loads(text)
    # Minimal: dropping any one member of the core gives a round with a plan.
    for drop in ("nacka-max", "nacka-af", "nacka-vux"):
        trial = json.loads(text)
        if drop == "nacka-max":
            next(m for m in trial["municipalities"] if m["id"] == "nacka")["max_places"] = None
        else:
            next(u for u in trial["units"] if u["id"] == drop)["min_places"] = 0
        assert mm.solve(mm.Problem.model_validate(trial)).status is mm.Status.OPTIMAL, drop
    # The relaxation (one place) restores a plan; nothing smaller than one change exists.
    (change,) = explanation.relaxation
    assert explanation.slack == 1
    assert (change.kind, change.record, change.before, change.after) == ("municipality_max", "nacka", 8, 9)
    next(m for m in data["municipalities"] if m["id"] == "nacka")["max_places"] = 9
    assert mm.solve(mm.Problem.model_validate(data)).status is mm.Status.OPTIMAL


PROGRAMME = EXAMPLES / "sodertalje-2018-2026"


def test_programme_generator_is_seeded() -> None:
    first = runpy.run_path(str(PROGRAMME / "generate.py"))["build"]()
    assert runpy.run_path(str(PROGRAMME / "generate.py"))["build"]() == first
    assert runpy.run_path(str(PROGRAMME / "generate.py"))["build"](seed=1) != first
    assert [(t["term"], t["year"]) for t in first["terms"]][::17] == [("VT", 2018), ("HT", 2026)]
    for spec in first["terms"]:
        problem = mm.Problem.model_validate(spec["step_1"])  # every term's round is valid
        assert all(re.fullmatch(r"(VT|HT)\d\d-\d\d", a.id) for a in problem.applicants)  # pseudonymous ids


def test_programme_runs_every_round_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    programme = runpy.run_path(str(PROGRAMME / "run.py"))["main"](tmp_path)
    out = capsys.readouterr().out
    rounds = programme.rounds
    assert all(r.result.status is mm.Status.OPTIMAL for r in rounds)  # and run.py checked every one
    # 18 terms of step 1; step 2 from the second term on; step 3 from the fourth (a year after step 2 began).
    assert Counter(r.step for r in rounds) == {1: 18, 2: 17, 3: 15}
    assert (rounds[0].step, rounds[-1].step, rounds[-1].year, rounds[-1].term) == (1, 1, 2026, "HT")
    # Shaped like the seeds: from 2020, 8 students a spring and 9 an autumn into step 1.
    for r in rounds:
        if r.step == 1 and r.year >= 2020:
            assert len(r.result.assignments) == (8 if r.term == "VT" else 9), (r.term, r.year)
    s1, s2, s3 = (programme.placed(k) for k in (1, 2, 3))
    assert 0.5 <= s2 / s1 <= 0.7  # the seeds: 44 of 74
    assert 0.3 <= s3 / s1 <= 0.5  # the seeds: 28 of 74
    # Every step-2 and step-3 applicant was placed in the step before, and comes with that placement.
    placed_in = {(r.step, a.applicant): a for r in rounds for a in r.result.assignments}
    for r in rounds:
        for a in r.problem.applicants if r.step > 1 else ():
            earlier = placed_in[(r.step - 1, a.id)]
            assert (a.previous_unit, a.previous_supervisor) == (earlier.unit, earlier.supervisor)
    # Employment takes none of a supervisor's student load; commitments name their students, and a
    # student is never loaded twice (validation refuses one student in two places at once).
    assert all(r.problem.policy.load_of(3) == 0 for r in rounds)
    assert all(c.applicant is not None for r in rounds for c in r.problem.commitments)
    assert any(r.problem.commitments for r in rounds if r.step == 1)
    # The README's figures are this run's.
    readme = (PROGRAMME / "README.md").read_text(encoding="utf-8")
    figures = [line for line in out.splitlines() if line.startswith(("2018-", "continuity,", "cohorts "))]
    assert len(figures) == 6
    for line in figures:
        assert line in readme
    report = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "Omgången: steg 1, VFU (verksamhetsförlagd utbildning), HT 2026." in report
    assert (tmp_path / "2026-HT-steg3.result.json").is_file()
    # The cohort figures, from the archive of every approved round, against the ledger of the run.
    with mm.Archive(tmp_path / "arkiv.sqlite", create=False) as archive:
        cohorts = archive.cohort_figures()
    total = cohorts.total()
    assert total.step_1 == s1  # no one is placed in step 1 twice
    assert (total.step_2, total.step_3) == (s2, s3)  # every step 2 within a term, every post within two
    seeds = [r for r in cohorts.select("all") if r.year is not None and r.year <= 2022]
    assert all(r.complete for r in seeds)
    n1, n2, n3 = (sum(getattr(r, f) for r in seeds) for f in ("step_1", "step_2", "step_3"))
    assert abs(n1 - 74) <= 5  # the seeds: 74 into step 1, 44 into step 2 (59 %), 28 hired (38 %)
    assert 0.5 <= n2 / n1 <= 0.7
    assert 0.3 <= n3 / n1 <= 0.5
    assert {r.value for r in cohorts.select("group", total=True)} <= set(
        runpy.run_path(str(PROGRAMME / "generate.py"))["UNIVERSITIES"]
    )
    page = (tmp_path / "kullar.html").read_text(encoding="utf-8")
    assert "<h1>Kullsiffror: steg 1 → steg 2 → anställning</h1>" in page
    assert f'data-flow="1-2" data-value="{s2}"' in page
