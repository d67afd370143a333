"""Connections for the SQLite target: the store's connection pool, preparing target tables.

Rules:
1. Every write (commit, lease, dead letter) runs on the one writer connection, alone, in
   its own ``BEGIN IMMEDIATE`` transaction (see ``_ops``).
2. ``read`` runs on reader connections (WAL lets them read the last commit while a write
   is under way). A ``:memory:`` database is private to its connection, so there the
   writer serves reads too.
3. ``sqlite3`` errors become ``StoreError`` once, in the pool; fabula's own errors pass.
4. ``read_only`` opens the file read-only and creates nothing: a file without fabula's
   target tables (or no file) is refused with ``SchemaError``; writes raise
   ``ReadOnlyError``.

The pool itself is the event store's (``fabula.store.sqlite.SqliteConnection``): only what is done
to a fresh file differs (the target's tables instead of the store's migrations).
"""

from __future__ import annotations

from fabula.read.sqlite import _ops
from fabula.store.sqlite import AsyncSqliteConnection, SqliteConnection

__all__ = ["MEMORY", "AsyncConnection", "Connection"]

MEMORY = ":memory:"
_WHAT = "SQLite target"


class Connection(SqliteConnection):
    """Runs the target's operations on a SQLite file (thread-safe)."""

    def __init__(self, path: str, *, busy_timeout: float = 5.0, read_only: bool = False) -> None:
        super().__init__(
            path,
            busy_timeout=busy_timeout,
            prepare=_ops.check_tables if read_only else _ops.create_tables,
            what=_WHAT,
            mode="ro" if read_only else "rwc",
        )


class AsyncConnection(AsyncSqliteConnection):
    """``Connection`` for asyncio: writes on its writer thread, queries in worker threads.

    None of the target's reads is one the store runs on the loop (``_inline``): a
    handler's query may take any time.
    """

    def __init__(self, path: str, *, busy_timeout: float = 5.0, read_only: bool = False) -> None:
        super().__init__(
            path,
            busy_timeout=busy_timeout,
            prepare=_ops.check_tables if read_only else _ops.create_tables,
            what=_WHAT,
            mode="ro" if read_only else "rwc",
        )
