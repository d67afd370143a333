"""Orders, reproducing seed 003 (a TypeScript CQRS article).

A functional decider (``order``) over msgspec Struct events with the seed's camelCase
JSON, the ``orders`` read model kept by a projection with names denormalized from a
small catalog (``examples.orders.catalog``), and a FastAPI app (``examples.orders.app``,
``fabula serve orders``): commands answer 202 with the position of their events, queries
may wait for that position, and a customer's order events stream live over SSE.
"""

from examples.orders.commands import CancelOrder, CreateOrder, OrderCommand, ShipOrder
from examples.orders.decider import (
    ORDER_STREAM,
    NoOrder,
    Order,
    OrderState,
    decide,
    evolve,
    order,
    stream_id,
    stream_of,
)
from examples.orders.errors import (
    CannotCancel,
    CannotShip,
    EmptyOrder,
    InvalidItem,
    OrderAlreadyExists,
    OrderNotFound,
)
from examples.orders.events import EVENTS, OrderCancelled, OrderCreated, OrderEvent, OrderShipped
from examples.orders.values import OrderItem, OrderStatus

__all__ = [
    "EVENTS",
    "ORDER_STREAM",
    "CancelOrder",
    "CannotCancel",
    "CannotShip",
    "CreateOrder",
    "EmptyOrder",
    "InvalidItem",
    "NoOrder",
    "Order",
    "OrderAlreadyExists",
    "OrderCancelled",
    "OrderCommand",
    "OrderCreated",
    "OrderEvent",
    "OrderItem",
    "OrderNotFound",
    "OrderShipped",
    "OrderState",
    "OrderStatus",
    "ShipOrder",
    "decide",
    "evolve",
    "order",
    "stream_id",
    "stream_of",
]
