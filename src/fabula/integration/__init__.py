"""Events out of the service and messages into it, through a broker (ADR 0020).

``Outbox`` declares which events are published (as themselves or mapped to integration
events) and gives the relay: a ``Reaction`` that publishes them at least once, in log
order, each under its event id. ``Inbox`` turns received messages into commands with
stable ids, so every effect happens once. The broker is a ``Publisher`` / ``Subscriber``
pair: ``fabula.integration.nats`` ships NATS JetStream, ``MemoryBroker`` runs in
one process (tests).
"""

from fabula.integration._inbox import Inbox, InboxHandler
from fabula.integration._memory import MemoryBroker, MemorySubscriber
from fabula.integration._messages import (
    HEADERS,
    Delivery,
    Headers,
    Message,
    Publisher,
    Subscriber,
)
from fabula.integration._outbox import RELAY_POLICY, Outbox

__all__ = [
    "HEADERS",
    "RELAY_POLICY",
    "Delivery",
    "Headers",
    "Inbox",
    "InboxHandler",
    "MemoryBroker",
    "MemorySubscriber",
    "Message",
    "Outbox",
    "Publisher",
    "Subscriber",
]
