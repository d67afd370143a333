# Generated from _inline_async.py by tools/unasync.py: do not edit, edit the source.
"""``PostgresInline``: an inline projection's append hook on a PostgreSQL store.

The store calls it with its own connection, inside the append's transaction, with the
appended records of the projection's types. The read model and its checkpoint live in
``schema`` of the store's database, where a ``PostgresTarget`` with that schema finds
them: the hook sets the transaction's ``search_path`` to it (``SET LOCAL``: it ends with
the append), so handlers name their tables without a schema, as with the target.

Rules:
1. The checkpoint row is written first, then the handlers run: its lock orders every
   inline append of this projection, so their read-model writes never deadlock.
2. Positions follow transaction ids, not commits (``fabula/store/postgres/_ordering.py``),
   so the checkpoint moves to the greatest position applied, never down.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.errors import UndefinedTable

from fabula._errors import ConfigurationError
from fabula._postgres._settings import check_schema
from fabula.codec import EventRegistry, open_sealed, sealed_subjects_of
from fabula.read._call import call
from fabula.read._errors import HandlerError
from fabula.read._inline_steps import decode_steps
from fabula.read._projection import Projection
from fabula.read.postgres import _sql
from fabula.store import StoredEvent
from fabula.store.postgres import personal_keys_query

__all__ = ["PostgresInline"]

_SEARCH_PATH = "SELECT set_config('search_path', %s, true)"
"""Set the ``search_path`` until the transaction ends."""

_ADVANCE = (
    "WITH path AS (SELECT set_config('search_path', %s, true)) "
    "INSERT INTO {schema}.fabula_checkpoints AS cp (name, position) SELECT %s, %s FROM path "
    "ON CONFLICT (name) DO UPDATE SET position = greatest(cp.position, excluded.position), "
    "updated_at = clock_timestamp()"
)
"""Set the ``search_path``, and move the checkpoint up to a position (never down): rule 2.

One statement, one round trip: the table is named with its schema, which the
``search_path`` set in the same statement cannot yet apply to.
"""

_LOCK_CHECKPOINT = "SELECT position FROM fabula_checkpoints WHERE name = %s FOR UPDATE"


class PostgresInline:
    """Applies a projection's handlers in the append's transaction, and moves its checkpoint."""

    def __init__(
        self,
        projection: Projection,
        registry: EventRegistry,
        schema: str,
        *,
        store_schema: str | None = None,
    ) -> None:
        check_schema(schema)
        self._keys = personal_keys_query(store_schema or schema)
        self._projection = projection
        self._registry = registry
        self._name = projection.name
        self._schema = schema
        quoted = '"{}"'.format(schema.replace('"', '""'))
        self._path = f"{quoted}, public"
        self._advance = _ADVANCE.format(schema=quoted)

    def attach(self, tx: Any) -> int:
        """Create the schema, tables and checkpoint, run ``setup``; return the checkpoint."""
        tx.execute(_sql.LOCK_SCHEMA, (self._schema,))
        tx.execute(_sql.create_tables(self._schema))
        tx.execute(_SEARCH_PATH, (self._path,))
        tx.execute(_sql.INSERT_CHECKPOINT, (self._name,))
        for hook in self._projection.setup_hooks:
            try:
                call(hook, tx)
            except Exception as exc:
                msg = f"projection {self._name!r}: its setup failed: {exc}"
                raise ConfigurationError(msg) from exc
        cursor = tx.execute(_LOCK_CHECKPOINT, (self._name,))
        row = cursor.fetchone()
        return int(row[0])

    def __call__(self, tx: Any, records: Sequence[StoredEvent]) -> None:
        """Apply ``records`` with ``tx``, and move the checkpoint to the greatest of them."""
        subjects = sealed_subjects_of(records)
        if subjects:  # personal fields: their keys are read in this transaction
            records = open_sealed(records, self._read_keys(tx, subjects))
        steps = decode_steps(self._projection, self._registry, records)
        position = max(r.position for r in records)
        tx.execute(self._advance, (self._path, self._name, position))
        for handler, recorded in steps:
            try:
                call(handler, tx, recorded)
            except Exception as exc:
                raise HandlerError.of(self._name, recorded) from exc

    def _read_keys(self, tx: Any, subjects: list[str]) -> dict[str, bytes | None]:
        try:
            with tx.transaction():  # a savepoint: a missing table leaves the append whole
                cursor = tx.execute(self._keys, {"s": subjects})
                rows = cursor.fetchall()
        except UndefinedTable:
            return {}  # the key table is lost: opening raises PersonalKeyError
        return {row[0]: None if row[1] is None else bytes(row[1]) for row in rows}

    def __repr__(self) -> str:
        return f"<inline projection {self._name!r} (PostgreSQL, schema {self._schema!r})>"
