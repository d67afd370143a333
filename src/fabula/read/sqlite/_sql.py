"""The SQLite target's statements: one statement per name.

fabula's own tables are prefixed ``fabula_`` so that read models may share a database
with them, and with the event store. Times are seconds since the epoch (REAL), from the
host's clock: every process using one SQLite file runs on one host.
"""

from __future__ import annotations

__all__ = [
    "ACQUIRE_LEASE",
    "ADD_FAILURE_COLUMNS",
    "ATTACH_SCRATCH",
    "BEGIN",
    "BEGIN_IMMEDIATE",
    "CHECKPOINT",
    "CHECKPOINTS",
    "CLEAR_FAILURE",
    "COMMIT",
    "COPY_SCRATCH_LETTERS",
    "COUNT_TABLES",
    "CREATE_TABLES",
    "DEAD_LETTERS",
    "DEAD_LETTERS_OF",
    "DELETE_LETTER",
    "DELETE_LETTERS_BETWEEN",
    "DELETE_LETTERS_OF",
    "DETACH_SCRATCH",
    "FAILURE",
    "HAS_FAILURE_COLUMNS",
    "HOLD_CHECKPOINT",
    "INSERT_CHECKPOINT",
    "LEASE",
    "MOVE_CHECKPOINT",
    "RAISE_CHECKPOINT",
    "RECORD_FAILURE",
    "RELEASE_LEASE",
    "RENEW_LEASE",
    "ROLLBACK",
    "SCRATCH_CHECKPOINT",
    "SET_CHECKPOINT",
    "TABLE_COUNT",
    "UPSERT_LETTER",
    "copy_scratch_table",
    "empty_table",
]

BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"
BEGIN = "BEGIN"
"""Deferred: ``BEGIN IMMEDIATE`` would write-lock every attached file too (the scratch)."""
COMMIT = "COMMIT"
ROLLBACK = "ROLLBACK"

CREATE_TABLES = """
CREATE TABLE IF NOT EXISTS fabula_checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    updated_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fabula_leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fabula_dead_letters (
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    error TEXT NOT NULL,
    details TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    parked_at REAL NOT NULL,
    PRIMARY KEY (name, position)
) WITHOUT ROWID;
"""

TABLE_COUNT = 3

# -- migrations: what older targets lack, added when a target opens ------------------------

HAS_FAILURE_COLUMNS = (
    "SELECT count(*) FROM pragma_table_info('fabula_checkpoints') WHERE name = 'failed_position'"
)
ADD_FAILURE_COLUMNS = (
    "ALTER TABLE fabula_checkpoints ADD COLUMN failed_position INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE fabula_checkpoints ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE fabula_checkpoints ADD COLUMN error TEXT",
    "ALTER TABLE fabula_checkpoints ADD COLUMN failed_at REAL",
)
"""Migration 1: the last failed attempt of each projection (see ``fabula.read._failures``)."""
COUNT_TABLES = (
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
    "AND name IN ('fabula_checkpoints', 'fabula_leases', 'fabula_dead_letters')"
)

# -- checkpoints ---------------------------------------------------------------------------

INSERT_CHECKPOINT = (
    "INSERT INTO fabula_checkpoints (name, position, updated_at) VALUES (?, 0, ?) "
    "ON CONFLICT (name) DO NOTHING"
)
CHECKPOINT = "SELECT position, updated_at FROM fabula_checkpoints WHERE name = ?"
CHECKPOINTS = "SELECT name, position, updated_at FROM fabula_checkpoints ORDER BY name"
HOLD_CHECKPOINT = "UPDATE main.fabula_checkpoints SET position = position WHERE name = ?"
"""Writes nothing, but takes the write lock of the live file alone (live commits wait)."""
MOVE_CHECKPOINT = (
    "UPDATE fabula_checkpoints SET position = ?, updated_at = ? WHERE name = ? AND position = ?"
)
"""Compare and set: moves the checkpoint only from the position the writer read."""
RAISE_CHECKPOINT = (
    "UPDATE fabula_checkpoints SET position = ?, updated_at = ? WHERE name = ? AND position < ?"
)
SET_CHECKPOINT = (
    "INSERT INTO fabula_checkpoints (name, position, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
    "updated_at = excluded.updated_at"
)

