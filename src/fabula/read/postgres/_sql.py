"""The PostgreSQL target's statements: one statement per name.

Connections run with ``search_path`` set to the target's schema, so these name tables
without a schema; only the DDL and the copy between schemas (rebuild) qualify them.
Times come from the server's clock (``clock_timestamp()``), so leases mean the same to
workers on every host.
"""

from __future__ import annotations

from psycopg import sql

__all__ = [
    "ACQUIRE_LEASE",
    "CHECKPOINT",
    "CHECKPOINTS",
    "CLEAR_FAILURE",
    "DEAD_LETTERS",
    "DEAD_LETTERS_OF",
    "DELETE_LETTER",
    "DELETE_LETTERS_BETWEEN",
    "DELETE_LETTERS_OF",
    "FAILURE",
    "HAS_FAILURE_COLUMNS",
    "INSERT_CHECKPOINT",
    "LEASE",
    "LOCK_CHECKPOINT",
    "LOCK_SCHEMA",
    "MOVE_CHECKPOINT",
    "RAISE_CHECKPOINT",
    "RECORD_FAILURE",
    "RELEASE_LEASE",
    "RENEW_LEASE",
    "SCHEMA_EXISTS",
    "SET_CHECKPOINT",
    "UPSERT_LETTER",
    "add_failure_columns",
    "copy_from",
    "copy_letters_from",
    "create_tables",
    "drop_schema",
    "empty_table",
    "scratch_checkpoint",
    "scratch_lease",
    "search_path",
]

LOCK_SCHEMA = "SELECT pg_advisory_xact_lock(hashtext('fabula.read:' || %s))"
"""Serializes concurrent ``CREATE TABLE IF NOT EXISTS`` of several workers."""


def create_tables(schema: str) -> sql.Composed:
    """Create the schema and fabula's checkpoint, lease and dead-letter tables if missing."""
    return sql.SQL(
        """
        CREATE SCHEMA IF NOT EXISTS {schema};
        CREATE TABLE IF NOT EXISTS {schema}.fabula_checkpoints (
            name text PRIMARY KEY,
            position bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE TABLE IF NOT EXISTS {schema}.fabula_leases (
            name text PRIMARY KEY,
            owner text NOT NULL,
            expires_at timestamptz NOT NULL
        );
        CREATE TABLE IF NOT EXISTS {schema}.fabula_dead_letters (
            name text NOT NULL,
            position bigint NOT NULL,
            stream_id text NOT NULL,
            version bigint NOT NULL,
            event_id uuid NOT NULL,
            type text NOT NULL,
            error text NOT NULL,
            details text NOT NULL,
            attempts integer NOT NULL,
            parked_at timestamptz NOT NULL,
            PRIMARY KEY (name, position)
        )
        """
    ).format(schema=sql.Identifier(schema))


HAS_FAILURE_COLUMNS = (
    "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s "
    "AND table_name = 'fabula_checkpoints' AND column_name = 'failed_position'"
)


def add_failure_columns(schema: str) -> sql.Composed:
    """Migration 1: the last failed attempt of each projection (see ``fabula.read._failures``)."""
    return sql.SQL(
        """
        ALTER TABLE {schema}.fabula_checkpoints
            ADD COLUMN IF NOT EXISTS failed_position bigint NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS error text,
            ADD COLUMN IF NOT EXISTS failed_at timestamptz
        """
    ).format(schema=sql.Identifier(schema))


def search_path(schema: str) -> sql.Composed:
    """Make ``schema`` the connection's first schema (where unqualified names resolve)."""
    return sql.SQL("SET search_path TO {}, public").format(sql.Identifier(schema))


def drop_schema(schema: str) -> sql.Composed:
    """Drop a scratch schema with everything in it."""
    return sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))


def empty_table(table: str) -> sql.Composed:
    """``DELETE FROM`` a read-model table of the target's schema."""
    return sql.SQL("DELETE FROM {}").format(sql.Identifier(table))


def copy_from(scratch: str, table: str) -> sql.Composed:
    """Copy a read-model table from the scratch schema into the target's schema."""
    return sql.SQL("INSERT INTO {table} SELECT * FROM {scratch}.{table}").format(
        table=sql.Identifier(table), scratch=sql.Identifier(scratch)
    )


def scratch_checkpoint(scratch: str) -> sql.Composed:
    """Read the scratch schema's checkpoint of a projection."""
    return sql.SQL("SELECT position FROM {}.fabula_checkpoints WHERE name = %s").format(
        sql.Identifier(scratch)
    )


SCHEMA_EXISTS = "SELECT 1 FROM pg_namespace WHERE nspname = %s"


