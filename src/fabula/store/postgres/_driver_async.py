"""``AsyncDatabase``: the store's way to the server: open once, run statements, recover.

Rules:
1. Opening connects once on its own connection (so a refused connection says why),
   checks or migrates the schema, then opens the pool. Later calls do nothing.
2. Every statement runs alone on a pooled autocommit connection: no transaction ever
   waits on the client.
3. A statement whose connection died (``pg_terminate_backend``, a restart) runs once more
   on a fresh connection, after the pool has discarded its other dead ones. That is safe
   for reads, and for appends too: a repeated append is recognised by its event ids, and
   the caller's ``Attempts`` marked in doubt tell its own lost commit from a re-append
   (``_in_doubt.py``).
4. Every pooled connection plans each statement once (``plan_cache_mode``): PostgreSQL's
   default would re-plan the append on every call, about half its cost.
5. ``transaction`` is the one exception to rule 2, for appends with hooks: the hooks are
   the client's code, run inside. Its connection dying runs it once more, as in rule 3.
6. Results come in binary format, on sessions in time zone ``UTC``: timestamps then load
   from integers straight into UTC datetimes, which halves the cost of reading an event
   row (``recorded_at`` was its dearest column, parsed as text, then converted).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

from fabula._errors import ClosedError, StoreError
from fabula._postgres._errors import first_line, map_errors
from fabula._postgres._pool_guard import AsyncCancelCheck, AsyncPoolGuard
from fabula._postgres._settings import PostgresSettings
from fabula.store.postgres._in_doubt import Attempts
from fabula.store.postgres._lifetime import Loop, running_loop
from fabula.store.postgres._migrate_async import migrate

__all__ = ["AsyncDatabase"]

_ATTEMPTS = 2  # rule 3: once more on a fresh connection

T = TypeVar("T")


class AsyncDatabase:
    """A connection pool on one server and schema, opened on first use."""

    def __init__(self, settings: PostgresSettings) -> None:
        self._settings = settings
        self.where = settings.where
        """The server as ``host:port/db``, for messages."""
        self._pool: AsyncConnectionPool[AsyncConnection[TupleRow]] = AsyncConnectionPool(
            settings.conninfo,
            kwargs=settings.connect_kwargs(),
            min_size=settings.min_size,
            max_size=settings.max_size,
            timeout=settings.pool_timeout,
            open=False,
            name=f"fabula-{settings.schema}",
            configure=_configure,
        )
        self._guard = AsyncPoolGuard(self._pool)
        self._ready = False
        self._closed = False
        self._loop: Loop | None = None

    @property
    def opened(self) -> bool:
        """Whether the pool is open (and ``close()`` has connections to close)."""
        return not self._pool.closed

    @property
    def loop(self) -> Loop | None:
        """The event loop the pool was opened in (for an asyncio pool)."""
        return self._loop

    @property
    def pool(self) -> AsyncConnectionPool[AsyncConnection[TupleRow]]:
        """The connection pool (for statistics, and for tests)."""
        return self._pool

    async def open(self) -> None:
        """Connect, check or migrate the schema, and open the pool (rule 1).

        Raises:
            StoreError: the server cannot be reached.
            ClosedError: the database was closed.
            SchemaError: the schema is at another version and cannot be migrated.
        """
        if self._ready:
            return
        if self._closed:
            msg = f"the PostgreSQL store for {self.where} is closed"
            raise ClosedError(msg)
        settings = self._settings
        try:
            conn = await AsyncConnection.connect(settings.conninfo, **settings.connect_kwargs())
        except psycopg.Error as exc:
            msg = f"cannot connect to PostgreSQL at {self.where}: {first_line(exc)}"
            raise StoreError(msg) from exc
        with map_errors(self.where, settings.schema):
            async with conn:
                await migrate(conn, settings.schema, mode=settings.migrate)
            self._guard.arm()
            await self._pool.open()
        self._loop = running_loop()
        self._ready = True

    async def rows(
        self,
        statement: bytes,
        params: Mapping[str, Any] | None = None,
        *,
        attempts: Attempts | None = None,
    ) -> list[TupleRow]:
        """Run one statement and return its rows; psycopg errors come out as they are.

        ``attempts`` is marked in doubt when the statement runs again (rule 3).
        """
        if not self._ready:
            await self.open()
        for attempt in range(1, _ATTEMPTS + 1):
            # psycopg_pool may swallow a cancellation: AsyncCancelCheck raises it again.
            async with AsyncCancelCheck(), self._pool.connection() as conn:
                try:
                    cursor = await conn.execute(statement, params, binary=True)
                    return await cursor.fetchall() if cursor.description else []
                except psycopg.OperationalError:
                    if attempt == _ATTEMPTS or not conn.broken:
                        raise
                    if attempts is not None:
                        attempts.in_doubt = True
            # Connections killed together (a restart, pg_terminate_backend) are found
            # now rather than one failed statement at a time.
            await self._pool.check()
        raise AssertionError(_ATTEMPTS)

    async def transaction(
        self,
        work: Callable[[AsyncConnection[TupleRow]], Awaitable[T]],
        *,
        attempts: Attempts | None = None,
    ) -> T:
        """Run ``work(conn)`` in one transaction and return its result (rule 5).

        psycopg errors come out as they are; anything ``work`` raises rolls it back.
        ``attempts`` is marked in doubt when the transaction runs again (rule 3).
        """
        if not self._ready:
            await self.open()
        for attempt in range(1, _ATTEMPTS + 1):
            async with AsyncCancelCheck(), self._pool.connection() as conn:
                try:
                    async with conn.transaction():
                        return await work(conn)
                except psycopg.OperationalError:
                    if attempt == _ATTEMPTS or not conn.broken:
                        raise
                    if attempts is not None:
                        attempts.in_doubt = True
            await self._pool.check()
        raise AssertionError(_ATTEMPTS)

    async def read(
        self, statement: bytes, params: Mapping[str, Any] | None = None
    ) -> list[TupleRow]:
        """Run one statement and return its rows; errors come out as fabula errors."""
        with map_errors(self.where, self._settings.schema):
            return await self.rows(statement, params)

    async def close(self) -> None:
        """Close the pool; later statements raise ``ClosedError``."""
        self._closed = True
        self._ready = False
        self._guard.disarm()
        await self._pool.close()


async def _configure(conn: AsyncConnection[Any]) -> None:
    """Set up a new pooled connection (rules 4 and 6)."""
    await conn.execute("SET plan_cache_mode TO force_generic_plan")
    await conn.execute("SET TIME ZONE 'UTC'")
