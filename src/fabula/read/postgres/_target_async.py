"""``AsyncPostgresTarget``: read models in a PostgreSQL schema, with their checkpoints.

Handlers receive the ``psycopg.AsyncConnection`` (``psycopg.Connection`` for the sync
target) whose transaction they write in; its ``search_path`` is the target's schema, so
handlers name their tables without a schema. The schema may be the event store's own
(same database) or any other, on any server.

Transactions and locks (READ COMMITTED):
1. ``commit`` renews the lease, then moves the checkpoint by compare and set before any
   handler runs: the checkpoint row's lock serializes every writer of one projection, so
   a second writer waits, then finds the checkpoint moved and rolls back.
2. ``reset`` and ``swap_in`` likewise move (or lock) the checkpoint first, so a commit
   under way finishes before they empty the tables, and their deletes see its rows.
   ``swap_in`` may run the copy's catch-up while it holds the row: the copy writes only
   to its own schema, through its own pool, so it never waits on this lock.
3. Once ``close`` has run, every use raises ``ClosedError`` (a runner then stops).
4. A handler's ``OperationalError``, serialization failure or deadlock is the database's
   failure (``StoreError``); anything else it raises is its own (``HandlerError``).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self
from uuid import UUID

import psycopg
from psycopg import AsyncConnection, errors
from psycopg_pool import AsyncConnectionPool, PoolClosed

from fabula._errors import ClosedError, ConfigurationError, FabulaError, SchemaError
from fabula._postgres._errors import DRIVER_ERRORS, server_of, translate
from fabula._postgres._pool_guard import AsyncCancelCheck, AsyncPoolGuard
from fabula._postgres._settings import PostgresSettings, conninfo_and_schema, one_schema
from fabula.read._call import async_call, require_async
from fabula.read._checkpoints import Checkpoint
from fabula.read._dead_letters import DeadLetter
from fabula.read._errors import CheckpointConflict, HandlerError, LeaseLost, ParkedEventNotFound
from fabula.read._failures import Failure
from fabula.read._leases import Claim, Lease
from fabula.read._projection import SetupHook
from fabula.read._scratch import ScratchCopy
from fabula.read._target_async import CatchUp, Step
from fabula.read.postgres import _sql
from fabula.read.postgres._target_base import _letter_row, _require_tables, _scratch_schema

__all__ = ["AsyncPostgresTarget"]

_TRANSIENT = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    errors.SerializationFailure,
    errors.DeadlockDetected,
)

_REMEDY = "open the target without read_only=True to create them"


class AsyncPostgresTarget:
    """A PostgreSQL schema holding read models, checkpoints, leases and dead letters.

    Args:
        conninfo: a libpq connection string or ``postgresql://`` URL (whose ``?schema=``
            names the schema), or a store's ``PostgresSettings`` (connection, schema and
            pool sizes).
        schema: the schema of the read models and fabula's tables (created if missing;
            default: the URL's, else ``fabula``, as for the store: a store and a target
            opened from one URL share its schema).
        min_size: connections the pool keeps open.
        max_size: connections the pool opens at most.
        read_only: open only to read (status, dead letters): create nothing; a schema
            without fabula's tables raises ``SchemaError`` on first use.

    Raises:
        ConfigurationError: the connection string is malformed, or names two schemas.
    """

    def __init__(
        self,
        conninfo: str | PostgresSettings,
        /,
        *,
        schema: str | None = None,
        min_size: int = 1,
        max_size: int = 4,
        read_only: bool = False,
    ) -> None:
        if isinstance(conninfo, PostgresSettings):
            what, by = "read-model target", "its PostgresSettings"
            schema = one_schema(conninfo.schema, schema, what=what, by=by)
            min_size, max_size = conninfo.min_size, conninfo.max_size
            conninfo = conninfo.conninfo
        conninfo, schema = conninfo_and_schema(conninfo, schema, what="read-model target")
        self.conninfo = conninfo
        self.schema = schema
        self._sizes = (min_size, max_size)
        self._where = server_of(conninfo)
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            conninfo,
            kwargs={"autocommit": True},
            min_size=min_size,
            max_size=max_size,
            open=False,
            name=f"fabula-read-{schema}",
            configure=self._configure,
        )
        self._guard = AsyncPoolGuard(self._pool)
        self._read_only = read_only
        self._ready = False
        self._closed = False
        self._checked: set[Callable[..., Any]] = set()  # handlers found fit for this target

    @classmethod
    def from_url(cls, url: str, /, **settings: Any) -> AsyncPostgresTarget:
        """Open the target of ``postgresql://user@host:port/db?schema=name``."""
        return cls(url, **settings)

    async def _configure(self, conn: AsyncConnection[Any]) -> None:
        await conn.execute(_sql.search_path(self.schema))

    async def open(self) -> None:
        """Create the schema and fabula's tables if missing, then open the pool.

        Read-only, check that the tables exist instead (``SchemaError`` if not).
        """
        if self._ready:
            return
        try:
            # one connection of its own first: a failure says why at once, where the pool
            # would retry in the background and time out without the cause
            connection = await AsyncConnection.connect(self.conninfo, autocommit=True)
            async with connection as conn, conn.transaction():
                if self._read_only:
                    found = await conn.execute(_sql.COUNT_TABLES, (self.schema,))
                    row = await found.fetchone()
                    if row is None or row[0] != _sql.TABLE_COUNT:
                        msg = f"no fabula read models in PostgreSQL schema {self.schema!r}"
                        raise SchemaError(msg)
                else:
                    await conn.execute(_sql.LOCK_SCHEMA, (self.schema,))
                    await conn.execute(_sql.create_tables(self.schema))
                    found = await conn.execute(_sql.HAS_FAILURE_COLUMNS, (self.schema,))
                    if not (await found.fetchone() or (0,))[0]:
                        await conn.execute(_sql.add_failure_columns(self.schema))
            self._guard.arm()
            await self._pool.open()
        except DRIVER_ERRORS as exc:
            raise self._error(exc) from exc
        self._ready = True

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection[Any]]:
        """Lend a pooled connection (``search_path`` = this schema), for queries."""
        await self.open()
        try:
            # psycopg_pool may swallow a cancellation: AsyncCancelCheck raises it again.
            async with AsyncCancelCheck(), self._pool.connection() as conn:
                yield conn
        except PoolClosed as exc:
            if self._closed:  # by its owner: no retry can succeed
                msg = f"the PostgreSQL read-model target {self._where} is closed"
                raise ClosedError(msg) from exc
            raise self._error(exc) from exc
        except DRIVER_ERRORS as exc:
            raise self._error(exc) from exc

    def _error(self, exc: Exception) -> FabulaError:
        """The store's mapping of a driver error (``fabula._postgres._errors``)."""
        return translate(exc, self._where, self.schema, owner="read-model target", remedy=_REMEDY)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection[Any]]:
        async with self.connection() as conn, conn.transaction():
            yield conn

    def _check_callable(self, name: str, function: Callable[..., Any]) -> None:
        """Refuse a sync handler or setup hook in the asyncio target (see ``require_async``).

        ``iscoroutinefunction(self.close)`` is true here and false in the generated sync
        twin, where ``call`` refuses coroutine functions instead.
        """
        inner = getattr(function, "handler", function)  # a BatchCall: the batch handler
        if inner in self._checked or not inspect.iscoroutinefunction(self.close):
            return
        require_async(name, inner, target="the asyncio PostgreSQL target")
        self._checked.add(inner)

    async def _apply(self, conn: AsyncConnection[Any], name: str, step: Step) -> None:
        handler, recorded = step
        self._check_callable(name, handler)
        try:
            await async_call(handler, conn, recorded)
        except _TRANSIENT:
            raise
        except Exception as exc:
            raise HandlerError.of(name, recorded) from exc

    async def prepare(self, name: str, /, *, setup: Sequence[SetupHook] = ()) -> None:
        """Create the checkpoint of ``name`` at 0 if missing and run ``setup``, atomically."""
        async with self._transaction() as conn:
            await conn.execute(_sql.LOCK_SCHEMA, (self.schema,))
            await conn.execute(_sql.INSERT_CHECKPOINT, (name,))
            for hook in setup:
                self._check_callable(name, hook)
                try:
                    await async_call(hook, conn)
                except _TRANSIENT:
                    raise
                except Exception as exc:
                    msg = f"projection {name!r}: its setup failed: {exc}"
                    raise ConfigurationError(msg) from exc

    async def checkpoint(self, name: str, /) -> Checkpoint:
        """Return the checkpoint of ``name`` (position 0 if it has none)."""
        async with self.connection() as conn:
            row = await (await conn.execute(_sql.CHECKPOINT, (name,))).fetchone()
        return Checkpoint(name, 0) if row is None else Checkpoint(name, row[0], row[1])

    async def checkpoints(self) -> list[Checkpoint]:
        """Return every checkpoint, by name."""
        async with self.connection() as conn:
            rows = await (await conn.execute(_sql.CHECKPOINTS)).fetchall()
        return [Checkpoint(name, position, at) for name, position, at in rows]

    async def commit(
        self,
        name: str,
        /,
        *,
        after: int,
        position: int,
        steps: Sequence[Step] = (),
        claim: Claim | None = None,
        parked: DeadLetter | None = None,
    ) -> None:
        """Apply ``steps`` and move the checkpoint from ``after`` to ``position``, atomically."""
        async with self._transaction() as conn:
            if claim is not None:
                renewed = await conn.execute(_sql.RENEW_LEASE, (claim.ttl, name, claim.owner))
                if renewed.rowcount != 1:
                    raise LeaseLost(name, owner=claim.owner)
            moved = await conn.execute(_sql.MOVE_CHECKPOINT, (position, name, after))
            if moved.rowcount != 1:
                row = await (await conn.execute(_sql.CHECKPOINT, (name,))).fetchone()
                raise CheckpointConflict(
                    name, expected=after, actual=None if row is None else row[0]
                )
            for step in steps:
                await self._apply(conn, name, step)
            await conn.execute(_sql.DELETE_LETTERS_BETWEEN, (name, after, position))
            if parked is not None:
                await conn.execute(_sql.UPSERT_LETTER, _letter_row(parked))

    async def park(self, letter: DeadLetter, /) -> None:
        """Record (or update) a dead letter without moving the checkpoint."""
        async with self._transaction() as conn:
            await conn.execute(_sql.UPSERT_LETTER, _letter_row(letter))

    async def dead_letters(self, name: str | None = None, /) -> list[DeadLetter]:
        """Return the parked events of one projection (or all), by name and position."""
        async with self.connection() as conn:
            if name is None:
                cursor = await conn.execute(_sql.DEAD_LETTERS)
            else:
                cursor = await conn.execute(_sql.DEAD_LETTERS_OF, (name,))
            rows = await cursor.fetchall()
        return [
            DeadLetter(
                name=row[0],
                position=row[1],
                stream_id=row[2],
                version=row[3],
                event_id=row[4] if isinstance(row[4], UUID) else UUID(str(row[4])),
                type=row[5],
                error=row[6],
                details=row[7],
                attempts=row[8],
                parked_at=row[9],
            )
            for row in rows
        ]

    async def resolve(self, letter: DeadLetter, /, *, step: Step | None = None) -> None:
        """Remove a dead letter, applying ``step`` first if given, in one transaction."""
        async with self._transaction() as conn:
            deleted = await conn.execute(_sql.DELETE_LETTER, (letter.name, letter.position))
            if deleted.rowcount != 1:
                raise ParkedEventNotFound(letter.name, letter.position)
            if step is not None:
                await self._apply(conn, letter.name, step)
            await conn.execute(
                _sql.RAISE_CHECKPOINT, (letter.position, letter.name, letter.position)
            )

    async def record_failure(self, failure: Failure, /) -> None:
        """Keep ``failure`` as the projection's last failed attempt (replacing the previous)."""
        row = (failure.position, failure.attempts, failure.error, failure.failed_at, failure.name)
        async with self.connection() as conn:
            await conn.execute(_sql.RECORD_FAILURE, row)

    async def failure(self, name: str, /) -> Failure | None:
        """Return the last failed attempt of ``name``, if any."""
        async with self.connection() as conn:
            row = await (await conn.execute(_sql.FAILURE, (name,))).fetchone()
        if row is None:
            return None
        return Failure(name=name, position=row[0], attempts=row[1], error=row[2], failed_at=row[3])

    async def acquire_lease(self, name: str, owner: str, /, *, ttl: float) -> bool:
        """Take or renew the lease of ``name`` for ``ttl`` seconds; return whether held."""
        async with self.connection() as conn:
            row = await (await conn.execute(_sql.ACQUIRE_LEASE, (name, owner, ttl))).fetchone()
        return row is not None

    async def release_lease(self, name: str, owner: str, /) -> None:
        """Give up the lease of ``name`` if ``owner`` holds it."""
        async with self.connection() as conn:
            await conn.execute(_sql.RELEASE_LEASE, (name, owner))

    async def lease(self, name: str, /) -> Lease | None:
        """Return the unexpired lease of ``name``, if any."""
        async with self.connection() as conn:
            row = await (await conn.execute(_sql.LEASE, (name,))).fetchone()
        return None if row is None else Lease(name, row[0], row[1])

    async def reset(self, name: str, /, *, tables: Sequence[str]) -> None:
        """Empty ``tables``, drop the dead letters and set the checkpoint to 0, atomically."""
        _require_tables(name, tables)
        async with self._transaction() as conn:
            await conn.execute(_sql.SET_CHECKPOINT, (name, 0))
            for table in tables:
                await conn.execute(_sql.empty_table(table))
            await conn.execute(_sql.DELETE_LETTERS_OF, (name,))
            await conn.execute(_sql.CLEAR_FAILURE, (name,))

    async def scratch(self, name: str, /) -> Self:
        """Return an empty target in a fresh schema beside this one, to rebuild ``name`` into."""
        schema = _scratch_schema(self.schema, name)
        async with self.connection() as conn:
            await conn.execute(_sql.drop_schema(schema))
        return type(self)(self.conninfo, schema=schema, max_size=self._sizes[1])

    async def scratch_copy(self, name: str, /) -> ScratchCopy | None:
        """Return the scratch schema of a copy rebuild of ``name``, if one exists."""
        schema = _scratch_schema(self.schema, name)
        async with self.connection() as conn:
            found = await (await conn.execute(_sql.SCHEMA_EXISTS, (schema,))).fetchone()
            if found is None:
                return None
            position, running = 0, False
            try:
                row = await (
                    await conn.execute(_sql.scratch_checkpoint(schema), (name,))
                ).fetchone()
                position = 0 if row is None else row[0]
                lease = await conn.execute(_sql.scratch_lease(schema), (name,))
                running = await lease.fetchone() is not None
            except errors.UndefinedTable:
                pass  # the rebuild was killed before it made its tables
        return ScratchCopy(location=f"schema {schema}", position=position, running=running)

    async def swap_in(
        self,
        name: str,
        scratch: Self,
        /,
        *,
        tables: Sequence[str],
        catch_up: CatchUp | None = None,
    ) -> None:
        """Replace ``tables``, checkpoint and dead letters of ``name`` by the scratch's.

        One transaction: readers see the old read model until the new one is complete.
        It locks the live checkpoint row first (the live runner's next commit waits on
        it); if the live runner is past the scratch, ``catch_up`` brings the scratch up
        to it meanwhile, through the scratch's own pool (no row this transaction holds).
        The scratch target is closed and its schema dropped afterwards, unless the live
        checkpoint is still past the scratch's (``CheckpointConflict``: nothing changed).
        """
        _require_tables(name, tables)
        try:
            async with self._transaction() as conn:
                live = await (await conn.execute(_sql.LOCK_CHECKPOINT, (name,))).fetchone()
                copied = await self._scratch_position(conn, scratch.schema, name)
                if live is not None and live[0] > copied and catch_up is not None:
                    await catch_up(live[0])
                    copied = await self._scratch_position(
                        conn, scratch.schema, name
                    )  # a new snapshot
                if live is not None and live[0] > copied:
                    raise CheckpointConflict(name, expected=copied, actual=live[0])
                await conn.execute(_sql.SET_CHECKPOINT, (name, copied))
                await conn.execute(_sql.CLEAR_FAILURE, (name,))
                for table in tables:
                    await conn.execute(_sql.empty_table(table))
                    await conn.execute(_sql.copy_from(scratch.schema, table))
                await conn.execute(_sql.DELETE_LETTERS_OF, (name,))
                await conn.execute(_sql.copy_letters_from(scratch.schema), (name,))
        except CheckpointConflict:
            raise  # the scratch stays, to catch up and be swapped in again
        except BaseException:
            await self._discard(scratch)
            raise
        await self._discard(scratch)

    @staticmethod
    async def _scratch_position(conn: AsyncConnection[Any], scratch: str, name: str) -> int:
        """The scratch's checkpoint, as committed now (READ COMMITTED: each read is new)."""
        row = await (await conn.execute(_sql.scratch_checkpoint(scratch), (name,))).fetchone()
        return 0 if row is None else int(row[0])

    async def _discard(self, scratch: Self) -> None:
        await scratch.close()
        async with self.connection() as conn:
            await conn.execute(_sql.drop_schema(scratch.schema))

    async def close(self) -> None:
        """Close the connection pool; the target cannot be used afterwards."""
        self._closed = True
        self._guard.disarm()
        await self._pool.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} schema={self.schema!r}>"
