"""The programme archive: every approved round of a programme in one SQLite file, hash-chained.

:class:`Archive` keeps each round's problem, result (the recommendation) and approved audit record, as
the library's canonical JSON, keyed by the round (``2026-HT-1``: year, term, step) and by the
pseudonymous applicant ids, which stay the same across rounds under one secret
(:mod:`matchmaker.io._pseudonym`). Only approved rounds enter: a recommendation is not a decision (GDPR
art. 22), and the next round is drawn from what an official approved, so :meth:`Archive.add` refuses a
record without an approval; there is deliberately no way to store an unapproved one.

* **Hash chain.** Each row stores the hash of the row before it (:mod:`matchmaker.io._archive_store`);
  :meth:`Archive.verify` recomputes the chain and every round's fingerprints and its approval, and names
  the round that was edited, removed or reordered. Removing the *last* rounds leaves a shorter, valid
  chain: keep the head hash that ``verify`` reports somewhere else and pass it back as ``expect_head``.
* **Concurrency and crashes.** Every write is one ``BEGIN IMMEDIATE`` transaction (WAL journal, a busy
  timeout), so two processes adding rounds at once each append to the chain in turn, and a writer killed
  mid-write leaves the archive as it was.
* **Privacy.** The problem and result hold opaque ids only. Free text (a round's name, labels, an
  override's reason, the approval's role, the input path) is screened for what looks like an e-mail
  address or a personal identity number, and, given the round's :class:`~matchmaker.io.PseudonymKey`, for
  every name, e-mail address and number in it; a hit is refused naming the field, never the value.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, PrivateAttr

from matchmaker._canonical import canonical_bytes, canonical_problem
from matchmaker._cohorts import CohortFigures, CohortPlacement, cohort_figures
from matchmaker._i18n import Lang, Message, msg, tr, tr_n
from matchmaker._models import Problem, Round
from matchmaker._result import Result
from matchmaker._rounds import next_round as _next_round
from matchmaker._text import norm_key
from matchmaker.errors import ApprovalError, ArchiveError, InputError, ValidationIssue
from matchmaker.io._archive_store import GENESIS, chain_hash, connect
from matchmaker.io._csv import table_csv_text
from matchmaker.io._excel import write_tables_excel
from matchmaker.io._files import atomic_write_text
from matchmaker.io._json import parse_json, problem_from_json, result_from_json
from matchmaker.io._pseudonym import PseudonymKey
from matchmaker.io._rows import Value
from matchmaker.io._tables import ARCHIVE_PLACEMENTS
from matchmaker.review._audit import AuditRecord, decision_fingerprint, records_fingerprint, verify_approval
from matchmaker.review._overrides import apply_overrides
from matchmaker.review._signing import PublicKey
from matchmaker.review._verify import verify_record

__all__ = [
    "ARCHIVE_ENV",
    "DEFAULT_ARCHIVE",
    "Archive",
    "ArchiveEntry",
    "ArchiveError",
    "ArchiveFinding",
    "ArchiveVerification",
    "ArchivedRound",
    "round_key",
]

#: The archive the command line uses without ``--archive`` (in the working folder) ...
DEFAULT_ARCHIVE = "matchmaker-archive.sqlite"
#: ... unless this environment variable names another (the command line reads it; the library never does).
ARCHIVE_ENV = "MATCHMAKER_ARCHIVE"

#: Called inside every write transaction, just before it commits: a hook for the crash-safety test.
_inside_write: Callable[[], None] | None = None


def _error(where: str | Message, message: Message, fix: Message) -> ArchiveError:
    return ArchiveError([ValidationIssue.of(where, message, fix)])


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class ArchiveEntry(_Out):
    """One archived round, in brief: its ``position`` in the chain (1 = first), ``key`` (``2026-HT-1``),
    ``term``, ``year`` and ``step`` (``None`` for a round without a :class:`~matchmaker.Round`), when it
    was added (UTC), how many applicants it had and how many the approved plan placed, who approved it
    and when, how many overrides it has, the problem's and approved decision's fingerprints, and the
    row's ``hash`` and ``previous_hash`` in the chain."""

    position: int
    key: str
    term: str | None
    year: int | None
    step: int | None
    added_at: str
    applicants: int
    placed: int
    official: str | None
    role: str | None
    approved_at: str | None
    overrides: int
    input_fingerprint: str
    output_fingerprint: str
    hash: str
    previous_hash: str


