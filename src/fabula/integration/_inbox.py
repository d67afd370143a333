"""``Inbox``: broker messages in, commands out, each command taking effect once.

Theory of operation (ADR 0020):

1. A handler per integration event type maps ``(event, message)`` to a command, or to
   ``None`` (nothing to do). The type comes from the ``Fabula-Type`` header; the body is
   decoded with the inbox's registry, upcasters included.
2. The command is dispatched with ``command_id = uuid5(inbox name, message id)``: the same
   on every redelivery, so the flow's idempotency guard turns a redelivered message whose
   command already committed into a no-op. Its causation id is the published event's id,
   its correlation id the event's correlation id (the request spans both services).
3. The message is acked after the dispatch returns, and after a ``DomainError`` (the
   command's answer, final). Any other failure, the handler's included, naks it: the
   broker delivers it again.
   A consumer killed between the commit and the ack gets the message again, and rule 2
   makes it harmless: every effect happens exactly once.
4. A message of a type with no handler is acked and skipped; one that does not decode is
   logged and acked (it never will decode: retrying it would stop the inbox for good).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any, Final, TypeVar

from fabula._errors import CodecError, ConfigurationError, DomainError
from fabula.app import AsyncFlow, DispatchResult
from fabula.codec import EventRegistry
from fabula.integration._messages import HEADERS, Delivery, Message, Subscriber

__all__ = ["Inbox", "InboxHandler"]

logger = logging.getLogger("fabula.inbox")

_NAMESPACE: Final = uuid.UUID("0f5c6a4e-7d1b-4c59-9a0e-3c2f1b8d6e20")

EventT = TypeVar("EventT")
InboxHandler = Callable[[Any, Message], object | None]
"""``handler(event, message)``: the command to dispatch, or ``None``."""
HandlerT = TypeVar("HandlerT", bound=InboxHandler)


class Inbox:
    """Turns the messages of a subscription into commands on ``flow``, idempotently.

    ::

        inbox = Inbox("shipping_inbox", flow)

        @inbox.on(OrderPlaced)
        def ship(event: OrderPlaced, message: Message) -> ShipOrder:
            return ShipOrder(event.order_id)

        await inbox.run(subscriber)   # until inbox.stop()
    """

    def __init__(self, name: str, flow: AsyncFlow, /) -> None:
        """Create an inbox named ``name`` (its command ids derive from it) over ``flow``."""
        if not name:
            msg = "an inbox needs a name: its command ids derive from it"
            raise ConfigurationError(msg)
        self.name: str = name
        self.flow = flow
        self.registry: EventRegistry = EventRegistry()
        self._handlers: dict[type, InboxHandler] = {}
        self._stopping = asyncio.Event()

    def on(self, event_type: type[EventT], /) -> Callable[[HandlerT], HandlerT]:
        """Register the decorated ``handler(event, message)`` for ``event_type`` messages.

        Raises:
            ConfigurationError: ``event_type`` already has a handler, or no stable name.
        """
        self.registry.register(event_type)
        if event_type in self._handlers:
            msg = f"{event_type.__qualname__} already has a handler in inbox {self.name!r}"
            raise ConfigurationError(msg)

        def register(handler: HandlerT) -> HandlerT:
            self._handlers[event_type] = handler
            return handler

        return register

    def command_id(self, message: Message, /) -> uuid.UUID:
        """The id of the command ``message`` causes: the same on every redelivery."""
        return uuid.uuid5(_NAMESPACE, f"{self.name}:{message.id}")

    async def handle(self, delivery: Delivery, /) -> DispatchResult | None:
        """Dispatch the command of one delivery and ack it (rules 1 to 4).

        Returns the dispatch's result, ``None`` when no command was dispatched.
        Re-raises a failure other than a ``DomainError`` after a ``nak``.
        """
        message = delivery.message
        event = self._decode(message)
        handler = self._handlers.get(type(event)) if event is not None else None
        try:
            command = handler(event, message) if handler is not None else None
        except Exception:
            await delivery.nak(0.5)
            raise
        if command is None:
            await delivery.ack()
            return None
        try:
            result = await self.flow.dispatch(
                command,
                command_id=self.command_id(message),
                correlation_id=_uuid(message.headers.get(HEADERS.correlation_id)),
                causation_id=_uuid(message.headers.get(HEADERS.event_id)),
            )
        except DomainError as exc:
            logger.info("inbox %r: %s refused: %s", self.name, type(command).__name__, exc)
            await delivery.ack()
            return None
        except Exception:
            await delivery.nak(0.5)
            raise
        await delivery.ack()
        return result

    async def drain(
        self, subscriber: Subscriber, /, *, batch: int = 64, timeout: float = 0.5
    ) -> int:
        """Handle messages until a fetch finds none; return how many were handled."""
        handled = 0
        while deliveries := await subscriber.fetch(batch, timeout=timeout):
            for delivery in deliveries:
                await self.handle(delivery)
                handled += 1
        return handled

    async def run(self, subscriber: Subscriber, /, *, batch: int = 64, poll: float = 1.0) -> None:
        """Handle messages as they come until ``stop()``; a failed one is logged and retried."""
        self._stopping.clear()
        while not self._stopping.is_set():
            for delivery in await subscriber.fetch(batch, timeout=poll):
                try:
                    await self.handle(delivery)
                except Exception:
                    logger.exception("inbox %r: message %s failed", self.name, delivery.message.id)

    def stop(self) -> None:
        """Make ``run`` return after the deliveries in hand."""
        self._stopping.set()

    def _decode(self, message: Message) -> object | None:
        name = message.headers.get(HEADERS.type)
        if name is None or name not in self.registry:
            return None
        try:
            version = int(message.headers.get(HEADERS.schema_version, "1"))
            decoded: object = self.registry.decode(name, version, message.data)
        except (CodecError, ValueError):
            logger.exception("inbox %r: message %s does not decode", self.name, message.id)
            return None
        return decoded


def _uuid(text: str | None) -> uuid.UUID | None:
    if text is None:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
