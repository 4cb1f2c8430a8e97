"""Reading and writing problems and results."""

from matchmaker.io.json import (
    dump_problem,
    dump_result,
    load_problem,
    load_result,
    problem_from_json,
    problem_json_schema,
    result_from_json,
    result_json_schema,
)

__all__ = [
    "dump_problem",
    "dump_result",
    "load_problem",
    "load_result",
    "problem_from_json",
    "problem_json_schema",
    "result_from_json",
    "result_json_schema",
]
