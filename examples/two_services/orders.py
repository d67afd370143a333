"""The orders service: an order is placed once; its placement leaves through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from examples.two_services.contracts import OrderAccepted
from fabula import Aggregate, AsyncFlow, Recorded, decides, event, evolves
from fabula.integration import Outbox
from fabula.store import AsyncEventStore

__all__ = ["Order", "OrderPlaced", "PlaceOrder", "make_flow", "make_outbox"]


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    """Place order ``order_id``."""

    order_id: str
    items: int
    address: str


@event("OrderPlaced")
@dataclass(frozen=True, slots=True)
class OrderPlaced:
    """The order was placed (the orders service's own event)."""

    items: int
    address: str


class Order(Aggregate, name="order"):
    """An order: placed or not."""

    placed: bool = False

    @decides
    def place(self, command: PlaceOrder) -> list[OrderPlaced]:
        """Place the order (a second time is a no-op)."""
        return [] if self.placed else [OrderPlaced(command.items, command.address)]

    @evolves
    def was_placed(self, event: OrderPlaced) -> None:
        """The order is placed."""
        self.placed = True


def make_flow(store: AsyncEventStore) -> AsyncFlow:
    """The orders service's flow."""
    flow = AsyncFlow(store)
    flow.register(Order, key=lambda c: c.order_id)
    return flow


def accepted(recorded: Recorded[OrderPlaced]) -> OrderAccepted:
    """Map the internal event to the published contract."""
    order_id = recorded.stream_id.removeprefix("order-")
    return OrderAccepted(order_id, recorded.event.items, recorded.event.address)


def make_outbox(subject: str) -> Outbox:
    """The orders outbox: ``OrderPlaced`` leaves as ``OrderAccepted`` on ``<subject>.*``."""
    outbox = Outbox("orders_outbox", subject=subject)
    outbox.publish(OrderPlaced, as_=accepted)
    return outbox
