"""The outbox relay against a real NATS JetStream, over every store backend."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from examples.two_services import orders
from examples.two_services.contracts import OrderAccepted
from fabula import ConfigurationError, Recorded, open_async_store
from fabula.integration import HEADERS, RELAY_POLICY, Message, Outbox
from fabula.integration.nats import JetStreamPublisher
from fabula.read import AsyncProjectionRunner, open_async_target
from tests.integration.broker._nats import count, jetstream, stored

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'orders.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def target_url(url: str) -> str:
    return "memory://" if url == "memory://" else url


def test_the_relay_publishes_every_event_once_in_log_order(
    url: str, nats_url: str, stream_name: str
) -> None:
    async def main() -> None:
        store = open_async_store(url)
        try:
            flow = orders.make_flow(store)
            placed = [
                await flow.dispatch(orders.PlaceOrder(f"o{i}", i + 1, f"street {i}"))
                for i in range(20)
            ]
            async with jetstream(nats_url, stream_name) as js:
                relay = orders.make_outbox(stream_name).relay(
                    JetStreamPublisher(js, stream=stream_name)
                )
                runner = AsyncProjectionRunner(
                    flow, relay, target=open_async_target(target_url(url)), policy=RELAY_POLICY
                )
                before = await runner.status()
                assert before.lag_events == 20
                after = await runner.run_until_caught_up()
                assert (after.lag_events, after.position) == (0, placed[-1].position)
                messages = await stored(js, stream_name)
                events = [result.events[0] for result in placed]
                assert [m.id for m in messages] == [str(e.event_id) for e in events]
                assert [m.subject for m in messages] == [f"{stream_name}.orders.OrderAccepted"] * 20
                first = messages[0]
                assert msgspec.json.decode(first.data, type=OrderAccepted) == OrderAccepted(
                    "o0", 1, "street 0"
                )
                assert first.headers[HEADERS.stream_id] == "order-o0"
                assert first.headers[HEADERS.position] == str(events[0].position)
                assert first.headers[HEADERS.correlation_id] == str(events[0].correlation_id)
                # A relay that lost its checkpoint publishes everything again: JetStream drops
                # every duplicate by its Nats-Msg-Id.
                again = AsyncProjectionRunner(
                    flow,
                    orders.make_outbox(stream_name).relay(JetStreamPublisher(js)),
                    target=open_async_target("memory://"),
                    policy=RELAY_POLICY,
                )
                await again.run_until_caught_up()
                assert await count(js, stream_name) == 20
        finally:
            await store.close()

    asyncio.run(main())


class Flaky:
    """A publisher that fails its first ``failures`` calls, then passes them on."""

    def __init__(self, inner: JetStreamPublisher, failures: int) -> None:
        self.inner, self.failures, self.calls = inner, failures, 0

    async def publish(self, message: Message, /) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("broker away")
        await self.inner.publish(message)


def test_a_failing_publish_is_retried_and_nothing_overtakes_it(
    nats_url: str, stream_name: str
) -> None:
    async def main() -> None:
        store = open_async_store("memory://")
        flow = orders.make_flow(store)
        for i in range(3):
            await flow.dispatch(orders.PlaceOrder(f"o{i}", 1, "x"))
        async with jetstream(nats_url, stream_name) as js:
            flaky = Flaky(JetStreamPublisher(js), failures=5)
            runner = AsyncProjectionRunner(
                flow,
                orders.make_outbox(stream_name).relay(flaky),
                target=open_async_target("memory://"),
                policy=RELAY_POLICY,
            )
            status = await runner.run_until_caught_up()
            assert status.parked == 0
            messages = await stored(js, stream_name)
            assert [m.headers[HEADERS.stream_id] for m in messages] == [
                "order-o0",
                "order-o1",
                "order-o2",
            ]
        await store.close()

    asyncio.run(main())


def test_mapping_to_none_publishes_nothing_and_declaring_twice_is_refused() -> None:
    outbox = Outbox("o", subject="s")
    outbox.publish(orders.OrderPlaced, as_=lambda recorded: None)
    with pytest.raises(ConfigurationError):
        outbox.publish(orders.OrderPlaced)
    with pytest.raises(ConfigurationError):
        Outbox("bad name", subject="s")
    recorded: Recorded[orders.OrderPlaced] = Recorded(
        event=orders.OrderPlaced(1, "x"),
        stream_id="order-1",
        version=1,
        position=1,
        event_id=uuid.uuid4(),
        type="OrderPlaced",
        recorded_at=datetime.now(UTC),
    )
    assert outbox.message(recorded) is None
    plain = Outbox("p", subject="s")
    plain.publish(orders.OrderPlaced)
    message = plain.message(recorded)
    assert message is not None
    assert (message.subject, message.data) == ("s.OrderPlaced", b'{"items":1,"address":"x"}')
    assert HEADERS.correlation_id not in message.headers