class ArchivedRound(ArchiveEntry):
    """One archived round in full: the :class:`ArchiveEntry` and the stored ``problem``, ``result`` (the
    recommendation) and ``record`` (the approved audit record)."""

    problem: Problem
    result: Result
    record: AuditRecord

    def approved_result(self) -> tuple[Problem, Result]:
        """The round as approved: the problem with the overrides applied (the problem itself without
        any) and the result whose decision is the approved plan."""
        if not self.record.overrides:
            return self.problem, self.result
        problem = apply_overrides(self.problem, self.record.overrides)
        return problem, self.result.model_copy(update={"decision": self.record.decision})


FindingKind = Literal[
    "edited", "removed", "reordered", "truncated", "fingerprint", "approval", "signature", "index", "unreadable"
]


class ArchiveFinding(_Out):
    """Something :meth:`Archive.verify` found wrong: its ``kind``, the round's ``position`` and ``key``
    (``None`` when it concerns the archive as a whole) and the ``message`` in English; :meth:`text` gives
    it in either language."""

    kind: FindingKind
    position: int | None
    key: str | None
    message: str

    _message: Message | None = PrivateAttr(default=None)

    @classmethod
    def of(cls, kind: FindingKind, position: int | None, key: str | None, message: Message) -> ArchiveFinding:
        """A finding whose message is translatable."""
        finding = cls(kind=kind, position=position, key=key, message=message.text("en"))
        finding._message = message
        return finding

    def text(self, lang: Lang = "en") -> str:
        """The finding in ``lang``."""
        return self._message.text(lang) if self._message is not None else self.message


class ArchiveVerification(_Out):
    """What :meth:`Archive.verify` found: ``ok`` when the chain and every round verify, the number of
    ``rounds``, the chain's ``head`` (the last row's hash; keep it elsewhere to detect removed last
    rounds) and every finding."""

    ok: bool
    rounds: int
    head: str
    findings: tuple[ArchiveFinding, ...]

    def text(self, lang: Lang = "en") -> str:
        """A summary line, then each finding, in ``lang``."""
        if self.ok:
            head = tr_n(
                "the archive verifies: {n} round, the chain unbroken, every fingerprint and approval as recorded",
                "the archive verifies: {n} rounds, the chain unbroken, every fingerprint and approval as recorded",
                self.rounds,
                lang,
            )
        else:
            head = tr_n(
                "the archive does NOT verify: {n} finding",
                "the archive does NOT verify: {n} findings",
                len(self.findings),
                lang,
            )
        lines = [head, *(f"  - {f.text(lang)}" for f in self.findings)]
        lines.append(tr("head of the chain: {head}", lang, head=self.head))
        return "\n".join(lines)


def round_key(problem: Problem) -> str | None:
    """The key of ``problem``'s round: ``<year>-<term>-<step>`` (``2026-HT-1``), or ``None`` without a round."""
    r = problem.round
    return None if r is None else f"{r.year}-{r.term}-{r.step}"


# --- privacy --------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
#: A Swedish personal identity (or co-ordination) number: YYMMDD or YYYYMMDD, a sign or not, four digits.
_PNR = re.compile(r"(?<!\d)(?:\d{2})?(\d{6})[-+ ]?(\d{4})(?!\d)")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _looks_personal(text: str, people: re.Pattern[str] | None) -> bool:
    if _EMAIL.search(text):
        return True
    for match in _PNR.finditer(text):
        date, tail = match.group(1), match.group(2)
        month, day = int(date[2:4]), int(date[4:6]) % 60  # a co-ordination number adds 60 to the day
        if 1 <= month <= 12 and 1 <= day <= 31 and _luhn(date + tail):
            return True
    return people is not None and people.search(norm_key(text)) is not None


#: A fingerprint: hex digits hold runs of digits that may pass for a personal identity number by chance.
_FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")


