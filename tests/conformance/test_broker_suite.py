"""The broker suite itself: the memory broker passes it, and every check can fail.

Each mutant is the memory broker with one bug a real adapter could have; the check named
beside it must catch it. NATS JetStream runs the suite in tests/integration/broker.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence

import pytest

from fabula.integration import Delivery, MemoryBroker, Message, Subscriber
from fabula.testing.conformance.brokers import (
    BROKER_CHECKS,
    BrokerCheck,
    BrokerKit,
    check_a_published_message_is_stored,
    check_a_second_message_with_one_id_is_dropped,
    check_an_unacked_message_is_delivered_again,
    check_messages_arrive_in_publication_order,
    run_broker_checks,
)


def kit_of(
    broker: MemoryBroker,
    *,
    deduplicates: bool = True,
    wrap: Callable[[Subscriber], Subscriber] | None = None,
) -> BrokerKit:
    async def subscribe(subject: str) -> Subscriber:
        found: Subscriber = broker.subscriber(uuid.uuid4().hex, subject=subject)
        return wrap(found) if wrap is not None else found

    return BrokerKit(broker, subscribe, prefix="conformance", deduplicates=deduplicates)


def test_the_memory_broker_passes_every_check() -> None:
    asyncio.run(run_broker_checks(kit_of(MemoryBroker())))


class LosesEveryOther(MemoryBroker):
    """Returns from publish without storing every second message (fire and forget)."""

    calls = 0

    async def publish(self, message: Message, /) -> None:
        self.calls += 1
        if self.calls % 2:
            await super().publish(message)


class KeepsDuplicates(MemoryBroker):
    """Stores every message, whatever its id."""

    async def publish(self, message: Message, /) -> None:
        self.messages.append(message)


class SwapsPairs(MemoryBroker):
    """Holds each odd message back and stores it after the next one."""

    held: Message | None = None

    async def publish(self, message: Message, /) -> None:
        if self.held is None:
            self.held = message
            return
        await super().publish(message)
        await super().publish(self.held)
        self.held = None


class NakIsAck:
    """A subscriber whose deliveries' ``nak`` acks: a naked message never comes back."""

    def __init__(self, inner: Subscriber) -> None:
        self.inner = inner

    async def fetch(self, n: int, /, *, timeout: float) -> Sequence[Delivery]:
        return [AckingNak(d) for d in await self.inner.fetch(n, timeout=timeout)]


class AckingNak:
    def __init__(self, inner: Delivery) -> None:
        self.inner = inner

    @property
    def message(self) -> Message:
        return self.inner.message

    async def ack(self) -> None:
        await self.inner.ack()

    async def nak(self, delay: float | None = None) -> None:
        await self.inner.ack()


def nak_is_ack() -> BrokerKit:
    return kit_of(MemoryBroker(), wrap=NakIsAck)


MUTANTS: list[tuple[Callable[[], BrokerKit], BrokerCheck]] = [
    (lambda: kit_of(LosesEveryOther()), check_a_published_message_is_stored),
    (lambda: kit_of(KeepsDuplicates()), check_a_second_message_with_one_id_is_dropped),
    (lambda: kit_of(SwapsPairs()), check_messages_arrive_in_publication_order),
    (nak_is_ack, check_an_unacked_message_is_delivered_again),
]


async def run(check: BrokerCheck, kit: BrokerKit) -> None:
    await check(kit)


@pytest.mark.parametrize(
    ("mutant", "check"), MUTANTS, ids=["loses", "duplicates", "reorders", "nak_acks"]
)
def test_each_check_catches_its_mutant(mutant: Callable[[], BrokerKit], check: BrokerCheck) -> None:
    with pytest.raises(AssertionError, match="rule"):
        asyncio.run(run(check, mutant()))


def test_every_check_has_a_mutant() -> None:
    assert {check for _, check in MUTANTS} == set(BROKER_CHECKS)


def test_a_broker_that_cannot_deduplicate_skips_rule_2() -> None:
    asyncio.run(
        check_a_second_message_with_one_id_is_dropped(kit_of(KeepsDuplicates(), deduplicates=False))
    )
