"""``MemoryBroker``: the broker contract in one process, for tests and the conformance suite.

It keeps every rule of ``_messages.py``: a publish is stored when it returns, a second
message with a stored id is dropped (no window: ids are kept for the broker's life), one
log keeps publication order, and a delivery not acked within ``ack_wait`` seconds, or
naked, is delivered again. Subjects match as in NATS: ``*`` is one token, ``>`` the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from fabula.integration._messages import Delivery, Message

__all__ = ["MemoryBroker", "MemorySubscriber"]


class MemoryBroker:
    """An in-process broker: a ``Publisher``, and durable ``MemorySubscriber``s on it."""

    def __init__(self) -> None:
        """Create an empty broker."""
        self.messages: list[Message] = []
        self._ids: set[str] = set()
        self._subscribers: dict[str, MemorySubscriber] = {}
        self._arrived = asyncio.Event()

    async def publish(self, message: Message, /) -> None:
        """Store ``message`` unless its id is stored already."""
        if message.id in self._ids:
            return
        self._ids.add(message.id)
        self.messages.append(message)
        self._arrived.set()

    def subscriber(
        self, durable: str, /, *, subject: str = ">", ack_wait: float = 30.0
    ) -> MemorySubscriber:
        """Return the durable subscriber ``durable`` (made on first use) on ``subject``."""
        found = self._subscribers.get(durable)
        if found is None:
            found = MemorySubscriber(self, subject, ack_wait)
            self._subscribers[durable] = found
        return found

    async def _wait(self, timeout: float) -> None:
        self._arrived.clear()
        # Not ``asyncio.wait_for``: on Python 3.11 it loses a cancellation that comes in
        # the loop turn the event is set (``fabula.store._notify``).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._arrived.wait()


@dataclass(eq=False)
class _Pending:
    message: Message
    due: float


class MemorySubscriber:
    """A durable subscription of a ``MemoryBroker``: where it is, and what is unacked."""

    def __init__(self, broker: MemoryBroker, subject: str, ack_wait: float) -> None:
        self._broker = broker
        self._subject = subject.split(".")
        self._ack_wait = ack_wait
        self._next = 0
        self._pending: dict[str, _Pending] = {}

    async def fetch(self, max_messages: int, /, *, timeout: float) -> Sequence[Delivery]:
        """Return up to ``max_messages`` deliveries: due redeliveries first, then new ones."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._take(max_messages)
            left = deadline - time.monotonic()
            if found or left <= 0:
                return found
            await self._broker._wait(min(left, 0.05))

    def _take(self, limit: int) -> list[Delivery]:
        now = time.monotonic()
        taken: list[Delivery] = []
        for pending in list(self._pending.values()):
            if len(taken) < limit and pending.due <= now:
                pending.due = now + self._ack_wait
                taken.append(_MemoryDelivery(pending.message, self))
        log = self._broker.messages
        while len(taken) < limit and self._next < len(log):
            message = log[self._next]
            self._next += 1
            if _matches(self._subject, message.subject.split(".")):
                self._pending[message.id] = _Pending(message, now + self._ack_wait)
                taken.append(_MemoryDelivery(message, self))
        return taken


@dataclass(frozen=True, slots=True)
class _MemoryDelivery:
    message: Message
    subscriber: MemorySubscriber = field(repr=False)

    async def ack(self) -> None:
        self.subscriber._pending.pop(self.message.id, None)

    async def nak(self, delay: float | None = None) -> None:
        pending = self.subscriber._pending.get(self.message.id)
        if pending is not None:
            pending.due = time.monotonic() + (delay or 0.0)


def _matches(pattern: list[str], subject: list[str]) -> bool:
    for index, part in enumerate(pattern):
        if part == ">":
            return len(subject) > index
        if index >= len(subject) or part not in {"*", subject[index]}:
            return False
    return len(pattern) == len(subject)
