"""``AsyncPersonalData``: forget a subject (crypto-shredding) and export what is kept about it.

``forget`` destroys the subject's key first, then appends one ``SubjectForgotten`` event
to the stream ``fabula.forgotten-<subject>`` (precondition: no stream), so projections
learn it in log order and a second ``forget`` signals nothing twice. Should the process
die between the two steps, calling ``forget`` again appends the signal.
"""

from __future__ import annotations

import contextlib
from typing import Literal

from fabula._errors import ConcurrencyError
from fabula.app._export import SubjectExport, holds_sealed_field
from fabula.codec import AsyncKeyring, EventRegistry, encode_new
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

        Reads the whole log once, a page at a time (a right-of-access request is rare;
        its cost is one scan).

        Raises:
            PersonalKeyError: the subject's key is missing or corrupt.
        """
        rows = await self._keyring.table.fetch([subject])
        key: Literal["active", "forgotten", "none"] = (
            "none" if subject not in rows else "active" if rows[subject] else "forgotten"
        )
        found: list[StoredEvent] = []
        after = 0
        while True:
            page = await self._store.read_all(after=after, limit=_PAGE)
            if not page:
                break
            after = page[-1].position
            mine = [record for record in page if holds_sealed_field(record, subject)]
            found.extend(await self._keyring.open(mine))
        return SubjectExport(subject, key, tuple(found))
