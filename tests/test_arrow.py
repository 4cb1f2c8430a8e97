"""Arrow tables and Parquet folders: the column-by-column path against the record route.

A round written as Arrow tables (or Parquet files) and read back is the identical problem, with the
same fingerprint and decision as the JSON route; the plain columns are read whole (the fast path), and
broken tables give exactly the issues of the CSV route, and for the rules of the records the messages
of the JSON route.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import matchmaker as mm
from conftest import EXAMPLES, make_problem
from matchmaker._plain_records import applicants_of
from matchmaker.errors import InputError, InputFileError, MissingExtraError
from matchmaker.io._arrow import _fast_problem
from matchmaker.io._json import problem_from_json
from strategies import grouped_problems, rich_problems, weighted_problems

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pacsv = pytest.importorskip("pyarrow.csv")

SDT = EXAMPLES / "sodertalje" / "problem.json"

Tables = dict[str, Any]


def _fast(tables: Tables) -> mm.Problem | None:
    return _fast_problem(tables, {name: f"Arrow table {name!r}" for name in tables}, "the Arrow tables")


def _identical(a: mm.Problem, b: mm.Problem) -> None:
    assert b == a
    assert b.fingerprint() == a.fingerprint()
    assert mm.dump_problem(b) == mm.dump_problem(a)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(rich_problems(), weighted_problems(), grouped_problems()), lang=st.sampled_from(["en", "sv"]))
def test_random_rounds_read_column_by_column_as_the_record_route(raw: dict[str, Any], lang: str) -> None:
    """The fast path takes every table the writer makes, and gives the JSON route's problem and decision."""
    problem = make_problem(raw)
    by_json = problem_from_json(mm.dump_problem(problem))
    tables = mm.problem_to_arrow(problem, lang=lang)  # type: ignore[arg-type]
    with mock.patch("matchmaker.io._columns.applicants_of", wraps=applicants_of) as made:
        fast = _fast(tables)
    assert fast is not None  # nothing in the writer's tables needs the cell route
    assert made.call_count == 1  # nor the applicants' records pydantic
    _identical(by_json, fast)
    with mock.patch("matchmaker.io._columns._plain_values", return_value=False):
        validated = _fast(tables)  # the same mappings, each validated as a record by pydantic
    assert validated is not None
    _same_records(validated, fast)
    _identical(by_json, mm.problem_from_arrow(tables))
    assert mm.solve(fast).decision_json() == mm.solve(by_json).decision_json()


def _same_records(a: mm.Problem, b: mm.Problem) -> None:
    """The applicants' records of ``b`` (made from plain columns) are ``a``'s (validated from the same
    mappings) in every way: values, types, the fields given (what ``exclude_unset`` dumps), pickled and
    copied; frozen."""
    assert len(a.applicants) == len(b.applicants)
    for x, y in zip(a.applicants, b.applicants, strict=True):
        for field in ("interests", "ranking", "conflicts"):
            nested_x, nested_y = getattr(x, field), getattr(y, field)
            assert (nested_x is None) == (nested_y is None)
            if nested_x is not None:
                assert nested_y.model_fields_set == nested_x.model_fields_set
        assert [s.model_fields_set for s in y.interview] == [s.model_fields_set for s in x.interview]
        assert y.model_fields_set == x.model_fields_set
        assert y.model_dump(exclude_unset=True) == x.model_dump(exclude_unset=True)
        assert [type(v) for v in y.__dict__.values()] == [type(v) for v in x.__dict__.values()]
        assert list(y.__dict__) == list(x.__dict__)
        assert y.model_dump_json() == x.model_dump_json()
        with pytest.raises(ValidationError):
            y.id = "changed"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(b)) == a  # noqa: S301 (our own bytes)
    assert copy.deepcopy(b) == a
    assert b.model_copy() == a


