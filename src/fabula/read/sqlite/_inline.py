"""``SqliteInline``: an inline projection's append hook on a SQLite store.

The store calls it on its writer connection, inside the append's transaction (which
holds SQLite's write lock), with the appended records of the projection's types. Sync
only: the asyncio SQLite store runs its appends, hooks included, in a worker thread.
The checkpoint lives in ``fabula_checkpoints`` of the store's file, the table a
``SqliteTarget`` on that file reads and writes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from fabula._errors import ConfigurationError
from fabula.codec import EventRegistry, open_sealed, sealed_subjects_of
from fabula.read._call import call
from fabula.read._errors import HandlerError
from fabula.read._inline_steps import decode_steps
from fabula.read._projection import Projection
from fabula.read.sqlite import _sql
from fabula.store import StoredEvent
from fabula.store.sqlite import read_personal_keys

__all__ = ["SqliteInline"]

_ADVANCE = (
    "INSERT INTO fabula_checkpoints (name, position, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET "
    "position = max(fabula_checkpoints.position, excluded.position), "
    "updated_at = excluded.updated_at"
)
"""Move the checkpoint up to a position (never down)."""


class SqliteInline:
    """Applies a projection's handlers in the append's transaction, and moves its checkpoint."""

    def __init__(self, projection: Projection, registry: EventRegistry) -> None:
        self._projection = projection
        self._registry = registry
        self._name = projection.name

    def attach(self, tx: Any) -> int:
        """Create the tables and the checkpoint, run ``setup``; return the checkpoint."""
        if tx.execute(_sql.COUNT_TABLES).fetchone()[0] != _sql.TABLE_COUNT:
            for statement in _sql.CREATE_TABLES.split(";"):
                if statement.strip():
                    tx.execute(statement)
        tx.execute(_sql.INSERT_CHECKPOINT, (self._name, time.time()))
        for hook in self._projection.setup_hooks:
            try:
                call(hook, tx)
            except Exception as exc:
                msg = f"projection {self._name!r}: its setup failed: {exc}"
                raise ConfigurationError(msg) from exc
        position: int = tx.execute(_sql.CHECKPOINT, (self._name,)).fetchone()[0]
        return position

    def __call__(self, tx: Any, records: Sequence[StoredEvent]) -> None:
        """Apply ``records`` with ``tx``, and move the checkpoint to the last of them."""
        subjects = sealed_subjects_of(records)
        if subjects:  # personal fields: their keys are read in this transaction
            records = open_sealed(records, read_personal_keys(tx, subjects))
        steps = decode_steps(self._projection, self._registry, records)
        tx.execute(_ADVANCE, (self._name, records[-1].position, time.time()))
        for handler, recorded in steps:
            try:
                call(handler, tx, recorded)
            except Exception as exc:
                raise HandlerError.of(self._name, recorded) from exc

    def __repr__(self) -> str:
        return f"<inline projection {self._name!r} (SQLite)>"
