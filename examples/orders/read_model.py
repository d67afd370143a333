"""The ``orders`` read model: one denormalized row per order, kept by a projection.

The row holds what the seed's ``OrderReadModel`` holds (customer name and email, product
names, total, status and the times of each step) plus the order's stream version and the
position of its ``OrderCreated`` event, which orders a customer's list newest first and
keys its cursor. Times are the events' own (so a rebuild gives the same rows), where the
seed wrote the projection's clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from examples._sql import Sql, SqlReadModel, position_cursor
from examples.orders.catalog import Catalog
from examples.orders.events import OrderCancelled, OrderCreated, OrderShipped
from fabula import Recorded
from fabula.read import Page, Query, paginate

__all__ = [
    "GetOrder",
    "ListOrders",
    "OrderLine",
    "OrderRow",
    "OrderStatusName",
    "get_order",
    "list_orders",
    "orders_read_model",
]

OrderStatusName = Literal["pending", "cancelled", "shipped"]

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS orders ("
    " order_id TEXT PRIMARY KEY, position BIGINT NOT NULL, version BIGINT NOT NULL,"
    " customer_id TEXT NOT NULL, customer_name TEXT NOT NULL, customer_email TEXT NOT NULL,"
    " items TEXT NOT NULL, total TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,"
    " cancelled_at TEXT, cancellation_reason TEXT, shipped_at TEXT, tracking_number TEXT)",
    "CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id, position)",
]
COLUMNS = (
    "order_id, position, version, customer_id, customer_name, customer_email, items, total,"
    " status, created_at, cancelled_at, cancellation_reason, shipped_at, tracking_number"
)
_NAMES = tuple(name.strip() for name in COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line of an order as the read model shows it, with the product's name."""

    product_id: str
    product_name: str
    quantity: int
    price: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRow:
    """One order in the read model."""

    order_id: str
    position: int
    version: int
    customer_id: str
    customer_name: str
    customer_email: str
    items: tuple[OrderLine, ...]
    total: Decimal
    status: OrderStatusName
    created_at: str
    cancelled_at: str | None
    cancellation_reason: str | None
    shipped_at: str | None
    tracking_number: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> OrderRow:
        """Build an ``OrderRow`` from a ``SELECT {COLUMNS}`` row."""
        fields = dict(zip(_NAMES, row, strict=True))
        fields["items"] = tuple(
            OrderLine(
                line["product_id"], line["product_name"], line["quantity"], Decimal(line["price"])
            )
            for line in json.loads(fields["items"])
        )
        fields["total"] = Decimal(fields["total"])
        return cls(**fields)


def orders_read_model(catalog: Catalog) -> SqlReadModel:
    """Return a new (not yet started) ``orders`` read model, denormalizing from ``catalog``."""

    def created(recorded: Recorded[OrderCreated]) -> list[Sql]:
        event = recorded.event
        customer = catalog.customer(event.customer_id)
        items = [
            {
                "product_id": item.product_id,
                "product_name": catalog.product_name(item.product_id),
                "quantity": item.quantity,
                "price": str(item.price),
            }
            for item in event.items
        ]
        return [
            Sql(
                "INSERT INTO orders (order_id, position, version, customer_id, customer_name,"
                " customer_email, items, total, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                (
                    event.order_id,
                    recorded.position,
                    recorded.version,
                    event.customer_id,
                    customer.name,
                    customer.email,
                    json.dumps(items),
                    str(event.total),
                    recorded.recorded_at.isoformat(),
                ),
            )
        ]

    def cancelled(recorded: Recorded[OrderCancelled]) -> list[Sql]:
        return [
            Sql(
                "UPDATE orders SET status = 'cancelled', version = ?, cancelled_at = ?,"
                " cancellation_reason = ? WHERE order_id = ?",
                (
                    recorded.version,
                    recorded.recorded_at.isoformat(),
                    recorded.event.reason,
                    recorded.event.order_id,
                ),
            )
        ]

    def shipped(recorded: Recorded[OrderShipped]) -> list[Sql]:
        return [
            Sql(
                "UPDATE orders SET status = 'shipped', version = ?, shipped_at = ?,"
                " tracking_number = ? WHERE order_id = ?",
                (
                    recorded.version,
                    recorded.recorded_at.isoformat(),
                    recorded.event.tracking_number,
                    recorded.event.order_id,
                ),
            )
        ]

    return SqlReadModel(
        "orders",
        schema=SCHEMA,
        tables=["orders"],
        handlers={OrderCreated: created, OrderCancelled: cancelled, OrderShipped: shipped},
    )


@dataclass(frozen=True, slots=True)
class GetOrder(Query["OrderRow | None"]):
    """The seed's ``GetOrderQuery``: one order, or ``None``."""

    order_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListOrders(Query["Page[OrderRow]"]):
    """The seed's ``ListOrdersQuery``: a customer's orders, newest first, a page at a time."""

    customer_id: str
    status: OrderStatusName | None = None
    limit: int = 20
    cursor: str | None = None


async def get_order(model: SqlReadModel, query: GetOrder) -> OrderRow | None:
    """Answer ``GetOrder`` from the read model."""
    row = await model.fetch_one(
        f"SELECT {COLUMNS} FROM orders WHERE order_id = ?", (query.order_id,)
    )
    return OrderRow.from_row(row) if row is not None else None


async def list_orders(model: SqlReadModel, query: ListOrders) -> Page[OrderRow]:
    """Answer ``ListOrders``: keyset pages, newest first, optionally of one status only.

    Raises:
        InvalidCursor: the cursor was not made by this query (same customer and status).
    """
    scope = f"orders:{query.customer_id}:{query.status or ''}"
    after = position_cursor(query.cursor, scope=scope)
    where: list[str] = ["customer_id = ?"]
    params: list[object] = [query.customer_id]
    if query.status is not None:
        where.append("status = ?")
        params.append(query.status)
    if after is not None:
        where.append("position < ?")
        params.append(after)
    rows = await model.fetch_all(
        f"SELECT {COLUMNS} FROM orders WHERE {' AND '.join(where)} ORDER BY position DESC LIMIT ?",
        (*params, query.limit + 1),
    )
    orders = [OrderRow.from_row(row) for row in rows]
    return paginate(orders, limit=query.limit, key=lambda order: (order.position,), scope=scope)