def _screen(data: Any, where: str, people: re.Pattern[str] | None, found: list[str]) -> None:
    """Every field under ``data`` whose text (or mapping key) looks like personal data, by its path.
    Fingerprints and a record's signature (digests and key bytes, no free text) are not screened."""
    if isinstance(data, str):
        if not _FINGERPRINT.fullmatch(data) and _looks_personal(data, people):
            found.append(where)
    elif isinstance(data, dict):
        for k, v in data.items():
            if _looks_personal(str(k), people):
                found.append(f"{where}.{k}")
            _screen(v, f"{where}.{k}", people, found)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _screen(v, f"{where}[{i}]", people, found)


def _people_pattern(people: PseudonymKey | None) -> re.Pattern[str] | None:
    """Every name, e-mail address and personal identity number of ``people`` as whole words (so that the
    name Ann is found in "asked by Ann", not in "planning"), compared as :func:`norm_key` folds text."""
    terms = {
        norm_key(value)
        for p in (people.people if people is not None else ())
        for value in (p.name, p.email, p.personnummer)
        if value and len(norm_key(value)) >= 3
    }
    if not terms:
        return None
    longest_first = sorted(terms, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)")


# --- the archive ----------------------------------------------------------------------------------------

#: Rows of the rounds table (each with its count of placements), and the placements by round.
_Snapshot = tuple[list[tuple[Any, ...]], dict[int, set[tuple[str, ...]]]]

_COLUMNS = (
    "seq, key, term, year, step, added_at, problem, result, record, input_fingerprint, output_fingerprint, "
    "previous_hash, hash"
)


