"""The shipping service: every accepted order gets a parcel, exactly once.

``Shipment`` ships whatever it is told to, every time: only the inbox's idempotent command
ids stand between a redelivered message and a second parcel, which is what the two-service
test checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from examples.two_services.contracts import OrderAccepted
from fabula import Aggregate, AsyncFlow, decides, event, evolves
from fabula.integration import Inbox, Message
from fabula.store import AsyncEventStore

__all__ = ["ParcelSent", "ShipOrder", "Shipment", "make_flow", "make_inbox"]


@dataclass(frozen=True, slots=True)
class ShipOrder:
    """Send a parcel for ``order_id``."""

    order_id: str
    items: int


@event("ParcelSent")
@dataclass(frozen=True, slots=True)
class ParcelSent:
    """A parcel left the warehouse."""

    items: int


class Shipment(Aggregate, name="shipment"):
    """The parcels of one order."""

    parcels: int = 0

    @decides
    def ship(self, command: ShipOrder) -> ParcelSent:
        """Send a parcel (no guard: the inbox keeps it to once per message)."""
        return ParcelSent(command.items)

    @evolves
    def sent(self, event: ParcelSent) -> None:
        """One more parcel."""
        self.parcels += 1


def make_flow(store: AsyncEventStore) -> AsyncFlow:
    """The shipping service's flow."""
    flow = AsyncFlow(store)
    flow.register(Shipment, key=lambda c: c.order_id)
    return flow


def make_inbox(flow: AsyncFlow) -> Inbox:
    """The shipping inbox: ``OrderAccepted`` becomes ``ShipOrder``."""
    inbox = Inbox("shipping_inbox", flow)

    @inbox.on(OrderAccepted)
    def ship(event: OrderAccepted, message: Message) -> ShipOrder:
        return ShipOrder(event.order_id, event.items)

    return inbox
