"""NATS JetStream passes the broker conformance suite (a stream of its own, deleted after)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from fabula.integration import Subscriber
from fabula.integration.nats import JetStreamPublisher, JetStreamSubscriber
from fabula.testing.conformance.brokers import BROKER_CHECKS, BrokerCheck, BrokerKit
from tests.integration.broker._nats import jetstream

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("check", BROKER_CHECKS, ids=lambda check: check.__name__)
def test_jetstream_keeps_the_broker_contract(
    check: BrokerCheck, nats_url: str, stream_name: str
) -> None:
    async def main() -> None:
        async with jetstream(nats_url, stream_name) as js:

            async def subscribe(subject: str) -> Subscriber:
                durable = f"conformance_{uuid.uuid4().hex[:8]}"
                return await JetStreamSubscriber.create(
                    js, stream=stream_name, durable=durable, subject=subject
                )

            await check(BrokerKit(JetStreamPublisher(js), subscribe, prefix=stream_name))

    asyncio.run(main())
