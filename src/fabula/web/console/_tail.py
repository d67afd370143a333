"""The global log tailed live as server-sent events, from a sync store.

Each message's ``id`` is the event's position (a browser's ``EventSource`` resumes after
it with ``Last-Event-ID``), its ``data`` the event as the console's other answers show it.
"""

from __future__ import annotations

from collections.abc import Generator

from fabula.store import EventStore
from fabula.web.console._shapes import event_shape, to_json

__all__ = ["tail"]

_KEEPALIVE = b": keepalive\n\n"


def tail(
    store: EventStore, /, *, after: int, keepalive: float = 5.0
) -> Generator[bytes, None, None]:
    """Yield SSE messages for the events after ``after``, then each new one, until closed."""
    subscription = store.subscribe(after=after, poll_interval=0.5)
    try:
        yield b"retry: 2000\n\n"
        while True:
            batch = subscription.next_batch(timeout=keepalive)
            if not batch:
                yield _KEEPALIVE
            for record in batch:
                yield b"id: %d\ndata: %s\n\n" % (record.position, to_json(event_shape(record)))
    finally:
        subscription.close()
