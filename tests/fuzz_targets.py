"""The fuzz targets: every public entry point that reads data, and the one rule they all obey.

Shared by the fuzz suite (``tests/test_fuzz.py``) and the long run (``benchmarks/fuzz.py``). Each target
takes a damaged input and calls one reader. :func:`outcome` enforces the rule: the reader returns a
value, or raises :class:`matchmaker.InputError` whose every issue has a location, a message and a fix.
Any other exception escapes and fails the caller.
"""

from __future__ import annotations

import io
import json
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import matchmaker as mm
from matchmaker._cli import EXIT_BAD_INPUT, EXIT_NO_PLAN, EXIT_OK, cli
from matchmaker.io._csv import load_problem_csv, load_result_csv
from matchmaker.io._excel import load_problem_excel, load_result_excel
from matchmaker.io._json import problem_from_json, result_from_json
from matchmaker.io._pseudonym import load_key, pseudonymise, read_secret
from matchmaker.io._rows import problem_rows, result_rows

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sodertalje" / "problem.json"

Grid = dict[str, list[list[Any]]]


def check_error(exc: mm.InputError) -> None:
    """Every issue of ``exc`` says where, what and how to fix it; the message renders."""
    assert exc.issues, "an InputError without issues"
    for issue in exc.issues:
        assert issue.location.strip(), f"an issue without a location: {issue!r}"
        assert issue.message.strip(), f"an issue without a message: {issue!r}"
        assert issue.fix.strip(), f"an issue without a fix: {issue!r}"
    assert str(exc).strip()


