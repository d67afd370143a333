"""The orders events and their stable type names (seed 003).

msgspec Structs whose JSON keeps the seed's camelCase field names (an item is
``{"productId":"mug","quantity":2,"price":"9.99"}``):

| class and type name | JSON payload |
|---|---|
| ``OrderCreated`` | ``{"orderId","customerId","items":[...],"total":"19.98"}`` |
| ``OrderCancelled`` | ``{"orderId","reason"}`` |
| ``OrderShipped`` | ``{"orderId","trackingNumber"}`` |
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

import msgspec

from examples.orders.values import OrderItem
from fabula import event

__all__ = ["EVENTS", "OrderCancelled", "OrderCreated", "OrderEvent", "OrderShipped"]


@event("OrderCreated")
class OrderCreated(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A customer placed an order; ``total`` is the sum of its lines."""

    order_id: str
    customer_id: str
    items: tuple[OrderItem, ...]
    total: Decimal


@event("OrderCancelled")
class OrderCancelled(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A pending order was cancelled."""

    order_id: str
    reason: str


@event("OrderShipped")
class OrderShipped(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A pending order was shipped."""

    order_id: str
    tracking_number: str


OrderEvent: TypeAlias = OrderCreated | OrderCancelled | OrderShipped
"""Any event of an order stream."""

EVENTS: tuple[type, ...] = (OrderCreated, OrderCancelled, OrderShipped)
"""Every orders event class, to register with a codec."""
