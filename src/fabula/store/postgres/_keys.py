# Generated from _keys_async.py by tools/unasync.py: do not edit, edit the source.
"""The PostgreSQL store's key table (``KeyTable``): ``<schema>.personal_keys``.

The table lives in the store's schema, outside the event schema's migrations: ``create``
and ``forget`` create it when missing (two sessions racing to create it are both fine;
an application role without the right to create it finds it made by ``_grants.py``),
and ``fetch`` reads a missing table as empty. ``INSERT ... ON CONFLICT DO NOTHING``
then ``SELECT`` in one read-committed transaction: a writer that loses the race for a
new subject waits for the winner's commit, then reads the winner's key (rule 1).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Collection, Mapping

import psycopg
from psycopg import Connection, sql
from psycopg.rows import TupleRow

from fabula._postgres._errors import map_errors
from fabula.store.postgres._driver import Database
from fabula.store.postgres._keys_sql import (
    CREATE,
    FORGET,
    NOTE,
    RESTORE,
    STREAMS,
    STREAMS_TABLE,
    TABLE,
    personal_keys_query,
)

__all__ = ["PostgresKeyTable"]

# Another session created it at the same moment, or the table exists and this role may
# not create tables in the schema (an application role, ``_grants.py``): it is there.
_THERE = (
    psycopg.errors.UniqueViolation,
    psycopg.errors.DuplicateTable,
    psycopg.errors.InsufficientPrivilege,
)


class PostgresKeyTable:
    """Per-subject keys in the store's schema, table ``personal_keys``."""

    def __init__(self, db: Database, schema: str, /) -> None:
        self._db = db
        self._schema = schema
        name = sql.Identifier(schema)
        self._table = TABLE.format(schema=name).as_string().encode()
        self._fetch = personal_keys_query(schema)
        self._create = CREATE.format(schema=name).as_string().encode()
        self._forget = FORGET.format(schema=name).as_string().encode()
        self._restore = RESTORE.format(schema=name).as_string().encode()
        self._streams_table = STREAMS_TABLE.format(schema=name).as_string().encode()
        self._note = NOTE.format(schema=name).as_string().encode()
        self._streams = STREAMS.format(schema=name).as_string().encode()

    def fetch(self, subjects: Collection[str], /) -> dict[str, bytes | None]:
        """Return the stored key of each subject that has a row (``None``: forgotten)."""
        if not subjects:
            return {}
        with map_errors(self._db.where, self._schema):
            try:
                rows = self._db.rows(self._fetch, {"s": list(subjects)})
            except psycopg.errors.UndefinedTable:
                return {}
        return {row[0]: None if row[1] is None else bytes(row[1]) for row in rows}

    def create(self, subjects: Collection[str], /) -> dict[str, bytes | None]:
        """Give each subject without a row a fresh key; return every subject's row."""
        wanted = list(dict.fromkeys(subjects))
        if not wanted:
            return {}
        keys = [os.urandom(32) for _ in wanted]

        def work(conn: Connection[TupleRow]) -> list[TupleRow]:
            conn.execute(self._create, {"s": wanted, "k": keys})
            cursor = conn.execute(self._fetch, {"s": wanted})
            return cursor.fetchall()

        self._ensure_table()
        with map_errors(self._db.where, self._schema):
            rows = self._db.transaction(work)
        return {row[0]: None if row[1] is None else bytes(row[1]) for row in rows}

    def forget(self, subject: str, /) -> bool:
        """Destroy the subject's key; return whether it had one."""
        self._ensure_table()
        with map_errors(self._db.where, self._schema):
            rows = self._db.rows(self._forget, {"s": subject})
        return bool(rows and rows[0][0])

    def restore(self, rows: Mapping[str, bytes | None], /) -> None:
        """Write rows copied from another key table (forgetting wins)."""
        if not rows:
            return
        self._ensure_table()
        with map_errors(self._db.where, self._schema):
            self._db.rows(self._restore, {"s": list(rows), "k": list(rows.values())})

    def note(self, pairs: Collection[tuple[str, str]], /, *, complete: bool = False) -> None:
        """Remember ``(subject, stream)`` pairs; ``complete``: the index now covers all."""
        rows = [*pairs, ("", "")] if complete else list(pairs)
        if not rows:
            return
        with map_errors(self._db.where, self._schema), contextlib.suppress(*_THERE):
            self._db.rows(self._streams_table)
        with map_errors(self._db.where, self._schema):
            self._db.rows(
                self._note, {"s": [row[0] for row in rows], "t": [row[1] for row in rows]}
            )

    def streams(self, subject: str, /) -> list[str] | None:
        """The streams noted for ``subject``, sorted; ``None`` while the index is incomplete."""
        with map_errors(self._db.where, self._schema):
            try:
                rows = self._db.rows(self._streams, {"s": subject})
            except psycopg.errors.UndefinedTable:
                return None
        if ("", "") not in [(row[0], row[1]) for row in rows]:
            return None
        return [row[1] for row in rows if row[0] == subject]

    def _ensure_table(self) -> None:
        # When it is not there after all, the next statement says so (``SchemaError``).
        with map_errors(self._db.where, self._schema), contextlib.suppress(*_THERE):
            self._db.rows(self._table)
