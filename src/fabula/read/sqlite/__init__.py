"""Read models in SQLite: ``SqliteTarget`` (sync) and ``AsyncSqliteTarget`` (asyncio)."""

from fabula.read.sqlite._target import SqliteTarget
from fabula.read.sqlite._target_async import AsyncSqliteTarget

__all__ = ["AsyncSqliteTarget", "SqliteTarget"]
