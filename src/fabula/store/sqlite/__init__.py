"""The SQLite backend: fabula's embedded default store, one file in WAL mode.

Open it with ``SqliteStore("app.db")`` or ``open_store("sqlite:///app.db")``; the schema is
created or migrated on open (see ``migrate=``).
"""

from fabula.store.sqlite._store import SqliteStore
from fabula.store.sqlite._store_async import AsyncSqliteStore

__all__ = ["AsyncSqliteStore", "SqliteStore"]
