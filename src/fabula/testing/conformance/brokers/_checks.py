"""The broker checks: one per rule of ``fabula.integration``'s broker contract."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fabula.integration import Message, Publisher, Subscriber

__all__ = [
    "BrokerKit",
    "check_a_published_message_is_stored",
    "check_a_second_message_with_one_id_is_dropped",
    "check_an_unacked_message_is_delivered_again",
    "check_messages_arrive_in_publication_order",
]


@dataclass(frozen=True, slots=True)
class BrokerKit:
    """A broker under test.

    Attributes:
        publisher: publishes to the broker.
        subscribe: ``await subscribe(subject)`` opens a new durable subscription that
            sees every message published to a subject matching ``subject`` (NATS
            wildcards: ``*`` one token, ``>`` the rest), those published before included.
        prefix: a subject prefix no one else uses; the checks publish under it.
        deduplicates: the broker drops a second message with one id (rule 2).
    """

    publisher: Publisher
    subscribe: Callable[[str], Awaitable[Subscriber]]
    prefix: str
    deduplicates: bool = True


def _message(subject: str, n: int, id_: str | None = None) -> Message:
    return Message(
        id=id_ or str(uuid.uuid4()),
        subject=subject,
        data=b'{"n":%d}' % n,
        headers={"Fabula-Type": "conformance", "Fabula-Position": str(n)},
    )


async def _drain(subscriber: Subscriber, *, timeout: float = 0.3) -> list[Message]:
    found: list[Message] = []
    while deliveries := await subscriber.fetch(50, timeout=timeout):
        for delivery in deliveries:
            found.append(delivery.message)
            await delivery.ack()
    return found


async def check_a_published_message_is_stored(kit: BrokerKit) -> None:
    """Rule 1: once ``publish`` returns, a new subscription finds the message as sent."""
    subject = f"{kit.prefix}.stored"
    sent = [_message(f"{subject}.{n}", n) for n in range(3)]
    for message in sent:
        await kit.publisher.publish(message)
    got = await _drain(await kit.subscribe(f"{subject}.>"))
    assert [(m.id, m.subject, m.data) for m in got] == [(m.id, m.subject, m.data) for m in sent], (
        "rule 1: a published message is not stored as sent"
    )
    for message, received in zip(sent, got, strict=True):
        kept = {k: received.headers.get(k) for k in message.headers}
        assert kept == dict(message.headers), "rule 1: a message lost its headers"


async def check_a_second_message_with_one_id_is_dropped(kit: BrokerKit) -> None:
    """Rule 2: publishing an id again stores nothing (brokers that can deduplicate)."""
    if not kit.deduplicates:
        return
    subject = f"{kit.prefix}.dedupe.x"
    first = _message(subject, 1)
    for message in (first, first, _message(subject, 2, first.id), _message(subject, 3)):
        await kit.publisher.publish(message)
    got = await _drain(await kit.subscribe(subject))
    assert [m.data for m in got] == [b'{"n":1}', b'{"n":3}'], (
        "rule 2: a second message with one id was not dropped"
    )


async def check_messages_arrive_in_publication_order(kit: BrokerKit) -> None:
    """Rule 3: messages published one after another arrive in that order."""
    subject = f"{kit.prefix}.order"
    sent = [_message(f"{subject}.{n % 3}", n) for n in range(30)]
    for message in sent:
        await kit.publisher.publish(message)
    got = await _drain(await kit.subscribe(f"{subject}.*"))
    assert [m.id for m in got] == [m.id for m in sent], "rule 3: the order was not kept"


async def check_an_unacked_message_is_delivered_again(kit: BrokerKit) -> None:
    """Rule 4: a naked delivery comes back; an acked one does not."""
    subject = f"{kit.prefix}.redeliver.x"
    sent = _message(subject, 1)
    await kit.publisher.publish(sent)
    subscriber = await kit.subscribe(subject)
    first = await subscriber.fetch(1, timeout=2.0)
    assert [d.message.id for d in first] == [sent.id], "rule 4: the message did not come"
    await first[0].nak(0.0)
    again = await subscriber.fetch(1, timeout=5.0)
    assert [d.message.id for d in again] == [sent.id], "rule 4: a naked message did not come back"
    await again[0].ack()
    assert await subscriber.fetch(1, timeout=0.5) == [], "rule 4: an acked message came back"
