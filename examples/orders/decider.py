"""The order aggregate as a functional decider (seed 003).

Rules:
1. ``CreateOrder`` works only on an order that does not exist yet; it needs at least one
   item, each with a quantity of at least 1 and a price of at least 0. The total is the
   sum of quantity times price.
2. ``CancelOrder`` and ``ShipOrder`` need an existing order (``OrderNotFound``) that is
   still pending (``CannotCancel``, ``CannotShip``).
3. ``evolve`` accepts every stored event: one that does not apply leaves the state as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeAlias, assert_never

from examples.orders.commands import CancelOrder, CreateOrder, OrderCommand, ShipOrder
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
from fabula import Decider

__all__ = [
    "ORDER_STREAM",
    "NoOrder",
    "Order",
    "OrderState",
    "decide",
    "evolve",
    "order",
    "stream_id",
    "stream_of",
]

ORDER_STREAM = "order"
"""The stream category (and aggregate type) of orders."""


@dataclass(frozen=True, slots=True)
class NoOrder:
    """An order stream with no events."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """A placed order."""

    order_id: str
    customer_id: str
    items: tuple[OrderItem, ...]
    total: Decimal
    status: OrderStatus = OrderStatus.PENDING


OrderState: TypeAlias = NoOrder | Order
"""The state of an order stream."""


def decide(command: OrderCommand, state: OrderState) -> list[OrderEvent]:
    """Return the events ``command`` causes on an order in ``state``.

    Raises:
        OrderAlreadyExists, EmptyOrder, InvalidItem: ``CreateOrder`` was refused.
        OrderNotFound: ``CancelOrder`` or ``ShipOrder`` on an order that does not exist.
        CannotCancel, CannotShip: the order is not pending.
    """
    match command:
        case CreateOrder():
            if isinstance(state, Order):
                raise OrderAlreadyExists(params={"order_id": command.order_id})
            return [_place(command)]
        case CancelOrder(order_id=order_id, reason=reason):
            if _status_of(state, order_id) is not OrderStatus.PENDING:
                raise CannotCancel(params={"order_id": order_id})
            return [OrderCancelled(order_id=order_id, reason=reason)]
        case ShipOrder(order_id=order_id, tracking_number=tracking_number):
            if _status_of(state, order_id) is not OrderStatus.PENDING:
                raise CannotShip(params={"order_id": order_id})
            return [OrderShipped(order_id=order_id, tracking_number=tracking_number)]
        case _:
            assert_never(command)


def _place(command: CreateOrder) -> OrderCreated:
    if not command.items:
        raise EmptyOrder
    for index, item in enumerate(command.items):
        if item.quantity < 1 or item.price < 0:
            raise InvalidItem(params={"index": index, "product_id": item.product_id})
    return OrderCreated(
        order_id=command.order_id,
        customer_id=command.customer_id,
        items=command.items,
        total=sum((item.amount for item in command.items), Decimal(0)),
    )


def _status_of(state: OrderState, order_id: str) -> OrderStatus:
    if isinstance(state, NoOrder):
        raise OrderNotFound(params={"order_id": order_id})
    return state.status


def evolve(state: OrderState, event: OrderEvent) -> OrderState:
    """Return the state of an order after ``event``."""
    match event:
        case OrderCreated():
            if isinstance(state, Order):
                return state
            return Order(
                order_id=event.order_id,
                customer_id=event.customer_id,
                items=event.items,
                total=event.total,
            )
        case OrderCancelled():
            return _with_status(state, OrderStatus.CANCELLED)
        case OrderShipped():
            return _with_status(state, OrderStatus.SHIPPED)
        case _:
            assert_never(event)


def _with_status(state: OrderState, status: OrderStatus) -> OrderState:
    return replace(state, status=status) if isinstance(state, Order) else state


def stream_id(order_id: str) -> str:
    """Return the stream of an order: ``order-<id>``."""
    return f"{ORDER_STREAM}-{order_id}"


def stream_of(command: OrderCommand) -> str:
    """Return the stream a command goes to (the ``stream_id`` a ``Flow`` route needs)."""
    return stream_id(command.order_id)


order: Decider[OrderState, OrderCommand, OrderEvent] = Decider(
    name=ORDER_STREAM,
    initial_state=NoOrder,
    decide=decide,
    evolve=evolve,
    commands=(CreateOrder, CancelOrder, ShipOrder),
    events=EVENTS,
)
"""The order aggregate: for a ``Flow``, a ``Repository`` or a ``DeciderSpec``."""
