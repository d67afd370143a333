# Generated from _closing_async.py by tools/unasync.py: do not edit, edit the source.
"""Conformance: a closed store refuses every use with ``ClosedError``; closing twice is fine.

``ClosedError`` (a ``StoreError``) tells a runner that no retry can succeed, so it stops
rather than backing off forever; every backend, sync and asyncio, says it the same way.
"""

from __future__ import annotations

from fabula._errors import ClosedError
from fabula.store import EventStore
from fabula.testing.conformance._events import new_events, unique_stream
from fabula.testing.conformance._expect import raises

__all__ = ["check_a_closed_store_refuses_every_use"]


def check_a_closed_store_refuses_every_use(store: EventStore) -> None:
    """After ``close()``, reads, writes and waits raise ``ClosedError``; closing again is fine."""
    stream = unique_stream()
    store.append(stream, new_events(1))
    store.close()
    with raises(ClosedError, "head() after close()"):
        store.head()
    with raises(ClosedError, "append() after close()"):
        store.append(stream, new_events(1))
    with raises(ClosedError, "read_stream() after close()"):
        store.read_stream(stream)
    with raises(ClosedError, "read_all() after close()"):
        store.read_all()
    with raises(ClosedError, "stream_version() after close()"):
        store.stream_version(stream)
    with raises(ClosedError, "wait_for_events() after close()"):
        store.wait_for_events(0, timeout=0.01)
    store.close()
