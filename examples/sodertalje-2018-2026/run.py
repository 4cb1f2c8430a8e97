"""Run the Södertälje programme 2018-2026: every term's step 3, step 2 and step 1 rounds, in order.

Each term, three rounds are solved and checked:

1. **Step 3 (employment)**: the studentmedarbetare who started a year ago and apply for a post are
   offered the term's posts (a post is a place in a supervisor's team; ``generate.py`` says how many
   each unit has). :func:`matchmaker.next_round` draws them from their step-2 round, so staying with
   their step-2 supervisor or unit earns the continuity bonus. An employee takes none of a supervisor's
   student load (``load_step_3`` = 0), and no training is required of a team's manager.
2. **Step 2 (studentmedarbetare)**: last term's VFU students who apply to go on, drawn with
   :func:`matchmaker.next_round` from their step-1 round, for a year; each supervisor takes one.
3. **Step 1 (VFU)**: the term's new applicants (from ``generate.py``, seeded).

Every placement goes into a ledger of who is where, from when to when. Each round's commitments are the
ledger's placements that still run on its first day, each naming its student: a studentmedarbetare
loads their supervisor while a new VFU student arrives, and a student of the round itself never counts
twice (their old placement stops when their new period starts). When a student is placed anew, their
old placement in the ledger ends the day before.

The studentmedarbetare contract runs to the end of January (or August) after the year, while a post
starts in early January (or mid-August): so the overlap is real, and is where the double count used to bite.

Every problem and result is written to OUT (default ``sodertalje-2018-2026-out``) with the report of
the last round, written by ``matchmaker report`` (in Swedish).

Run: ``python examples/sodertalje-2018-2026/run.py [OUT]``
"""

from __future__ import annotations

import datetime as dt
import runpy
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matchmaker as mm

HERE = Path(__file__).resolve().parent
OPTIONS = mm.SolveOptions(time_limit=60.0)
#: The seeds' figures for Södertälje since 2018, as published at the start of 2023.
SEEDS = {"step_1": 74, "step_2": 44, "hired": 28}


@dataclass
class Ledger:
    """Who is placed where: per student, their placements (supervisor, first day, last day, step)."""

    places: dict[str, list[tuple[str, dt.date, dt.date, int]]] = field(default_factory=dict)

    def running(self, day: dt.date, present: set[str]) -> list[dict[str, Any]]:
        """The placements still running on ``day`` with a supervisor of the round, as commitments."""
        return [
            {"supervisor": s, "start": a.isoformat(), "end": b.isoformat(), "step": step, "applicant": who}
            for who, places in sorted(self.places.items())
            for s, a, b, step in places
            if b >= day and s in present
        ]

    def record(self, problem: mm.Problem, result: mm.Result) -> None:
        """Add the result's placements; a student's earlier placement ends the day before the new one."""
        for a in result.assignments:
            period = problem.period_of[a.applicant]
            assert period is not None
            old = self.places.setdefault(a.applicant, [])
            cut = period.start - dt.timedelta(days=1)
            old[:] = [(s, x, min(y, cut), k) for s, x, y, k in old if x <= cut]
            old.append((a.supervisor, period.start, period.end, problem.step))


@dataclass
class Round:
    """One solved round."""

    term: str
    year: int
    step: int
    problem: mm.Problem
    result: mm.Result


@dataclass
class Programme:
    """Every round of the programme, in the order solved."""

    rounds: list[Round] = field(default_factory=list)

    def placed(self, step: int, *, until: int | None = None) -> int:
        """How many were placed in ``step`` (up to and including the year ``until``)."""
        return sum(
            len(r.result.assignments) for r in self.rounds if r.step == step and (until is None or r.year <= until)
        )


