"""Values of the orders domain (seed 003): order lines and statuses.

They are msgspec Structs whose JSON uses the seed's camelCase names
(``{"productId": "p1", "quantity": 2, "price": "9.99"}``); prices are ``Decimal`` values,
stored as strings so no cent is ever rounded.
"""

from __future__ import annotations

import enum
from decimal import Decimal

import msgspec

__all__ = ["OrderItem", "OrderStatus"]


class OrderStatus(enum.Enum):
    """Where an order is in its life: it starts pending, then is cancelled or shipped."""

    PENDING = "pending"
    CANCELLED = "cancelled"
    SHIPPED = "shipped"


class OrderItem(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One line of an order: a product, how many, and the unit price."""

    product_id: str
    quantity: int
    price: Decimal

    @property
    def amount(self) -> Decimal:
        """What the line costs: quantity times price."""
        return self.quantity * self.price