def test_examples_through_a_parquet_folder(tmp_path: Path) -> None:
    for example in ("sodertalje", "huddinge-nacka-tyreso"):
        problem = mm.load_problem(EXAMPLES / example / "problem.json")
        folder = tmp_path / f"{example}.parquet"
        mm.save_problem(problem, folder, lang="sv")
        assert {p.name for p in folder.iterdir()} >= {"Enheter.parquet", "Handledare.parquet", "Sökande.parquet"}
        again = mm.load_problem(folder)
        _identical(problem, again)
        assert mm.solve(again).decision_json() == mm.solve(problem).decision_json()


def _weighted_round() -> mm.Problem:
    """The Södertälje round with pair weights: a unit's weight and a supervisor's own, for two applicants."""
    data = json.loads(SDT.read_text("utf-8"))
    first, second = data["applicants"][0], data["applicants"][1]
    unit, sup = "sdt-bou", "H-BOU-1"  # of the area both wish first
    assert "Barn och ungdom" in first["interests"]["areas"]
    unwished = next(u["id"] for u in data["units"] if u["area"] not in first["interests"]["areas"])
    rows = [
        {"applicant": first["id"], "unit": unwished, "weight": 1.5},  # an error with unwished="error"
        {"applicant": first["id"], "unit": unit, "weight": 12.5},
        {"applicant": first["id"], "supervisor": sup, "weight": 30},
        {"applicant": second["id"], "unit": unit, "weight": 7},
    ]
    data["pair_weights"] = {"scale": 10, "unwished": "ignore", "rows": rows}
    data["policy"]["pair_weights"] = "add"
    return mm.Problem.model_validate(data)


def _replace(tables: Tables, name: str, column: str, values: list[Any], type_: Any = None) -> Tables:
    table = tables[name]
    i = table.column_names.index(column)
    out = dict(tables)
    out[name] = table.set_column(i, column, pa.array(values, type=type_ or table.schema.field(i).type))
    return out


def _append_row(tables: Tables, name: str, index: int) -> Tables:
    """``name`` with its row ``index`` repeated at the end."""
    out = dict(tables)
    out[name] = pa.concat_tables([tables[name], tables[name].slice(index, 1)])
    return out


def _column(tables: Tables, name: str, column: str) -> list[Any]:
    values: list[Any] = tables[name].column(column).to_pylist()
    return values


#: Ways to break a round's tables: each makes one or more issues that a reader must name.
BREAKS: dict[str, Callable[[Tables], Tables]] = {
    "pair names an unknown applicant": lambda t: _replace(
        t, "pairs", "applicant", ["nobody", *_column(t, "pairs", "applicant")[1:]]
    ),
    "pair weight with too many decimals": lambda t: _replace(
        t, "pairs", "weight", [0.125, *_column(t, "pairs", "weight")[1:]]
    ),
    "pair repeated": lambda t: _append_row(t, "pairs", 0),
    "wish repeated": lambda t: _append_row(t, "preferences", 0),
    "applicant repeated": lambda t: _append_row(t, "applicants", 1),
    "wish of an unknown area": lambda t: _replace(
        t, "preferences", "option", ["Nowhere", *_column(t, "preferences", "option")[1:]]
    ),
    "supervisor of an unknown unit": lambda t: _replace(
        t, "supervisors", "unit", ["nowhere", *_column(t, "supervisors", "unit")[1:]]
    ),
    "negative capacity": lambda t: _replace(
        t, "supervisors", "capacity", [-1, *_column(t, "supervisors", "capacity")[1:]]
    ),
    "empty applicant id": lambda t: _replace(
        t, "interview_scores", "applicant", [None, *_column(t, "interview_scores", "applicant")[1:]]
    ),
    "unwished weights are errors": lambda t: _replace(t, "round", "pair_weights_unwished", ["error"]),
    # The applicants' own fields, checked on whole columns: anything amiss goes to the cell route.
    "a wish's weight above one": lambda t: _replace(
        t, "preferences", "weight", [1.5, *_column(t, "preferences", "weight")[1:]]
    ),
    "a wish's weight negative": lambda t: _replace(
        t, "preferences", "weight", [*_column(t, "preferences", "weight")[:-1], -0.25]
    ),
    "a university's name too long": lambda t: _replace(
        t, "applicants", "university", ["x" * 201, *_column(t, "applicants", "university")[1:]]
    ),
    "a control character in an interviewer's id": lambda t: _replace(
        t, "interview_scores", "interviewer", ["a\tb", *_column(t, "interview_scores", "interviewer")[1:]]
    ),
    "an interview score out of range": lambda t: _replace(
        t, "interview_scores", "score", [1e13, *_column(t, "interview_scores", "score")[1:]]
    ),
    "a priority tier of zero": lambda t: _replace(
        t, "applicants", "priority_tier", [0, *_column(t, "applicants", "priority_tier")[1:]]
    ),
    # And the rules between the applicants and the other records.
    "an interview score of an unknown criterion": lambda t: _replace(
        t, "interview_scores", "criterion", ["charm", *_column(t, "interview_scores", "criterion")[1:]]
    ),
    "an interview score outside its scale": lambda t: _replace(
        t, "interview_scores", "score", [9.0, *_column(t, "interview_scores", "score")[1:]]
    ),
    "a conflict with an unknown unit": lambda t: _replace(
        t, "conflicts", "unit", ["nowhere", *_column(t, "conflicts", "unit")[1:]]
    ),
    "a wish's weight as text": lambda t: _replace(
        t, "preferences", "weight", ["lots", *map(str, _column(t, "preferences", "weight")[1:])], pa.string()
    ),
}


