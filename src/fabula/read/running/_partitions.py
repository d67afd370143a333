"""Partitions of a consumer: each stream belongs to one partition, by a stable hash of its id.

``PartitionOf(consumer, index, count)`` is a ``Consumer`` of its own, named
``{name}__p{index}``: its own checkpoint, lease and dead letters. Its runner drops the
events of other partitions' streams from each page before decoding them (``owns``), so
they are never decoded nor handled, and passes them without a commit of their own (the
checkpoint follows with the next own event, or at most every second). The events of one
stream keep their order, and N partitions together apply every event exactly once.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from typing import Any, cast

from fabula._errors import ConfigurationError
from fabula.domain import Recorded
from fabula.read._handlers import Entry, HandlerTable
from fabula.read._projection import Handler, SetupHook
from fabula.read.running._consumer import Consumer

__all__ = ["PartitionOf", "member_name", "partition_name", "partition_of", "stream_filter"]


def partition_of(stream_id: str, count: int, /) -> int:
    """Return the partition (``0 <= p < count``) of a stream: stable across processes."""
    return zlib.crc32(stream_id.encode()) % count


def partition_name(name: str, index: int, /) -> str:
    """The checkpoint (and lease) name of partition ``index`` of ``name``."""
    return f"{name}__p{index}"


def member_name(name: str, slot: int, /) -> str:
    """The lease name a worker of ``name`` holds to be counted as a member."""
    return f"{name}__w{slot}"


def stream_filter(consumer: object, /) -> tuple[Callable[[str], bool], int] | None:
    """A partition's ``(owns, count)``: which streams it applies, and its partition count.

    ``None`` for any other consumer (it takes every stream).
    """
    if isinstance(consumer, PartitionOf):
        return consumer.owns, consumer.count
    return None


class _OneHandler:
    __slots__ = ("count", "handler", "index")

    def __init__(self, handler: Handler, index: int, count: int) -> None:
        self.handler, self.index, self.count = handler, index, count

    def __call__(self, tx: Any, recorded: Recorded[Any], /) -> object:
        if partition_of(recorded.stream_id, self.count) != self.index:
            return None
        return self.handler(tx, recorded)


class _ManyHandler:
    __slots__ = ("count", "handler", "index")

    def __init__(self, handler: Any, index: int, count: int) -> None:
        self.handler, self.index, self.count = handler, index, count

    def __call__(self, tx: Any, records: Sequence[Recorded[Any]], /) -> object:
        mine = [r for r in records if partition_of(r.stream_id, self.count) == self.index]
        return self.handler(tx, mine) if mine else None


class PartitionOf:
    """Partition ``index`` of ``count`` of ``consumer``: a consumer of its streams only."""

    def __init__(self, consumer: Consumer, index: int, count: int) -> None:
        if count < 1 or not 0 <= index < count:
            msg = f"partition {index} of {count}: need 0 <= index < count"
            raise ConfigurationError(msg)
        if not consumer.transactional:
            msg = f"{consumer.name}: only transactional consumers (projections) partition"
            raise ConfigurationError(msg)
        self._consumer = consumer
        self.index: int = index
        self.count: int = count
        self._name = partition_name(consumer.name, index)
        self._entries: dict[type, Entry[Handler]] = {}
        self._wrapped: dict[int, Any] = {}

    @property
    def name(self) -> str:
        """The partition's checkpoint key: ``{name}__p{index}``."""
        return self._name

    def owns(self, stream_id: str, /) -> bool:
        """Whether the events of ``stream_id`` belong to this partition."""
        return zlib.crc32(stream_id.encode()) % self.count == self.index

    @property
    def handlers(self) -> HandlerTable[Any]:
        """The partitioned consumer's handler table."""
        return self._consumer.handlers

    @property
    def batch_size(self) -> int:
        """The partitioned consumer's batch size."""
        return self._consumer.batch_size

    @property
    def setup_hooks(self) -> tuple[SetupHook, ...]:
        """The partitioned consumer's setup hooks."""
        return self._consumer.setup_hooks

    @property
    def transactional(self) -> bool:
        """Always ``True``: only projections are partitioned."""
        return True

    def entry(self, event_type: type, /) -> Entry[Handler]:
        """The consumer's handler, skipping events of other partitions' streams."""
        found = self._entries.get(event_type)
        if found is None:
            inner = self._consumer.entry(event_type)
            wrapped = self._wrapped.get(id(inner.handler))
            if wrapped is None:
                kind = _ManyHandler if inner.many else _OneHandler
                wrapped = self._wrapped[id(inner.handler)] = kind(
                    inner.handler, self.index, self.count
                )
            found = self._entries[event_type] = Entry(
                cast("Handler", wrapped), inner.batch, inner.many
            )
        return found
