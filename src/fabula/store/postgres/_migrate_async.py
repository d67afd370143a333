"""Versioned migrations of a store's schema, and the check that it is the version we expect.

Rules:
1. ``migrations/NNNN_name.sql`` are applied in order, each once, in one transaction,
   with ``search_path`` set to the store's schema; ``schema_migrations`` records them.
2. Openers of one schema take a transaction-scoped advisory lock before migrating, so
   concurrent processes never race; the first migrates, the others find it done.
3. A schema newer than this code always fails; an older one is migrated with
   ``mode="auto"`` and fails with ``mode="check"``. So does a log clock that needs
   moving forward (``_ordering.py``, rule 5).
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection, sql

from fabula._errors import SchemaError
from fabula._postgres._settings import MigrateMode
from fabula.store.postgres._migrate_base import (
    MIGRATIONS,
    Migration,
    _check_failure,
)
from fabula.store.postgres._ordering import NEXT_XID, rebased_offset

__all__ = ["MIGRATIONS", "Migration", "migrate"]


"""The migrations shipped with fabula, oldest first."""

_LOCK = sql.SQL("SELECT pg_advisory_xact_lock(hashtext('fabula.migrate'), hashtext({name}))")
# pg_tables reads the catalog with the statement's snapshot; to_regclass() could answer
# from a cache that predates the migration another opener just committed.
_HAS_TABLE = sql.SQL(
    "SELECT EXISTS (SELECT FROM pg_catalog.pg_tables"
    " WHERE schemaname = {name} AND tablename = 'schema_migrations')"
)
_VERSION = sql.SQL("SELECT coalesce(max(version), 0) FROM {schema}.schema_migrations")
_CREATE = sql.SQL(
    "CREATE SCHEMA IF NOT EXISTS {schema};"
    " SET LOCAL search_path TO {schema};"
    " CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())"
)
_RECORD = sql.SQL("INSERT INTO {schema}.schema_migrations (version, name) VALUES (%s, %s)")
_REBASE = sql.SQL("UPDATE {schema}.log_clock SET xid_offset = %s")


async def migrate(
    conn: AsyncConnection[Any],
    schema: str,
    *,
    mode: MigrateMode,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> int:
    """Bring ``schema`` to the latest of ``migrations`` (or check it is there).

    Returns the schema version now in place.

    Raises:
        SchemaError: the schema is newer than ``migrations``, or it needs a migration
            (or a clock rebase) and ``mode`` is ``"check"``.
    """
    latest = migrations[-1].version
    current = await _current_version(conn, schema)
    if current > latest:
        msg = f"schema {schema!r} is at version {current}, newer than this fabula"
        msg += f" (which knows versions up to {latest}): upgrade fabula"
        raise SchemaError(msg)
    if current == latest and await _clock_offset(conn, schema) is None:
        return current
    if mode == "check":
        raise SchemaError(_check_failure(schema, current, latest))
    async with conn.transaction():
        await conn.execute(_LOCK.format(name=sql.Literal(schema)))
        current = await _current_version(conn, schema)
        if current < latest:
            await conn.execute(_CREATE.format(schema=sql.Identifier(schema)))
            for step in migrations[current:]:
                await conn.execute(step.text.encode())
                record = _RECORD.format(schema=sql.Identifier(schema))
                await conn.execute(record, (step.version, step.name))
        offset = await _clock_offset(conn, schema)
        if offset is not None:
            await conn.execute(_REBASE.format(schema=sql.Identifier(schema)), (offset,))
    return latest


async def _current_version(conn: AsyncConnection[Any], schema: str) -> int:
    cur = await conn.execute(_HAS_TABLE.format(name=sql.Literal(schema)))
    row = await cur.fetchone()
    if row is None or not row[0]:
        return 0
    cur = await conn.execute(_VERSION.format(schema=sql.Identifier(schema)))
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def _clock_offset(conn: AsyncConnection[Any], schema: str) -> int | None:
    cur = await conn.execute(NEXT_XID.format(schema=sql.Identifier(schema)))
    row = await cur.fetchone()
    assert row is not None
    return rebased_offset(int(row[0]), int(row[1]), row[2])
