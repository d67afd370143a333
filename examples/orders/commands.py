"""The orders commands (seed 003).

The seed has no ``ShipOrder`` although its read model projects ``OrderShipped``: fabula
adds it. Every command names its order, so a ``Flow`` routes it to ``order-<id>``; the
app makes the id of a new order (a UUIDv7) before dispatching ``CreateOrder``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from examples.orders.values import OrderItem

__all__ = ["CancelOrder", "CreateOrder", "OrderCommand", "ShipOrder"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateOrder:
    """Place an order for a customer."""

    order_id: str
    customer_id: str
    items: tuple[OrderItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelOrder:
    """Cancel a pending order, saying why."""

    order_id: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipOrder:
    """Ship a pending order under a tracking number (fabula's addition)."""

    order_id: str
    tracking_number: str


OrderCommand: TypeAlias = CreateOrder | CancelOrder | ShipOrder
"""Any orders command."""