def outcome(read: Callable[[], Any]) -> Any:
    """``read()``'s value, or the :class:`InputError` it raised (checked); anything else propagates.

    Notices (:class:`matchmaker.InputWarning`) are expected for repaired input and are ignored here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mm.InputWarning)
        try:
            return read()
        except mm.InputError as exc:
            check_error(exc)
            return exc


# --- base documents ------------------------------------------------------------------------------------


@cache
def example_doc() -> str:
    """The Södertälje example as JSON text."""
    return EXAMPLE.read_text("utf-8")


@cache
def tiny_problem() -> mm.Problem:
    """A small valid round with every table filled (from the template's example)."""
    from matchmaker.io._template import example_problem

    return example_problem()


@cache
def tiny_result_json() -> str:
    """A result of :func:`tiny_problem` as JSON text."""
    return mm.solve(tiny_problem(), mm.SolveOptions(workers=1)).to_json()


def problem_grid(problem: mm.Problem, lang: str = "en") -> Grid:
    """``problem`` as table name -> rows (header first), as the table formats hold it."""
    rows = problem_rows(problem, "sv" if lang == "sv" else "en")
    return {t.name(lang): [[c.header(lang) for c in t.columns], *map(list, r)] for t, r in rows.items()}  # type: ignore[arg-type]


@cache
def tiny_result_grid() -> dict[str, tuple[tuple[Any, ...], ...]]:
    """The result of :func:`tiny_problem` as frozen table rows (header first)."""
    result = result_from_json(tiny_result_json())
    rows = result_rows(result, "en")
    return {t.name("en"): ((tuple(c.header("en") for c in t.columns)), *map(tuple, r)) for t, r in rows.items()}


def roster_grid() -> Grid:
    """A coordinator's roster with names (as :func:`matchmaker.io._pseudonym.pseudonymise` reads it)."""
    grid = problem_grid(tiny_problem())
    names = {"A1": "Ada Testsson", "A2": "Bo Provsson"}
    apps = grid["applicants"]
    apps[0][apps[0].index("id")] = "name"
    for sheet, rows in grid.items():
        header = rows[0]
        for key in ("id", "applicant", "other_applicant") if sheet != "units" else ():
            if key in header:
                i = header.index(key)
                for row in rows[1:]:
                    row[i] = names.get(row[i], row[i])
    return grid


# --- writing damaged files ----------------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value) if isinstance(value, float) else str(value)
    if any(ch in text for ch in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def grid_csv(rows: list[list[Any]]) -> bytes:
    """One table as CSV bytes (lone surrogates kept as the invalid UTF-8 they become on disk)."""
    text = "\n".join(",".join(_csv_cell(v) for v in row) for row in rows) + "\n"
    return text.encode("utf-8", errors="surrogatepass")


def write_csv_folder(folder: Path, grid: Grid) -> Path:
    """``grid`` as a folder of CSV files (a table name that cannot be a file name is left out)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in grid.items():
        if not name or any(ch in name for ch in "/\\\x00") or name.strip(". ") == "":
            continue
        try:
            (folder / f"{name}.csv").write_bytes(grid_csv(rows))
        except (OSError, UnicodeEncodeError, ValueError):
            continue  # the file system refuses the name: not the reader's business
    return folder


def _xlsx_value(value: Any) -> Any:
    """What a spreadsheet cell can hold: openpyxl refuses control characters and lone surrogates."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("?", value).encode("utf-8", errors="replace").decode("utf-8")
        return value[:32_000]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
        return str(value)
    return value


def grid_xlsx(grid: Grid) -> bytes:
    """``grid`` as workbook bytes (sheet names cut to what Excel allows)."""
    from openpyxl import Workbook

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    used: set[str] = set()
    for name, rows in grid.items():
        title = "".join(ch for ch in _xlsx_value(name) if ch not in "[]:*?/\\'")[:31] or "Sheet"
        while title.lower() in used:
            title = (title[:28] + "_x")[:31]
        used.add(title.lower())
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@cache
def tiny_xlsx() -> bytes:
    """The tiny round as workbook bytes."""
    return grid_xlsx(problem_grid(tiny_problem()))


def damage_zip_member(data: bytes, member: int, edit: Callable[[bytes], bytes]) -> bytes:
    """The zip ``data`` with its ``member``-th file's content replaced by ``edit(content)``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for i, info in enumerate(src.infolist()):
            content = src.read(info)
            dst.writestr(info.filename, edit(content) if i == member % len(src.infolist()) else content)
    return out.getvalue()


# --- the targets -------------------------------------------------------------------------------------


def validate_doc(doc: Any) -> Any:
    """``Problem.model_validate`` (and, for a mapping with text keys, ``Problem(**doc)``) on ``doc``."""
    first = outcome(lambda: mm.Problem.model_validate(doc))
    if isinstance(doc, dict) and all(isinstance(k, str) for k in doc):
        second = outcome(lambda: mm.Problem(**doc))
        assert type(first) is type(second), (first, second)
    return first


def json_text(text: str | bytes) -> Any:
    """``problem_from_json`` on text or bytes."""
    return outcome(lambda: problem_from_json(text, "fuzz.json"))


def json_doc(doc: Any) -> Any:
    """``problem_from_json`` on ``doc`` serialised (lone surrogates escaped, as JSON allows)."""
    return json_text(json.dumps(doc, allow_nan=True))


def result_text(text: str | bytes) -> Any:
    """``result_from_json`` on text or bytes."""
    return outcome(lambda: result_from_json(text, "fuzz-result.json"))


def _in_tmp(write: Callable[[Path], Path], read: Callable[[Path], Any]) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp))
        return outcome(lambda: read(path))


def _file_with(name: str, data: bytes, read: Callable[[Path], Any]) -> Any:
    """``read`` on a file called ``name`` holding ``data``, in a temporary folder."""

    def write(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data)
        return path

    return _in_tmp(write, read)


def file_bytes(data: bytes, suffix: str, *, result: bool = False) -> Any:
    """``load_problem`` (or ``load_result``) on a file with these bytes and suffix."""
    return _file_with(f"input{suffix}", data, mm.load_result if result else mm.load_problem)


def csv_folder(grid: Grid, *, result: bool = False) -> Any:
    """``load_problem_csv`` (or ``load_result_csv``) on ``grid`` written as a CSV folder."""
    return _in_tmp(lambda tmp: write_csv_folder(tmp / "round", grid), load_result_csv if result else load_problem_csv)


def csv_file_bytes(grid: Grid, table: str, data: bytes) -> Any:
    """``load_problem`` on a CSV folder whose file for ``table`` holds ``data``."""

    def write(tmp: Path) -> Path:
        folder = write_csv_folder(tmp / "round", grid)
        (folder / f"{table}.csv").write_bytes(data)
        return folder

    return _in_tmp(write, mm.load_problem)


def xlsx_grid(grid: Grid, *, result: bool = False) -> Any:
    """``load_problem_excel`` (or ``load_result_excel``) on ``grid`` written as a workbook."""
    return _file_with("round.xlsx", grid_xlsx(grid), load_result_excel if result else load_problem_excel)


def frames(grid: Grid) -> Any:
    """``problem_from_frames`` on ``grid`` as DataFrames of object dtype (the header row as columns)."""
    import pandas as pd

    dfs = {}
    for name, rows in grid.items():
        header = [str(h) for h in rows[0]] if rows else []
        body = [list(r[: len(header)]) + [None] * (len(header) - len(r)) for r in rows[1:]]
        # An object Index: with pyarrow installed pandas would store the header as Arrow strings, which
        # refuse the lone surrogates the fuzzer writes (a DataFrame a caller could not build at all).
        dfs[name] = pd.DataFrame(body, columns=pd.Index(header, dtype=object), dtype=object)
    return outcome(lambda: mm.problem_from_frames(dfs))


def roster(grid: Grid, secret: bytes = b"fuzz-secret-0123456789") -> Any:
    """``pseudonymise`` on ``grid`` written as a CSV folder roster."""
    return _in_tmp(lambda tmp: write_csv_folder(tmp / "roster", grid), lambda path: pseudonymise(path, secret))


def key_bytes(data: bytes) -> Any:
    """``load_key`` on a CSV key file with these bytes."""
    return _file_with("key.csv", data, load_key)


def secret_bytes(data: bytes) -> Any:
    """``read_secret`` on a file with these bytes."""
    return _file_with("secret.key", data, read_secret)


def cli_file(data: bytes, suffix: str, command: str) -> int:
    """``matchmaker COMMAND FILE`` on a file with these bytes: exit 0, 1 or 2, never a traceback."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        args = [command, str(path)]
        if command == "solve":
            args += ["-q", "--workers", "1", "--time-limit", "20", "-o", str(Path(tmp) / "out.json")]
        res = CliRunner().invoke(cli, args)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    allowed = {EXIT_OK, EXIT_BAD_INPUT} | ({EXIT_NO_PLAN} if command == "solve" else set())
    assert res.exit_code in allowed, (res.exit_code, res.output)
    assert "Traceback" not in res.output
    if res.exit_code == EXIT_BAD_INPUT:
        assert res.stderr.startswith("error: "), res.stderr
    return res.exit_code
