"""The repository: load a stream's state (snapshot + events) and append decided events.

Rules:
1. ``load`` starts from the newest usable snapshot at or below the wanted version and
   replays the events after it (snapshots are looked up when the repository has a
   snapshot policy, or ``read_snapshots=True``). A snapshot that cannot be decoded, or
   was written for another snapshot version of the state, is ignored (logged) and the
   stream is replayed from its first event: snapshots are an optimisation, never a source
   of truth.
2. ``append`` writes with the precondition it is given, then (after the commit) stores a
   snapshot if the policy asks for one. A failed snapshot write is logged, never raised:
   the events are committed.
3. ``load(..., as_of_version=n)`` is time travel: the state as it was at version ``n``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, cast, overload
from uuid import UUID

import msgspec

from fabula._errors import CodecError, ConfigurationError, FabulaError
from fabula.app._loaded import Loaded
from fabula.app._snapshot_state import snapshot_data
from fabula.app._snapshots import NEVER, NeverSnapshot, SnapshotPolicy
from fabula.codec import (
    AsyncKeyring,
    EventRegistry,
    decode_recorded,
    decode_records,
    encode_json,
    encode_new,
    merge_lookups,
)
from fabula.domain import Aggregate, Decider, JSONValue, Recorded, as_decider
from fabula.store import (
    ANY_VERSION,
    AppendResult,
    AsyncEventStore,
    Precondition,
    SnapshotRecord,
    StoredEvent,
    StreamAppend,
)

__all__ = ["AsyncRepository"]

StateT = TypeVar("StateT")
AggregateT = TypeVar("AggregateT", bound=Aggregate)
logger = logging.getLogger("fabula.repository")


class AsyncRepository(Generic[StateT]):
    """Loads and saves the streams of one aggregate type (a decider or class-style aggregate).

    Its state type is the aggregate class, or the decider's state: ``load`` returns it.
    """

    @overload
    def __init__(
        self: AsyncRepository[AggregateT],
        store: AsyncEventStore,
        model: type[AggregateT],
        /,
        *,
        registry: EventRegistry | None = None,
        snapshots: SnapshotPolicy = NEVER,
        read_snapshots: bool | None = None,
    ) -> None: ...
    @overload
    def __init__(
        self,
        store: AsyncEventStore,
        model: Decider[StateT, Any, Any],
        /,
        *,
        registry: EventRegistry | None = None,
        snapshots: SnapshotPolicy = NEVER,
        read_snapshots: bool | None = None,
    ) -> None: ...
    def __init__(
        self,
        store: AsyncEventStore,
        model: Decider[Any, Any, Any] | type[Aggregate],
        /,
        *,
        registry: EventRegistry | None = None,
        snapshots: SnapshotPolicy = NEVER,
        read_snapshots: bool | None = None,
    ) -> None:
        self._store = store
        self._keyring = AsyncKeyring(store)
        self.decider: Decider[StateT, Any, Any] = cast(
            "Decider[StateT, Any, Any]", as_decider(model)
        )
        self.registry: EventRegistry = registry if registry is not None else EventRegistry()
        for cls in self.decider.events:
            self.registry.register(cls)
        if not isinstance(snapshots, NeverSnapshot) and self.decider.state_type is None:
            msg = f"aggregate {self.decider.name!r} has no state_type: it cannot be snapshotted"
            raise ConfigurationError(msg)
        self._snapshots = snapshots
        # A repository that never writes snapshots does not look for them either: one
        # round trip less per load. ``read_snapshots=True`` reads ones written elsewhere.
        self._reads_snapshots = (
            read_snapshots
            if read_snapshots is not None
            else not isinstance(snapshots, NeverSnapshot)
        )
        self._state_decoder: msgspec.json.Decoder[Any] | None = (
            msgspec.json.Decoder(self.decider.state_type)
            if self.decider.state_type is not None
            else None
        )

    @property
    def store(self) -> AsyncEventStore:
        """The event store this repository reads and writes."""
        return self._store

    def initial(self, stream_id: str, /) -> Loaded[StateT]:
        """Return the state of a stream with no events (without reading the store)."""
        return Loaded(stream_id, self.decider.initial_state(), 0)

    async def load(self, stream_id: str, /, *, as_of_version: int | None = None) -> Loaded[StateT]:
        """Return the state of a stream, now or as of a past version.

        Raises:
            StreamArchived: the stream is archived (``store.unarchive_stream`` restores it).
            StreamDeleted: the stream was deleted.
            StreamTruncated: the stream was truncated and no snapshot of this aggregate
                covers the versions before its first readable one.
        """
        state, version, snapshot_version = await self._start(stream_id, as_of_version)
        records = await self._store.read_stream(
            stream_id, from_version=version + 1, to_version=as_of_version
        )
        records = await self._keyring.open(records)
        evolve = self.decider.evolve
        if self.registry.merges:  # a merge needs its earlier members (ADR 0014)
            earlier = await self._merge_members(records)
            for item in decode_records(self.registry, records, earlier=earlier):
                state = evolve(state, item.event)
            version = records[-1].version if records else version
            return Loaded(stream_id, state, version, snapshot_version)
        decode = self.registry.decode_all
        for record in records:
            # Only the event is folded: no envelope is built per replayed event.
            for event in decode(
                record.type,
                record.schema_version,
                record.data,
                stream_id=stream_id,
                version=record.version,
                position=record.position,
            ):
                state = evolve(state, event)
            version = record.version
        return Loaded(stream_id, state, version, snapshot_version)

    async def history(
        self, stream_id: str, /, *, after_version: int = 0, limit: int | None = None
    ) -> list[Recorded[Any]]:
        """Return a stream's events with their envelopes, oldest first."""
        records = await self._store.read_stream(
            stream_id, from_version=after_version + 1, limit=limit
        )
        records = await self._keyring.open(records)
        return decode_records(self.registry, records, earlier=await self._merge_members(records))

    async def _merge_members(self, records: list[StoredEvent]) -> list[StoredEvent]:
        found: list[StoredEvent] = []
        for stream_id, first, last in merge_lookups(self.registry, records):
            found += await self._store.read_stream(stream_id, from_version=first, to_version=last)
        return await self._keyring.open(found)

    async def append(
        self,
        stream_id: str,
        events: Sequence[object],
        /,
        *,
        precondition: Precondition = ANY_VERSION,
        metadata: Mapping[str, JSONValue] | None = None,
        causation_id: UUID | None = None,
        correlation_id: UUID | None = None,
        loaded: Loaded[StateT] | None = None,
    ) -> tuple[AppendResult, list[Recorded[Any]]]:
        """Append typed events; snapshot by policy when ``loaded`` (the state before) is given.

        Returns the store's result and the appended events with their envelopes.
        """
        records = encode_new(
            self.registry,
            events,
            metadata=metadata,
            causation_id=causation_id,
            correlation_id=correlation_id,
            keys=await self._keyring.keys_for(self.registry, events, stream_id=stream_id),
            stream_id=stream_id,
        )
        result = await self._store.append(stream_id, records, precondition=precondition)
        if result.deduplicated:
            stored = await self._store.read_stream(
                stream_id,
                from_version=result.version - len(records) + 1,
                to_version=result.version,
            )
            stored = await self._keyring.open(stored)
            return result, [decode_recorded(self.registry, r) for r in stored]
        now = datetime.now(UTC)
        recorded = [
            Recorded(
                event=value,
                stream_id=stream_id,
                version=result.version - len(records) + index + 1,
                position=position,
                event_id=record.event_id,
                type=record.type,
                recorded_at=now,
                causation_id=causation_id,
                correlation_id=correlation_id,
                metadata=dict(metadata or {}),
            )
            for index, (value, record, position) in enumerate(
                zip(events, records, result.positions, strict=True)
            )
        ]
        if loaded is not None and not isinstance(self._snapshots, NeverSnapshot):
            state = loaded.state
            for value in events:
                state = self.decider.evolve(state, value)
            if self._snapshots(loaded.version, result.version, state):
                await self._save_snapshot(stream_id, state, result.version)
        return result, recorded

    async def append_many(
        self,
        appends: Mapping[str, Sequence[object]],
        /,
        *,
        preconditions: Mapping[str, Precondition] | None = None,
        metadata: Mapping[str, JSONValue] | None = None,
        causation_id: UUID | None = None,
        correlation_id: UUID | None = None,
    ) -> list[AppendResult]:
        """Append typed events to several streams in one transaction: all or nothing.

        ``appends`` maps each stream to its events (none: the stream's precondition is
        only checked); ``preconditions`` gives some streams one (default ``ANY_VERSION``).
        Results come in the order of ``appends``. No snapshots are taken.
        """
        chosen = preconditions or {}
        keys = await self._keyring.keys_for_streams(self.registry, appends)
        batch = [
            StreamAppend(
                stream_id,
                encode_new(
                    self.registry,
                    events,
                    metadata=metadata,
                    causation_id=causation_id,
                    correlation_id=correlation_id,
                    keys=keys,
                    stream_id=stream_id,
                ),
                chosen.get(stream_id, ANY_VERSION),
            )
            for stream_id, events in appends.items()
        ]
        return await self._store.append_many(batch)

    async def save_snapshot(self, stream_id: str, /, *, as_of_version: int | None = None) -> int:
        """Store a snapshot of a stream now (or as of a version); return its version.

        Raises:
            CodecError: the state cannot be written as JSON that reads back as it was
                (a NaN float, say); no snapshot is stored.
        """
        loaded = await self.load(stream_id, as_of_version=as_of_version)
        await self._store.save_snapshot(self._snapshot(stream_id, loaded.state, loaded.version))
        return loaded.version

    def _snapshot(self, stream_id: str, state: StateT, version: int) -> SnapshotRecord:
        return SnapshotRecord(
            stream_id=stream_id,
            version=version,
            type=self.decider.name,
            data=encode_json(state),
            schema_version=self.decider.snapshot_version,
        )

    async def _save_snapshot(self, stream_id: str, state: StateT, version: int) -> None:
        try:
            await self._store.save_snapshot(self._snapshot(stream_id, state, version))
        except FabulaError:
            logger.exception("snapshot of %s at version %d failed", stream_id, version)

    async def _start(
        self, stream_id: str, as_of_version: int | None
    ) -> tuple[StateT, int, int | None]:
        if self._state_decoder is not None and self._reads_snapshots:
            snapshot = await self._store.load_snapshot(stream_id, max_version=as_of_version)
            data = snapshot_data(self.decider, snapshot) if snapshot is not None else None
            if snapshot is not None and data is not None:
                try:
                    state: StateT = self._state_decoder.decode(data)
                except (msgspec.DecodeError, TypeError, ValueError, RecursionError) as exc:
                    error = CodecError(
                        f"snapshot of {self.decider.name!r} does not decode: {exc}",
                        stream_id=stream_id,
                        version=snapshot.version,
                    )
                    logger.warning("%s; replaying the whole stream", error)
                else:
                    return state, snapshot.version, snapshot.version
        return self.decider.initial_state(), 0, None
