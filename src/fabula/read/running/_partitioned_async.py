"""``AsyncPartitionedWorker``: one of K workers sharing the N partitions of a projection.

Theory of operation:

1. The projection is split into ``partitions`` by stream (``PartitionOf``); each partition
   is run by an ``AsyncProjectionRunner`` under a lease of its own, so its checkpoint
   moves in the same transaction as its read-model writes (no event applied twice).
2. Each worker holds a member lease (``{name}__w{slot}``), renewed with its partition
   leases; the live member leases count the workers (K), and a worker takes at most
   ``ceil(N / K)`` partitions. A worker over its share releases the extra partitions,
   which the others take: workers rebalance when one joins, stops or dies (a dead
   worker's leases lapse after ``ttl``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any, Self, cast

from fabula._errors import ConfigurationError
from fabula.codec import EventRegistry
from fabula.read._leases import LeaseSettings
from fabula.read._target_async import AsyncTarget
from fabula.read.running._consumer import Consumer
from fabula.read.running._monitor_async import read_status
from fabula.read.running._partitions import PartitionOf, member_name, partition_name
from fabula.read.running._policy import ErrorPolicy
from fabula.read.running._runner_async import AsyncApplication, AsyncProjectionRunner
from fabula.read.running._status import ProjectionStatus
from fabula.store import AsyncEventStore

__all__ = ["AsyncPartitionedWorker", "read_partition_status", "reset_partitions"]


class _AsyncBalancedTarget:
    """The target, with ``acquire_lease`` held to this worker's fair share of partitions."""

    def __init__(self, target: AsyncTarget, name: str, count: int, lease: LeaseSettings) -> None:
        self._target, self._name, self._count, self._lease = target, name, count, lease
        self._partitions = {partition_name(name, i) for i in range(count)}
        self.held: set[str] = set()
        self.share = 0  # none until the members are counted (the first acquire does it)
        self._slot: int | None = None
        self._counted_at: float | None = None

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._target, attribute)

    async def acquire_lease(self, name: str, owner: str, /, *, ttl: float) -> bool:
        if name not in self._partitions:
            return await self._target.acquire_lease(name, owner, ttl=ttl)
        await self._count_members(owner, ttl)
        if name in self.held and len(self.held) > self.share and name == max(self.held):
            await self.release_lease(name, owner)
            return False
        if name in self.held:
            if await self._target.acquire_lease(name, owner, ttl=ttl):
                return True
            self.held.discard(name)
            return False
        # Count the partition in before asking the database: the worker's other runners
        # ask at the same time, and checking first would let each of them pass the share.
        self.held.add(name)
        if len(self.held) > self.share or not await self._target.acquire_lease(
            name, owner, ttl=ttl
        ):
            self.held.discard(name)
            return False
        return True

    async def release_lease(self, name: str, owner: str, /) -> None:
        self.held.discard(name)
        await self._target.release_lease(name, owner)

    async def leave(self) -> None:
        """Give up the member lease (the worker stops)."""
        if self._slot is not None:
            await self._target.release_lease(member_name(self._name, self._slot), self._lease.owner)
            self._slot = None

    async def join(self) -> None:
        """Take (or renew) this worker's member lease now."""
        await self._take_slot(self._lease.owner, self._lease.ttl)

    async def _take_slot(self, owner: str, ttl: float) -> None:
        slot = self._slot
        if slot is None or not await self._target.acquire_lease(
            member_name(self._name, slot), owner, ttl=ttl
        ):
            self._slot = None
            for candidate in range(self._count):
                if await self._target.acquire_lease(
                    member_name(self._name, candidate), owner, ttl=ttl
                ):
                    self._slot = candidate
                    break

    async def _count_members(self, owner: str, ttl: float) -> None:
        now = time.monotonic()
        every = max(self._lease.acquire_interval, self._lease.renew_interval)  # N + 1 queries
        if self._counted_at is not None and now - self._counted_at < every:
            return
        self._counted_at = now
        await self._take_slot(owner, ttl)
        if self._slot is None:
            self.share = 0
            return
        live = 0
        for candidate in range(self._count):
            if await self._target.lease(member_name(self._name, candidate)) is not None:
                live += 1
        self.share = math.ceil(self._count / max(1, live))


class AsyncPartitionedWorker:
    """Runs this process's share of the partitions of one projection.

    Start the same worker (same projection, target and ``partitions``) in K processes, on
    one machine or several: they share the partitions and rebalance as they come and go.

    Args:
        store: the event store (or the application's flow).
        consumer: the projection to partition (a transactional consumer).
        target: where the read model, the per-partition checkpoints and leases live.
        partitions: N, the number of partitions; fixed for the life of the read model.
        registry, policy, poll_interval: as for ``AsyncProjectionRunner``.
        lease: lease settings (``ttl`` bounds the takeover after a worker dies).
    """

    def __init__(
        self,
        store: AsyncEventStore | AsyncApplication,
        consumer: Consumer,
        /,
        *,
        target: AsyncTarget,
        partitions: int,
        registry: EventRegistry | None = None,
        policy: ErrorPolicy | None = None,
        lease: LeaseSettings | None = None,
        poll_interval: float = 0.5,
    ) -> None:
        if partitions < 1:
            msg = f"partitions must be at least 1, not {partitions}"
            raise ConfigurationError(msg)
        self._name = consumer.name
        self._lease = lease if lease is not None else LeaseSettings()
        self._balanced = _AsyncBalancedTarget(target, consumer.name, partitions, self._lease)
        balanced = cast("AsyncTarget", self._balanced)
        self._runners = [
            AsyncProjectionRunner(
                store,
                PartitionOf(consumer, index, partitions),
                target=balanced,
                registry=registry,
                policy=policy if policy is not None else ErrorPolicy(),
                lease=self._lease,
                poll_interval=poll_interval,
            )
            for index in range(partitions)
        ]

    @property
    def owner(self) -> str:
        """This worker's name in the leases."""
        return self._lease.owner

    @property
    def owned(self) -> list[int]:
        """The partitions this worker holds now."""
        return sorted(i for i, r in enumerate(self._runners) if r.name in self._balanced.held)

    async def join(self) -> None:
        """Be counted as a member now, before ``start()`` (which does it too).

        K workers that all join before any of them starts split the partitions at once,
        instead of one taking them all and handing the extras over at its renewals.
        Call it again within ``ttl`` to stay counted while waiting to start.
        """
        await self._balanced.join()

    async def start(self) -> None:
        """Start every partition's runner in the background (each waits for its lease)."""
        for runner in self._runners:
            await runner.start()

    async def stop(self) -> None:
        """Stop the runners, releasing their leases and this worker's membership."""
        for runner in self._runners:
            await runner.stop()
        await self._balanced.leave()

    async def status(self) -> list[ProjectionStatus]:
        """The status of every partition, as this worker sees it."""
        return [await runner.status() for runner in self._runners]

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def read_partition_status(
    store: AsyncEventStore, target: AsyncTarget, name: str, /, *, partitions: int
) -> list[ProjectionStatus]:
    """Return each partition's status (position, owner, lag), by partition index."""
    return [
        await read_status(store, target, partition_name(name, index)) for index in range(partitions)
    ]


async def reset_partitions(
    target: AsyncTarget, name: str, /, *, partitions: int, tables: Sequence[str]
) -> None:
    """Rebuild in place: empty ``tables`` and set every partition's checkpoint to 0.

    Stop the workers first: each partition is reset in a transaction of its own.
    """
    for index in range(partitions):
        await target.reset(partition_name(name, index), tables=tables)
