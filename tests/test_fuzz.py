"""Fuzz: malformed input never escapes as an unexpected exception.

Every public entry point that reads data gets random values, mutated valid documents and damaged
files (strategies in ``fuzz_strategies.py``, targets in ``fuzz_targets.py``). Each call must return a
valid value or raise :class:`matchmaker.InputError` whose every issue has a location, a message and a
fix: never another exception type, never a traceback from the command line. A valid problem that comes
out of a mutation must also solve, and its result must pass the independent checker.

``benchmarks/fuzz.py`` runs the same targets for as long as asked.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_targets as ft
import matchmaker as mm
from conftest import make_problem
from fuzz_strategies import (
    hostile_scalars,
    hostile_values,
    mutated,
    mutated_bytes,
    mutated_grid,
    mutated_text,
)
from matchmaker.io._json import problem_from_json
from strategies import problems

FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: The file formats cost a write and a read per example: fewer examples, same strategies.
FILES = settings(FUZZ, max_examples=30)


def example_docs() -> st.SearchStrategy[Any]:
    """A valid problem document: a generated round, or the Södertälje example."""
    return st.one_of(problems(), st.just(json.loads(ft.example_doc())))


def solves_cleanly(problem: mm.Problem) -> None:
    """A valid problem must solve, and the result must pass the independent check."""
    result = mm.solve(problem, mm.SolveOptions(workers=1))
    assert mm.check(problem, result).ok


@FUZZ
@given(hostile_values())
def test_model_validate_random_values(doc: Any) -> None:
    out = ft.validate_doc(doc)
    assert isinstance(out, mm.InputError)


@FUZZ
@given(mutated(example_docs()))
def test_model_validate_mutated_problems(doc: Any) -> None:
    out = ft.validate_doc(doc)
    if isinstance(out, mm.Problem):
        solves_cleanly(out)


@FUZZ
@given(mutated(example_docs()))
def test_problem_from_json_mutated_problems(doc: Any) -> None:
    ft.json_doc(doc)


@FUZZ
@given(st.data())
def test_problem_from_json_damaged_text(data: st.DataObject) -> None:
    ft.json_text(data.draw(mutated_text(ft.example_doc())))


@FUZZ
@given(st.data())
def test_problem_from_json_damaged_bytes(data: st.DataObject) -> None:
    ft.json_text(data.draw(mutated_bytes(ft.example_doc().encode("utf-8"))))


@FUZZ
@given(st.binary(max_size=300))
def test_problem_from_json_binary_garbage(data: bytes) -> None:
    assert isinstance(ft.json_text(data), mm.InputError)


@FILES
@given(st.data(), st.sampled_from([".json", ".xlsx", ""]))
def test_load_problem_damaged_files(data: st.DataObject, suffix: str) -> None:
    base = ft.tiny_xlsx() if suffix == ".xlsx" else ft.example_doc().encode("utf-8")
    ft.file_bytes(data.draw(mutated_bytes(base)), suffix)


@FUZZ
@given(st.data())
def test_result_from_json_damaged(data: st.DataObject) -> None:
    text = ft.tiny_result_json()
    if data.draw(st.booleans()):
        ft.result_text(data.draw(mutated_text(text)))
    else:
        ft.result_text(json.dumps(data.draw(mutated(st.just(json.loads(text)))), allow_nan=True))


@FILES
@given(st.data())
def test_csv_folder_damaged_cells(data: st.DataObject) -> None:
    grid = data.draw(mutated_grid(ft.problem_grid(ft.tiny_problem(), data.draw(st.sampled_from(["en", "sv"])))))
    ft.csv_folder(grid)


@FILES
@given(st.data(), st.sampled_from(["units", "applicants", "preferences", "round"]))
def test_csv_folder_damaged_bytes(data: st.DataObject, table: str) -> None:
    grid = ft.problem_grid(ft.tiny_problem())
    ft.csv_file_bytes(grid, table, data.draw(mutated_bytes(ft.grid_csv(grid[table]))))


@FILES
@given(st.data())
def test_excel_damaged_cells(data: st.DataObject) -> None:
    ft.xlsx_grid(data.draw(mutated_grid(ft.problem_grid(ft.tiny_problem()))))


@FILES
@given(st.data(), st.integers(0, 20))
def test_excel_damaged_zip_members(data: st.DataObject, member: int) -> None:
    damaged = ft.damage_zip_member(ft.tiny_xlsx(), member, lambda content: data.draw(mutated_bytes(content)))
    ft.file_bytes(damaged, ".xlsx")


@FILES
@given(st.data(), st.sampled_from(["csv", "xlsx", "json"]))
def test_results_in_every_format_damaged(data: st.DataObject, fmt: str) -> None:
    grid = {name: [list(r) for r in rows] for name, rows in ft.tiny_result_grid().items()}
    damaged = data.draw(mutated_grid(grid))
    if fmt == "csv":
        ft.csv_folder(damaged, result=True)
    elif fmt == "xlsx":
        ft.xlsx_grid(damaged, result=True)
    else:
        ft.file_bytes(data.draw(mutated_bytes(ft.tiny_result_json().encode("utf-8"))), ".json", result=True)


@FILES
@given(st.data())
def test_dataframes_damaged(data: st.DataObject) -> None:
    cells = st.one_of(hostile_scalars(), st.lists(hostile_scalars(), max_size=2), st.just(object()))
    ft.frames(data.draw(mutated_grid(ft.problem_grid(ft.tiny_problem()), lambda: cells)))


@FILES
@given(st.data())
def test_pseudonymise_damaged_roster(data: st.DataObject) -> None:
    ft.roster(data.draw(mutated_grid(ft.roster_grid())))


@FUZZ
@given(st.data())
def test_key_and_secret_damaged(data: st.DataObject) -> None:
    key = b"id,name,email,personnummer\r\nP-ABCDEFGHIJKL,Ada Testsson,,\r\n"
    ft.key_bytes(data.draw(mutated_bytes(key)))
    ft.secret_bytes(data.draw(mutated_bytes(b"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n")))


@FILES
@given(st.data(), st.sampled_from(["validate", "solve"]))
def test_cli_on_damaged_files(data: st.DataObject, command: str) -> None:
    if data.draw(st.booleans()):
        raw = data.draw(mutated_bytes(ft.example_doc().encode("utf-8")))
    else:
        raw = json.dumps(data.draw(mutated(problems())), allow_nan=True).encode("utf-8")
    ft.cli_file(raw, ".json", command)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"municipalities": [{"id": "m", "max_places": ' + "9" * 5_000 + "}]}", "digits"),
        ('{"name": "\\ud800"}', "unicode"),
        ("\x00", "not valid JSON"),
        ('{"municipalities": 1e400}', "finite"),
    ],
)
def test_known_hostile_json(text: str, expected: str) -> None:
    with pytest.raises(mm.InputError, match=expected) as info:
        problem_from_json(text, "x.json")
    ft.check_error(info.value)


def test_deeply_nested_record_is_an_input_error() -> None:
    nested: Any = "A1"
    for _ in range(5_000):
        nested = [nested]
    data = json.loads(ft.example_doc())
    data["applicants"][0]["id"] = nested
    with pytest.raises(mm.InputError) as info:
        mm.Problem.model_validate(data)
    ft.check_error(info.value)


def test_fuzzed_round_that_validates_also_solves() -> None:
    """The strategies do produce valid problems (so the solving branch above is exercised)."""
    problem = make_problem(json.loads(ft.example_doc()))
    solves_cleanly(problem)


def test_long_run_counts_its_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m benchmarks.fuzz`` runs the targets above with fresh seeds and reports the count."""
    import sys

    sys.path.insert(0, str(ft.ROOT))
    from benchmarks.fuzz import main

    assert main(["--minutes", "0.05", "--examples", "3", "--only", "binary_garbage"]) == 0
    out = capsys.readouterr().out
    assert "test_problem_from_json_binary_garbage" in out
    assert out.splitlines()[-1].startswith("total")
    assert int(out.splitlines()[-1].split()[1].replace(",", "")) >= 3  # "total N inputs in ..."


def test_the_rule_catches_what_it_should() -> None:
    """The fuzz targets' rule can fail: another exception type escapes, and an issue without a fix fails."""

    def crash() -> None:
        raise KeyError("a reader's bug")

    with pytest.raises(KeyError):
        ft.outcome(crash)

    def unhelpful() -> None:
        raise mm.InputError([mm.ValidationIssue("applicants[0]", "is wrong", " ")])

    with pytest.raises(AssertionError, match="without a fix"):
        ft.outcome(unhelpful)