RECORD_FAILURE = (
    "UPDATE fabula_checkpoints SET failed_position = ?, attempts = ?, error = ?, failed_at = ? "
    "WHERE name = ?"
)
FAILURE = (
    "SELECT failed_position, attempts, error, failed_at FROM fabula_checkpoints "
    "WHERE name = ? AND failed_at IS NOT NULL"
)
CLEAR_FAILURE = "UPDATE fabula_checkpoints SET failed_position = 0, attempts = 0 WHERE name = ?"

# -- leases --------------------------------------------------------------------------------

ACQUIRE_LEASE = (
    "INSERT INTO fabula_leases (name, owner, expires_at) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
    "WHERE fabula_leases.owner = excluded.owner OR fabula_leases.expires_at < ? "
    "RETURNING owner"
)
"""Take a free or expired lease, or renew one's own; returns a row only on success."""
RENEW_LEASE = (
    "UPDATE fabula_leases SET expires_at = ? WHERE name = ? AND owner = ? AND expires_at >= ?"
)
RELEASE_LEASE = "DELETE FROM fabula_leases WHERE name = ? AND owner = ?"
LEASE = "SELECT owner, expires_at FROM fabula_leases WHERE name = ? AND expires_at >= ?"

# -- dead letters --------------------------------------------------------------------------

_LETTER_COLUMNS = (
    "name, position, stream_id, version, event_id, type, error, details, attempts, parked_at"
)
UPSERT_LETTER = (
    f"INSERT INTO fabula_dead_letters ({_LETTER_COLUMNS}) "  # noqa: S608 (constant)
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name, position) DO UPDATE SET "
    "error = excluded.error, details = excluded.details, attempts = excluded.attempts, "
    "parked_at = excluded.parked_at"
)
DEAD_LETTERS = (
    f"SELECT {_LETTER_COLUMNS} FROM fabula_dead_letters "  # noqa: S608 (constant)
    "ORDER BY name, position"
)
DEAD_LETTERS_OF = (
    f"SELECT {_LETTER_COLUMNS} FROM fabula_dead_letters "  # noqa: S608 (constant)
    "WHERE name = ? ORDER BY position"
)
DELETE_LETTER = "DELETE FROM fabula_dead_letters WHERE name = ? AND position = ?"
DELETE_LETTERS_BETWEEN = (
    "DELETE FROM fabula_dead_letters WHERE name = ? AND position > ? AND position <= ?"
)
DELETE_LETTERS_OF = "DELETE FROM fabula_dead_letters WHERE name = ?"

# -- rebuild into a copy -------------------------------------------------------------------

ATTACH_SCRATCH = "ATTACH DATABASE ? AS fabula_scratch"
DETACH_SCRATCH = "DETACH DATABASE fabula_scratch"
SCRATCH_CHECKPOINT = "SELECT position FROM fabula_scratch.fabula_checkpoints WHERE name = ?"
COPY_SCRATCH_LETTERS = (
    f"INSERT INTO main.fabula_dead_letters ({_LETTER_COLUMNS}) "  # noqa: S608 (constant)
    f"SELECT {_LETTER_COLUMNS} FROM fabula_scratch.fabula_dead_letters WHERE name = ?"
)


def empty_table(table: str, /) -> str:
    """``DELETE FROM`` a read-model table (``table`` is checked: ``[A-Za-z0-9_]`` only)."""
    return f'DELETE FROM main."{table}"'  # noqa: S608 (checked identifier)


def copy_scratch_table(table: str, /) -> str:
    """Copy a read-model table from the attached scratch database into the main one."""
    return f'INSERT INTO main."{table}" SELECT * FROM fabula_scratch."{table}"'  # noqa: S608
