"""``Outbox``: which events leave the service, as what, and the relay that publishes them.

Theory of operation (ADR 0020):

1. The event log is the outbox. An event is recorded for publishing by being appended: the
   same transaction, on every backend, with no second table to keep in step.
2. The relay is a ``Reaction`` named after the outbox: a runner feeds it the declared event
   types in log order, one at a time; it maps each to a ``Message`` (id: the event id) and
   awaits ``Publisher.publish``; only then does the checkpoint move past the event. A crash
   in between publishes the event again with the same id (at least once; the broker drops
   the duplicate). Events reach the broker in log order, so in order per stream.
3. A publish that fails is retried with backoff for as long as it takes (``RELAY_POLICY``):
   parking an event would let later events overtake it.
4. The relay's lag is its runner's: ``ProjectionRunner.status()`` and
   ``fabula projections status`` show its checkpoint and how far behind the head it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

from fabula._errors import ConfigurationError
from fabula.codec import EventRegistry
from fabula.domain import Recorded
from fabula.flows import Reaction, ReactionContext
from fabula.integration._messages import HEADERS, Message, Publisher
from fabula.read import ErrorPolicy

__all__ = ["RELAY_POLICY", "Outbox"]

EventT = TypeVar("EventT")

RELAY_POLICY: Final = ErrorPolicy(retries=2**31, backoff=0.05, max_backoff=5.0, on_park="stop")
"""Retry a failed publish without end (rule 3): run the relay's runner with this policy."""

Mapper = Callable[[Recorded[Any]], object | None]


class Outbox:
    """The events a service publishes, each as itself or as an integration event.

    ::

        outbox = Outbox("orders_outbox", subject="orders")
        outbox.publish(OrderPlaced)                          # as it is stored
        outbox.publish(OrderPaid, as_=lambda r: PaymentReceived(r.stream_id))  # mapped
        runner = AsyncProjectionRunner(
            flow, outbox.relay(publisher), target=target, policy=RELAY_POLICY
        )
    """

    def __init__(self, name: str, /, *, subject: str) -> None:
        """Create an outbox whose relay checkpoint is ``name``.

        Args:
            name: the relay's checkpoint name (a reaction name).
            subject: the subject prefix: a message goes to ``"<subject>.<type name>"``.
        """
        self.name: str = Reaction(name).name  # a bad name is refused now, not at relay time
        self.subject = subject
        self.registry: EventRegistry = EventRegistry()
        self._mappers: dict[type, Mapper] = {}

    def publish(
        self,
        event_type: type[EventT],
        /,
        *,
        as_: Callable[[Recorded[EventT]], object | None] | None = None,
    ) -> None:
        """Publish every ``event_type`` event, or what ``as_(recorded)`` maps it to.

        ``as_`` returns an integration event (an ``@fabula.event`` class, so its name is
        stable) or ``None`` to publish nothing for this event.

        Raises:
            ConfigurationError: ``event_type`` is declared twice, or has no stable name.
        """
        self.registry.register(event_type)
        if event_type in self._mappers:
            msg = f"{event_type.__qualname__} is already published by outbox {self.name!r}"
            raise ConfigurationError(msg)
        self._mappers[event_type] = as_ if as_ is not None else _itself

    def message(self, recorded: Recorded[Any], /) -> Message | None:
        """Return the message ``recorded`` is published as (``None``: not published)."""
        mapper = self._mappers.get(type(recorded.event))
        if mapper is None:
            return None
        value = mapper(recorded)
        if value is None:
            return None
        name, schema_version, data = self.registry.encode(value)
        headers = {
            HEADERS.type: name,
            HEADERS.schema_version: str(schema_version),
            HEADERS.event_id: str(recorded.event_id),
            HEADERS.stream_id: recorded.stream_id,
            HEADERS.version: str(recorded.version),
            HEADERS.position: str(recorded.position),
        }
        if recorded.correlation_id is not None:
            headers[HEADERS.correlation_id] = str(recorded.correlation_id)
        if recorded.causation_id is not None:
            headers[HEADERS.causation_id] = str(recorded.causation_id)
        return Message(
            id=str(recorded.event_id),
            subject=f"{self.subject}.{name}",
            data=data.encode(),
            headers=headers,
        )

    def relay(self, publisher: Publisher, /) -> Reaction:
        """Return the reaction that publishes this outbox's events through ``publisher``.

        Run it with an asyncio runner (``AsyncProjectionRunner`` or ``AsyncProjectionSet``)
        and ``policy=RELAY_POLICY``.
        """
        reaction = Reaction(self.name)

        async def send(context: ReactionContext, recorded: Recorded[Any]) -> None:
            message = self.message(recorded)
            if message is not None:
                await publisher.publish(message)

        reaction.on(*self._mappers)(send)
        return reaction


def _itself(recorded: Recorded[Any]) -> object:
    return recorded.event
