"""JSON in and out: strict parsing, clear errors naming file, line and column, and round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import matchmaker as mm
from conftest import EXAMPLES
from matchmaker.io._json import atomic_write_text, problem_from_json, result_from_json

SDT = EXAMPLES / "sodertalje" / "problem.json"


def test_problem_and_result_round_trip(tmp_path: Path) -> None:
    p = mm.load_problem(SDT)
    r = mm.solve(p)
    mm.dump_problem(p, tmp_path / "p.json")
    mm.dump_result(r, tmp_path / "r.json")
    problem, result = mm.load_problem(tmp_path / "p.json"), mm.load_result(tmp_path / "r.json")
    assert problem == p
    assert problem.fingerprint() == p.fingerprint()
    assert result == r
    assert result.decision_json() == r.decision_json()
    assert mm.check(p, result).ok


def test_result_json_layout() -> None:
    r = mm.solve(mm.load_problem(SDT))
    data = json.loads(r.to_json())
    assert {"decision", "statistics", "schema_version", "kind"} <= set(data)
    decision = data["decision"]
    assert {"status", "objective", "assignments", "unplaced", "input_fingerprint", "lottery_seed"} <= set(decision)
    assert {"applicant", "supervisor", "unit"} <= set(decision["assignments"][0])
    assert "wall_time" not in json.dumps(decision)


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "units": [\n    {"id": "U1",}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(mm.InputFileError, match=r"bad.json line 3, column 17: is not valid JSON"):
        mm.load_problem(bad)


#: JSON text that is refused, and what the error says.
REFUSED_JSON = [
    pytest.param(
        '{"units": [{"id": "U", "max_places": 1, "max_places": 2}]}',
        "the key 'max_places' appears twice",
        id="duplicate_keys_refused",
    ),
    pytest.param('{"units": NaN}', "NaN is not a number JSON allows", id="nan_refused"),
    pytest.param('{"schema_version": 7}', "newer than this matchmaker knows", id="newer_file_version_refused"),
    pytest.param("[1, 2]", "the top level is not a JSON object", id="top_level_must_be_object"),
]


@pytest.mark.parametrize(("text", "match"), REFUSED_JSON)
def test_json_text_refused(text: str, match: str) -> None:
    with pytest.raises(mm.InputFileError, match=match):
        problem_from_json(text, "x.json")


def test_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.json"
    bad.write_bytes('{"name": "Södertälje"}'.encode("latin-1"))
    with pytest.raises(mm.InputFileError, match="is not UTF-8 text"):
        mm.load_problem(bad)


def test_missing_file() -> None:
    with pytest.raises(mm.InputFileError, match="cannot be read"):
        mm.load_problem("/nonexistent/problem.json")


def test_size_limit() -> None:
    with pytest.raises(mm.InputFileError, match="over the limit of 100 bytes"):
        mm.load_problem(SDT, max_bytes=100)


def test_validation_errors_name_the_file() -> None:
    with pytest.raises(mm.ProblemValidationError, match=r"in x.json:\n  - municipalities: a required field"):
        problem_from_json('{"units": [], "supervisors": [], "applicants": []}', "x.json")


def test_bad_result_file() -> None:
    with pytest.raises(mm.InputFileError, match="decision"):
        result_from_json('{"kind": "matchmaker.result"}', "r.json")


def test_schema_documents_fields() -> None:
    schema = mm.problem_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert "applicants" in schema["properties"]
    assert schema["$defs"]["Applicant"]["additionalProperties"] is False
    assert "gender" not in json.dumps(schema)
    published = json.loads((Path(mm.__file__).parent / "schema" / "problem.schema.json").read_text("utf-8"))
    assert published == schema, "run `matchmaker schema > src/matchmaker/schema/problem.schema.json`"


def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(mm.InputFileError, match="is also an input file"):
        atomic_write_text(target, "new", protect=(target,))
    assert target.read_text(encoding="utf-8") == "old"
    atomic_write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
