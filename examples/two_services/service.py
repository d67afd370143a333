"""Run one side of the two services as its own process.

::

    python -m examples.two_services.service relay --store sqlite:///orders.db \\
        --nats nats://127.0.0.1:4222 --stream ORDERS
    python -m examples.two_services.service inbox --store sqlite:///shipping.db \\
        --nats nats://127.0.0.1:4222 --stream ORDERS

``relay`` publishes the orders store's outbox; ``inbox`` ships what it receives. The relay's
lag shows with the projections::

    ORDERS_STORE=sqlite:///orders.db ORDERS_STREAM=ORDERS \
        fabula projections status --app examples.two_services.service:projections
``--pause`` sleeps that many seconds after each publish (before the relay's checkpoint
moves) and before each ack (after the shipment committed): the two-service test kills the
processes with ``kill -9`` inside those windows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass

import nats

from examples.two_services import orders, shipping
from fabula import open_async_store
from fabula.integration import RELAY_POLICY, Delivery, Message, Publisher, Subscriber
from fabula.integration.nats import JetStreamPublisher, JetStreamSubscriber, ensure_stream
from fabula.read import AsyncProjectionRunner, ProjectionSet, open_async_target


@dataclass(frozen=True, slots=True)
class SlowPublisher:
    """Pauses after each publish: the message is out, the checkpoint not yet moved."""

    inner: Publisher
    pause: float

    async def publish(self, message: Message, /) -> None:
        await self.inner.publish(message)
        await asyncio.sleep(self.pause)


@dataclass(frozen=True, slots=True)
class SlowDelivery:
    """Pauses before each ack: the command is committed, the message not yet acked."""

    inner: Delivery
    pause: float

    @property
    def message(self) -> Message:
        return self.inner.message

    async def ack(self) -> None:
        await asyncio.sleep(self.pause)
        await self.inner.ack()

    async def nak(self, delay: float | None = None) -> None:
        await self.inner.nak(delay)


@dataclass(frozen=True, slots=True)
class SlowSubscriber:
    """Hands out ``SlowDelivery`` wrappers."""

    inner: Subscriber
    pause: float

    async def fetch(self, max_messages: int, /, *, timeout: float) -> Sequence[Delivery]:
        found = await self.inner.fetch(max_messages, timeout=timeout)
        return [SlowDelivery(d, self.pause) for d in found]


class StatusOnly:
    """A publisher for a relay that is only looked at (``fabula projections status``)."""

    async def publish(self, message: Message, /) -> None:
        msg = "this relay is for status only: run `service relay` to publish"
        raise RuntimeError(msg)


def projections() -> ProjectionSet:
    """The orders service's consumers, its relay, for ``fabula projections --app``."""
    url = os.environ["ORDERS_STORE"]
    relay = orders.make_outbox(os.environ["ORDERS_STREAM"]).relay(StatusOnly())
    return ProjectionSet(url, url, consumers=[relay], policy=RELAY_POLICY)


async def relay(store_url: str, nats_url: str, stream: str, pause: float) -> None:
    """Publish the orders outbox until killed."""
    store = open_async_store(store_url)
    connection = await nats.connect(nats_url)
    js = connection.jetstream()
    await ensure_stream(js, stream, [f"{stream}.>"])
    publisher = SlowPublisher(JetStreamPublisher(js, stream=stream), pause)
    runner = AsyncProjectionRunner(
        orders.make_flow(store),
        orders.make_outbox(stream).relay(publisher),
        target=open_async_target(store_url),
        policy=RELAY_POLICY,
        poll_interval=0.1,
    )
    await runner.run()


async def inbox(store_url: str, nats_url: str, stream: str, pause: float) -> None:
    """Ship what the orders service publishes until killed."""
    store = open_async_store(store_url)
    connection = await nats.connect(nats_url)
    js = connection.jetstream()
    await ensure_stream(js, stream, [f"{stream}.>"])
    subscriber = await JetStreamSubscriber.create(
        js, stream=stream, durable="shipping", subject=f"{stream}.>", ack_wait=2.0
    )
    await shipping.make_inbox(shipping.make_flow(store)).run(
        SlowSubscriber(subscriber, pause), batch=16, poll=0.5
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments and run one side."""
    parser = argparse.ArgumentParser(prog="python -m examples.two_services.service")
    parser.add_argument("side", choices=["relay", "inbox"])
    parser.add_argument("--store", required=True)
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--stream", required=True)
    parser.add_argument("--pause", type=float, default=0.0)
    args = parser.parse_args(argv)
    side = relay if args.side == "relay" else inbox
    asyncio.run(side(args.store, args.nats, args.stream, args.pause))


if __name__ == "__main__":
    main()
