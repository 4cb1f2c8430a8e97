"""Reading and writing problems and results: JSON, workbooks, CSV and Parquet folders, DataFrames, Arrow tables.

:func:`load_problem` / :func:`save_problem` (and the result counterparts) choose the format by the path:
``.json``, ``.xlsx``, or a folder of CSV or Parquet files. The tables of the spreadsheet formats are
described in :mod:`matchmaker.io._tables`; every error names the file, sheet, row and column. Excel needs
the ``excel`` extra (openpyxl), DataFrames the ``pandas`` extra, Arrow tables and Parquet the ``arrow``
extra (pyarrow). :mod:`matchmaker.io._pseudonym` turns a
coordinator's sheet with names into a problem with opaque ids and a private key; :mod:`matchmaker.io._migrate`
reads older schema versions; :class:`Archive` keeps a programme's approved rounds in one SQLite file.
"""

from matchmaker.io._archive import Archive, ArchivedRound, ArchiveEntry, ArchiveFinding, ArchiveVerification
from matchmaker.io._arrow import (
    dump_problem_parquet,
    dump_result_parquet,
    load_problem_parquet,
    load_result_parquet,
    problem_from_arrow,
    problem_to_arrow,
    result_from_arrow,
    result_to_arrow,
)
from matchmaker.io._cohorts import save_cohort_figures
from matchmaker.io._csv import dump_problem_csv, dump_result_csv, load_problem_csv, load_result_csv
from matchmaker.io._excel import dump_problem_excel, dump_result_excel, load_problem_excel, load_result_excel
from matchmaker.io._formats import format_of, load_problem, load_result, save_problem, save_result
from matchmaker.io._frames import problem_from_frames, problem_to_frames, result_from_frames, result_to_frames
from matchmaker.io._json import (
    dump_problem,
    dump_result,
    problem_from_json,
    problem_json_schema,
    result_from_json,
    result_json_schema,
)
from matchmaker.io._pseudonym import (
    Person,
    PseudonymKey,
    load_key,
    new_secret,
    pseudonym,
    pseudonymise,
    read_secret,
    save_key,
    save_named_export,
    write_secret,
)
from matchmaker.io._template import write_template

__all__ = [
    "Archive",
    "ArchiveEntry",
    "ArchiveFinding",
    "ArchiveVerification",
    "ArchivedRound",
    "Person",
    "PseudonymKey",
    "dump_problem",
    "dump_problem_csv",
    "dump_problem_excel",
    "dump_problem_parquet",
    "dump_result",
    "dump_result_csv",
    "dump_result_excel",
    "dump_result_parquet",
    "format_of",
    "load_key",
    "load_problem",
    "load_problem_csv",
    "load_problem_excel",
    "load_problem_parquet",
    "load_result",
    "load_result_csv",
    "load_result_excel",
    "load_result_parquet",
    "new_secret",
    "problem_from_arrow",
    "problem_from_frames",
    "problem_from_json",
    "problem_json_schema",
    "problem_to_arrow",
    "problem_to_frames",
    "pseudonym",
    "pseudonymise",
    "read_secret",
    "result_from_arrow",
    "result_from_frames",
    "result_from_json",
    "result_json_schema",
    "result_to_arrow",
    "result_to_frames",
    "save_cohort_figures",
    "save_key",
    "save_named_export",
    "save_problem",
    "save_result",
    "write_secret",
    "write_template",
]
