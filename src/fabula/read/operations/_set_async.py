"""``AsyncProjectionSet``: the projections and reactions of an app, on one store and one target.

It is what operators (and the ``fabula projections`` commands) work with: run the
projections, read their status, wait for a position, list and retry parked events, and
rebuild a projection, in place or into a copy that is swapped in when complete.

Rebuild, theory of operation:

- ``in_place``: one transaction empties the projection's tables, drops its dead letters
  and sets its checkpoint to 0; then it is replayed. A worker running it meanwhile fails
  its next compare and set and starts over from 0 with it: nothing is applied twice.
  Readers see the read model empty, then filling up.
- ``copy``: the projection is replayed into a scratch target (a fresh file or schema)
  while the live read model keeps serving and its runner keeps following the log. When
  the copy has caught up, one transaction replaces the live tables, dead letters and
  checkpoint with the copy's. The live runner's next commit then fails its compare and
  set, and it resumes from the copy's checkpoint: no event is missed or applied twice.
  The swap never moves the checkpoint back: it holds the live checkpoint first (the live
  runner's next commit waits) and, if the live runner has passed the copy meanwhile,
  runs the copy's runner up to the live position inside the swap (the copy writes only
  to its own file or schema), so the swap converges under steady writes. Only if the
  copy still falls short (it could not catch up within ``_CATCH_UP_SECONDS``) does the
  swap change nothing (``CheckpointConflict``); the copy then catches up to the head
  again and the swap is retried.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Self, cast

from fabula._errors import CodecError, ConfigurationError, SchemaError, StoreError
from fabula.codec import AsyncKeyring, EventRegistry, decode_parts, merge_lookups
from fabula.domain import Recorded
from fabula.read._batches import handled, one_step, step_of
from fabula.read._call import async_call
from fabula.read._dead_letters import DeadLetter
from fabula.read._errors import (
    CheckpointConflict,
    HandlerError,
    ParkedEventNotFound,
    PositionTimeout,
    ProjectionFailed,
)
from fabula.read._leases import LeaseSettings, default_owner
from fabula.read._projection import Projection
from fabula.read._target_async import AsyncTarget
from fabula.read._targets import open_async_target
from fabula.read.memory import AsyncMemoryTarget
from fabula.read.running._application import store_and_registry
from fabula.read.running._consumer import Consumer
from fabula.read.running._monitor_async import read_status
from fabula.read.running._partitioned_async import read_partition_status, reset_partitions
from fabula.read.running._partitions import PartitionOf, partition_name
from fabula.read.running._policy import ErrorPolicy
from fabula.read.running._runner_async import AsyncApplication, AsyncProjectionRunner
from fabula.read.running._status import ProjectionStatus
from fabula.store import AsyncEventStore, StoredEvent, open_async_store

__all__ = ["AsyncProjectionSet", "RebuildMode", "RebuildProgress"]

RebuildMode = Literal["in_place", "copy"]
RebuildProgress = Callable[[int, int], object]
"""Called with ``(position, head)`` as a rebuild advances."""

_DEFAULT_POLICY = ErrorPolicy()
_SWAP_ATTEMPTS = 100
"""Swaps tried before a copy rebuild gives up racing a live runner (each one catches up)."""
_CATCH_UP_SECONDS = 5.0
"""How long a swap lets the copy catch up to the live position while it holds it."""
_CATCH_UP_PAUSE = 0.01
"""Seconds between runs of the copy when one run brought it no further (the log lags)."""


class AsyncProjectionSet:
    """The projections and reactions of an app, bound to one event store and one target.

    Args:
        store: the event store, or its URL (opened on first use), or the application's
            flow: its store and its event registry (leave ``registry`` out).
        target: the read-model target, or its URL (opened on first use).
        consumers: the projections and reactions (names must be unique).
        registry: decodes events; every consumer's event classes are registered in it.
        policy: the error policy of every runner this set makes.
        poll_interval: seconds between polls of the log when no wake-up comes.
        read_only: open the store and target given by URL only to look at them (status,
            parked events): nothing is created, migrated or changed, and a URL where
            there is no store or no read model raises ``SchemaError`` on first use.
        partitions: the projections that ``PartitionedWorker``s run, with their number
            of partitions N: status and rebuild then work per partition.
    """

    def __init__(
        self,
        store: AsyncEventStore | AsyncApplication | str,
        target: AsyncTarget | str,
        /,
        *,
        consumers: Iterable[Consumer],
        registry: EventRegistry | None = None,
        policy: ErrorPolicy = _DEFAULT_POLICY,
        poll_interval: float = 0.5,
        read_only: bool = False,
        partitions: Mapping[str, int] | None = None,
    ) -> None:
        log, registry = store_and_registry("projection set", store, registry)
        self._store = cast("AsyncEventStore | str", log)
        self._target = target
        self._read_only = read_only
        self._owns = (isinstance(log, str), isinstance(target, str))
        self.registry: EventRegistry = registry if registry is not None else EventRegistry()
        self.policy = policy
        self._poll_interval = poll_interval
        self._consumers: dict[str, Consumer] = {}
        for consumer in consumers:
            if consumer.name in self._consumers:
                msg = f"two projections or reactions are named {consumer.name!r}"
                raise ConfigurationError(msg)
            consumer.handlers.type_names(self.registry)
            self._consumers[consumer.name] = consumer
        self._partitions = dict(partitions or {})
        for name, count in self._partitions.items():
            PartitionOf(self.get(name), 0, count)  # a projection, and count >= 1
        self._runners: dict[str, AsyncProjectionRunner] = {}

    @property
    def store(self) -> AsyncEventStore:
        """The event store (opened from its URL on first use)."""
        if isinstance(self._store, str):
            self._store = open_async_store(self._store, read_only=self._read_only)
        return self._store

    @property
    def target(self) -> AsyncTarget:
        """The read-model target (opened from its URL on first use)."""
        if isinstance(self._target, str):
            self._target = open_async_target(self._target, read_only=self._read_only)
        return self._target

    def as_read_only(self) -> AsyncProjectionSet:
        """Return a set of the same projections that only looks (see ``read_only``).

        ``fabula projections status`` and ``parked`` use it. A store or target this set
        holds as an object (or has opened already) is shared as it is, and left to this
        set to close; one it holds as a URL is opened read-only by the new set.
        """
        return AsyncProjectionSet(
            self._store,
            self._target,
            consumers=self._consumers.values(),
            registry=self.registry,
            policy=self.policy,
            poll_interval=self._poll_interval,
            read_only=True,
            partitions=self._partitions,
        )

    @property
    def names(self) -> list[str]:
        """The names of the projections and reactions, sorted."""
        return sorted(self._consumers)

    @property
    def partitions(self) -> dict[str, int]:
        """The partitioned projections and their number of partitions."""
        return dict(self._partitions)

    def _checkpoint_names(self, name: str) -> list[str]:
        """The checkpoints of ``name``: its own, or one per partition."""
        self.get(name)
        count = self._partitions.get(name)
        if count is None:
            return [name]
        return [partition_name(name, index) for index in range(count)]

    def _not_partitioned(self, name: str) -> None:
        if name in self._partitions:
            msg = f"{name!r} is partitioned: PartitionedWorker runs it, not a runner of the set"
            raise ConfigurationError(msg)

    def get(self, name: str, /) -> Consumer:
        """Return the projection or reaction called ``name``."""
        found = self._consumers.get(name)
        if found is None:
            known = ", ".join(self.names) or "none"
            msg = f"no projection or reaction is named {name!r} (known: {known})"
            raise ConfigurationError(msg)
        return found

    def runner(
        self,
        name: str,
        /,
        *,
        lease: LeaseSettings | None = None,
        target: AsyncTarget | None = None,
        progress: Callable[[int], object] | None = None,
    ) -> AsyncProjectionRunner:
        """Return a new runner for ``name`` (on this set's target unless told otherwise)."""
        self._not_partitioned(name)
        return AsyncProjectionRunner(
            self.store,
            self.get(name),
            target=target if target is not None else self.target,
            registry=self.registry,
            policy=self.policy,
            lease=lease,
            poll_interval=self._poll_interval,
            progress=progress,
        )

    async def start(
        self, names: Sequence[str] | None = None, /, *, lease: LeaseSettings | None = None
    ) -> None:
        """Run the named projections (default: all unpartitioned) in this process's background."""
        for name in names if names is not None else self._unpartitioned():
            if name in self._runners and self._runners[name].state not in ("stopped", "failed"):
                continue
            runner = self._runners[name] = self.runner(name, lease=lease)
            await runner.start()

    async def stop(self) -> None:
        """Stop every runner started by ``start`` and wait for them."""
        for runner in self._runners.values():
            await runner.stop()

    def running(self, name: str, /) -> AsyncProjectionRunner | None:
        """Return the runner ``start`` made for ``name``, if any."""
        return self._runners.get(name)

    async def run_until_caught_up(
        self, names: Sequence[str] | None = None, /
    ) -> list[ProjectionStatus]:
        """Bring the named projections (default: all unpartitioned) up to the head, in turn."""
        return [
            await self.runner(name).run_until_caught_up() for name in names or self._unpartitioned()
        ]

    def _unpartitioned(self) -> list[str]:
        return [name for name in self.names if name not in self._partitions]

    async def status(self, names: Sequence[str] | None = None, /) -> list[ProjectionStatus]:
        """Return the status of the named projections (default: all).

        The state comes from this process's runner when there is one, else from the
        database (see ``ProjectionStatus``). A partitioned projection has one status per
        partition, named ``{name}__p{i}``.
        """
        found = []
        for name in names if names is not None else self.names:
            self.get(name)
            runner = self._runners.get(name)
            count = self._partitions.get(name)
            if count is not None:
                target = await self._readable_target()
                found += await read_partition_status(self.store, target, name, partitions=count)
            elif runner is not None:
                found.append(await runner.status())
            else:
                found.append(await read_status(self.store, await self._readable_target(), name))
        return found

    async def _readable_target(self) -> AsyncTarget:
        """The target; read-only where it holds no read models yet, an empty one instead.

        Looking must not create the read-model database; until a runner has, every
        checkpoint is at 0 and nothing is parked, which an empty target says.
        """
        if not self._read_only:
            return self.target
        try:
            target = self.target
            await target.checkpoints()  # PostgreSQL checks its tables on first use
        except SchemaError:
            return AsyncMemoryTarget()
        return target

    async def wait_for_position(
        self,
        position: int | None,
        /,
        *,
        names: Sequence[str] | None = None,
        timeout: float = 10.0,
        poll_interval: float = 0.05,
    ) -> None:
        """Wait until the named projections (default: all) have passed ``position``.

        Works across processes: it reads the checkpoints from the target.

        Raises:
            PositionTimeout: one did not pass it within ``timeout`` seconds.
            ProjectionFailed: one is stopped on a parked event below ``position``.
        """
        if position is None:
            return
        deadline = time.monotonic() + timeout
        chosen = names if names is not None else self.names
        for name in [key for each in chosen for key in self._checkpoint_names(each)]:
            while True:
                target = await self._readable_target()  # read-only: may appear meanwhile
                reached = (await target.checkpoint(name)).position
                if reached >= position:
                    break
                await self._check_blocked(target, name, reached, position)
                if time.monotonic() >= deadline:
                    raise PositionTimeout(name, position=position, reached=reached, timeout=timeout)
                await asyncio.sleep(poll_interval)

    async def wait_caught_up(
        self, names: Sequence[str] | None = None, /, *, timeout: float = 10.0
    ) -> list[ProjectionStatus]:
        """Wait until the projections have passed what was committed before the call.

        Returns the status of the named projections (default: all) then. This is what a
        deploy script needs; it works across processes (it reads the checkpoints), so
        the runners may be in any worker.

        Raises:
            PositionTimeout: one did not get there within ``timeout`` seconds.
            ProjectionFailed: one is stopped on a parked event before the head.
        """
        head = await self.store.head()
        await self.wait_for_position(head or None, names=names, timeout=timeout)
        return await self.status(names)

    async def _check_blocked(
        self, target: AsyncTarget, name: str, reached: int, position: int
    ) -> None:
        for letter in await target.dead_letters(name):
            if reached < letter.position <= position:
                raise ProjectionFailed(name, position=letter.position, reason=letter.error)

    async def parked(self, name: str | None = None, /) -> list[DeadLetter]:
        """Return the parked events of one projection (default: all), by name and position."""
        target = await self._readable_target()
        if name is None:
            return await target.dead_letters(None)
        return [
            letter
            for key in self._checkpoint_names(name)  # a partitioned one: every partition's
            for letter in await target.dead_letters(key)
        ]

    async def retry_parked(self, name: str, position: int, /) -> None:
        """Apply a parked event again; on success its dead letter is removed.

        The read-model writes and the removal are one transaction (for a reaction, its
        handler runs first, then the removal). An event an upcaster splits is applied as
        the runner would: every part its projection handles, in that one transaction. If
        the checkpoint is below the event (the ``"stop"`` policy), it moves up to it, so a
        restarted runner goes on after it.

        Raises:
            ParkedEventNotFound: nothing is parked there.
            HandlerError: it failed again (the dead letter stays, with the new error).
        """
        consumer = self.get(name)
        letter = await self._letter(name, position)
        record = await self._record(letter)
        try:
            parts = await self._parts(record)
            recorded = handled(frozenset(consumer.handlers.event_types), parts)
            if not consumer.transactional:
                for part in recorded:
                    await _react(name, consumer.entry(type(part.event)).handler, part)
                await self.target.resolve(letter)
            else:
                steps = [step_of(consumer.entry(type(part.event)), part) for part in recorded]
                await self.target.resolve(letter, step=one_step(steps))
        except (HandlerError, CodecError) as exc:
            await self.target.park(letter.failed_again(exc))
            raise

    async def discard_parked(self, name: str, position: int, /) -> None:
        """Give up on a parked event: remove its dead letter without applying it.

        If the checkpoint is below the event (the ``"stop"`` policy), it moves up to it.
        """
        await self.target.resolve(await self._letter(name, position))

    async def _letter(self, name: str, position: int) -> DeadLetter:
        for key in self._checkpoint_names(name):
            for letter in await self.target.dead_letters(key):
                if letter.position == position:
                    return letter
        raise ParkedEventNotFound(name, position)

    async def _parts(self, record: StoredEvent) -> list[Recorded[Any]]:
        """Decode a parked record as the runner did: a split's parts, a merge's result."""
        keyring = AsyncKeyring(self.store)
        opened = await keyring.open((record,))
        earlier: list[StoredEvent] = []
        for stream_id, first, last in merge_lookups(self.registry, opened):
            earlier += await self.store.read_stream(stream_id, from_version=first, to_version=last)
        return decode_parts(self.registry, opened[0], earlier=await keyring.open(earlier))

    async def _record(self, letter: DeadLetter) -> StoredEvent:
        found = await self.store.read_all(after=letter.position - 1, limit=1)
        if not found or found[0].position != letter.position:
            msg = f"the event store has no event at position {letter.position}"
            raise ConfigurationError(msg)
        return found[0]

    async def rebuild(
        self,
        name: str,
        /,
        *,
        mode: RebuildMode = "in_place",
        progress: RebuildProgress | None = None,
    ) -> ProjectionStatus:
        """Replay a projection from the start of the log; return its status afterwards.

        Args:
            name: the projection.
            mode: ``"in_place"`` (empty and replay) or ``"copy"`` (replay into a scratch
                target while the old read model serves, then swap it in atomically).
            progress: called with ``(position, head)`` as the replay advances.

        A partitioned projection is rebuilt in place only (stop its workers first): every
        partition is reset, then each is replayed in turn; the status returned is that of
        the partition furthest behind.
        """
        projection = self.get(name)
        if not isinstance(projection, Projection):
            msg = f"{name!r} is not a projection (a reaction?): replaying it would act again"
            raise ConfigurationError(msg)
        if name in self._partitions:
            if mode != "in_place":
                msg = f"{name!r} is partitioned: it is rebuilt in place only"
                raise ConfigurationError(msg)
            return await self._rebuild_partitions(projection, self._partitions[name], progress)
        await self.target.prepare(name, setup=projection.setup_hooks)
        head = await self.store.head()

        def report(position: int) -> None:
            if progress is not None:
                progress(position, max(head, position))

        if mode == "in_place":
            await self.target.reset(name, tables=projection.tables)
            await self.runner(name, progress=report).run_until_caught_up()
        else:
            await self._rebuild_copy(name, projection, report)
        return await read_status(self.store, self.target, name)

    async def _rebuild_partitions(
        self, projection: Projection, count: int, progress: RebuildProgress | None
    ) -> ProjectionStatus:
        name = projection.name
        for index in range(count):
            await self.target.prepare(partition_name(name, index), setup=projection.setup_hooks)
        head = await self.store.head()
        await reset_partitions(self.target, name, partitions=count, tables=projection.tables)
        for index in range(count):

            def report(position: int, index: int = index) -> None:
                if progress is not None:  # the partitions replay in turn: share the bar
                    share = max(head, position)
                    progress((index * share + position) // count, share)

            await AsyncProjectionRunner(
                self.store,
                PartitionOf(projection, index, count),
                target=self.target,
                registry=self.registry,
                policy=self.policy,
                poll_interval=self._poll_interval,
                progress=report,
            ).run_until_caught_up()
        statuses = await read_partition_status(self.store, self.target, name, partitions=count)
        return min(statuses, key=lambda status: status.position)

    async def _rebuild_copy(
        self, name: str, projection: Projection, report: Callable[[int], None]
    ) -> None:
        scratch = await self.target.scratch(name)
        lease = LeaseSettings(owner=f"rebuild:{default_owner()}")  # shows the rebuild runs
        runner = self.runner(name, target=scratch, progress=report, lease=lease)

        async def catch_up(position: int) -> None:
            """Run the copy until its checkpoint reaches ``position`` (or time runs out)."""
            deadline = time.monotonic() + _CATCH_UP_SECONDS
            reached = (await scratch.checkpoint(name)).position
            while reached < position and time.monotonic() < deadline:
                await runner.run_until_caught_up()
                before, reached = reached, (await scratch.checkpoint(name)).position
                if reached == before:
                    await asyncio.sleep(_CATCH_UP_PAUSE)

        for _ in range(_SWAP_ATTEMPTS):
            try:
                await runner.run_until_caught_up()  # to the head: at or past the live position
                await scratch.acquire_lease(name, lease.owner, ttl=lease.ttl)  # until swapped
                await self.target.swap_in(
                    name, scratch, tables=projection.tables, catch_up=catch_up
                )
            except CheckpointConflict:
                continue  # the live runner passed the copy meanwhile: catch up, swap again
            except BaseException:
                await scratch.close()
                raise
            return
        await scratch.close()
        msg = f"projection {name!r}: the copy never caught up with the live runner"
        raise StoreError(msg)

    async def close(self) -> None:
        """Stop the runners, then close the store and target this set opened from URLs."""
        await self.stop()
        owns_store, owns_target = self._owns
        if owns_target and not isinstance(self._target, str):
            await self._target.close()
        if owns_store and not isinstance(self._store, str):
            await self._store.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


async def _react(name: str, handler: Callable[..., object], recorded: Recorded[Any]) -> None:
    try:
        await async_call(handler, None, recorded)
    except Exception as exc:
        raise HandlerError.of(name, recorded) from exc
