"""The SQLite backend: fabula's embedded default store, one file in WAL mode.

Open it with ``SqliteStore("app.db")`` or ``open_store("sqlite:///app.db")``; the schema is
created or migrated on open (see ``migrate=``). URL options (``?mode=ro``, ``migrate``,
``busy_timeout``, ``poll_interval``) become a ``SqliteSettings``; unknown ones are refused.
"""

from fabula.store.sqlite._settings import OpenMode, SqliteSettings
from fabula.store.sqlite._store import SqliteStore
from fabula.store.sqlite._store_async import AsyncSqliteStore

__all__ = ["AsyncSqliteStore", "OpenMode", "SqliteSettings", "SqliteStore"]