def _issues(read: Callable[[], object]) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        read()
    return sorted((issue.message, issue.fix) for issue in caught.value.issues)


def _rows_from_one(issues: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A CSV file's issues with its rows counted as Arrow's: from the first row of data, not the header."""

    def shift(text: str) -> str:
        return re.sub(r"\brow (\d+)", lambda m: f"row {int(m.group(1)) - 1}", text)

    return sorted((shift(message), shift(fix)) for message, fix in issues)


def _as_csv(tables: Tables, folder: Path) -> Path:
    folder.mkdir()
    for name, table in tables.items():
        pacsv.write_csv(table, folder / f"{name}.csv")
    return folder


@pytest.mark.parametrize("broken", sorted(BREAKS))
def test_broken_tables_give_the_csv_routes_issues(broken: str, tmp_path: Path) -> None:
    """The same broken tables read from Arrow, from Parquet and from CSV: the same issues, every one."""
    tables = BREAKS[broken](mm.problem_to_arrow(_weighted_round()))
    assert _fast(tables) is None
    from_arrow = _issues(lambda: mm.problem_from_arrow(tables))
    assert from_arrow  # the break is named
    assert _rows_from_one(_issues(lambda: mm.load_problem(_as_csv(tables, tmp_path / "csv")))) == from_arrow
    folder = tmp_path / "round.parquet"
    folder.mkdir()
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet")
    assert _issues(lambda: mm.load_problem(folder)) == from_arrow


def _json_issues(data: dict[str, Any]) -> list[tuple[str, str]]:
    return _issues(lambda: problem_from_json(json.dumps(data)))


@pytest.mark.parametrize(
    ("broken", "change"),
    [
        ("pair weight with too many decimals", lambda d: d["pair_weights"]["rows"][0].update(weight=0.125)),
        ("pair repeated", lambda d: d["pair_weights"]["rows"].append(dict(d["pair_weights"]["rows"][0]))),
        ("unwished weights are errors", lambda d: d["pair_weights"].update(unwished="error")),
        (
            "negative capacity",
            lambda d: d["supervisors"].sort(key=lambda s: s["id"]) or d["supervisors"][0].update(capacity=-1),
        ),
    ],
)
def test_rule_issues_say_what_the_json_route_says(broken: str, change: Callable[[dict[str, Any]], None]) -> None:
    """A broken rule of the records: the columnar path's message and fix are the JSON route's."""
    problem = _weighted_round()
    data = json.loads(mm.dump_problem(problem))
    change(data)
    tables = BREAKS[broken](mm.problem_to_arrow(problem))
    assert _issues(lambda: mm.problem_from_arrow(tables)) == _json_issues(data)


def test_unwished_weight_is_named_by_table_row_and_column() -> None:
    tables = BREAKS["unwished weights are errors"](mm.problem_to_arrow(_weighted_round()))
    with pytest.raises(mm.ProblemValidationError) as caught:
        mm.problem_from_arrow(tables)
    assert any(issue.location.startswith("Arrow table 'pairs', row ") for issue in caught.value.issues)


def test_other_arrow_types_read_the_same() -> None:
    """Large and dictionary-encoded text, narrow integers and decimals hold the same values."""
    problem = _weighted_round()
    tables = mm.problem_to_arrow(problem)
    tables = _replace(tables, "applicants", "id", _column(tables, "applicants", "id"), pa.large_string())
    tables["preferences"] = tables["preferences"].set_column(
        0, "applicant", tables["preferences"].column("applicant").dictionary_encode()
    )
    tables = _replace(tables, "supervisors", "capacity", _column(tables, "supervisors", "capacity"), pa.int8())
    fast = _fast(tables)
    assert fast is not None
    _identical(problem, fast)
    # A decimal column is read exactly through the cell route (its text), as a weight typed in a sheet.
    from decimal import Decimal

    weights = [None if w is None else Decimal(str(w)) for w in _column(tables, "pairs", "weight")]
    decimals = _replace(tables, "pairs", "weight", weights, pa.decimal128(18, 3))
    _identical(problem, mm.problem_from_arrow(decimals))
    batches = {name: table.combine_chunks().to_batches()[0] for name, table in tables.items() if table.num_rows}
    empty = {name: table for name, table in tables.items() if not table.num_rows}
    _identical(problem, mm.problem_from_arrow({**batches, **empty}))


def test_spaces_take_the_cell_route_which_strips_them() -> None:
    problem = _weighted_round()
    tables = mm.problem_to_arrow(problem)
    padded = _replace(tables, "pairs", "applicant", [f" {a} " for a in _column(tables, "pairs", "applicant")])
    assert _fast(padded) is None
    _identical(problem, mm.problem_from_arrow(padded))


def test_parquet_paths(tmp_path: Path) -> None:
    assert mm.io.format_of(tmp_path / "round.parquet") == "parquet"
    problem = mm.load_problem(SDT)
    plain = tmp_path / "round"
    mm.io.dump_problem_parquet(problem, plain)
    assert mm.io.format_of(plain) == "parquet"  # a folder of .parquet files, whatever its name
    _identical(problem, mm.load_problem(plain))
    (plain / "units.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputFileError) as caught:
        mm.load_problem(plain)
    assert caught.value.issues[0].location.endswith("units.parquet")
    assert "is not a Parquet file" in caught.value.issues[0].message
    single = tmp_path / "one.parquet"
    single.write_bytes(b"")
    with pytest.raises(InputFileError, match="is not a folder"):
        mm.load_problem(single)


def test_parquet_folder_refuses_the_other_languages_tables(tmp_path: Path) -> None:
    problem = mm.load_problem(SDT)
    folder = tmp_path / "r.parquet"
    mm.save_problem(problem, folder, lang="sv")
    with pytest.raises(InputError, match="also holds"):
        mm.save_problem(problem, folder, lang="en")


def test_results_through_parquet(tmp_path: Path) -> None:
    problem = mm.load_problem(SDT)
    result = mm.solve(problem)
    for lang in ("en", "sv"):
        mm.save_result(result, tmp_path / f"r-{lang}.parquet", lang=lang)
        assert mm.load_result(tmp_path / f"r-{lang}.parquet") == result
        assert mm.result_from_arrow(mm.result_to_arrow(result, lang=lang)) == result


def test_without_pyarrow_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingExtraError, match=r"matchmaker\[arrow\]"):
        mm.problem_to_arrow(mm.load_problem(SDT))


def test_cli_solves_a_parquet_folder(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from matchmaker._cli import EXIT_OK, cli

    problem = mm.load_problem(SDT)
    folder = tmp_path / "round.parquet"
    mm.save_problem(problem, folder)
    out = tmp_path / "result.parquet"
    run = CliRunner().invoke(cli, ["solve", str(folder), "-o", str(out), "-q"])
    assert run.exit_code == EXIT_OK, run.output
    result = mm.load_result(out)
    assert mm.check(problem, result).ok
    assert result.decision_json() == mm.solve(problem).decision_json()
    check = CliRunner().invoke(cli, ["validate", str(folder)])
    assert check.exit_code == EXIT_OK, check.output


# -- pair weights held as columns ---------------------------------------------------------------------


def _whole(data: dict[str, Any], unwished: str) -> dict[str, Any]:
    """``data`` with every pair weight made whole (so that the columnar path holds them as columns)."""
    for row in data["pair_weights"]["rows"]:
        row["weight"] = int(row["weight"] * 4)
    data["pair_weights"]["unwished"] = unwished
    return data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=weighted_problems())
def test_whole_weights_are_held_as_columns(raw: dict[str, Any]) -> None:
    """Whole weights: the fast path keeps the rows as columns, and the problem, its dumps, fingerprint
    and decision are the JSON route's (broken columns: see the tests below)."""
    by_json = problem_from_json(mm.dump_problem(make_problem(_whole(raw, "ignore"))))
    fast = _fast(mm.problem_to_arrow(by_json))
    assert fast is not None
    table = fast.pair_weights
    assert table is not None
    assert by_json.pair_weights is not None
    assert (table.columns is not None) == bool(by_json.pair_weights.rows)
    assert fast.fingerprint() == by_json.fingerprint()
    assert "rows" not in table.__dict__ or not table.__dict__["rows"]  # the fingerprint read the columns
    assert fast.model_dump_json() == by_json.model_dump_json()
    assert fast.model_dump() == by_json.model_dump()
    _identical(by_json, fast)
    assert mm.solve(fast).decision_json() == mm.solve(by_json).decision_json()


def _columnar_round() -> mm.Problem:
    """The Södertälje round with whole pair weights, read back through the columns."""
    data = json.loads(mm.dump_problem(_weighted_round()))
    data["pair_weights"]["rows"] = [{**row, "weight": int(row["weight"] * 2)} for row in data["pair_weights"]["rows"]]
    fast = _fast(mm.problem_to_arrow(problem_from_json(json.dumps(data))))
    assert fast is not None
    assert fast.pair_weights is not None
    assert fast.pair_weights.columns is not None
    return fast


def test_a_columnar_table_pickles_and_copies() -> None:
    import copy
    import pickle

    problem = _columnar_round()
    by_json = problem_from_json(mm.dump_problem(problem))
    for again in (
        pickle.loads(pickle.dumps(problem)),  # noqa: S301 (our own bytes)
        copy.copy(problem),
        copy.deepcopy(problem),
        problem.model_copy(),
        problem.model_copy(update={"name": problem.name}),
    ):
        assert again == by_json == problem
        assert again.fingerprint() == by_json.fingerprint()
        assert again.model_dump_json() == by_json.model_dump_json()
    table = pickle.loads(pickle.dumps(problem.pair_weights))  # noqa: S301 (our own bytes)
    assert table == by_json.pair_weights
    assert hash(table) == hash(by_json.pair_weights)
    assert by_json.pair_weights is not None
    assert table.rows == by_json.pair_weights.rows  # made on demand


@pytest.mark.parametrize("broken", sorted(BREAKS))
def test_broken_columnar_tables_give_the_csv_routes_issues(broken: str, tmp_path: Path) -> None:
    """As test_broken_tables_give_the_csv_routes_issues, on a round whose weights the fast path holds as columns."""
    tables = BREAKS[broken](mm.problem_to_arrow(_columnar_round()))
    assert _fast(tables) is None
    from_arrow = _issues(lambda: mm.problem_from_arrow(tables))
    assert from_arrow
    assert _rows_from_one(_issues(lambda: mm.load_problem(_as_csv(tables, tmp_path / "csv")))) == from_arrow


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows.append(dict(rows[0])),  # a pair repeated
        lambda rows: rows[0].update(applicant="nobody"),
        lambda rows: rows[1].update(weight=10**13),  # out of range
        lambda rows: rows[0].update(unit="nowhere") if "unit" in rows[0] else rows[0].update(supervisor="nobody"),
    ],
)
def test_columns_given_to_a_problem_say_what_the_rows_say(change: Callable[[list[dict[str, Any]]], None]) -> None:
    """Columns that break a rule, validated by a Problem: the issues (and where) of the same rows as records."""
    from matchmaker._models import PairWeights
    from matchmaker._pair_columns import PairColumns

    data = json.loads(mm.dump_problem(_columnar_round()))
    rows = data["pair_weights"]["rows"]
    change(rows)
    columns = PairColumns(
        tuple(r["applicant"] for r in rows),
        tuple(r.get("supervisor") for r in rows),
        tuple(r.get("unit") for r in rows),
        tuple(r["weight"] for r in rows),
    )
    with pytest.raises(mm.ProblemValidationError) as caught:
        mm.Problem.model_validate(
            {**data, "pair_weights": PairWeights._of_columns({"scale": 10, "unwished": "ignore"}, columns)}
        )
    assert sorted((i.location, i.message, i.fix) for i in caught.value.issues) == sorted(
        (i.location, i.message, i.fix) for i in _json_error(data).issues
    )


