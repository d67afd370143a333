"""Conformance: a closed store refuses every use with ``ClosedError``; closing twice is fine.

``ClosedError`` (a ``StoreError``) tells a runner that no retry can succeed, so it stops
rather than backing off forever; every backend, sync and asyncio, says it the same way.
"""

from __future__ import annotations

from fabula._errors import ClosedError
from fabula.store import AsyncEventStore
from fabula.testing.conformance._events import new_events, unique_stream
from fabula.testing.conformance._expect import raises

__all__ = ["check_a_closed_store_refuses_every_use"]


async def check_a_closed_store_refuses_every_use(store: AsyncEventStore) -> None:
    """After ``close()``, reads, writes and waits raise ``ClosedError``; closing again is fine."""
    stream = unique_stream()
    await store.append(stream, new_events(1))
    await store.close()
    with raises(ClosedError, "head() after close()"):
        await store.head()
    with raises(ClosedError, "append() after close()"):
        await store.append(stream, new_events(1))
    with raises(ClosedError, "read_stream() after close()"):
        await store.read_stream(stream)
    with raises(ClosedError, "read_all() after close()"):
        await store.read_all()
    with raises(ClosedError, "stream_version() after close()"):
        await store.stream_version(stream)
    with raises(ClosedError, "wait_for_events() after close()"):
        await store.wait_for_events(0, timeout=0.01)
    await store.close()
