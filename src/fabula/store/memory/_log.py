"""The in-memory log: the reference implementation of the store contract.

One lock guards everything, so appends are atomic and positions follow commit order.
Both ``MemoryStore`` and ``AsyncMemoryStore`` wrap one of these.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from uuid import UUID

from fabula._errors import ConfigurationError
from fabula.store._batch import StreamAppend, check_batch, replayed_batch
from fabula.store._dedupe import replayed_append
from fabula.store._import import ImportedEvent, check_lifecycle, check_versions, duplicate_in
from fabula.store._lifecycle import (
    check_appendable,
    check_changeable,
    check_readable,
    check_truncate_range,
    tombstone,
)
from fabula.store._notify import Notifier
from fabula.store._preconditions import Precondition, check
from fabula.store._records import (
    AppendResult,
    Direction,
    NewEvent,
    SnapshotRecord,
    StoredEvent,
    StreamInfo,
    StreamState,
    StreamStatus,
    category_of,
    stored_events,
)

__all__ = ["MemoryLog"]


class MemoryLog:
    """Events, streams and snapshots held in process memory (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: list[StoredEvent] = []
        self._streams: dict[str, list[StoredEvent]] = {}
        self._by_id: dict[UUID, StoredEvent] = {}
        self._snapshots: dict[str, dict[int, SnapshotRecord]] = {}
        self._sorted_ids: list[str] = []
        self._states: dict[str, StreamState] = {}
        """Streams that are not live or were truncated (ADR 0015)."""
        self.notifier: Notifier = Notifier()
        """Woken after every append that wrote events."""

    def append(
        self, stream_id: str, events: Sequence[NewEvent], precondition: Precondition
    ) -> AppendResult:
        with self._lock:
            stream = self._streams.get(stream_id, [])
            known = [self._by_id[e.event_id] for e in events if e.event_id in self._by_id]
            replay = replayed_append(stream_id, events, known)
            if replay is not None:
                return replay
            check_appendable(stream_id, self._status(stream_id))
            check(precondition, stream_id, len(stream))
            if len({e.event_id for e in events}) != len(events):
                msg = f"stream {stream_id!r}: the same event id appears twice in one append"
                raise ConfigurationError(msg)
            if not events:
                return AppendResult(stream_id, len(stream), ())
            return self._write(stream_id, events, datetime.now(UTC))

    def append_many(self, appends: Sequence[StreamAppend]) -> list[AppendResult]:
        check_batch(appends)
        with self._lock:
            ids = {e.event_id for a in appends for e in a.events}
            known = [self._by_id[i] for i in ids if i in self._by_id]
            replay = replayed_batch(appends, known, self._version)
            if replay is not None:
                return replay
            for append in appends:
                check_appendable(append.stream_id, self._status(append.stream_id))
            for append in appends:
                check(append.precondition, append.stream_id, self._version(append.stream_id))
            now = datetime.now(UTC)
            return [self._write(a.stream_id, a.events, now) for a in appends]

    def _status(self, stream_id: str) -> StreamStatus:
        state = self._states.get(stream_id)
        return "live" if state is None else state.status

    def import_chunk(self, chunk: Sequence[ImportedEvent], first_line: int, imported: int) -> int:
        """Store one checked import chunk at once (``fabula.store._import``); its last position."""
        with self._lock:
            stored = {e.stream_id: self._version(e.stream_id) for e in chunk}
            check_lifecycle(chunk, first_line, imported, self._status)
            check_versions(chunk, first_line, imported, stored)
            if any(e.event_id in self._by_id for e in chunk):
                raise duplicate_in(chunk, self._by_id, first_line, imported)
            now = datetime.now(UTC)
            for event in chunk:
                record = StoredEvent(
                    position=len(self._log) + 1,
                    stream_id=event.stream_id,
                    version=event.version,
                    event_id=event.event_id,
                    type=event.type,
                    data=event.data,
                    schema_version=event.schema_version,
                    metadata=event.metadata,
                    causation_id=event.causation_id,
                    correlation_id=event.correlation_id,
                    recorded_at=now if event.recorded_at is None else event.recorded_at,
                )
                stream = self._streams.get(event.stream_id)
                if stream is None:
                    stream = self._streams[event.stream_id] = []
                    bisect.insort(self._sorted_ids, event.stream_id)
                stream.append(record)
                self._log.append(record)
                self._by_id[event.event_id] = record
            return len(self._log)

    def _version(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, ()))

    def _write(self, stream_id: str, events: Sequence[NewEvent], now: datetime) -> AppendResult:
        """Store ``events`` at the stream's end (the lock is held, the checks are done)."""
        stream = self._streams.get(stream_id, [])
        if not events:
            return AppendResult(stream_id, len(stream), ())
        start = len(self._log)
        stored = stored_events(
            stream_id, events, last_position=start, last_version=len(stream), recorded_at=now
        )
        if not stream:
            self._streams[stream_id] = stream
            bisect.insort(self._sorted_ids, stream_id)
        stream.extend(stored)
        self._log.extend(stored)
        self._by_id.update((s.event_id, s) for s in stored)
        return AppendResult(stream_id, len(stream), tuple(s.position for s in stored))

    def read_stream(
        self,
        stream_id: str,
        direction: Direction,
        from_version: int | None,
        to_version: int | None,
        limit: int | None,
    ) -> list[StoredEvent]:
        with self._lock:
            state = self.stream_state(stream_id)
            first = check_readable(stream_id, state.status, state.truncated_before, from_version)
            stream = self._streams.get(stream_id, [])
            low = max(first, 1) - 1
            high = len(stream) if to_version is None else max(min(to_version, len(stream)), 0)
            chosen = stream[low:high]
        if direction == "backwards":
            chosen.reverse()
        return chosen if limit is None else chosen[: max(limit, 0)]

    def read_all(
        self,
        after: int,
        limit: int | None,
        types: Collection[str] | None,
        categories: Collection[str] | None,
    ) -> list[StoredEvent]:
        with self._lock:
            tail = self._log[max(after, 0) :]
        if limit is not None:
            limit = max(limit, 0)
        if types is None and categories is None:
            return tail if limit is None else tail[:limit]
        found: list[StoredEvent] = []
        for item in tail:
            if limit is not None and len(found) >= limit:
                break
            if types is not None and item.type not in types:
                continue
            if categories is not None and category_of(item.stream_id) not in categories:
                continue
            found.append(item)
        return found

    def read_caused_by(self, causation_id: UUID) -> list[StoredEvent]:
        with self._lock:
            return [e for e in self._log if e.causation_id == causation_id]

    def stream_version(self, stream_id: str) -> int:
        with self._lock:
            return len(self._streams.get(stream_id, ()))

    def head(self) -> int:
        return len(self._log)

    def list_streams(
        self, prefix: str, after: str | None, limit: int | None, status: StreamStatus
    ) -> list[StreamInfo]:
        with self._lock:
            ids = self._sorted_ids
            start = bisect.bisect_left(ids, prefix)
            if after is not None:
                start = max(start, bisect.bisect_right(ids, after))
            found: list[StreamInfo] = []
            for stream_id in ids[start:]:
                if not stream_id.startswith(prefix) or (limit is not None and len(found) >= limit):
                    break
                if self._status(stream_id) != status:
                    continue
                found.append(StreamInfo(stream_id, len(self._streams[stream_id])))
            return found

    def count_streams(self, prefix: str, status: StreamStatus) -> int:
        with self._lock:
            return sum(
                1 for s in self._sorted_ids if s.startswith(prefix) and self._status(s) == status
            )

    def save_snapshot(self, snapshot: SnapshotRecord) -> None:
        with self._lock:
            self._snapshots.setdefault(snapshot.stream_id, {})[snapshot.version] = snapshot

    def load_snapshot(self, stream_id: str, max_version: int | None) -> SnapshotRecord | None:
        with self._lock:
            versions = [
                v
                for v in self._snapshots.get(stream_id, {})
                if max_version is None or v <= max_version
            ]
            return self._snapshots[stream_id][max(versions)] if versions else None

    def stream_state(self, stream_id: str) -> StreamState:
        """The stream's lifecycle state (the lock may be held: it only reads dicts)."""
        state = self._states.get(stream_id)
        version = len(self._streams.get(stream_id, ()))
        if state is None:
            return StreamState(stream_id, version)
        return StreamState(stream_id, version, state.status, state.truncated_before)

    def archive(self, stream_id: str, *, archived: bool) -> None:
        with self._lock:
            state = self.stream_state(stream_id)
            check_changeable(state)
            status: StreamStatus = "archived" if archived else "live"
            self._states[stream_id] = StreamState(stream_id, 0, status, state.truncated_before)

    def delete(self, stream_id: str) -> AppendResult:
        with self._lock:
            state = self.stream_state(stream_id)
            check_changeable(state)
            result = self._write(stream_id, [tombstone()], datetime.now(UTC))
            self._states[stream_id] = StreamState(stream_id, 0, "deleted", state.truncated_before)
            return result

    def truncate(self, stream_id: str, before: int) -> None:
        with self._lock:
            state = self.stream_state(stream_id)
            check_truncate_range(state, before)
            if before <= state.truncated_before:
                return
            self._states[stream_id] = StreamState(stream_id, 0, state.status, before)
            snapshots = self._snapshots.get(stream_id, {})
            if snapshots:
                newest = max(snapshots)
                self._snapshots[stream_id] = {newest: snapshots[newest]}