def _loads(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _entry(row: sqlite3.Row | tuple[Any, ...], placed: int) -> ArchiveEntry:
    seq, key, term, year, step, added_at, problem, _result, record, input_fp, output_fp, previous, own = row
    audit, data = _loads(record), _loads(problem)  # an edited text is listed still; verify names it
    approval = audit.get("approval") or {}
    return ArchiveEntry(
        position=seq,
        key=key,
        term=term,
        year=year,
        step=step,
        added_at=added_at,
        applicants=len(data.get("applicants", ())),
        placed=placed,
        official=approval.get("official"),
        role=approval.get("role"),
        approved_at=approval.get("approved_at"),
        overrides=len(audit.get("overrides", ())),
        input_fingerprint=input_fp,
        output_fingerprint=output_fp,
        hash=own,
        previous_hash=previous,
    )


class Archive:
    """A programme's archive of approved rounds in one SQLite file (see the module's description).

    ``Archive(path)`` opens the file, creating it if ``create`` (the default) and migrating an earlier
    schema; ``timeout`` is how many seconds a write waits for another process's. Use it as a context
    manager, or call :meth:`close`.

    Raises:
        InputFileError: no archive at ``path`` (with ``create=False``), a file that is not a matchmaker
            archive, or one of a newer schema.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, timeout: float = 30.0) -> None:
        self._path = Path(path)
        self._conn = connect(path, timeout=timeout, create=create)

    @property
    def path(self) -> Path:
        """The archive's file."""
        return self._path

    def close(self) -> None:
        """Close the file."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({str(self._path)!r})"

    # --- writing --------------------------------------------------------------------------------------

    def add(
        self,
        problem: Problem,
        result: Result,
        record: AuditRecord,
        *,
        key: str | None = None,
        people: PseudonymKey | None = None,
    ) -> ArchiveEntry:
        """Add an approved round at the end of the chain: ``problem``, its ``result`` (the recommendation)
        and ``record``, the approved audit record (:func:`matchmaker.approve`).

        ``key`` names the round (default: :func:`round_key`, ``2026-HT-1``; needed for a problem without
        a round). ``people``, the round's pseudonym key, makes the privacy screen look for every name,
        e-mail address and personal identity number in it too.

        Raises:
            ArchiveError: the record is not an approved plan, or does not follow from this problem and
                recommendation (:func:`matchmaker.verify_approval`), the key is missing or already in
                the archive, or free text looks like personal data (the field is named, not the value).
        """
        if record.state != "approved" or record.approval is None:
            raise _error(
                "record",
                msg("is a recommendation, not an approved plan: the archive keeps approved rounds only"),
                msg("have an official approve it first (matchmaker approve, or mm.approve) and add that record"),
            )
        try:
            verify_approval(problem, result, record)
        except ApprovalError as exc:
            raise _error(
                "record", _why(exc), msg("add the problem and recommendation the approval was made from")
            ) from None
        name = key if key is not None else round_key(problem)
        if name is None or not name.strip() or len(name) > 100 or re.search(r"[\x00-\x1f\x7f]", name):
            raise _error(
                "key",
                msg("a round needs a key of 1 to 100 characters of plain text, and this problem has no round"),
                msg("give the round a term, year and step, or give a key such as 2026-HT-1"),
            )
        name = name.strip()
        problem_text = canonical_bytes(canonical_problem(problem)).decode("utf-8")
        result_text = canonical_bytes(result.model_dump(mode="json")).decode("utf-8")
        record_data = record.model_dump(mode="json")
        record_text = canonical_bytes(record_data).decode("utf-8")
        found: list[str] = []
        terms = _people_pattern(people)
        _screen(name, "key", terms, found)
        _screen(json.loads(problem_text), "problem", terms, found)
        _screen({k: v for k, v in record_data.items() if k not in ("decision", "signature")}, "record", terms, found)
        _screen(json.loads(result_text)["decision"], "result.decision", terms, found)
        if found:
            raise ArchiveError(
                ValidationIssue.of(
                    where,
                    msg("looks like personal data (a name, an e-mail address or a personal identity number)"),
                    msg("keep names out of the round: use opaque ids and plain labels, then approve again"),
                )
                for where in found
            )
        rnd = problem.round
        term, year, step = (rnd.term, rnd.year, rnd.step) if rnd is not None else (None, None, None)
        added_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        rest = (term, year, step, added_at, problem_text, result_text, record_text)
        try:
            return self._append(name, rest, problem, record)
        except sqlite3.Error as exc:  # busy beyond the timeout, a read-only file, a full disk: nothing was written
            raise _error(
                str(self._path),
                msg("the round could not be written ({reason}); the archive is as it was", reason=str(exc)),
                msg("try again when no other process is writing, and check that the file is writable"),
            ) from exc

    def _append(self, name: str, rest: tuple[Any, ...], problem: Problem, record: AuditRecord) -> ArchiveEntry:
        """Append one round's row and placements in one ``BEGIN IMMEDIATE`` transaction."""
        placements = [(a.applicant, a.unit, a.supervisor, a.municipality) for a in record.decision.assignments]
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM rounds WHERE key = ?", (name,)).fetchone() is not None:
                raise _error(
                    "key",
                    msg("round {key} is already in the archive", key=name),
                    msg("give another key (a second round of the same term and step needs its own)"),
                )
            head = conn.execute("SELECT seq, hash FROM rounds ORDER BY seq DESC LIMIT 1").fetchone()
            seq, previous = (1, GENESIS) if head is None else (head[0] + 1, head[1])
            content = (name, *rest)
            own = chain_hash(content, previous)
            row = (seq, *content)
            fingerprints = (problem.fingerprint(), record.output_fingerprint, previous, own)
            conn.execute(f"INSERT INTO rounds ({_COLUMNS}) VALUES ({', '.join('?' * 13)})", (*row, *fingerprints))
            conn.executemany("INSERT INTO placements VALUES (?, ?, ?, ?, ?)", [(seq, *p) for p in placements])
            if _inside_write is not None:
                _inside_write()
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed COMMIT may have ended it already
                conn.execute("ROLLBACK")
            raise
        return _entry((*row, *fingerprints), len(placements))

    # --- reading --------------------------------------------------------------------------------------

    def _rows(self, where: str = "", args: tuple[Any, ...] = (), *, placements: bool = False) -> _Snapshot:
        """The rounds' rows (``where``), each with its count of placements, and with ``placements`` every
        round's placements: read in one transaction, so that a round another process adds meanwhile is
        wholly in or wholly out."""
        conn = self._conn
        conn.execute("BEGIN")
        try:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM rounds {where} ORDER BY seq", args).fetchall()
            counts = dict(conn.execute("SELECT round, count(*) FROM placements GROUP BY round").fetchall())
            stored: dict[int, set[tuple[str, ...]]] = {}
            query = "SELECT round, applicant, unit, supervisor, municipality FROM placements"
            for seq, *placement in conn.execute(query) if placements else ():
                stored.setdefault(seq, set()).add(tuple(placement))
        finally:
            conn.execute("COMMIT")
        return [(*row, counts.get(row[0], 0)) for row in rows], stored

    def rounds(self) -> tuple[ArchiveEntry, ...]:
        """Every round in the archive, in chain order."""
        return tuple(_entry(row[:13], row[13]) for row in self._rows()[0])

    def round(self, key: str | None = None) -> ArchivedRound:
        """The round named ``key`` in full, or the last one added.

        Raises:
            ArchiveError: no round has that key, or the archive is empty.
        """
        if key is None:
            rows = self._rows("WHERE seq = (SELECT max(seq) FROM rounds)")[0]
        else:
            rows = self._rows("WHERE key = ?", (key,))[0]
        if not rows:
            keys = [e.key for e in self.rounds()]
            if key is None:
                raise _error(str(self._path), msg("the archive holds no round yet"), msg("add an approved round"))
            raise _error(
                "key",
                msg("no round {key} in the archive", key=key),
                msg("give one of: {keys}", keys=", ".join(keys) or "-"),
            )
        row = rows[0]
        source = f"{self._path} {row[1]}"
        return ArchivedRound(
            **_entry(row[:13], row[13]).model_dump(),
            problem=problem_from_json(row[6], source),
            result=result_from_json(row[7], source),
            record=AuditRecord.model_validate(parse_json(row[8], source)),
        )

    def next_round(
        self, intake: Round, *, key: str | None = None, applicants: Iterable[str] | None = None, name: str | None = None
    ) -> Problem:
        """The problem of the round after the archived round ``key`` (default: the last one added), drawn
        from its approved plan by :func:`matchmaker.next_round`: the placed applicants (all, or those of
        ``applicants``) continue with their placement as ``previous_unit``/``previous_supervisor``, and
        placements still running when ``intake`` starts become commitments. A round approved with
        overrides continues from the approved plan, on the problem with its overrides applied.

        Raises:
            ArchiveError: no such round (or none yet).
            InputError: ``applicants`` names someone the approved plan did not place.
        """
        problem, approved = self.round(key).approved_result()
        return _next_round(problem, approved, intake, applicants=applicants, name=name)

    # --- verifying ------------------------------------------------------------------------------------

    def verify(self, *, expect_head: str | None = None, public_key: PublicKey | None = None) -> ArchiveVerification:
        """Recompute the hash chain and every round's fingerprints and approval.

        Each round's row must hash to its stored hash (else it was *edited*), follow the hash of the row
        before it (else a round was *removed* before it, or the rounds were *reordered*: the finding says
        which), and its problem, result and audit record must match their fingerprints and the approval
        must follow from the recommendation (:func:`matchmaker.verify_approval`, which re-solves a round
        approved with overrides). ``expect_head``, a head hash reported earlier, must still be in the
        chain (else rounds were removed from its end). With ``public_key`` (the office's), every round's
        approval must also carry a valid signature by that key (:func:`matchmaker.verify_record`).

        Raises:
            MissingExtraError: ``public_key`` is given and the ``sign`` extra is not installed.
        """
        rows, stored = self._rows(placements=True)
        findings: list[ArchiveFinding] = []
        by_hash = {row[12]: row for row in rows}
        expected, before = GENESIS, None
        for row in rows:
            seq, key, previous, own = row[0], row[1], row[11], row[12]
            if chain_hash(row[1:9], previous) != own:
                findings.append(
                    ArchiveFinding.of(
                        "edited",
                        seq,
                        key,
                        msg(
                            "round {key} (position {n}) was changed after it was added: its content does not match "
                            "its hash",
                            key=key,
                            n=seq,
                        ),
                    )
                )
            if previous != expected:
                findings.append(_chain_break(seq, key, previous, before, by_hash, gap=seq != (before or 0) + 1))
            findings.extend(_round_findings(self._path, row[:13], stored.get(seq, set()), public_key))
            expected, before = own, seq
        head = rows[-1][12] if rows else GENESIS
        if expect_head is not None and expect_head not in by_hash and expect_head != GENESIS:
            findings.append(
                ArchiveFinding.of(
                    "truncated",
                    None,
                    None,
                    msg(
                        "the head {head} recorded earlier is not in the chain: rounds were removed from its end "
                        "(or it is another archive)",
                        head=expect_head,
                    ),
                )
            )
        return ArchiveVerification(ok=not findings, rounds=len(rows), head=head, findings=tuple(findings))

    # --- exporting ------------------------------------------------------------------------------------

    def placement_rows(self, applicant: str | None = None) -> list[tuple[Value, ...]]:
        """One row per approved placement per round, in chain order then by applicant: round key, term,
        year, step, applicant, unit, supervisor, municipality (ids only). With ``applicant``, that
        applicant's placements only: their path through the programme, since a pseudonymous id stays the
        same from round to round."""
        where, args = ("WHERE p.applicant = ?", (applicant,)) if applicant is not None else ("", ())
        query = (
            "SELECT r.key, r.term, r.year, r.step, p.applicant, p.unit, p.supervisor, p.municipality "
            f"FROM placements p JOIN rounds r ON r.seq = p.round {where} ORDER BY r.seq, p.applicant"
        )
        return [tuple(row) for row in self._conn.execute(query, args).fetchall()]

    def cohort_placements(self, family: str = "university") -> list[CohortPlacement]:
        """Every approved placement of a round with a year and term, as the cohort figures read it: with
        the applicant's group in ``family`` in that round (for ``university``, the applicant's
        ``university`` when they have no such group). Rounds without a :class:`~matchmaker.Round` are
        left out: they belong to no term."""
        rows, _ = self._rows()
        groups: dict[str, dict[str, str | None]] = {}
        for row in rows:
            applicants = _loads(row[6]).get("applicants", ())
            groups[row[1]] = {str(a.get("id")): _group_of(a, family) for a in applicants if isinstance(a, dict)}
        return [
            CohortPlacement(
                year=year,
                term=term,
                step=step,
                applicant=applicant,
                unit=unit,
                supervisor=supervisor,
                municipality=municipality,
                group=groups.get(str(key), {}).get(str(applicant)),
            )
            for key, term, year, step, applicant, unit, supervisor, municipality in self.placement_rows()
            if term is not None and year is not None and step is not None
        ]

    def cohort_figures(self, *, family: str = "university", to_step_2: int = 2, to_step_3: int = 3) -> CohortFigures:
        """The programme's cohort figures (:func:`matchmaker.cohort_figures`): step 1 -> step 2 ->
        employment per cohort, by ``family`` group, unit and municipality, retention, continuity and
        supervisor load, from every approved placement (:meth:`cohort_placements`) and the rounds held."""
        held = [
            (e.year, e.term, e.step)
            for e in self.rounds()
            if e.year is not None and e.term is not None and e.step is not None
        ]
        return cohort_figures(
            self.cohort_placements(family),
            held,
            family=family,
            to_step_2=to_step_2,
            to_step_3=to_step_3,
        )

    def export(self, path: str | os.PathLike[str], *, lang: Lang = "en") -> Path:
        """Write every approved placement of every round (:meth:`placement_rows`) to ``path``: a ``.csv``
        file, or an ``.xlsx`` workbook (the ``excel`` extra), headers in ``lang``. No names: ids only.

        Raises:
            ArchiveError: ``path`` ends in neither ``.csv`` nor ``.xlsx``.
            MissingExtraError: ``.xlsx`` without openpyxl.
        """
        target = Path(path)
        rows = self.placement_rows()
        suffix = target.suffix.lower()
        if suffix == ".csv":
            atomic_write_text(target, table_csv_text(ARCHIVE_PLACEMENTS, rows, lang))
        elif suffix == ".xlsx":
            write_tables_excel({ARCHIVE_PLACEMENTS: rows}, target, lang)
        else:
            raise _error(
                str(target), msg("is neither a .csv nor an .xlsx file"), msg("end the file name in .csv or .xlsx")
            )
        return target


def _group_of(applicant: dict[str, Any], family: str) -> str | None:
    """The group of a stored applicant in ``family``; for ``university``, their university without one."""
    groups = applicant.get("groups")
    group = groups.get(family) if isinstance(groups, dict) else None
    if group is None and family == "university":
        group = applicant.get("university")
    return str(group) if group is not None else None


def _why(exc: ApprovalError) -> Message:
    """The message an :class:`ApprovalError` was raised with (always a translatable one)."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Message) else msg("the approval does not follow from its recommendation")


def _chain_break(
    seq: int, key: str, previous: str, before: int | None, by_hash: dict[str, tuple[Any, ...]], *, gap: bool
) -> ArchiveFinding:
    """Why round ``key`` does not follow the row stored before it."""
    if previous in by_hash:
        other = by_hash[previous][1]
        return ArchiveFinding.of(
            "reordered",
            seq,
            key,
            msg(
                "round {key} is out of order: in the chain it follows round {other}, but it is stored at position {n}",
                key=key,
                other=other,
                n=seq,
            ),
        )
    if previous == GENESIS:
        return ArchiveFinding.of(
            "reordered",
            seq,
            key,
            msg("round {key} was the first round, but it is stored at position {n}", key=key, n=seq),
        )
    if gap:
        first = (before or 0) + 1
        return ArchiveFinding.of(
            "removed",
            seq,
            key,
            _removed(first, seq - 1, key),
        )
    return ArchiveFinding.of(
        "edited",
        seq,
        key,
        msg(
            "the round before {key} was changed and its hash rewritten (or replaced): round {key} follows a hash "
            "that is not in the archive",
            key=key,
        ),
    )


def _removed(first: int, last: int, key: str) -> Message:
    """The message that the rounds at positions ``first`` to ``last`` (before ``key``) were removed."""
    if first >= last:
        return msg("the round at position {n}, just before round {key}, was removed", n=first, key=key)
    return msg(
        "the rounds at positions {first} to {last}, just before round {key}, were removed",
        first=first,
        last=last,
        key=key,
    )


def _round_findings(
    path: Path, row: tuple[Any, ...], placements: set[tuple[str, ...]], public_key: PublicKey | None
) -> list[ArchiveFinding]:
    """The findings of one round's own content: readable, fingerprints, approval, with ``public_key`` its
    signature, the placements index."""
    seq, key, _term, _year, _step, _added, problem_text, result_text, record_text, input_fp, output_fp = row[:11]
    source = f"{path} {key}"

    def finding(kind: FindingKind, message: Message) -> ArchiveFinding:
        return ArchiveFinding.of(kind, seq, key, message)

    try:
        problem = problem_from_json(problem_text, source)
        result = result_from_json(result_text, source)
        record = AuditRecord.model_validate(parse_json(record_text, source))
    except (InputError, ValueError):
        return [finding("unreadable", msg("round {key} cannot be read back (its stored JSON was changed)", key=key))]
    out: list[ArchiveFinding] = []
    if problem.fingerprint() != input_fp or record.input_fingerprint != input_fp:
        out.append(
            finding("fingerprint", msg("the problem of round {key} does not match its recorded fingerprint", key=key))
        )
    if records_fingerprint(problem) != record.records_fingerprint:
        out.append(
            finding("fingerprint", msg("the records of round {key} do not match their recorded fingerprint", key=key))
        )
    if decision_fingerprint(record.decision) != output_fp or record.output_fingerprint != output_fp:
        out.append(
            finding(
                "fingerprint", msg("the approved plan of round {key} does not match its recorded fingerprint", key=key)
            )
        )
    try:
        verify_approval(problem, result, record)
    except ApprovalError as exc:
        out.append(finding("approval", msg("round {key}: {why}", key=key, why=_why(exc))))
    if public_key is not None:
        signed = verify_record(record, public_key=public_key)
        out += [finding("signature", msg("round {key}: {why}", key=key, why=f)) for f in signed.findings]
    approved = {(a.applicant, a.unit, a.supervisor, a.municipality) for a in record.decision.assignments}
    if placements != approved:
        out.append(
            finding("index", msg("the placements stored for round {key} differ from its approved plan", key=key))
        )
    return out
