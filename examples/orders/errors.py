"""The orders domain's rules, as errors with stable codes (seed 003).

``CannotCancel`` keeps the seed's message word for word, and ``OrderNotFound`` the text of
its 404. The seed checks nothing else; the other rules are fabula's (an order needs
items with a positive quantity and a price that is not negative, and ships only while
pending).
"""

from __future__ import annotations

from fabula import DomainError

__all__ = [
    "CannotCancel",
    "CannotShip",
    "EmptyOrder",
    "InvalidItem",
    "OrderAlreadyExists",
    "OrderNotFound",
]


class OrderNotFound(DomainError):
    """A command or query named an order that does not exist."""

    code = "order_not_found"
    message = "Order not found"


class OrderAlreadyExists(DomainError):
    """``CreateOrder`` named an order id that is taken."""

    code = "order_already_exists"
    message = "an order with this id exists already"


class EmptyOrder(DomainError):
    """``CreateOrder`` came without items."""

    code = "empty_order"
    message = "an order needs at least one item"


class InvalidItem(DomainError):
    """An order line with a quantity below 1 or a negative price."""

    code = "invalid_item"
    message = "each item needs a quantity of at least 1 and a price of at least 0"


class CannotCancel(DomainError):
    """Only a pending order can be cancelled."""

    code = "cannot_cancel"
    message = "Can only cancel pending orders"


class CannotShip(DomainError):
    """Only a pending order can be shipped."""

    code = "cannot_ship"
    message = "Can only ship pending orders"
