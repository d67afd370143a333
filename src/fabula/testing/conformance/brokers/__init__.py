"""The broker conformance suite: what a ``Publisher`` / ``Subscriber`` adapter must do.

One asyncio check per rule of the broker contract (``fabula.integration``). Bind a broker
with a ``BrokerKit`` and run every check::

    kit = BrokerKit(publisher, subscribe=open_subscription, prefix="conformance_1234")
    await run_broker_checks(kit)

``MemoryBroker`` and ``fabula.integration.nats`` pass it; a Kafka or RabbitMQ adapter
that cannot deduplicate sets ``deduplicates=False``.
"""

from collections.abc import Awaitable, Callable

from fabula.testing.conformance.brokers._checks import (
    BrokerKit,
    check_a_published_message_is_stored,
    check_a_second_message_with_one_id_is_dropped,
    check_an_unacked_message_is_delivered_again,
    check_messages_arrive_in_publication_order,
)

BrokerCheck = Callable[[BrokerKit], Awaitable[None]]
"""A broker check: raises ``AssertionError`` naming the rule it found broken."""

BROKER_CHECKS: tuple[BrokerCheck, ...] = (
    check_a_published_message_is_stored,
    check_a_second_message_with_one_id_is_dropped,
    check_messages_arrive_in_publication_order,
    check_an_unacked_message_is_delivered_again,
)
"""Every broker check, in rule order."""


async def run_broker_checks(kit: BrokerKit) -> None:
    """Run every check against ``kit``; the first failure raises."""
    for check in BROKER_CHECKS:
        await check(kit)


__all__ = [
    "BROKER_CHECKS",
    "BrokerCheck",
    "BrokerKit",
    "check_a_published_message_is_stored",
    "check_a_second_message_with_one_id_is_dropped",
    "check_an_unacked_message_is_delivered_again",
    "check_messages_arrive_in_publication_order",
    "run_broker_checks",
]
