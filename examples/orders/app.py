"""Orders over REST (seed 003), with FastAPI: ``fabula serve orders``.

| route | body | answer |
|---|---|---|
| ``POST /orders`` | ``{"items": [{"product_id", "quantity"}]}`` | 202 |
| ``POST /orders/{id}/cancel`` | ``{"reason", "expected_version"?}`` | 202 |
| ``POST /orders/{id}/ship`` | ``{"tracking_number", "expected_version"?}`` | 202 |
| ``GET /orders/{id}`` | | the order, or 404 |
| ``GET /customers/{id}/orders?status=&limit=&cursor=`` | | a page, newest first |
| ``GET /customers/{id}/orders/events`` | | the customer's order events, live (SSE) |
| ``WS /customers/{id}/orders/live`` | | the same events over a WebSocket |

Every route needs a bearer token (``fabula.web.CurrentUser``; ``fabula token c1`` mints
a development one): the customer is the token's subject (one the catalog knows, else
a 400 ``unknown_customer``). A customer places, reads, lists, cancels and follows only
their own orders: another customer's order is a 404, another customer's list or feed a
403. Shipping needs the ``orders:ship`` scope.

A 202 body is ``{"message", "order_id", "position"}``; a page is ``{"data", "has_more",
"next_cursor"}``.

Eventual consistency, handled for the client: the queries read a read model that a
projection keeps up to date in the background, so a command answers 202 with a token
for the position of its events, and a query given it as ``?after=`` waits until the read
model has passed it. The event feed starts after that token too, or resumes after
``Last-Event-ID`` when a browser's ``EventSource`` reconnects.

Refusals answer 4xx JSON and write nothing: a missing order 404, a cancel or ship that
its status forbids 422 (as in Estoria's orders example), a stale ``expected_version``
409, anything else the domain refuses 400. An ``Idempotency-Key`` header (a UUID) makes
a retried ``POST /orders`` answer with the order it created the first time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

from fastapi import FastAPI, Header, Path, Query as QueryParam, WebSocket
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from examples.orders.catalog import DEMO_CATALOG, Catalog
from examples.orders.commands import CancelOrder, CreateOrder, OrderCommand, ShipOrder
from examples.orders.decider import Order, OrderState, order, stream_id, stream_of
from examples.orders.errors import CannotCancel, CannotShip, OrderNotFound
from examples.orders.events import EVENTS, OrderCreated
from examples.orders.read_model import (
    GetOrder,
    ListOrders,
    OrderRow,
    OrderStatusName,
    get_order,
    list_orders,
    orders_read_model,
)
from fabula import (
    AsyncEventStore,
    AsyncFlow,
    AsyncRepository,
    DomainError,
    open_async_store,
    uuid7,
)
from fabula.codec import EventRegistry
from fabula.read import AsyncQueryBus
from fabula.store import StoredEvent
from fabula.web import (
    POSITION_HEADER,
    AfterToken,
    AuthSettings,
    BearerAuth,
    CurrentUser,
    Forbidden,
    NotAuthenticated,
    PositionTokens,
    Principal,
    Select,
    StorableText,
    bearer_token,
    error_responses,
    event_stream,
    event_stream_response,
    install_docs,
    install_error_handlers,
    refuse,
    resume_after,
    websocket_feed,
)

__all__ = ["DEFAULT_URL", "SHIP_SCOPE", "create_app"]

DEFAULT_URL = "sqlite:///orders.db"
"""Where `fabula serve orders` keeps its events and read model unless told otherwise."""

SHIP_SCOPE = "orders:ship"
"""The token scope that lets a user (the warehouse) ship orders."""

_ID = r"^[A-Za-z0-9_.:-]+$"
OrderId = Annotated[str, Path(min_length=1, max_length=64, pattern=_ID)]
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=_ID, examples=["c1"])]
ExpectedVersion = Annotated[
    int | None,
    Field(ge=0, le=2**31, description="The version the client saw; 409 if the order moved on."),
]


class OrderLineIn(BaseModel):
    """One line of a new order: which product, how many (the price is the catalog's)."""

    product_id: StorableText = Field(min_length=1, max_length=64, examples=["mug"])
    quantity: int = Field(ge=1, le=10_000, examples=[2])


class CreateOrderBody(BaseModel):
    """The body of `POST /orders` (the customer is the bearer token's subject)."""

    items: list[OrderLineIn] = Field(max_length=100)


class CancelOrderBody(BaseModel):
    """The body of `POST /orders/{id}/cancel`."""

    reason: StorableText = Field(min_length=1, max_length=500)
    expected_version: ExpectedVersion = None


class ShipOrderBody(BaseModel):
    """The body of `POST /orders/{id}/ship`."""

    tracking_number: StorableText = Field(min_length=1, max_length=64)
    expected_version: ExpectedVersion = None


class Accepted(BaseModel):
    """A 202 answer: the command is done; the read model may not show it yet."""

    message: str
    order_id: str
    position: str | None = Field(
        description="A position token: pass it as ?after= to read your write."
    )


class OrderLineOut(BaseModel):
    """One line of an order, with the product's name."""

    product_id: str
    product_name: str
    quantity: int
    price: float


class OrderOut(BaseModel):
    """The seed's `OrderReadModel` (money as JSON numbers)."""

    order_id: str
    customer_id: str
    customer_name: str
    customer_email: str
    items: list[OrderLineOut]
    total: float
    status: OrderStatusName
    version: int
    created_at: str
    cancelled_at: str | None
    cancellation_reason: str | None
    shipped_at: str | None
    tracking_number: str | None

    @classmethod
    def of(cls, row: OrderRow) -> OrderOut:
        """Show a read-model row."""
        return cls(
            order_id=row.order_id,
            customer_id=row.customer_id,
            customer_name=row.customer_name,
            customer_email=row.customer_email,
            items=[
                OrderLineOut(
                    product_id=line.product_id,
                    product_name=line.product_name,
                    quantity=line.quantity,
                    price=float(line.price),
                )
                for line in row.items
            ],
            total=float(row.total),
            status=row.status,
            version=row.version,
            created_at=row.created_at,
            cancelled_at=row.cancelled_at,
            cancellation_reason=row.cancellation_reason,
            shipped_at=row.shipped_at,
            tracking_number=row.tracking_number,
        )


class OrderList(BaseModel):
    """A page of a customer's orders, newest first."""

    data: list[OrderOut]
    has_more: bool
    next_cursor: str | None


class _Running:
    """What the app opens when it starts (see `lifespan`)."""

    store: AsyncEventStore
    flow: AsyncFlow
    orders: AsyncRepository[OrderState]


def create_app(
    url: str = DEFAULT_URL,
    *,
    catalog: Catalog = DEMO_CATALOG,
    auth: AuthSettings | None = None,
) -> FastAPI:
    """Return the orders app, keeping its events and read model at `url`.

    Tokens are checked with `auth` (default: `AuthSettings.from_env()`).
    """
    registry = EventRegistry(EVENTS)
    orders = orders_read_model(catalog)
    queries = AsyncQueryBus()
    queries.register(GetOrder, lambda query: get_order(orders, query), consistency=orders)
    queries.register(ListOrders, lambda query: list_orders(orders, query), consistency=orders)
    tokens = PositionTokens()
    bearer = BearerAuth(auth)
    running = _Running()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_async_store(url)
        try:
            flow = AsyncFlow(store, registry=registry)
            repository = flow.register(order, stream_id=stream_of)
            await orders.start(store, url, registry=registry)
            running.store, running.flow, running.orders = store, flow, repository
            yield
        finally:
            await orders.close()
            await store.close()

    app = FastAPI(
        title="fabula orders",
        description="Seed 003's orders over REST, with read-your-writes and a live feed. "
        "Guide: docs/examples.md in the fabula repository.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=_TAGS,
    )
    install_error_handlers(app, statuses={OrderNotFound: 404, CannotCancel: 422, CannotShip: 422})
    bearer.install(app)
    install_docs(app)

    async def check_owner(user: Principal, order_id: str) -> None:
        """Refuse, as if it did not exist, an order of another customer (before any write)."""
        loaded = await running.orders.load(stream_id(order_id))
        if isinstance(loaded.state, Order) and loaded.state.customer_id != user.subject:
            raise OrderNotFound(params={"order_id": order_id})

    async def accept(
        message: str,
        command: OrderCommand,
        *,
        expected_version: int | None = None,
        command_id: UUID | None = None,
    ) -> JSONResponse:
        result = await running.flow.dispatch(
            command, expected_version=expected_version, command_id=command_id
        )
        # A retried command (same Idempotency-Key) answers with the order it created then.
        first = result.events[0].event if result.events else command
        token = tokens.issue(result.position)
        body = Accepted(message=message, order_id=first.order_id, position=token)
        headers = {POSITION_HEADER: token} if token else {}
        return JSONResponse(body.model_dump(), status_code=202, headers=headers)

    @app.post(
        "/orders",
        status_code=202,
        response_model=Accepted,
        responses=error_responses(400, 401, 422),
        tags=["orders"],
        summary="Place an order",
    )
    async def create_order(
        body: CreateOrderBody,
        user: CurrentUser,
        idempotency_key: Annotated[UUID | None, Header(alias="Idempotency-Key")] = None,
    ) -> JSONResponse:
        """Place an order for the token's customer; its id and events' position come back."""
        catalog.require_customer(user.subject)
        items = catalog.price((line.product_id, line.quantity) for line in body.items)
        command = CreateOrder(order_id=str(uuid7()), customer_id=user.subject, items=items)
        return await accept("Order creation initiated", command, command_id=idempotency_key)

    @app.post(
        "/orders/{order_id}/cancel",
        status_code=202,
        response_model=Accepted,
        responses=error_responses(400, 401, 404, 409, 422),
        tags=["orders"],
        summary="Cancel one of your pending orders",
    )
    async def cancel_order(
        order_id: OrderId, body: CancelOrderBody, user: CurrentUser
    ) -> JSONResponse:
        """Cancel a pending order of the token's customer (another's is a 404)."""
        await check_owner(user, order_id)
        command = CancelOrder(order_id=order_id, reason=body.reason)
        return await accept(
            "Order cancellation initiated", command, expected_version=body.expected_version
        )

    @app.post(
        "/orders/{order_id}/ship",
        status_code=202,
        response_model=Accepted,
        responses=error_responses(400, 401, 403, 404, 409, 422),
        tags=["orders"],
        summary="Ship a pending order (scope orders:ship)",
    )
    async def ship_order(order_id: OrderId, body: ShipOrderBody, user: CurrentUser) -> JSONResponse:
        """Ship a pending order: the warehouse's job, so the token needs `orders:ship`."""
        user.require(SHIP_SCOPE)
        command = ShipOrder(order_id=order_id, tracking_number=body.tracking_number)
        return await accept(
            "Order shipment initiated", command, expected_version=body.expected_version
        )

    @app.get(
        "/orders/{order_id}",
        responses=error_responses(400, 401, 404, 422, 503),
        tags=["queries"],
        summary="Read one of your orders",
    )
    async def read_order(
        order_id: OrderId, user: CurrentUser, after: AfterToken = None
    ) -> OrderOut:
        """Return an order of the token's customer from the read model (another's is a 404)."""
        found = await queries.ask(GetOrder(order_id), after=tokens.read(after), timeout=5.0)
        if found is None or found.customer_id != user.subject:
            raise OrderNotFound(params={"order_id": order_id})
        return OrderOut.of(found)

    @app.get(
        "/customers/{customer_id}/orders",
        responses=error_responses(400, 401, 403, 422, 503),
        tags=["queries"],
        summary="List your orders, newest first",
    )
    async def read_orders(
        customer_id: CustomerId,
        user: CurrentUser,
        status: OrderStatusName | None = None,
        limit: Annotated[int, QueryParam(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, QueryParam(max_length=500)] = None,
        after: AfterToken = None,
    ) -> OrderList:
        """Return a page of a customer's orders, newest first; pass `next_cursor` for more.

        Only the customer's own token may ask (403 otherwise).
        """
        _own(user, customer_id)
        query = ListOrders(customer_id=customer_id, status=status, limit=limit, cursor=cursor)
        page = await queries.ask(query, after=tokens.read(after), timeout=5.0)
        return OrderList(
            data=[OrderOut.of(row) for row in page.items],
            has_more=page.has_more,
            next_cursor=page.next_cursor,
        )

    @app.get(
        "/customers/{customer_id}/orders/events",
        response_class=StreamingResponse,
        responses={
            200: {"content": {"text/event-stream": {}}},
            **error_responses(400, 401, 403, 422),
        },
        tags=["live"],
        summary="Follow your orders' events (server-sent events)",
    )
    async def order_events(
        customer_id: CustomerId,
        user: CurrentUser,
        after: AfterToken = None,
        last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    ) -> StreamingResponse:
        """Stream the customer's order events as they happen (server-sent events).

        Starts after `Last-Event-ID` (a reconnecting `EventSource`), else after the
        position token `after`, else with the next new event.
        Only the customer's own token may follow (403 otherwise).
        """
        _own(user, customer_id)
        store = running.store
        position = tokens.read(after)
        start = resume_after(
            last_event_id, default=position if position is not None else await store.head()
        )
        select = _orders_of(store, registry, customer_id)
        return event_stream_response(
            event_stream(store, after=start, categories=["order"], select=select)
        )

    @app.websocket("/customers/{customer_id}/orders/live")
    async def order_feed(websocket: WebSocket, customer_id: str, after: str | None = None) -> None:
        """The customer's order events over a WebSocket, one JSON text message each.

        The token comes in the `Authorization` header or, from a browser, as
        `?access_token=`; the feed starts after the position token `after`, else with
        the next new event.
        """
        store = running.store
        try:
            user = bearer_token(websocket)
            if user is None:
                raise NotAuthenticated
            _own(user, customer_id)
            position = tokens.read(after)
        except DomainError as exc:
            await refuse(websocket, exc)
            return
        start = position if position is not None else await store.head()
        select = _orders_of(store, registry, customer_id)
        await websocket_feed(websocket, store, after=start, categories=["order"], select=select)

    return app


_TAGS = [
    {"name": "orders", "description": "Place, cancel and ship orders (commands: 202)."},
    {"name": "queries", "description": "Read orders from the read model (read your writes)."},
    {"name": "live", "description": "Follow a customer's order events as they happen."},
]


def _own(user: Principal, customer_id: str) -> None:
    """Refuse a customer's list or feed to anyone but that customer."""
    if user.subject != customer_id:
        raise Forbidden(params={"customer_id": customer_id})


def _orders_of(store: AsyncEventStore, registry: EventRegistry, customer_id: str) -> Select:
    """Select the events of `customer_id`'s orders: the first event of a stream says whose."""
    whose: dict[str, str] = {}

    async def select(record: StoredEvent) -> bool:
        owner = whose.get(record.stream_id)
        if owner is None:
            first = (
                record
                if record.version == 1
                else (await store.read_stream(record.stream_id, limit=1))[0]
            )
            created = registry.decode(first.type, first.schema_version, first.data)
            owner = created.customer_id if isinstance(created, OrderCreated) else ""
            if len(whose) >= 10_000:  # a long-lived feed: forget, and ask the store again
                whose.clear()
            whose[record.stream_id] = owner
        return owner == customer_id

    return select
