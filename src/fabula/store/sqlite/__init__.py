"""The SQLite backend: fabula's embedded default store, one file in WAL mode.

Open it with ``SqliteStore("app.db")`` or ``open_store("sqlite:///app.db")``; the schema is
created or migrated on open (see ``migrate=``). URL options (``?mode=ro``, ``migrate``,
``busy_timeout``, ``poll_interval``) become a ``SqliteSettings``; unknown ones are refused.

``SqliteConnection`` / ``AsyncSqliteConnection`` (one writer, a few readers, ``sqlite3``
errors mapped once) is the building block the SQLite read-model target runs on too.
``read_personal_keys(conn, subjects)`` reads personal-data keys in a caller's transaction
(inline projections).
"""

from fabula.store.sqlite._driver import (
    AsyncConnection as AsyncSqliteConnection,
    Connection as SqliteConnection,
)
from fabula.store.sqlite._keys_ops import fetch as read_personal_keys
from fabula.store.sqlite._migrate import schema_sql
from fabula.store.sqlite._settings import OpenMode, SqliteSettings
from fabula.store.sqlite._store import SqliteStore
from fabula.store.sqlite._store_async import AsyncSqliteStore

__all__ = [
    "AsyncSqliteConnection",
    "AsyncSqliteStore",
    "OpenMode",
    "SqliteConnection",
    "SqliteSettings",
    "SqliteStore",
    "read_personal_keys",
    "schema_sql",
]
