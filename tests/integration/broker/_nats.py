"""Helpers of the broker tests: a JetStream connection, and reading a stream back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import nats
from nats.js import JetStreamContext

from fabula.integration import Message
from fabula.integration.nats import JetStreamSubscriber, ensure_stream


@asynccontextmanager
async def jetstream(url: str, stream: str) -> AsyncIterator[JetStreamContext]:
    """A JetStream context with ``stream`` (subjects ``<stream>.>``) in place."""
    connection = await nats.connect(url)
    try:
        js = connection.jetstream()
        await ensure_stream(js, stream, [f"{stream}.>"])
        yield js
    finally:
        await connection.close()


async def stored(js: JetStreamContext, stream: str) -> list[Message]:
    """Every message in ``stream``, in stream order (through a throwaway consumer)."""
    subscriber = await JetStreamSubscriber.create(
        js, stream=stream, durable=f"check_{id(js)}", subject=f"{stream}.>"
    )
    found: list[Message] = []
    while deliveries := await subscriber.fetch(100, timeout=0.5):
        for delivery in deliveries:
            found.append(delivery.message)
            await delivery.ack()
    await js.delete_consumer(stream, f"check_{id(js)}")
    return found


async def count(js: JetStreamContext, stream: str) -> int:
    """How many messages ``stream`` holds."""
    info = await js.stream_info(stream)
    return int(info.state.messages)