def scratch_lease(scratch: str) -> sql.Composed:
    """Read the scratch schema's unexpired lease of a projection (a rebuild at work)."""
    return sql.SQL(
        "SELECT owner FROM {}.fabula_leases WHERE name = %s AND expires_at >= clock_timestamp()"
    ).format(sql.Identifier(scratch))


def copy_letters_from(scratch: str) -> sql.Composed:
    """Copy the scratch schema's dead letters of a projection."""
    return sql.SQL(
        "INSERT INTO fabula_dead_letters SELECT * FROM {}.fabula_dead_letters WHERE name = %s"
    ).format(sql.Identifier(scratch))


# -- checkpoints ---------------------------------------------------------------------------

INSERT_CHECKPOINT = (
    "INSERT INTO fabula_checkpoints (name, position) VALUES (%s, 0) ON CONFLICT (name) DO NOTHING"
)
CHECKPOINT = "SELECT position, updated_at FROM fabula_checkpoints WHERE name = %s"
LOCK_CHECKPOINT = "SELECT position FROM fabula_checkpoints WHERE name = %s FOR UPDATE"
"""Reads the checkpoint and holds its row until the transaction ends (commits wait)."""
CHECKPOINTS = "SELECT name, position, updated_at FROM fabula_checkpoints ORDER BY name"
MOVE_CHECKPOINT = (
    "UPDATE fabula_checkpoints SET position = %s, updated_at = clock_timestamp() "
    "WHERE name = %s AND position = %s"
)
"""Compare and set: moves the checkpoint only from the position the writer read."""
RAISE_CHECKPOINT = (
    "UPDATE fabula_checkpoints SET position = %s, updated_at = clock_timestamp() "
    "WHERE name = %s AND position < %s"
)
SET_CHECKPOINT = (
    "INSERT INTO fabula_checkpoints (name, position) VALUES (%s, %s) ON CONFLICT (name) "
    "DO UPDATE SET position = excluded.position, updated_at = clock_timestamp()"
)

RECORD_FAILURE = (
    "UPDATE fabula_checkpoints SET failed_position = %s, attempts = %s, error = %s, "
    "failed_at = %s WHERE name = %s"
)
FAILURE = (
    "SELECT failed_position, attempts, error, failed_at FROM fabula_checkpoints "
    "WHERE name = %s AND failed_at IS NOT NULL"
)
CLEAR_FAILURE = "UPDATE fabula_checkpoints SET failed_position = 0, attempts = 0 WHERE name = %s"

# -- leases --------------------------------------------------------------------------------

ACQUIRE_LEASE = (
    "INSERT INTO fabula_leases AS held (name, owner, expires_at) "
    "VALUES (%s, %s, clock_timestamp() + make_interval(secs => %s)) "
    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
    "WHERE held.owner = excluded.owner OR held.expires_at < clock_timestamp() "
    "RETURNING owner"
)
"""Take a free or expired lease, or renew one's own; returns a row only on success."""
RENEW_LEASE = (
    "UPDATE fabula_leases SET expires_at = clock_timestamp() + make_interval(secs => %s) "
    "WHERE name = %s AND owner = %s AND expires_at >= clock_timestamp()"
)
RELEASE_LEASE = "DELETE FROM fabula_leases WHERE name = %s AND owner = %s"
LEASE = (
    "SELECT owner, expires_at FROM fabula_leases "
    "WHERE name = %s AND expires_at >= clock_timestamp()"
)

# -- dead letters --------------------------------------------------------------------------

_LETTER_COLUMNS = (
    "name, position, stream_id, version, event_id, type, error, details, attempts, parked_at"
)
UPSERT_LETTER = (
    f"INSERT INTO fabula_dead_letters ({_LETTER_COLUMNS}) "  # noqa: S608 (constant)
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (name, position) DO UPDATE SET "
    "error = excluded.error, details = excluded.details, attempts = excluded.attempts, "
    "parked_at = excluded.parked_at"
)
DEAD_LETTERS = (
    f"SELECT {_LETTER_COLUMNS} FROM fabula_dead_letters "  # noqa: S608 (constant)
    "ORDER BY name, position"
)
DEAD_LETTERS_OF = (
    f"SELECT {_LETTER_COLUMNS} FROM fabula_dead_letters "  # noqa: S608 (constant)
    "WHERE name = %s ORDER BY position"
)
DELETE_LETTER = "DELETE FROM fabula_dead_letters WHERE name = %s AND position = %s"
DELETE_LETTERS_BETWEEN = (
    "DELETE FROM fabula_dead_letters WHERE name = %s AND position > %s AND position <= %s"
)
DELETE_LETTERS_OF = "DELETE FROM fabula_dead_letters WHERE name = %s"
