"""Losing or corrupting a store's key table behind its back, per backend (tests only)."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from fabula.store.memory import AsyncMemoryStore, MemoryStore
from fabula.store.memory._keys_base import keys_of
from fabula.store.sqlite import AsyncSqliteStore, SqliteStore


def _sql(store: Any, statement: str, params: tuple[object, ...] = ()) -> None:
    if isinstance(store, SqliteStore | AsyncSqliteStore):
        with sqlite3.connect(store.path) as conn:
            conn.execute(statement.replace("{table}", "fabula_personal_keys"), params)
        return
    import psycopg

    settings = store.settings
    table = f'"{settings.schema}".personal_keys'
    with psycopg.connect(settings.conninfo, autocommit=True) as conn:
        conn.execute(statement.replace("{table}", table).replace("?", "%s"), params)


def lose_keys(store: Any) -> None:
    """Drop the whole key table (a restore that left it out, an operator's mistake)."""
    if isinstance(store, MemoryStore | AsyncMemoryStore):
        keys_of(store._log).rows.clear()
        return
    _sql(store, "DROP TABLE {table}")


def corrupt_key(store: Any, subject: str) -> None:
    """Replace a subject's key by other bytes."""
    other = os.urandom(32)
    if isinstance(store, MemoryStore | AsyncMemoryStore):
        keys_of(store._log).rows[subject] = other
        return
    _sql(store, "UPDATE {table} SET key = ? WHERE subject = ?", (other, subject))
