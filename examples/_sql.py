"""SQL read models that run unchanged on SQLite and PostgreSQL (used by the example apps).

A projection's handlers differ per target: the SQLite target hands them a
``sqlite3.Connection`` (sync, in a worker thread), the PostgreSQL target a
``psycopg.AsyncConnection`` (asyncio), and the two take different placeholders. So an
example writes each handler once, as a pure function from an event to the statements
it causes, and ``SqlReadModel`` runs those statements on whichever target the app's
URL names::

    accounts = SqlReadModel(
        "account_balances",
        schema=["CREATE TABLE IF NOT EXISTS account_balances (...)"],
        handlers={BalanceChanged: lambda e: [Sql("UPDATE ... WHERE id = ?", (e.stream_id,))]},
    )
    await accounts.start(store, "sqlite:///app.db", registry=flow.registry)
    rows = await accounts.fetch_all("SELECT balance FROM account_balances WHERE id = ?", (id,))

Rules:
1. Statements use ``?`` placeholders, and no ``?`` or ``%`` anywhere else (they become
   ``%s`` on PostgreSQL). Column types stay in the portable set: TEXT, INTEGER, BIGINT.
2. The read model's tables live beside the event store: the same SQLite file, or the
   same PostgreSQL schema. The projection's handlers and checkpoint commit together.
3. An event a handler keeps failing on (a poison event) is parked and the read model
   goes on (``PARK_AND_CONTINUE``): one bad event must not stop every later read.
   The dead letter names it; the runner logs it as an ERROR (logger ``fabula.read``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fabula import ConfigurationError, Recorded
from fabula.codec import EventRegistry
from fabula.read import (
    AsyncProjectionRunner,
    AsyncTarget,
    ErrorPolicy,
    InvalidCursor,
    Projection,
    decode_cursor,
    open_async_target,
)
from fabula.read.memory import AsyncMemoryTarget
from fabula.read.sqlite import AsyncSqliteTarget
from fabula.store import AsyncEventStore

__all__ = ["PARK_AND_CONTINUE", "Sql", "SqlReadModel", "Statements", "position_cursor"]

PARK_AND_CONTINUE = ErrorPolicy(on_park="continue")
"""The example apps' policy: retry a failing event a few times, then park it and go on."""

Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Sql:
    """One SQL statement with ``?`` placeholders, and its parameters."""

    text: str
    params: tuple[object, ...] = ()


Statements = Callable[[Recorded[Any]], Iterable[Sql]]
"""The statements one event causes in a read model (a pure function)."""


