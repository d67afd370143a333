"""The broker contract: ``Message`` out and in, ``Publisher``, ``Subscriber``, ``Delivery``.

Rules a broker adapter keeps (``docs/integration.md`` shows NATS JetStream, and how a Kafka
or RabbitMQ adapter would keep them):

1. ``Publisher.publish(message)`` returns only once the broker has stored the message
   durably (JetStream's PubAck, Kafka's acks=all, RabbitMQ's publisher confirm), and
   raises otherwise. The relay moves its checkpoint only after it returns.
2. The broker drops a second message with the same ``message.id`` if it can (JetStream's
   ``Nats-Msg-Id`` window); the inbox's idempotent command ids make a duplicate that gets
   through harmless anyway.
3. Messages published one after another, each awaited, are delivered in that order.
4. ``Subscriber.fetch`` returns deliveries that stay with the broker until ``ack``; one
   not acked (the consumer died) is delivered again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

__all__ = ["HEADERS", "Delivery", "Headers", "Message", "Publisher", "Subscriber"]


@dataclass(frozen=True, slots=True)
class Headers:
    """The header names fabula puts on every message it publishes."""

    type: str = "Fabula-Type"
    schema_version: str = "Fabula-Schema-Version"
    event_id: str = "Fabula-Event-Id"
    stream_id: str = "Fabula-Stream"
    version: str = "Fabula-Version"
    position: str = "Fabula-Position"
    correlation_id: str = "Fabula-Correlation-Id"
    causation_id: str = "Fabula-Causation-Id"


HEADERS: Final = Headers()
"""The header names (``HEADERS.type`` is ``"Fabula-Type"``, ...)."""


@dataclass(frozen=True, slots=True)
class Message:
    """One message to or from a broker.

    Attributes:
        id: its deduplication key (the event's id): the same on every republish.
        subject: where it goes (a NATS subject, a Kafka topic, a RabbitMQ routing key).
        data: its body, JSON.
        headers: fabula's headers (``HEADERS``) and any others.
    """

    id: str
    subject: str
    data: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Publisher(Protocol):
    """Hands messages to a broker (rules 1 to 3)."""

    async def publish(self, message: Message, /) -> None:
        """Return once the broker has stored ``message``; raise if it has not."""
        ...


class Delivery(Protocol):
    """A received message, held by the broker until acknowledged (rule 4)."""

    @property
    def message(self) -> Message:
        """The message."""
        ...

    async def ack(self) -> None:
        """Tell the broker the message is handled: it is not delivered again."""
        ...

    async def nak(self, delay: float | None = None) -> None:
        """Tell the broker to deliver the message again (after ``delay`` seconds)."""
        ...


class Subscriber(Protocol):
    """Fetches messages from a durable subscription (rule 4)."""

    async def fetch(self, max_messages: int, /, *, timeout: float) -> Sequence[Delivery]:
        """Return up to ``max_messages`` deliveries, waiting at most ``timeout`` seconds."""
        ...
