"""The inbox: messages from a real JetStream stream become commands, each once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from examples.two_services import orders, shipping
from examples.two_services.contracts import OrderAccepted
from fabula import Decision, DomainError, UnknownCommand, open_async_store
from fabula.integration import HEADERS, RELAY_POLICY, Inbox, Message
from fabula.integration.nats import JetStreamPublisher, JetStreamSubscriber
from fabula.read import AsyncProjectionRunner, open_async_target
from tests.integration.broker._nats import jetstream

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shipping.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def test_each_message_ships_once_even_when_delivered_again(
    url: str, nats_url: str, stream_name: str
) -> None:
    async def main() -> None:
        order_store, ship_store = open_async_store("memory://"), open_async_store(url)
        try:
            order_flow = orders.make_flow(order_store)
            placed = [
                await order_flow.dispatch(orders.PlaceOrder(f"o{i}", i, "x")) for i in range(10)
            ]
            ship_flow = shipping.make_flow(ship_store)
            inbox = shipping.make_inbox(ship_flow)
            async with jetstream(nats_url, stream_name) as js:
                relay = orders.make_outbox(stream_name).relay(JetStreamPublisher(js))
                await AsyncProjectionRunner(
                    order_flow, relay, target=open_async_target("memory://"), policy=RELAY_POLICY
                ).run_until_caught_up()
                first = await JetStreamSubscriber.create(
                    js, stream=stream_name, durable="shipping", subject=f"{stream_name}.>"
                )
                assert await inbox.drain(first) == 10
                # A second consumer gets every message again: no second parcel.
                replay = await JetStreamSubscriber.create(
                    js, stream=stream_name, durable="replay", subject=f"{stream_name}.>"
                )
                results = [await inbox.handle(d) for d in await replay.fetch(20, timeout=1)]
                assert len(results) == 10
                assert all(r is not None and r.deduplicated for r in results)
            for i, result in enumerate(placed):
                loaded = await ship_flow.load(shipping.Shipment, f"o{i}")
                assert (loaded.state.parcels, loaded.version) == (1, 1)
                sent = (await ship_flow.repository(shipping.Shipment).history(f"shipment-o{i}"))[0]
                cause = result.events[0]
                assert sent.correlation_id == cause.correlation_id
                assert sent.metadata["caused_by"] == str(cause.event_id)
        finally:
            await order_store.close()
            await ship_store.close()

    asyncio.run(main())


@dataclass
class Handed:
    """A delivery held in memory: what the inbox did with it."""

    message: Message
    acked: int = 0
    naked: list[float | None] = field(default_factory=list)

    async def ack(self) -> None:
        self.acked += 1

    async def nak(self, delay: float | None = None) -> None:
        self.naked.append(delay)


def accepted(order_id: str, items: int = 1) -> Message:
    return Message(
        id=f"m-{order_id}",
        subject="orders.orders.OrderAccepted",
        data=f'{{"order_id":"{order_id}","items":{items},"address":"x"}}'.encode(),
        headers={HEADERS.type: "orders.OrderAccepted", HEADERS.schema_version: "1"},
    )


class NoParcels(DomainError):
    code = "no_parcels"
    message = "nothing to ship"


@dataclass(frozen=True)
class Refuse:
    """A command its decision always refuses."""


def refuse(command: Refuse, decision: Decision) -> None:
    raise NoParcels


def test_refusals_ack_failures_nak_and_strangers_are_skipped() -> None:
    async def main() -> None:
        store = open_async_store("memory://")
        flow = shipping.make_flow(store)
        flow.register_decision(Refuse, refuse, streams=lambda command: [])
        inbox = Inbox("strict", flow)

        @inbox.on(OrderAccepted)
        def ship(event: OrderAccepted, message: Message) -> object:
            if event.items == 0:
                return Refuse()
            if event.items == 99:
                raise LookupError("the handler fails")
            if event.items < 0:
                return object()  # no route: UnknownCommand
            return shipping.ShipOrder(event.order_id, event.items)

        refused = Handed(accepted("a", 0))
        assert await inbox.handle(refused) is None
        assert (refused.acked, refused.naked) == (1, [])

        broken = Handed(accepted("b", -1))
        with pytest.raises(UnknownCommand):
            await inbox.handle(broken)
        assert (broken.acked, broken.naked) == (0, [0.5])

        failing = Handed(accepted("e", 99))
        with pytest.raises(LookupError):
            await inbox.handle(failing)
        assert (failing.acked, failing.naked) == (0, [0.5])

        stranger = Handed(Message("m-x", "s", b"{}", {HEADERS.type: "Unknown"}))
        unreadable = Handed(Message("m-y", "s", b"not json", accepted("c").headers))
        assert await inbox.handle(stranger) is None
        assert await inbox.handle(unreadable) is None
        assert (stranger.acked, unreadable.acked) == (1, 1)

        fine = Handed(accepted("d"))
        result = await inbox.handle(fine)
        assert result is not None
        assert result.command_id == inbox.command_id(fine.message)
        assert fine.acked == 1
        await store.close()

    asyncio.run(main())
