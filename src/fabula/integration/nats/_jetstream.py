"""NATS JetStream behind the broker contract (``fabula.integration._messages`` rules).

1. ``JetStreamPublisher.publish`` sends ``Nats-Msg-Id: message.id`` and awaits the PubAck:
   the stream has stored the message, or dropped it as a duplicate inside its
   ``duplicate_window`` (rules 1 and 2).
2. ``JetStreamSubscriber`` is a durable pull consumer with explicit acks: a message not
   acked within ``ack_wait`` seconds, or naked, is delivered again (rule 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig

from fabula.integration._messages import Delivery, Message

__all__ = ["JetStreamDelivery", "JetStreamPublisher", "JetStreamSubscriber", "ensure_stream"]

MSG_ID = "Nats-Msg-Id"


async def ensure_stream(
    js: JetStreamContext, name: str, subjects: Sequence[str], *, duplicate_window: float = 120.0
) -> None:
    """Create the JetStream stream ``name`` over ``subjects`` if it does not exist."""
    try:
        await js.stream_info(name)
    except nats.js.errors.NotFoundError:
        config = StreamConfig(name=name, subjects=list(subjects), duplicate_window=duplicate_window)
        await js.add_stream(config)


class JetStreamPublisher:
    """Publishes messages to JetStream, deduplicated by ``Nats-Msg-Id`` (rule 1)."""

    def __init__(
        self, js: JetStreamContext, /, *, stream: str | None = None, timeout: float = 5.0
    ) -> None:
        """Publish through ``js``; with ``stream``, refuse to land in any other stream."""
        self._js = js
        self._stream = stream
        self._timeout = timeout

    async def publish(self, message: Message, /) -> None:
        """Send ``message`` and wait for JetStream's acknowledgement."""
        headers = {**message.headers, MSG_ID: message.id}
        await self._js.publish(
            message.subject,
            message.data,
            timeout=self._timeout,
            stream=self._stream,
            headers=headers,
        )


@dataclass(frozen=True, slots=True)
class JetStreamDelivery:
    """One JetStream message, held until ``ack``."""

    message: Message
    raw: Msg

    async def ack(self) -> None:
        """Acknowledge (and wait for the server to record it)."""
        await self.raw.ack_sync()

    async def nak(self, delay: float | None = None) -> None:
        """Ask for redelivery, after ``delay`` seconds if given."""
        await self.raw.nak(delay=delay)


class JetStreamSubscriber:
    """A durable pull consumer on one JetStream stream (rule 2)."""

    def __init__(self, subscription: JetStreamContext.PullSubscription, /) -> None:
        """Wrap a pull subscription (``JetStreamSubscriber.create`` makes one)."""
        self._subscription = subscription

    @classmethod
    async def create(
        cls,
        js: JetStreamContext,
        /,
        *,
        stream: str,
        durable: str,
        subject: str,
        ack_wait: float = 30.0,
    ) -> JetStreamSubscriber:
        """Bind to (or create) the durable consumer ``durable`` on ``stream``."""
        config = ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=ack_wait,
            filter_subject=subject,
        )
        subscription = await js.pull_subscribe(
            subject, durable=durable, stream=stream, config=config
        )
        return cls(subscription)

    async def fetch(self, max_messages: int, /, *, timeout: float) -> Sequence[Delivery]:
        """Return up to ``max_messages`` deliveries; none if none came within ``timeout``."""
        try:
            raw = await self._subscription.fetch(max_messages, timeout=timeout)
        except (nats.errors.TimeoutError, TimeoutError):  # nats-py raises either
            return []
        return [JetStreamDelivery(_message(msg), msg) for msg in raw]

    async def close(self) -> None:
        """Stop fetching (the durable consumer stays on the server)."""
        await self._subscription.unsubscribe()


def _message(msg: Msg) -> Message:
    headers = dict(msg.headers or {})
    return Message(
        id=headers.get(MSG_ID, ""),
        subject=msg.subject,
        data=msg.data,
        headers=headers,
    )
