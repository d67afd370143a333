"""What the orders service tells the world: integration events, versioned apart from its own."""

from __future__ import annotations

from dataclasses import dataclass

from fabula import event

__all__ = ["OrderAccepted"]


@event("orders.OrderAccepted")
@dataclass(frozen=True, slots=True)
class OrderAccepted:
    """An order was placed: shipping should send ``items`` to ``address``."""

    order_id: str
    items: int
    address: str
