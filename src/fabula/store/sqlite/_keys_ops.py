"""The SQLite key table's operations, plain functions of a ``sqlite3.Connection``.

The table ``fabula_personal_keys`` sits beside the events, outside the migrations of the
event schema: ``create`` and ``forget`` create it when missing (``CREATE TABLE IF NOT
EXISTS``, in their own ``BEGIN IMMEDIATE`` transaction), and ``fetch`` reads a missing
table as empty. The write lock makes ``INSERT OR IGNORE`` then ``SELECT`` atomic, so two
writers creating a key for one subject store one key (rule 1 of ``store._keys_async``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection, Mapping
from datetime import UTC, datetime

__all__ = ["COMPLETE", "create", "fetch", "forget", "note", "restore", "streams"]

_TABLE = """CREATE TABLE IF NOT EXISTS fabula_personal_keys (
    subject TEXT PRIMARY KEY,
    key BLOB,
    created_at TEXT NOT NULL,
    forgotten_at TEXT
) WITHOUT ROWID"""

_STREAMS = """CREATE TABLE IF NOT EXISTS fabula_personal_key_streams (
    subject TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    PRIMARY KEY (subject, stream_id)
) WITHOUT ROWID"""

COMPLETE = ("", "")
"""The row marking the stream index complete (no subject is empty)."""

_CHUNK = 500


def fetch(conn: sqlite3.Connection, subjects: Collection[str]) -> dict[str, bytes | None]:
    """Return the rows of ``subjects`` that exist (a missing table reads as empty)."""
    found: dict[str, bytes | None] = {}
    wanted = list(dict.fromkeys(subjects))
    try:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT subject, key FROM fabula_personal_keys WHERE subject IN ({marks})",  # noqa: S608
                chunk,
            ).fetchall()
            found.update((row[0], row[1]) for row in rows)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return {}
        raise
    return found


def create(conn: sqlite3.Connection, subjects: Collection[str]) -> dict[str, bytes | None]:
    """Insert a fresh key for each subject without a row; return every subject's row."""
    now = datetime.now(UTC).isoformat()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_TABLE)
        conn.executemany(
            "INSERT OR IGNORE INTO fabula_personal_keys (subject, key, created_at)"
            " VALUES (?, ?, ?)",
            [(subject, os.urandom(32), now) for subject in dict.fromkeys(subjects)],
        )
        rows = fetch(conn, subjects)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return rows


def forget(conn: sqlite3.Connection, subject: str) -> bool:
    """Set the subject's key to NULL for good (a row is made if none); return if it had one."""
    now = datetime.now(UTC).isoformat()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_TABLE)
        had = fetch(conn, [subject]).get(subject) is not None
        conn.execute(
            "INSERT INTO fabula_personal_keys (subject, key, created_at, forgotten_at)"
            " VALUES (?, NULL, ?, ?) ON CONFLICT (subject) DO UPDATE SET key = NULL,"
            " forgotten_at = coalesce(fabula_personal_keys.forgotten_at, excluded.forgotten_at)",
            (subject, now, now),
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return had


def restore(conn: sqlite3.Connection, rows: Mapping[str, bytes | None]) -> None:
    """Write copied rows: a new subject takes its row, a forgotten one loses its key."""
    now = datetime.now(UTC).isoformat()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_TABLE)
        conn.executemany(
            "INSERT INTO fabula_personal_keys (subject, key, created_at, forgotten_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO UPDATE SET"
            " key = CASE WHEN excluded.key IS NULL THEN NULL ELSE fabula_personal_keys.key END,"
            " forgotten_at = CASE WHEN excluded.key IS NULL"
            " THEN coalesce(fabula_personal_keys.forgotten_at, excluded.forgotten_at)"
            " ELSE fabula_personal_keys.forgotten_at END",
            [
                (subject, key, now, None if key is not None else now)
                for subject, key in rows.items()
            ],
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def note(conn: sqlite3.Connection, rows: Collection[tuple[str, str]]) -> None:
    """Remember ``(subject, stream)`` rows (``COMPLETE`` marks the index complete)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_STREAMS)
        conn.executemany(
            "INSERT OR IGNORE INTO fabula_personal_key_streams (subject, stream_id) VALUES (?, ?)",
            rows,
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def streams(conn: sqlite3.Connection, subject: str) -> list[str] | None:
    """The subject's noted streams, sorted; ``None`` while the index is incomplete."""
    try:
        rows = conn.execute(
            "SELECT subject, stream_id FROM fabula_personal_key_streams"
            " WHERE subject = ? OR (subject = '' AND stream_id = '') ORDER BY stream_id",
            (subject,),
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    if COMPLETE not in [tuple(row) for row in rows]:
        return None
    return [row[1] for row in rows if row[0] == subject]
