"""Server-sent events: a live feed of stored events over plain HTTP.

``event_stream`` follows the event log from a position (catch up, then live) and
yields each event in the SSE wire format; ``event_stream_response`` sends it::

    @app.get("/orders/events")
    async def order_events(last_event_id: str | None = Header(None)):
        start = resume_after(last_event_id, default=await store.head())
        return event_stream_response(event_stream(store, after=start, categories=["order"]))

Each event is one SSE message: ``id`` is its global position (a browser's
``EventSource`` sends it back as ``Last-Event-ID`` when it reconnects, and the feed
resumes right after it), ``event`` its stable type name, ``data`` a JSON object with
its stream, version, position, time, payload and metadata. A comment line goes out
when nothing happened for ``keepalive`` seconds, so proxies keep the connection open.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Collection
from typing import Final

import msgspec
from starlette.responses import StreamingResponse

from fabula._errors import DomainError
from fabula.store import AsyncEventStore, StoredEvent

__all__ = [
    "InvalidLastEventId",
    "Select",
    "event_json",
    "event_stream",
    "event_stream_response",
    "format_event",
    "resume_after",
]

Select = Callable[[StoredEvent], Awaitable[bool]]
"""Decides whether one stored event goes out on the feed."""

_KEEPALIVE: Final = b": keep-alive\n\n"


class _Message(msgspec.Struct, frozen=True):
    stream_id: str
    version: int
    position: int
    type: str
    recorded_at: str
    data: msgspec.Raw
    metadata: msgspec.Raw


_encoder = msgspec.json.Encoder()


class InvalidLastEventId(DomainError):
    """A ``Last-Event-ID`` header that is not a position this feed sent."""

    code = "invalid_last_event_id"
    message = "Last-Event-ID must be the id of an event this feed sent (a position)"


def resume_after(last_event_id: str | None, /, *, default: int) -> int:
    """Return the position a feed starts after: the ``Last-Event-ID`` header's, or ``default``.

    Raises:
        InvalidLastEventId: the header is not a non-negative integer.
    """
    if last_event_id is None:
        return default
    if not (last_event_id.isascii() and last_event_id.isdigit()):
        raise InvalidLastEventId(params={"last_event_id": last_event_id[:40]})
    return int(last_event_id)


def event_json(record: StoredEvent, /) -> bytes:
    """Return one stored event as the JSON object a feed sends (SSE ``data``, a WebSocket text)."""
    message = _Message(
        stream_id=record.stream_id,
        version=record.version,
        position=record.position,
        type=record.type,
        recorded_at=record.recorded_at.isoformat(),
        data=msgspec.Raw(record.data.encode()),
        metadata=msgspec.Raw(record.metadata.encode()),
    )
    return _encoder.encode(message)


def format_event(record: StoredEvent, /) -> bytes:
    """Return one stored event as an SSE message (``id``, ``event`` and ``data`` lines)."""
    data = event_json(record)
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (record.position, record.type.encode(), data)


async def event_stream(
    store: AsyncEventStore,
    /,
    *,
    after: int = 0,
    categories: Collection[str] | None = None,
    types: Collection[str] | None = None,
    select: Select | None = None,
    keepalive: float = 15.0,
) -> AsyncGenerator[bytes, None]:
    """Yield the events after ``after`` as SSE messages, then each new one, until closed.

    Args:
        store: the event store to follow.
        after: the position to start after (the head of the log: only new events).
        categories: only events of streams in these categories.
        types: only events of these stable type names.
        select: a further filter (the customer's own orders, say).
        keepalive: seconds of quiet after which a comment line is sent.
    """
    subscription = store.subscribe(after=after, categories=categories, types=types)
    try:
        while True:
            batch = await subscription.next_batch(timeout=keepalive)
            if not batch:
                yield _KEEPALIVE
            for record in batch:
                if select is None or await select(record):
                    yield format_event(record)
    finally:
        await subscription.close()


def event_stream_response(events: AsyncIterator[bytes], /) -> StreamingResponse:
    """Send an ``event_stream`` as ``text/event-stream``, unbuffered and uncached."""
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)