def _json_error(data: dict[str, Any]) -> InputError:
    with pytest.raises(InputError) as caught:
        problem_from_json(json.dumps(data))
    return caught.value


def test_pair_weights_from_arrays_are_held_as_columns() -> None:
    """Numpy arrays of plain ids and whole weights: columns, the same table and problem as the records;
    anything else (decimal text, a padded id, a control character) the records, which say what is wrong."""
    import numpy as np

    from matchmaker._models import PairWeights

    problem = _columnar_round()
    rows = [r for r in problem.pair_weights.rows if r.unit is not None]  # type: ignore[union-attr]
    apps: Any = np.array([r.applicant for r in rows])
    units: Any = np.array([r.unit for r in rows])
    weights: Any = np.array([r.weight for r in rows], dtype=np.int64)
    table = PairWeights.from_arrays(apps, units, weights, place="unit", scale=10, unwished="ignore")
    records = PairWeights.model_validate(
        {"scale": 10, "unwished": "ignore", "rows": [r.model_dump(exclude_none=True) for r in rows]}
    )
    assert table.columns is not None
    assert records.columns is None
    assert table == records
    assert table.model_dump() == records.model_dump()
    data = {**problem.model_dump(), "pair_weights": table}
    again = mm.Problem.model_validate(data)
    assert again.fingerprint() == mm.Problem.model_validate({**data, "pair_weights": records}).fingerprint()
    floats = PairWeights.from_arrays(apps, units, weights.astype(float), place="unit", scale=10, unwished="ignore")
    assert floats.columns is not None
    assert floats == records
    for odd in ([str(w) for w in weights], [w + 0.5 for w in weights.tolist()]):
        assert PairWeights.from_arrays(apps, units, odd, place="unit", scale=10).columns is None
    assert PairWeights.from_arrays([f" {a}" for a in apps], units, weights, place="unit", scale=10).columns is None
    with pytest.raises(mm.ProblemValidationError, match="control character"):
        PairWeights.from_arrays(["a\tb", *apps[1:]], units, weights, place="unit")


def test_pair_weights_dump_schema_is_the_fields() -> None:
    """The serializer that makes the rows first leaves the dump's JSON schema that of the fields."""
    dumped = mm.Problem.model_json_schema(mode="serialization")["$defs"]["PairWeights"]
    assert dumped["properties"].keys() == {"scale", "unwished", "rows"}
    assert dumped["properties"]["rows"] == mm.Problem.model_json_schema()["$defs"]["PairWeights"]["properties"]["rows"]
