"""A shipping saga for orders, with a compensation (ADR 0021).

When an order is created the saga ships it; if shipping is refused (a ``DomainError``,
e.g. the warehouse rejects it), the compensation cancels the order instead.
"""

from __future__ import annotations

from typing import Any

from examples.orders.commands import CancelOrder, ShipOrder
from examples.orders.events import OrderCreated
from fabula.domain import Recorded
from fabula.flows import ProcessContext, ProcessManager

__all__ = ["shipping"]


def _order_id(event: Any) -> str | None:
    order_id = getattr(event, "order_id", None)
    return order_id if isinstance(order_id, str) else None


shipping = ProcessManager("shipping", correlate=_order_id)


@shipping.on(OrderCreated)
def _ship(context: ProcessContext, recorded: Recorded[Any]) -> None:
    order_id = recorded.event.order_id
    context.state["status"] = "shipping"
    context.send(ShipOrder(order_id=order_id, tracking_number=f"TRK-{order_id}"))


@shipping.compensate(ShipOrder)
def _cancel_instead(context: ProcessContext, command: ShipOrder, error: Exception) -> None:
    context.state["status"] = "compensated"
    context.send(CancelOrder(order_id=command.order_id, reason=f"could not ship: {error}"))
