"""``AsyncSqliteTarget``: read models in a SQLite file, with their checkpoints in the same file.

Handlers receive the ``sqlite3.Connection`` whose transaction they write in (sync
functions, with both runners: the asyncio target runs them in a worker thread). The
file may be the event store's own file or another one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

from fabula._errors import ConfigurationError
from fabula.read._checkpoints import Checkpoint
from fabula.read._dead_letters import DeadLetter
from fabula.read._errors import CheckpointConflict
from fabula.read._failures import Failure
from fabula.read._leases import Claim, Lease
from fabula.read._projection import SetupHook
from fabula.read._scratch import ScratchCopy
from fabula.read._target_async import CatchUp, Step
from fabula.read.sqlite import _ops
from fabula.read.sqlite._bridge import AsyncCatchUpBridge
from fabula.read.sqlite._driver import MEMORY, AsyncConnection
from fabula.read.sqlite._target_base import _remove, _require_tables
from fabula.store import sqlite_path
from fabula.store.sqlite import SqliteSettings

__all__ = ["AsyncSqliteTarget"]

T = TypeVar("T")


class AsyncSqliteTarget:
    """A SQLite database holding read models, checkpoints, leases and dead letters.

    Args:
        url: ``sqlite:///path.db`` (or a plain file path; ``:memory:`` for a private one),
            or a store's ``SqliteSettings`` (its file, busy timeout, and ``mode="ro"``
            as ``read_only``).
        busy_timeout: seconds to wait for another writer before failing.
        read_only: open the file only to read (status, dead letters): nothing is created
            or changed, a file without fabula's tables raises ``SchemaError``, and
            writes raise ``ReadOnlyError``.
    """

    def __init__(
        self,
        url: str | SqliteSettings,
        /,
        *,
        busy_timeout: float = 5.0,
        read_only: bool = False,
    ) -> None:
        if isinstance(url, SqliteSettings):
            busy_timeout, read_only = url.busy_timeout, read_only or url.read_only
            url = url.path
        self.path: str = sqlite_path(url) if url.startswith("sqlite:") else url
        self._busy_timeout = busy_timeout
        self._db = AsyncConnection(self.path, busy_timeout=busy_timeout, read_only=read_only)

    @classmethod
    def from_url(cls, url: str, /, **settings: Any) -> AsyncSqliteTarget:
        """Open the target of a ``sqlite:///path.db`` URL."""
        return cls(url, **settings)

    async def read(self, query: Callable[[sqlite3.Connection], T], /) -> T:
        """Run ``query(connection)`` on a read-only connection and return its result."""
        return await self._db.read(query)

    async def prepare(self, name: str, /, *, setup: Sequence[SetupHook] = ()) -> None:
        """Create the checkpoint of ``name`` at 0 if missing and run ``setup``, atomically."""
        await self._db.write(_ops.prepare, name, setup)

    async def checkpoint(self, name: str, /) -> Checkpoint:
        """Return the checkpoint of ``name`` (position 0 if it has none)."""
        return await self._db.read(_ops.checkpoint, name)

    async def checkpoints(self) -> list[Checkpoint]:
        """Return every checkpoint, by name."""
        return await self._db.read(_ops.checkpoints)

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
        await self._db.write(
            _ops.commit,
            name,
            after=after,
            position=position,
            steps=steps,
            claim=claim,
            parked=parked,
        )

    async def park(self, letter: DeadLetter, /) -> None:
        """Record (or update) a dead letter without moving the checkpoint."""
        await self._db.write(_ops.park, letter)

    async def dead_letters(self, name: str | None = None, /) -> list[DeadLetter]:
        """Return the parked events of one projection (or all), by name and position."""
        return await self._db.read(_ops.dead_letters, name)

    async def resolve(self, letter: DeadLetter, /, *, step: Step | None = None) -> None:
        """Remove a dead letter, applying ``step`` first if given, in one transaction."""
        await self._db.write(_ops.resolve, letter, step)

    async def record_failure(self, failure: Failure, /) -> None:
        """Keep ``failure`` as the projection's last failed attempt (replacing the previous)."""
        await self._db.write(_ops.record_failure, failure)

    async def failure(self, name: str, /) -> Failure | None:
        """Return the last failed attempt of ``name``, if any."""
        return await self._db.read(_ops.failure, name)

    async def acquire_lease(self, name: str, owner: str, /, *, ttl: float) -> bool:
        """Take or renew the lease of ``name`` for ``ttl`` seconds; return whether held."""
        return await self._db.write(_ops.acquire_lease, name, owner, ttl)

    async def release_lease(self, name: str, owner: str, /) -> None:
        """Give up the lease of ``name`` if ``owner`` holds it."""
        await self._db.write(_ops.release_lease, name, owner)

    async def lease(self, name: str, /) -> Lease | None:
        """Return the unexpired lease of ``name``, if any."""
        return await self._db.read(_ops.lease, name)

    async def reset(self, name: str, /, *, tables: Sequence[str]) -> None:
        """Empty ``tables``, drop the dead letters and set the checkpoint to 0, atomically."""
        _require_tables(name, tables)
        await self._db.write(_ops.reset, name, tables)

    async def scratch(self, name: str, /) -> Self:
        """Return an empty target in a file beside this one, to rebuild ``name`` into."""
        if self.path == MEMORY:
            msg = "an in-memory SQLite target cannot rebuild into a copy: use a file"
            raise ConfigurationError(msg)
        path = self._scratch_path(name)
        _remove(path)
        return type(self)(path, busy_timeout=self._busy_timeout)

    def _scratch_path(self, name: str) -> str:
        return f"{self.path}.rebuild-{name}"

    async def scratch_copy(self, name: str, /) -> ScratchCopy | None:
        """Return the scratch file of a copy rebuild of ``name``, if one exists."""
        if self.path == MEMORY:
            return None
        return _ops.scratch_copy(self._scratch_path(name), name)

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
        It holds the live file's write lock from the start (live commits wait); if the
        live runner is past the scratch, ``catch_up`` brings the scratch (another file)
        up to it meanwhile. The scratch target is closed and its file removed afterwards,
        unless the live checkpoint is still past the scratch's (``CheckpointConflict``:
        nothing changed).
        """
        _require_tables(name, tables)
        bridge = AsyncCatchUpBridge(catch_up)
        try:
            await self._db.write(_ops.swap_in, name, scratch.path, tables, bridge)
        except CheckpointConflict:
            raise  # the scratch stays, to catch up and be swapped in again
        except BaseException:
            await scratch.close()
            _remove(scratch.path)
            raise
        await scratch.close()
        _remove(scratch.path)

    async def close(self) -> None:
        """Close the connections; the target cannot be used afterwards."""
        await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
