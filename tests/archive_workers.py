"""Rounds for the archive tests, and the writers they run in other processes (spawned: importable by name).

:func:`tiny_round` makes one approved round of the conftest's tiny problem for a given year and term;
:func:`add_rounds` adds rounds from another process; :func:`add_and_hang` adds one but stops inside the
write transaction (the archive's test hook) until the test kills it.
"""

from __future__ import annotations

import copy
import time
from typing import Any, Literal

import matchmaker as mm
import matchmaker.io._archive as archive_module
from conftest import TINY
from matchmaker.io._json import problem_from_json, result_from_json

__all__ = ["add_and_hang", "add_rounds", "as_texts", "tiny_round"]

Round3 = tuple[mm.Problem, mm.Result, mm.AuditRecord]


def tiny_round(year: int, term: Literal["VT", "HT"] = "HT", *, step: int = 1, **changes: Any) -> Round3:
    """The tiny round in ``year`` and ``term``, solved (lottery seed = year) and approved by official-7."""
    data = copy.deepcopy(TINY)
    data["round"] = {"term": term, "year": year, "step": step}
    data["policy"] = {"lottery_seed": year}
    data.update(changes)
    problem = mm.Problem.model_validate(data)
    result = mm.solve(problem)
    return problem, result, mm.approve(problem, result, "official-7", approved_at=f"{year}-06-01")


def as_texts(rounds: list[Round3]) -> list[tuple[str, str, str]]:
    """The rounds as JSON texts (to send to another process)."""
    return [(p.model_dump_json(), r.to_json(), a.to_json()) for p, r, a in rounds]


def _objects(texts: tuple[str, str, str]) -> Round3:
    problem, result, record = texts
    return problem_from_json(problem), result_from_json(result), mm.AuditRecord.model_validate_json(record)


def add_rounds(path: str, rounds: list[tuple[str, str, str]], start: Any) -> None:
    """Add ``rounds`` to the archive at ``path``, one transaction each, once every writer is ready
    (``start``, a barrier: so that the writers overlap rather than one finishing before the other starts)."""
    objects = [_objects(texts) for texts in rounds]
    # Hold each write transaction a moment, so that the other writer meets the lock and waits on it.
    archive_module._inside_write = lambda: time.sleep(0.02)
    with mm.Archive(path) as archive:
        start.wait()
        for problem, result, record in objects:
            archive.add(problem, result, record)
            time.sleep(0.05)  # a pause between rounds, as between two officials' clicks: the other writer's turn


def add_and_hang(path: str, texts: tuple[str, str, str], inside: Any) -> None:
    """Add one round, but inside the write transaction set the event ``inside`` and sleep (until killed)."""

    def hang() -> None:
        inside.set()
        time.sleep(600)

    archive_module._inside_write = hang
    with mm.Archive(path) as archive:
        archive.add(*_objects(texts))
