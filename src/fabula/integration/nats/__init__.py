"""NATS JetStream for the outbox relay and the inbox (``pip install 'fabula[nats]'``).

::

    nc = await nats.connect("nats://127.0.0.1:4222")
    js = nc.jetstream()
    await ensure_stream(js, "ORDERS", ["orders.>"])
    relay = outbox.relay(JetStreamPublisher(js, stream="ORDERS"))
    subscriber = await JetStreamSubscriber.create(
        js, stream="ORDERS", durable="shipping", subject="orders.>"
    )
"""

from fabula.integration.nats._jetstream import (
    JetStreamDelivery,
    JetStreamPublisher,
    JetStreamSubscriber,
    ensure_stream,
)

__all__ = ["JetStreamDelivery", "JetStreamPublisher", "JetStreamSubscriber", "ensure_stream"]