def intake(term: str, year: int, step: int) -> mm.Round:
    """The round of ``step`` in the term: step 2 runs a year (its contract to the end of the following
    January or August), step 3 is the first year in a post."""
    if step == 2:
        start = dt.date(year, 1, 13) if term == "VT" else dt.date(year, 8, 19)
        end = dt.date(year + 1, 1, 31) if term == "VT" else dt.date(year + 1, 8, 31)
    else:
        start = dt.date(year, 1, 8) if term == "VT" else dt.date(year, 8, 15)
        end = start + dt.timedelta(days=364)
    ident = f"{'sm' if step == 2 else 'anst'}-{term.lower()}{year % 100:02d}"
    return mm.Round(term=term, year=year, step=step, periods=(mm.Period(id=ident, start=start, end=end),))


def staffed(drawn: mm.Problem, roster: mm.Problem, posts: dict[str, int] | None, ledger: Ledger) -> mm.Problem:
    """``drawn`` (from :func:`matchmaker.next_round`) with the term's units and supervisors: one
    studentmedarbetare per supervisor in step 2; in step 3 ``posts`` places per unit, one in each of
    that many supervisors' teams (the others have none this term), and no training required."""
    data: dict[str, Any] = drawn.model_dump(mode="json")
    base = roster.model_dump(mode="json")
    data["municipalities"] = [{**m, "max_places": None} for m in base["municipalities"]]
    data["units"], data["supervisors"] = base["units"], base["supervisors"]
    for unit in data["units"]:
        staff = [s for s in data["supervisors"] if s["unit"] == unit["id"]]
        if posts is None:
            for s in staff:
                s["capacity"] = 1
            unit["max_places"] = len(staff)
        else:
            for k, s in enumerate(staff):
                s["capacity"] = 1 if k < posts.get(unit["id"], 0) else 0
            unit["max_places"] = min(posts.get(unit["id"], 0), len(staff))
    if posts is not None:
        data["policy"]["supervisor_training"] = "any"  # a post's manager needs no supervisor training
    first = min(p.start for p in drawn.round.periods) if drawn.round is not None else dt.date.min
    data["commitments"] = ledger.running(first, {s["id"] for s in data["supervisors"]})
    return mm.Problem.model_validate(data)


def solve(programme: Programme, ledger: Ledger, problem: mm.Problem, out: Path) -> Round:
    """Solve, check, record and write one round."""
    assert problem.round is not None
    result = mm.solve(problem, OPTIONS)
    mm.check(problem, result).raise_if_invalid()
    ledger.record(problem, result)
    r = problem.round
    done = Round(r.term, r.year, r.step, problem, result)
    programme.rounds.append(done)
    stem = out / f"{r.year}-{r.term}-steg{r.step}"
    mm.save_problem(problem, stem.with_suffix(".problem.json"))
    mm.save_result(result, stem.with_suffix(".result.json"))
    return done