class SqlReadModel:
    """A projection into SQL tables, its runner, and queries on it, for SQLite or PostgreSQL.

    Args:
        name: the projection's name (its checkpoint key).
        schema: ``CREATE TABLE IF NOT EXISTS`` (and index) statements for its tables.
        tables: the tables it owns (a rebuild empties them).
        handlers: the statements each event class causes.
        policy: what the runner does with an event that keeps failing (default: park
            it and go on).
    """

    def __init__(
        self,
        name: str,
        /,
        *,
        schema: Sequence[str],
        tables: Sequence[str],
        handlers: Mapping[type, Statements],
        policy: ErrorPolicy = PARK_AND_CONTINUE,
    ) -> None:
        self.name = name
        self._policy = policy
        self._schema = tuple(schema)
        self._tables = tuple(tables)
        self._handlers = dict(handlers)
        self._target: AsyncTarget | None = None
        self._runner: AsyncProjectionRunner | None = None
        self._started: tuple[AsyncEventStore, EventRegistry, Projection] | None = None

    def projection(self, *, postgres: bool) -> Projection:
        """Return the projection, its handlers written for SQLite or for PostgreSQL."""
        projection = Projection(self.name, tables=self._tables)
        projection.setup(_postgres_setup(self._schema) if postgres else _sqlite_setup(self._schema))
        for event_type, statements in self._handlers.items():
            handler = _postgres_handler(statements) if postgres else _sqlite_handler(statements)
            projection.on(event_type)(handler)
        return projection

    async def start(self, store: AsyncEventStore, url: str, /, *, registry: EventRegistry) -> None:
        """Open the target at ``url`` and keep the read model up to date in the background.

        Raises:
            ConfigurationError: ``url`` names no SQL database (``memory://``).
        """
        self._target = target = open_async_target(url)
        if isinstance(target, AsyncMemoryTarget):
            msg = f"read model {self.name!r} needs a SQLite or PostgreSQL URL, not {url!r}"
            raise ConfigurationError(msg)
        projection = self.projection(postgres=not isinstance(target, AsyncSqliteTarget))
        # The tables exist before the first query, not only once the runner got going.
        await self._target.prepare(self.name, setup=projection.setup_hooks)
        self._started = (store, registry, projection)
        await self._run()

    async def _run(self) -> None:
        assert self._started is not None
        store, registry, projection = self._started
        self._runner = AsyncProjectionRunner(
            store,
            projection,
            target=self._running_target_of(),
            registry=registry,
            policy=self._policy,
        )
        await self._runner.start()

    async def rebuild(self) -> int:
        """Empty the read model's tables, replay the whole log into them, go on live.

        Returns the position the rebuilt read model has reached.
        """
        await self._running().stop()
        target = self._running_target()
        assert self._started is not None
        store, _, projection = self._started
        await target.reset(self.name, tables=self._tables)
        await target.prepare(self.name, setup=projection.setup_hooks)
        await self._run()
        return await self.wait_for_position(await store.head())

    async def wait_for_position(self, position: int | None, /, *, timeout: float = 10.0) -> int:
        """Wait until the read model has passed ``position`` (see ``AsyncProjectionRunner``)."""
        return await self._running().wait_for_position(position, timeout=timeout)

    async def fetch_all(self, text: str, params: Sequence[object] = (), /) -> list[Row]:
        """Run a query on the read model and return its rows."""
        target = self._running_target()
        if isinstance(target, AsyncSqliteTarget):
            rows: list[Row] = await target.read(lambda conn: conn.execute(text, params).fetchall())
            return rows
        from fabula.read.postgres import AsyncPostgresTarget  # psycopg: only for PostgreSQL

        assert isinstance(target, AsyncPostgresTarget)
        async with target.connection() as conn:
            cursor = await conn.execute(text.replace("?", "%s"), params)
            found: list[Row] = await cursor.fetchall()
            return found

    async def fetch_one(self, text: str, params: Sequence[object] = (), /) -> Row | None:
        """Run a query on the read model and return its first row, if any."""
        rows = await self.fetch_all(text, params)
        return rows[0] if rows else None

    async def close(self) -> None:
        """Stop the runner and close the target."""
        if self._runner is not None:
            await self._runner.stop()
        if self._target is not None:
            await self._target.close()

    def _running(self) -> AsyncProjectionRunner:
        if self._runner is None:
            msg = f"read model {self.name!r} is not started"
            raise RuntimeError(msg)
        return self._runner

    def _running_target(self) -> AsyncTarget:
        self._running()
        return self._running_target_of()

    def _running_target_of(self) -> AsyncTarget:
        assert self._target is not None
        return self._target


def _sqlite_setup(schema: Sequence[str]) -> Callable[[Any], None]:
    def setup(tx: Any) -> None:
        for statement in schema:
            tx.execute(statement)

    return setup


def _postgres_setup(schema: Sequence[str]) -> Callable[[Any], Any]:
    async def setup(tx: Any) -> None:
        for statement in schema:
            await tx.execute(statement)

    return setup


def _sqlite_handler(statements: Statements) -> Callable[[Any, Recorded[Any]], None]:
    def handler(tx: Any, recorded: Recorded[Any]) -> None:
        for sql in statements(recorded):
            tx.execute(sql.text, sql.params)

    return handler


def _postgres_handler(statements: Statements) -> Callable[[Any, Recorded[Any]], Any]:
    async def handler(tx: Any, recorded: Recorded[Any]) -> None:
        for sql in statements(recorded):
            await tx.execute(sql.text.replace("?", "%s"), sql.params)

    return handler


def position_cursor(cursor: str | None, /, *, scope: str) -> int | None:
    """Return the position a page cursor resumes after (``None``: the first page).

    For pages keyed by a position column: ``paginate(rows, key=lambda r: (r.position,))``.

    Raises:
        InvalidCursor: the cursor was not made for ``scope``, or carries no position (a
            cursor is not signed: one made by hand with the right scope may hold anything).
    """
    key = decode_cursor(cursor, scope=scope)
    if key is None:
        return None
    if len(key) != 1 or not isinstance(key[0], int) or not 0 <= key[0] < 2**63:
        raise InvalidCursor(params={"cursor": cursor})
    return key[0]
