"""Pseudonymisation: names stay with the municipality; matchmaker sees opaque ids only.

A coordinator's *roster* is a workbook (or CSV folder) in the problem layout, except that the applicants
sheet has a ``name`` column (``namn``) instead of ``id`` (optionally also ``email``/``e-post`` and
``personnummer``), and the other sheets name applicants by that name. :func:`pseudonymise` splits it:

* a :class:`~matchmaker.Problem` in which every applicant is known by ``P-`` and 12 characters derived
  with HMAC-SHA256 under a secret the municipality keeps (:func:`new_secret`). The same person gets the
  same id in every round under the same secret, and without the secret an id cannot be traced back
  (nor guessed from a list of names). The person is identified by the personal identity number if the
  roster has that column, else by e-mail address, else by name (compared ignoring case and spaces);
* a :class:`PseudonymKey`: id to name (and e-mail, personal identity number), saved apart from the
  problem (:func:`save_key`, readable by its owner only).

Names come back only in the human-facing export of a result (:func:`save_named_export`), for the letters
that tell applicants where they go. Names never reach the problem, the result, a log line or an error
message: a message names the sheet, row and column instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from matchmaker._i18n import msg
from matchmaker._models import Problem
from matchmaker._result import Result
from matchmaker._text import fold_field_name, norm_key
from matchmaker.errors import InputFileError, Place, ValidationIssue
from matchmaker.io._csv import folder_sources, read_csv_sheet, table_csv_text
from matchmaker.io._excel import read_workbook, workbook_sources, write_tables_excel
from matchmaker.io._files import atomic_write_bytes, atomic_write_text, read_limited
from matchmaker.io._formats import format_of
from matchmaker.io._provenance import Source, finish, parse_tables
from matchmaker.io._read_problem import problem_from_parsed
from matchmaker.io._rows import Rows, Value
from matchmaker.io._sheet import Cell, Issues, RawRow, RawSheet, cell_where, column_index, locate_header, parse_sheet
from matchmaker.io._tables import PROBLEM_TABLES, Column, Kind, Lang, Table, find_table

__all__ = [
    "Person",
    "PseudonymKey",
    "load_key",
    "new_secret",
    "pseudonym",
    "pseudonymise",
    "read_secret",
    "save_key",
    "save_named_export",
    "write_secret",
]

logger = logging.getLogger("matchmaker.io.pseudonym")

#: Secrets shorter than this (in bytes) are refused.
MIN_SECRET_BYTES = 16
_DOMAIN = b"matchmaker/applicant/v1\x00"


@dataclass(frozen=True)
class Person:
    """One applicant in the key: the pseudonym and who it is. Its ``repr`` hides the personal data."""

    id: str
    name: str
    email: str | None = None
    personnummer: str | None = None

    def __repr__(self) -> str:
        return f"Person(id={self.id!r}, <personal data hidden>)"


@dataclass(frozen=True)
class PseudonymKey:
    """The private key of a round: who each pseudonym is. Keep it apart from the problem and the results."""

    people: tuple[Person, ...]

    def __repr__(self) -> str:
        return f"PseudonymKey(<{len(self.people)} people>)"

    def by_id(self) -> Mapping[str, Person]:
        """People by pseudonym."""
        return {p.id: p for p in self.people}


def new_secret() -> str:
    """A new random secret (256 bits, as 64 hex digits)."""
    return secrets.token_hex(32)


def write_secret(path: str | os.PathLike[str]) -> None:
    """Write a new secret to ``path``, readable by its owner only. Never replaces an existing file."""
    target = Path(path)
    if target.exists():
        raise InputFileError(
            [ValidationIssue(str(target), "already exists", "keep the old secret, or choose a new file name")],
            source=str(target),
        )
    atomic_write_text(target, new_secret() + "\n", private=True)


def read_secret(path: str | os.PathLike[str]) -> bytes:
    """The secret in ``path`` (hex digits, as :func:`write_secret` writes it)."""
    text = read_limited(path, 4096).decode("ascii", errors="replace").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < MIN_SECRET_BYTES:
        raise InputFileError(
            [
                ValidationIssue(
                    str(path),
                    f"does not hold a secret of at least {MIN_SECRET_BYTES * 2} hex digits",
                    "make one with `matchmaker secret FILE` and keep it safe",
                )
            ],
            source=str(path),
        )
    return secret


def pseudonym(identity: str, secret: bytes) -> str:
    """The pseudonym of a person: ``P-`` and 12 base-32 characters of HMAC-SHA256(secret, identity)."""
    digest = hmac.new(secret, _DOMAIN + identity.encode("utf-8"), hashlib.sha256).digest()
    return "P-" + base64.b32encode(digest).decode("ascii")[:12]


def _c(key: str, sv: str, en_help: str, sv_help: str, *, required: bool = False) -> Column:
    return Column(key, sv, Kind.TEXT, en_help, sv_help, required)


_NAME = _c("name", "namn", "Full name.", "Fullständigt namn.", required=True)
_EMAIL = _c("email", "e-post", "E-mail address.", "E-postadress.")
_PNR = _c("personnummer", "personnummer", "Personal identity number.", "Personnummer.")
_APPLICANTS = next(t for t in PROBLEM_TABLES if t.key == "applicants")

#: The applicants sheet of a roster: names (and contact details) instead of ids.
ROSTER_APPLICANTS = Table("applicants", "Sökande", (_NAME, _EMAIL, _PNR, *_APPLICANTS.columns), personal=True)
#: The private key file.
KEY = Table(
    "key",
    "Nyckel",
    (Column("id", "id", Kind.ID, "Pseudonym.", "Pseudonym.", True), _NAME, _EMAIL, _PNR),
    required=True,
    personal=True,
)
#: The human-facing export: where each person goes.
NAMED = Table(
    "placements",
    "Placeringar",
    (
        _c("name", "namn", "", ""),
        _c("id", "id", "", ""),
        _c("placed", "placerad", "", ""),
        _c("municipality", "kommun", "", ""),
        _c("unit", "enhet", "", ""),
        _c("supervisor", "handledare", "", ""),
        Column("rank", "rang", Kind.INT, "", ""),
        _c("detail", "förklaring", "", ""),
    ),
)


def _identity(row: RawRow, index: Mapping[str, int]) -> str | None:
    def text(key: str) -> str:
        i = index.get(key)
        cell = row.cells[i] if i is not None and i < len(row.cells) else None
        return "" if cell is None or cell.value is None else str(cell.value).strip()

    if "personnummer" in index:
        digits = re.sub(r"\D", "", text("personnummer"))
        return "pnr:" + digits if digits else None
    if "email" in index:
        email = text("email").casefold()
        return "email:" + email if email else None
    name = norm_key(text("name"))
    return "name:" + name if name else None


_ADD_NAME = msg("add a column 'name' (or 'namn')")


def _roster_applicants(
    sheet: RawSheet, secret: bytes, issues: Issues
) -> tuple[RawSheet, dict[str, str], list[Person]] | None:
    found = locate_header(sheet, ROSTER_APPLICANTS)
    if found is None:
        issues.add(sheet.where, msg("no header row with a name column was found"), _ADD_NAME)
        return None
    at, header = found
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        col = ROSTER_APPLICANTS.find_column(str(cell.value or ""))
        if col is not None:
            index.setdefault(col.key, i)
    label = sheet.rows[at].label if at >= 0 else "header"
    if "id" in index:
        issues.add(
            f"{sheet.where}, {label}",
            msg("a roster has names, not ids: the ids are derived from the names"),
            msg("remove the id column (or give the problem, without names, to `matchmaker solve` directly)"),
        )
        return None
    if "name" not in index:
        issues.add(f"{sheet.where}, {label}", msg("the header has no name column"), _ADD_NAME)
        return None
    ids: dict[str, str] = {}
    first_row: dict[str, str] = {}
    people: list[Person] = []
    seen_ids: dict[str, str] = {}
    rows: list[RawRow] = []
    for row in sheet.rows[at + 1 :]:
        cells = list(row.cells)
        if all(c.is_empty() for c in cells):
            continue
        name_cell = cells[index["name"]] if index["name"] < len(cells) else Cell(None)
        name = "" if name_cell.value is None else str(name_cell.value).strip()
        identity = _identity(row, index)
        where = f"{sheet.where}, {row.label}"
        if not name or identity is None:
            issues.add(where, msg("the name or the person's identifier is empty"), msg("fill it in, or delete the row"))
            continue
        key = norm_key(name)
        if key in first_row:
            issues.add(
                cell_where(sheet, row.label, str(header[index["name"]].value), index["name"]),
                msg("the same name as {first}: other sheets could not tell the two apart", first=Place(first_row[key])),
                msg("make the names distinct in every sheet (add an initial), or remove the duplicate row"),
            )
            continue
        ident = pseudonym(identity, secret)
        if ident in seen_ids:
            issues.add(
                where, msg("the same person as {first}", first=Place(seen_ids[ident])), msg("remove the duplicate row")
            )
            continue
        first_row[key], seen_ids[ident], ids[key] = row.label, row.label, ident
        people.append(
            Person(
                ident,
                name,
                _cell_text(cells, index.get("email")),
                _cell_text(cells, index.get("personnummer")),
            )
        )
        cells[index["name"]] = Cell(ident)
        for key_ in ("email", "personnummer"):
            if key_ in index and index[key_] < len(cells):
                cells[index[key_]] = Cell(None)
        rows.append(RawRow(row.label, tuple(cells)))
    new_header = list(header)
    new_header[index["name"]] = Cell("id")
    for key_ in ("email", "personnummer"):
        if key_ in index:
            new_header[index[key_]] = Cell(f"# {key_}")
    return replace(sheet, rows=tuple(rows), header=tuple(new_header)), ids, people


def _cell_text(cells: list[Cell], i: int | None) -> str | None:
    if i is None or i >= len(cells) or cells[i].is_empty():
        return None
    return str(cells[i].value).strip()


def _replace_names(sheet: RawSheet, table: Table, ids: Mapping[str, str], issues: Issues) -> RawSheet:
    """``sheet`` with the names in every column that names an applicant replaced by their ids."""
    found = locate_header(sheet, table)
    if found is None:
        return sheet  # parsing reports the missing header
    at, header = found
    columns = [column_index(header, table, c.key) for c in table.columns if c.refers_to == "applicants"]
    present = [i for i in columns if i is not None]  # parsing reports a missing column
    rows: list[RawRow] = list(sheet.rows[: at + 1])
    for row in sheet.rows[at + 1 :]:
        cells = list(row.cells)
        unknown = False
        for column in present:
            if column < len(cells) and not cells[column].is_empty():
                ident = ids.get(norm_key(str(cells[column].value)))
                if ident is None:
                    issues.add(
                        cell_where(sheet, row.label, str(header[column].value), column),
                        msg(
                            "names a person who is not on the applicants sheet (names are compared ignoring case and "
                            "spaces)"
                        ),
                        msg("write the name exactly as on the applicants sheet, or add the person there"),
                    )
                    unknown = True
                    continue
                cells[column] = Cell(ident)
        if not unknown:
            rows.append(RawRow(row.label, tuple(cells)))
    return replace(sheet, rows=tuple(rows))


def pseudonymise(
    path: str | os.PathLike[str], secret: bytes, *, max_bytes: int | None = None
) -> tuple[Problem, PseudonymKey]:
    """Split the roster at ``path`` (a workbook or CSV folder with names) into a problem and its key.

    Raises:
        InputFileError: the roster cannot be read; every problem is listed by sheet, row and column (never
            by name).
        ProblemValidationError: the pseudonymised problem breaks a rule (named by sheet, row and column).
    """
    issues = Issues()
    fmt = format_of(path)
    if fmt == "excel":
        sources = workbook_sources(path, max_bytes)
    elif fmt == "csv":
        sources = folder_sources(path, "roster", max_bytes, issues)
    else:
        raise InputFileError(
            [ValidationIssue(str(path), "a roster is a workbook or a folder of CSV files", "give a .xlsx or a folder")],
            source=str(path),
        )
    loaded = [(source, find_table(source.name, PROBLEM_TABLES), source.load()) for source in sources]
    ids: dict[str, str] = {}
    people: list[Person] = []
    for i, (source, table, sheet) in enumerate(loaded):
        if sheet is not None and table is not None and table.key == "applicants":
            done = _roster_applicants(sheet, secret, issues)
            new_sheet, ids, people = done if done is not None else (None, {}, [])
            loaded[i] = (source, table, new_sheet)
    final: list[Source] = []
    for source, table, sheet in loaded:
        if sheet is not None and table is not None and table.personal and table.key != "applicants":
            sheet = _replace_names(sheet, table, ids, issues)
        final.append(Source(source.name, source.shown, _loader(sheet)))
    parsed = parse_tables(final, PROBLEM_TABLES, str(path), "sheet" if fmt == "excel" else "file", "problem", issues)
    problem = problem_from_parsed(parsed, issues, str(path))
    logger.info("pseudonymised %d applicants", len(people))
    return problem, PseudonymKey(tuple(people))


def _loader(sheet: RawSheet | None) -> Callable[[], RawSheet | None]:
    return lambda: sheet


def _rows_of_key(key: PseudonymKey) -> Rows:
    return {KEY: [(p.id, p.name, p.email, p.personnummer) for p in key.people]}


def _write(rows: Rows, path: str | os.PathLike[str], lang: Lang, *, private: bool) -> None:
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".xlsx":
        write_tables_excel(rows, target, lang, private=private)
    elif suffix == ".csv":
        ((table, table_rows),) = rows.items()
        atomic_write_bytes(target, table_csv_text(table, table_rows, lang).encode("utf-8"), private=private)
    else:
        raise InputFileError(
            [ValidationIssue(str(target), "is neither .csv nor .xlsx", "give a .csv or .xlsx file name")],
            source=str(target),
        )


def save_key(key: PseudonymKey, path: str | os.PathLike[str], *, lang: Lang = "en") -> None:
    """Write the key to ``path`` (``.csv`` or ``.xlsx``), readable by its owner only."""
    _write(_rows_of_key(key), path, lang, private=True)


def load_key(path: str | os.PathLike[str]) -> PseudonymKey:
    """Read a key written by :func:`save_key`."""
    issues = Issues()
    target = Path(path)
    if target.suffix.lower() == ".xlsx":
        sheets: Iterable[RawSheet] = read_workbook(target).values()
    else:
        sheet = read_csv_sheet(read_limited(target), str(target), issues)
        sheets = [sheet] if sheet else []
    people: list[Person] = []
    for sheet in sheets:
        parsed = parse_sheet(sheet, KEY, issues)
        for row in parsed.rows:
            v = row.values
            if "id" in v and "name" in v:
                people.append(Person(v["id"], v["name"], v.get("email"), v.get("personnummer")))
            else:
                issues.add(f"{sheet.where}, {row.label}", msg("the id or the name is empty"), msg("fill both in"))
        break
    finish(issues, [], str(target), validation=False)
    return PseudonymKey(tuple(people))


_PLACED = {"en": ("yes", "no"), "sv": ("ja", "nej")}


def _safe(text: str | None) -> str | None:
    """Text that a spreadsheet program will not run as a formula when it opens a CSV file."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def save_named_export(result: Result, key: PseudonymKey, path: str | os.PathLike[str], *, lang: Lang = "en") -> None:
    """Write where each person goes, with names, for people (letters, a list to approve): ``.csv`` or ``.xlsx``.

    This is the only output that carries names; it is written readable by its owner only. Applicants
    of the result missing from the key are listed by id with an empty name.
    """
    people = key.by_id()
    yes, no = _PLACED[lang]
    rows: list[tuple[Value, ...]] = []
    csv = Path(path).suffix.lower() == ".csv"
    for a in result.assignments:
        person = people.get(a.applicant)
        name = person.name if person else None
        rows.append(
            (_safe(name) if csv else name, a.applicant, yes, a.municipality, a.unit, a.supervisor, a.rank, None)
        )
    for u in result.unplaced:
        person = people.get(u.applicant)
        name = person.name if person else None
        rows.append((_safe(name) if csv else name, u.applicant, no, None, None, None, None, u.detail))
    rows.sort(key=lambda r: fold_field_name(str(r[0] or "")))
    _write({NAMED: rows}, path, lang, private=True)
