"""Versioned schema migrations for the SQLite backend.

Rules:
1. Migrations are the files ``migrations/NNNN_name.sql``, applied in version order; the
   table ``fabula_schema`` records each applied version (one row per migration).
2. Opening a store with ``mode="auto"``: a fresh database gets every migration, an older
   one is migrated. With ``mode="check"`` both are refused with ``SchemaError`` and
   nothing is written (a fresh file, or another application's, stays as it was). A
   database at a newer version than this code is always refused: old code must not
   write to it.
3. All pending migrations run in one ``BEGIN IMMEDIATE`` transaction (SQLite DDL is
   transactional), and the version is read again under that lock: two processes opening
   the same fresh file migrate it once, and a failed migration leaves the database as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal, TypeAlias

from fabula._errors import ConfigurationError, SchemaError
from fabula.store.sqlite import _sql

__all__ = [
    "MIGRATIONS",
    "MigrateMode",
    "Migration",
    "load_migrations",
    "migrate",
    "schema_sql",
    "schema_version",
]

MigrateMode: TypeAlias = Literal["auto", "check"]


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema change: its version (1, 2, ...), its name and its SQL script."""

    version: int
    name: str
    sql: str


def load_migrations() -> tuple[Migration, ...]:
    """Read the packaged ``migrations/NNNN_name.sql`` files, in version order."""
    folder = resources.files("fabula.store.sqlite").joinpath("migrations")
    found = sorted(
        (int(entry.name[:4]), entry.name.removesuffix(".sql"), entry.read_text("utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    )
    migrations = tuple(Migration(version, name, sql) for version, name, sql in found)
    if [m.version for m in migrations] != list(range(1, len(migrations) + 1)):
        msg = f"SQLite migrations must be numbered 1, 2, ... without gaps: {found!r}"
        raise SchemaError(msg)
    return migrations


MIGRATIONS = load_migrations()
"""Every migration this code knows; the last one's version is the schema it expects."""


def schema_version(conn: sqlite3.Connection) -> int:
    """Return the database's schema version: 0 for a database fabula never touched."""
    if not conn.execute(_sql.SCHEMA_TABLE_EXISTS).fetchone()[0]:
        return 0
    version: int = conn.execute(_sql.SCHEMA_VERSION).fetchone()[0]
    return version


def migrate(
    conn: sqlite3.Connection,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    mode: MigrateMode = "auto",
    path: str = "",
) -> int:
    """Bring the database to the last of ``migrations``; return the version it was at.

    Args:
        conn: a connection in autocommit mode (``isolation_level=None``), not in a transaction.
        migrations: the known migrations, versions 1..n in order.
        mode: ``"auto"`` creates or migrates the schema, ``"check"`` refuses to.
        path: the database file, named in error messages.

    Raises:
        SchemaError: the database is newer than ``migrations``, is older (or has no
            schema) and ``mode`` is ``"check"``, or a migration failed (and was rolled back).
        ConfigurationError: ``mode`` is not ``"auto"`` or ``"check"``.
    """
    if mode not in ("auto", "check"):
        msg = f"migrate must be 'auto' or 'check', not {mode!r}"
        raise ConfigurationError(msg)
    target = migrations[-1].version if migrations else 0
    found = schema_version(conn)
    if found == target:
        return found
    _refuse(found, target, mode, path)
    conn.execute(_sql.BEGIN_IMMEDIATE)
    try:
        found = schema_version(conn)
        _refuse(found, target, mode, path)
        conn.execute(_sql.CREATE_SCHEMA_TABLE)
        now = time.time_ns() // 1000
        for migration in migrations:
            if migration.version > found:
                _apply(conn, migration, path)
                conn.execute(_sql.RECORD_MIGRATION, (migration.version, migration.name, now))
        conn.execute(_sql.COMMIT)
    except BaseException:
        if conn.in_transaction:
            conn.execute(_sql.ROLLBACK)
        raise
    return found


def _refuse(found: int, target: int, mode: MigrateMode, path: str) -> None:
    if found > target:
        msg = (
            f"SQLite database {path!r} is at fabula schema version {found}, newer than "
            f"version {target} that this code knows: upgrade fabula to open it"
        )
        raise SchemaError(msg)
    if found == 0 and mode == "check":
        msg = (
            f"no fabula store in SQLite database {path!r} (it holds no fabula schema): "
            "check the path, or open it with migrate='auto' to create one"
        )
        raise SchemaError(msg)
    if 0 < found < target and mode == "check":
        msg = (
            f"SQLite database {path!r} is at fabula schema version {found}, this code "
            f"expects version {target}: back it up, then open it once with "
            "migrate='auto' to migrate it"
        )
        raise SchemaError(msg)


def _apply(conn: sqlite3.Connection, migration: Migration, path: str) -> None:
    try:
        for statement in _statements(migration.sql):
            conn.execute(statement)
    except sqlite3.Error as exc:
        msg = f"SQLite database {path!r}: migration {migration.name} failed ({exc}); rolled back"
        raise SchemaError(msg) from exc


def _statements(script: str) -> list[str]:
    """Split a script into statements (``executescript`` would commit our transaction)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if any(line.strip() and not line.strip().startswith("--") for line in current.splitlines()):
        statements.append(current.strip())
    return statements


def schema_sql(*, after: int = 0) -> str:
    """The SQL script that brings a SQLite store from version ``after`` to the latest.

    What ``migrate()`` runs, in one transaction, with the ``fabula_schema`` rows it
    records: for a DBA to read or run (``fabula store migrate --sql``).
    """
    now_us = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
    parts = ["BEGIN IMMEDIATE;", _sql.CREATE_SCHEMA_TABLE + ";"]
    for migration in MIGRATIONS[after:]:
        parts.append(f"-- migration {migration.name}\n{migration.sql.strip()}")
        parts.append(
            "INSERT INTO fabula_schema (version, name, applied_at)"  # noqa: S608 - our names
            f" VALUES ({migration.version}, '{migration.name}', {now_us});"
        )
    parts.append("COMMIT;")
    return "\n".join(parts) + "\n"
