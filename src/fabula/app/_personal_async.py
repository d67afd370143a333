"""``AsyncPersonalData``: forget a subject (crypto-shredding) and export what is kept about it.

``forget`` destroys the subject's key first, then appends one ``SubjectForgotten`` event
to the stream ``fabula.forgotten-<subject>`` (precondition: no stream), so projections
learn it in log order and a second ``forget`` signals nothing twice. Should the process
die between the two steps, calling ``forget`` again appends the signal.
"""

from __future__ import annotations

import contextlib
from typing import Literal

from fabula._errors import ConcurrencyError, ReadOnlyError, StreamArchived, StreamDeleted
from fabula.app._export import SubjectExport, holds_sealed_field
from fabula.codec import AsyncKeyring, EventRegistry, encode_new, sealed_subjects_per_record
from fabula.domain import SubjectForgotten
from fabula.store import NO_STREAM, AsyncEventStore, StoredEvent

__all__ = ["FORGOTTEN_STREAM_PREFIX", "AsyncPersonalData"]

FORGOTTEN_STREAM_PREFIX = "fabula.forgotten-"
"""The stream of a subject's ``SubjectForgotten`` signal is this prefix and its id."""

_PAGE = 1000


class AsyncPersonalData:
    """Forget subjects and export their personal data, on one store.

    Args:
        store: the event store (every fabula backend keeps a key table).
        registry: the registry ``SubjectForgotten`` is encoded with (a new one if none).
    """

    def __init__(self, store: AsyncEventStore, /, *, registry: EventRegistry | None = None) -> None:
        self._store = store
        self._keyring = AsyncKeyring(store)
        self._registry = registry if registry is not None else EventRegistry()
        self._registry.register(SubjectForgotten)

    async def forget(self, subject: str, /) -> bool:
        """Destroy the subject's key and signal ``SubjectForgotten``; return if a key died.

        From then on the subject's personal fields decode to their redacted value
        everywhere, and new personal data for it is refused (``ForgottenSubject``).
        """
        had = await self._keyring.forget(subject)
        records = encode_new(
            self._registry,
            [SubjectForgotten(subject)],
            metadata=None,
            causation_id=None,
            correlation_id=None,
        )
        with contextlib.suppress(ConcurrencyError):  # signalled already
            await self._store.append(
                FORGOTTEN_STREAM_PREFIX + subject, records, precondition=NO_STREAM
            )
        return had

    async def export(self, subject: str, /) -> SubjectExport:
        """Return every stored event holding a personal field of ``subject``, opened.

        Reads only the streams the key table noted for the subject (``KeyTable.streams``).
        Until that index is complete (a store written before it existed), it reads the
        whole log once, a page at a time, and completes the index on the way; so does
        an export that meets an archived or deleted stream.

        Raises:
            PersonalKeyError: the subject's key is missing or corrupt.
        """
        table = self._keyring.table
        rows = await table.fetch([subject])
        key: Literal["active", "forgotten", "none"] = (
            "none" if subject not in rows else "active" if rows[subject] else "forgotten"
        )
        streams = await table.streams(subject)
        found = None if streams is None else await self._from_streams(subject, streams)
        if found is None:
            found = await self._scan(subject)
        return SubjectExport(subject, key, tuple(await self._keyring.open(found)))

    async def _from_streams(self, subject: str, streams: list[str]) -> list[StoredEvent] | None:
        found: list[StoredEvent] = []
        for stream_id in streams:
            try:
                records = await self._store.read_stream(stream_id)
            except (StreamArchived, StreamDeleted):
                return None  # hidden from read_stream, still in the log: scan it
            found.extend(record for record in records if holds_sealed_field(record, subject))
        return sorted(found, key=lambda record: record.position)

    async def _scan(self, subject: str) -> list[StoredEvent]:
        """Read the whole log for ``subject``; note every subject's streams on the way."""
        found: list[StoredEvent] = []
        pairs: set[tuple[str, str]] = set()
        after = 0
        while True:
            page = await self._store.read_all(after=after, limit=_PAGE)
            if not page:
                break
            after = page[-1].position
            for index, subjects in sealed_subjects_per_record(page):
                record = page[index]
                pairs.update((who, record.stream_id) for who in subjects)
                if subject in subjects:
                    found.append(record)
        with contextlib.suppress(ReadOnlyError):  # a read-only store cannot keep the index
            await self._keyring.table.note(sorted(pairs), complete=True)
        return found
