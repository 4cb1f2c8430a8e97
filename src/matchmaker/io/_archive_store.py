"""The programme archive's SQLite file: connection settings, the versioned schema and the hash chain.

One file in WAL mode with foreign keys on. The schema's version is ``PRAGMA user_version``; the ordered
:data:`MIGRATIONS` bring a file of any earlier version up to :data:`ARCHIVE_SCHEMA_VERSION` on open,
each in its own transaction. ``PRAGMA application_id`` marks the file as a matchmaker archive, so that
another SQLite database is refused rather than changed.

Each round's row holds the hash of the row before it (:func:`chain_hash`): SHA-256 over the canonical
JSON of the row's stored content (the problem, result and audit record by their own SHA-256, the key,
term, year, step and time added) and the previous row's hash. The first row follows :data:`GENESIS`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matchmaker._canonical import canonical_bytes
from matchmaker._i18n import Message, msg
from matchmaker.errors import InputFileError, ValidationIssue

__all__ = [
    "APPLICATION_ID",
    "ARCHIVE_SCHEMA_VERSION",
    "CHAINED",
    "GENESIS",
    "MIGRATIONS",
    "chain_hash",
    "connect",
    "migrate",
    "sha256_text",
]

#: ``PRAGMA application_id`` of a matchmaker archive ("MMAR").
APPLICATION_ID = 0x4D4D4152
#: The hash the first round's row follows.
GENESIS = "sha256:" + "0" * 64


def sha256_text(text: str) -> str:
    """``sha256:<hex>`` of ``text``'s UTF-8 bytes."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


#: The parts of a round's row that its hash covers, in the order of the ``rounds`` table's columns.
CHAINED = ("key", "term", "year", "step", "added_at", "problem", "result", "record")
#: Stored as JSON text and hashed by their own SHA-256 (so that the row's hash input stays small).
_TEXTS = frozenset({"problem", "result", "record"})


def chain_hash(content: Sequence[Any], previous: str) -> str:
    """The hash of one round's row: its stored ``content`` (the values of :data:`CHAINED`, in order)
    and the hash of the row before it."""
    data = {name: sha256_text(value) if name in _TEXTS else value for name, value in zip(CHAINED, content, strict=True)}
    data["previous"] = previous
    return "sha256:" + hashlib.sha256(canonical_bytes(data)).hexdigest()


def _version_1(conn: sqlite3.Connection) -> None:
    """The rounds, in chain order: each with its problem, result and approved audit record (canonical JSON)."""
    conn.execute(
        """CREATE TABLE rounds (
            seq INTEGER PRIMARY KEY CHECK (seq >= 1),
            key TEXT NOT NULL UNIQUE,
            term TEXT CHECK (term IN ('VT', 'HT')),
            year INTEGER,
            step INTEGER,
            added_at TEXT NOT NULL,
            problem TEXT NOT NULL,
            result TEXT NOT NULL,
            record TEXT NOT NULL,
            input_fingerprint TEXT NOT NULL,
            output_fingerprint TEXT NOT NULL,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        )"""
    )


def _version_2(conn: sqlite3.Connection) -> None:
    """The approved placements of every round by applicant id (the ids stay stable across rounds), filled
    from the rounds already stored."""
    conn.execute(
        """CREATE TABLE placements (
            round INTEGER NOT NULL REFERENCES rounds(seq) ON DELETE CASCADE,
            applicant TEXT NOT NULL,
            unit TEXT NOT NULL,
            supervisor TEXT NOT NULL,
            municipality TEXT NOT NULL,
            PRIMARY KEY (round, applicant)
        )"""
    )
    conn.execute("CREATE INDEX placements_by_applicant ON placements (applicant)")
    for seq, record in conn.execute("SELECT seq, record FROM rounds ORDER BY seq").fetchall():
        assignments = json.loads(record)["decision"]["assignments"]
        conn.executemany(
            "INSERT INTO placements VALUES (?, ?, ?, ?, ?)",
            [(seq, a["applicant"], a["unit"], a["supervisor"], a["municipality"]) for a in assignments],
        )


#: The schema's migrations in order: entry ``i`` brings a file from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_version_1, _version_2)
#: The schema version this library writes.
ARCHIVE_SCHEMA_VERSION = len(MIGRATIONS)


def _refuse(path: str, message: Message, fix: Message) -> InputFileError:
    return InputFileError([ValidationIssue.of(path, message, fix)], source=path)


def migrate(conn: sqlite3.Connection, source: str, *, upto: int = ARCHIVE_SCHEMA_VERSION) -> int:
    """Apply the migrations the file lacks, up to version ``upto``, each in one transaction; returns the
    version the file had. A version newer than this library's, or a SQLite file of another program, is
    refused."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    app = int(conn.execute("PRAGMA application_id").fetchone()[0])
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app != APPLICATION_ID and (app != 0 or version != 0 or tables):
        raise _refuse(
            source, msg("is an SQLite database of another program, not a matchmaker archive"), msg("give the archive")
        )
    if version > ARCHIVE_SCHEMA_VERSION:
        raise _refuse(
            source,
            msg(
                "archive schema {value} is newer than this matchmaker knows ({known})",
                value=version,
                known=ARCHIVE_SCHEMA_VERSION,
            ),
            msg("upgrade matchmaker"),
        )
    for target in range(version + 1, upto + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated the file since it was read: check again inside the lock.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) < target:
                MIGRATIONS[target - 1](conn)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return version


def connect(
    path: str | os.PathLike[str], *, timeout: float, create: bool, upto: int = ARCHIVE_SCHEMA_VERSION
) -> sqlite3.Connection:
    """Open (and if ``create``, make) the archive at ``path``: WAL, foreign keys on, ``timeout`` seconds
    of waiting for another writer, the schema migrated to version ``upto``.

    Raises:
        InputFileError: there is no archive at ``path`` and ``create`` is false, the file is not an
            SQLite database or not an archive, or its schema is newer than this library.
    """
    source = str(path)
    if not create and not Path(path).is_file():
        raise _refuse(
            source,
            msg("there is no archive here"),
            msg("give the archive's path (--archive or MATCHMAKER_ARCHIVE), or add a round to start one"),
        )
    # isolation_level=None: the archive opens its own transactions (BEGIN IMMEDIATE for every write).
    conn = sqlite3.connect(source, timeout=timeout, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn, source, upto=upto)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _refuse(
            source, msg("is not an SQLite database ({reason})", reason=str(exc)), msg("give the archive")
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn
