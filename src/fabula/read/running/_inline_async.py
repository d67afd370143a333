"""``AsyncInlineProjection``: a read model updated in the same transaction as the append.

An inline projection lives in the event store's own database (SQLite file, PostgreSQL
database). The store calls it in every append's transaction that holds events of the
types it handles, with the store's connection as ``tx``: when ``dispatch`` returns, the
read model already shows the command's events; when a handler raises, the append rolls
back and nothing of the command is stored.

Rules:
1. The checkpoint is the one a runner would keep (``fabula_checkpoints``, in the same
   database and schema as a target there), written in the append's transaction: it is
   the last position the projection applied. Appends of other types leave it alone.
2. ``attach`` runs the projection's ``setup``, then catches up with the stored events of
   its types after its checkpoint, then hooks it into every later append; all of that in
   one transaction that holds appends off (so a long backlog holds them off for long:
   catch up with a runner first, then attach, which then replays only the rest).
3. ``detach`` stops it; a ``ProjectionRunner`` on a target in the same database and schema
   then resumes from the checkpoint, as ``attach`` would.
4. Every process that appends events of its types must attach it: a store calls only the
   hooks of its own process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, cast

from fabula._errors import ConfigurationError
from fabula.codec import EventRegistry
from fabula.read._projection import Projection
from fabula.read.running._application import store_and_registry
from fabula.read.running._runner_async import AsyncApplication
from fabula.read.sqlite._inline import SqliteInline
from fabula.store.sqlite import AsyncSqliteStore

if TYPE_CHECKING:
    from fabula.store.postgres import AsyncPostgresStore

__all__ = ["AsyncInlineProjection"]


class AsyncInlineProjection:
    """Keeps a projection in the event store's database, updated in each append's transaction.

    Args:
        store: a SQLite or PostgreSQL store, or the application's flow on one (its
            store and its event registry); every append through it applies the
            projection to the events it handles before committing.
        projection: the projection (its ``batch`` options do not apply: an append is
            one transaction).
        registry: decodes events (the projection's event classes are registered in it);
            given a flow, leave it out.
        schema: PostgreSQL only: the schema of the read model and its checkpoint, the
            one a ``PostgresTarget`` reading them uses (default: the store's schema, so a
            target opened from the store's URL reads them).

    Raises:
        ConfigurationError: the store is not a SQL store of this class's kind (sync or
            asyncio), or ``schema`` was given for a SQLite store.
    """

    def __init__(
        self,
        store: AsyncSqliteStore | AsyncPostgresStore | AsyncApplication,
        projection: Projection,
        /,
        *,
        registry: EventRegistry | None = None,
        schema: str | None = None,
    ) -> None:
        found, registry = store_and_registry(projection.name, store, registry)
        store = cast("AsyncSqliteStore | AsyncPostgresStore", found)
        self.projection = projection
        self.registry: EventRegistry = registry if registry is not None else EventRegistry()
        self._types = projection.handlers.type_names(self.registry)
        self._add: Callable[[], Awaitable[None]]
        self._remove: Callable[[], Awaitable[bool]]
        self._attached = False
        if isinstance(store, AsyncSqliteStore):
            if schema is not None:
                msg = f"inline projection {projection.name!r}: schema= is for PostgreSQL stores"
                raise ConfigurationError(msg)
            sqlite = SqliteInline(projection, self.registry)
            self._add = lambda: store.add_append_hook(
                sqlite, types=self._types, attach=sqlite.attach
            )
            self._remove = lambda: store.remove_append_hook(sqlite)
            return
        postgres_store = _postgres_store()
        if postgres_store is None or not isinstance(store, postgres_store):
            msg = (
                f"inline projection {projection.name!r} takes a store of type "
                f"AsyncSqliteStore or AsyncPostgresStore, not {type(store).__name__} (a memory "
                "store has no database to hold a read model: run it with a ProjectionRunner)"
            )
            raise ConfigurationError(msg)
        from fabula.read.postgres._inline_async import AsyncPostgresInline

        postgres = AsyncPostgresInline(
            projection,
            self.registry,
            store.settings.schema if schema is None else schema,
            store_schema=store.settings.schema,
        )
        self._add = lambda: store.add_append_hook(
            postgres, types=self._types, attach=postgres.attach
        )
        self._remove = lambda: store.remove_append_hook(postgres)

    @property
    def name(self) -> str:
        """The projection's name: its checkpoint key."""
        return self.projection.name

    @property
    def attached(self) -> bool:
        """Whether appends through the store apply the projection."""
        return self._attached

    async def attach(self) -> None:
        """Set up, catch up with the stored events, then apply every later append (rule 2).

        Calling it again once attached does nothing.

        Raises:
            ConfigurationError: the projection's ``setup`` failed.
            HandlerError: a handler failed on a stored event (nothing changed).
            CodecError: a stored event of a handled type does not decode.
        """
        if not self._attached:
            await self._add()
            self._attached = True

    async def detach(self) -> None:
        """Stop applying later appends; the read model and checkpoint stay (rule 3)."""
        await self._remove()
        self._attached = False

    async def wait_for_position(self, position: int | None, /, *, timeout: float = 10.0) -> None:
        """Return at once: an append's read-model changes commit with it.

        So a query bus may use an inline projection as the ``consistency`` of a query.

        Raises:
            ConfigurationError: the projection is not attached.
        """
        if not self._attached:
            msg = f"inline projection {self.name!r} is not attached: call attach() first"
            raise ConfigurationError(msg)

    def __repr__(self) -> str:
        state = "attached" if self._attached else "detached"
        return f"<{type(self).__name__} {self.name!r} {state}>"


def _postgres_store() -> type[AsyncPostgresStore] | None:
    """The PostgreSQL store class, or ``None`` when its driver is not installed."""
    try:
        from fabula.store.postgres import AsyncPostgresStore
    except ImportError:
        return None
    return AsyncPostgresStore