def main(out: Path | None = None) -> Programme:
    """Solve every round in order, write them and the last round's report; print the figures."""
    out = Path("sodertalje-2018-2026-out") if out is None else out
    out.mkdir(parents=True, exist_ok=True)
    data = runpy.run_path(str(HERE / "generate.py"))["build"]()
    choices: dict[str, dict[str, bool]] = data["choices"]
    programme, ledger = Programme(), Ledger()
    step_1: dict[int, Round] = {}  # by term index
    step_2: dict[int, Round] = {}
    for index, spec in enumerate(data["terms"]):
        term, year = spec["term"], spec["year"]
        roster = mm.Problem.model_validate(spec["step_1"])
        line = [f"{term} {year}:"]
        sm = step_2.get(index - 2)  # a year as studentmedarbetare ends: hiring
        who = [] if sm is None else [a.applicant for a in sm.result.assignments if choices[a.applicant]["post"]]
        if sm is not None and who:
            drawn = mm.next_round(sm.problem, sm.result, intake(term, year, 3), applicants=who)
            hired = solve(programme, ledger, staffed(drawn, roster, spec["posts"], ledger), out)
            line.append(f"step 3 {len(hired.result.assignments)} of {len(who)} hired;")
        vfu = step_1.get(index - 1)  # last term's VFU students who go on
        who = [] if vfu is None else [a.applicant for a in vfu.result.assignments if choices[a.applicant]["step_2"]]
        if vfu is not None and who:
            drawn = mm.next_round(vfu.problem, vfu.result, intake(term, year, 2), applicants=who)
            step_2[index] = solve(programme, ledger, staffed(drawn, roster, None, ledger), out)
            line.append(f"step 2 {len(step_2[index].result.assignments)} of {len(who)};")
        assert roster.round is not None
        first = min(p.start for p in roster.round.periods)
        present = {s.id for s in roster.supervisors}
        fresh = mm.Problem.model_validate({**spec["step_1"], "commitments": ledger.running(first, present)})
        step_1[index] = solve(programme, ledger, fresh, out)
        line.append(f"step 1 {len(step_1[index].result.assignments)} of {len(fresh.applicants)}")
        print(" ".join(line))

    last = programme.rounds[-1]
    stem = out / f"{last.year}-{last.term}-steg{last.step}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "matchmaker",
            "report",
            str(stem.with_suffix(".result.json")),
            "--problem",
            str(stem.with_suffix(".problem.json")),
            "--lang",
            "sv",
            "-o",
            str(out / "rapport.html"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"report of the last round ({last.term} {last.year}, step {last.step}): {out / 'rapport.html'}")
    for label, until in (("2018-2022 (the seeds' period)", 2022), ("2018-2026", None)):
        s1, s2, s3 = (programme.placed(k, until=until) for k in (1, 2, 3))
        print(
            f"{label}: step 1 {s1}, step 2 {s2} ({s2 / s1:.0%}), hired {s3} ({s3 / s1:.0%} of step 1, "
            f"{s3 / s2:.0%} of step 2)"
        )
    print(f"seeds (2018 to early 2023): step 1 {SEEDS['step_1']}, step 2 {SEEDS['step_2']}, hired {SEEDS['hired']}")
    for step, what in ((2, "studentmedarbetare"), (3, "hired")):
        placed = [(r, a) for r in programme.rounds if r.step == step for a in r.result.assignments]
        same_sup = sum(1 for r, a in placed if a.continuity == r.problem.policy.continuity_same_supervisor)
        same_unit = sum(1 for r, a in placed if a.continuity == r.problem.policy.continuity_same_unit)
        print(
            f"continuity, {what}: {same_sup} of {len(placed)} with the same supervisor, "
            f"{same_unit} more in the same unit"
        )
    cohorts(programme, out)
    return programme


def cohorts(programme: Programme, out: Path) -> mm.CohortFigures:
    """Every round approved into a programme archive (``OUT/arkiv.sqlite``), and its cohort figures:
    the page ``OUT/kullar.html`` (in Swedish, with its flow chart) and a line per span of cohorts."""
    path = out / "arkiv.sqlite"
    path.unlink(missing_ok=True)
    with mm.Archive(path) as archive:
        for r in programme.rounds:
            approved = mm.approve(
                r.problem, r.result, "samordnare-1", approved_at=f"{r.year}-{'01' if r.term == 'VT' else '08'}-01"
            )
            archive.add(r.problem, r.result, approved)
        figures = archive.cohort_figures()
    mm.save_cohort_figures(figures, out / "kullar.html", lang="sv")
    print(f"cohort page: {out / 'kullar.html'}")
    for label, until in (("cohorts 2018-2022 (the seeds' period)", 2022), ("cohorts 2018-2026", 2026)):
        rows = [r for r in figures.select("all") if r.year is not None and r.year <= until]
        s1, s2, s3 = (sum(getattr(r, f) for r in rows) for f in ("step_1", "step_2", "step_3"))
        still = sum(r.open_2 + r.open_3 for r in rows)
        print(
            f"{label}: step 1 {s1}, later in step 2 {s2} ({s2 / s1:.0%}), of them hired {s3} "
            f"({s3 / s1:.0%} of step 1); {still} still open"
        )
    return figures


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
