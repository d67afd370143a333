"""The orders app (seed 003, section F) over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from examples.orders.app import create_app
from examples.orders.catalog import DEMO_CATALOG, Catalog, Customer
from fabula import open_async_store
from fabula.web import AuthSettings, BearerAuth

from .conftest import AUTH, as_user, new_id, serve

pytestmark = pytest.mark.anyio

MUGS = {"items": [{"product_id": "mug", "quantity": 2}]}
WAREHOUSE = as_user("warehouse", "orders:ship")
CUSTOMERS = dict(DEMO_CATALOG.customers)
CATALOG = Catalog(customers=CUSTOMERS, products=DEMO_CATALOG.products)


@pytest.fixture(scope="module")
async def client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(url, catalog=CATALOG, auth=AUTH)) as client:
        client.headers.update(as_user("c1"))
        yield client


@pytest.fixture
def customer() -> str:
    """A customer with no orders yet."""
    customer_id = new_id("c")
    CUSTOMERS[customer_id] = Customer(f"Customer {customer_id}", f"{customer_id}@example.com")
    return customer_id


@pytest.fixture
def signed_in(client: httpx.AsyncClient, customer: str) -> Iterator[None]:
    """The client sends ``customer``'s token by default during the test."""
    saved = client.headers["Authorization"]
    client.headers.update(as_user(customer))
    yield
    client.headers["Authorization"] = saved


async def place(client: httpx.AsyncClient, customer: str = "c1") -> tuple[str, str]:
    answer = await client.post("/orders", json=MUGS, headers=as_user(customer))
    assert answer.status_code == 202, answer.text
    return answer.json()["order_id"], answer.json()["position"]


async def stream_versions(url: str, order_id: str) -> int:
    store = open_async_store(url)
    try:
        return await store.stream_version(f"order-{order_id}")
    finally:
        await store.close()


async def test_place_then_read_your_write(client: httpx.AsyncClient) -> None:
    body = {
        "items": [{"product_id": "mug", "quantity": 2}, {"product_id": "tea", "quantity": 1}],
    }
    answer = await client.post("/orders", json=body)
    assert answer.status_code == 202
    placed = answer.json()
    assert placed["message"] == "Order creation initiated"
    assert answer.headers["Fabula-Position"] == placed["position"]

    found = await client.get(f"/orders/{placed['order_id']}", params={"after": placed["position"]})
    assert found.status_code == 200
    order = found.json()
    assert order["created_at"]
    del order["created_at"]
    assert order == {
        "order_id": placed["order_id"],
        "customer_id": "c1",
        "customer_name": "Ada Lovelace",
        "customer_email": "ada@example.com",
        "items": [
            {"product_id": "mug", "product_name": "Mug", "quantity": 2, "price": 9.99},
            {"product_id": "tea", "product_name": "Green tea, 100 g", "quantity": 1, "price": 4.5},
        ],
        "total": 24.48,
        "status": "pending",
        "version": 1,
        "cancelled_at": None,
        "cancellation_reason": None,
        "shipped_at": None,
        "tracking_number": None,
    }


async def test_cancel_then_ship_is_refused(client: httpx.AsyncClient) -> None:
    order_id, _ = await place(client)
    cancel = await client.post(f"/orders/{order_id}/cancel", json={"reason": "changed my mind"})
    assert cancel.status_code == 202
    assert cancel.json()["message"] == "Order cancellation initiated"

    found = await client.get(f"/orders/{order_id}", params={"after": cancel.json()["position"]})
    assert found.json()["status"] == "cancelled"
    assert found.json()["cancellation_reason"] == "changed my mind"
    assert found.json()["cancelled_at"] is not None
    assert found.json()["version"] == 2

    ship = await client.post(
        f"/orders/{order_id}/ship", json={"tracking_number": "TRK1"}, headers=WAREHOUSE
    )
    assert ship.status_code == 422
    assert ship.json()["code"] == "cannot_ship"


async def test_ship_then_cancel_is_refused(client: httpx.AsyncClient, url: str) -> None:
    order_id, _ = await place(client)
    ship = await client.post(
        f"/orders/{order_id}/ship",
        json={"tracking_number": "TRK1", "expected_version": 1},
        headers=WAREHOUSE,
    )
    assert ship.status_code == 202
    found = await client.get(f"/orders/{order_id}", params={"after": ship.json()["position"]})
    assert (found.json()["status"], found.json()["tracking_number"]) == ("shipped", "TRK1")

    cancel = await client.post(f"/orders/{order_id}/cancel", json={"reason": "too late"})
    assert cancel.status_code == 422
    assert cancel.json() == {
        "code": "cannot_cancel",
        "message": "Can only cancel pending orders",
        "params": {"order_id": order_id},
    }
    assert await stream_versions(url, order_id) == 2


async def test_a_stale_version_is_a_409_and_writes_nothing(
    client: httpx.AsyncClient, url: str
) -> None:
    order_id, _ = await place(client)
    stale = await client.post(
        f"/orders/{order_id}/cancel", json={"reason": "x", "expected_version": 0}
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrency_conflict"
    assert stale.json()["params"] == {
        "stream_id": f"order-{order_id}",
        "expected_version": 0,
        "actual_version": 1,
    }
    assert await stream_versions(url, order_id) == 1


async def test_a_missing_order_is_a_404(client: httpx.AsyncClient, url: str) -> None:
    missing = await client.get("/orders/nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "order_not_found",
        "message": "Order not found",
        "params": {"order_id": "nope"},
    }
    for route, body in (("cancel", {"reason": "x"}), ("ship", {"tracking_number": "x"})):
        refused = await client.post(f"/orders/nope/{route}", json=body, headers=WAREHOUSE)
        assert (refused.status_code, refused.json()["code"]) == (404, "order_not_found")
    assert await stream_versions(url, "nope") == 0


@pytest.mark.parametrize(
    ("items", "status", "code"),
    [
        ([{"product_id": "caviar", "quantity": 1}], 400, "unknown_product"),
        ([], 400, "empty_order"),
        ([{"product_id": "mug", "quantity": 0}], 422, "invalid_request"),
        ([{"product_id": "mug", "quantity": "two"}], 422, "invalid_request"),
        ([{"product": "mug", "quantity": 1}], 422, "invalid_request"),
        (None, 422, "invalid_request"),
    ],
)
async def test_bad_orders_are_refused_and_write_nothing(
    client: httpx.AsyncClient, customer: str, items: object, status: int, code: str
) -> None:
    mine = as_user(customer)
    refused = await client.post("/orders", json={"items": items}, headers=mine)
    assert (refused.status_code, refused.json()["code"]) == (status, code)
    page = await client.get(f"/customers/{customer}/orders", headers=mine)
    assert page.json()["data"] == []


async def test_the_customer_is_the_tokens_not_the_bodys(
    client: httpx.AsyncClient, customer: str
) -> None:
    body = {"customer_id": "c2", "items": [{"product_id": "mug", "quantity": 1}]}
    placed = await client.post("/orders", json=body, headers=as_user(customer))
    assert placed.status_code == 202
    after = {"after": placed.json()["position"]}
    found = await client.get(
        f"/orders/{placed.json()['order_id']}", params=after, headers=as_user(customer)
    )
    assert found.json()["customer_id"] == customer


async def test_an_unknown_customer_cannot_order(client: httpx.AsyncClient) -> None:
    stranger = new_id("c")
    refused = await client.post("/orders", json=MUGS, headers=as_user(stranger))
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "unknown_customer",
        "message": "no customer has this id",
        "params": {"customer_id": stranger},
    }
    page = await client.get(f"/customers/{stranger}/orders", headers=as_user(stranger))
    assert page.json()["data"] == []


@pytest.mark.parametrize("route", ["cancel", "ship", "create"])
async def test_text_a_read_model_cannot_hold_is_a_422(
    client: httpx.AsyncClient, url: str, customer: str, route: str
) -> None:
    order_id, _ = await place(client, customer)
    if route == "create":
        body: dict[str, object] = {"items": [{"product_id": "mug\u0000", "quantity": 1}]}
        refused = await client.post("/orders", json=body, headers=as_user(customer))
    else:
        field = "reason" if route == "cancel" else "tracking_number"
        sender = as_user(customer) if route == "cancel" else WAREHOUSE
        refused = await client.post(
            f"/orders/{order_id}/{route}", json={field: "a\u0000b"}, headers=sender
        )
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_request")
    assert refused.json()["params"]["errors"][0]["type"] == "unstorable_text"
    assert await stream_versions(url, order_id) == 1


async def test_a_customer_id_must_look_like_an_id(client: httpx.AsyncClient) -> None:
    refused = await client.get("/customers/c 1/orders", headers=as_user("c 1"))
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_request")


async def test_malformed_json_is_a_400(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/orders", content=b'{"customer_id": ', headers={"content-type": "application/json"}
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "malformed_json")


async def test_an_idempotency_key_makes_a_retry_harmless(
    client: httpx.AsyncClient, customer: str
) -> None:
    mine, key = as_user(customer), str(uuid.uuid4())
    first = await client.post("/orders", json=MUGS, headers={**mine, "Idempotency-Key": key})
    retry = await client.post("/orders", json=MUGS, headers={**mine, "Idempotency-Key": key})
    assert first.json() == retry.json()
    another = {**mine, "Idempotency-Key": str(uuid.uuid4())}
    other = await client.post("/orders", json=MUGS, headers=another)
    assert other.json()["order_id"] != first.json()["order_id"]
    after = {"after": other.json()["position"]}
    page = await client.get(f"/customers/{customer}/orders", params=after, headers=mine)
    assert len(page.json()["data"]) == 2, page.text


async def test_a_customers_orders_page_by_page_newest_first(
    client: httpx.AsyncClient, customer: str, signed_in: None
) -> None:
    placed = [await place(client, customer) for _ in range(5)]
    await place(client)  # another customer's
    cancel = await client.post(f"/orders/{placed[1][0]}/cancel", json={"reason": "x"})
    last = cancel.json()["position"]
    orders = f"/customers/{customer}/orders"

    seen: list[str] = []
    cursor = None
    for expected_more in (True, True, False):
        params: dict[str, str | int] = {"limit": 2, "after": last}
        if cursor is not None:
            params["cursor"] = cursor
        page = (await client.get(orders, params=params)).json()
        seen += [order["order_id"] for order in page["data"]]
        assert page["has_more"] is expected_more
        cursor = page["next_cursor"]
        assert (cursor is not None) is expected_more
    assert seen == [order_id for order_id, _ in reversed(placed)]

    cancelled = (await client.get(orders, params={"status": "cancelled"})).json()
    assert [order["order_id"] for order in cancelled["data"]] == [placed[1][0]]
    assert cancelled["has_more"] is False
    shipped = (await client.get(orders, params={"status": "shipped"})).json()
    assert shipped == {"data": [], "has_more": False, "next_cursor": None}
    full_page = (await client.get(orders, params={"limit": 5})).json()
    assert (len(full_page["data"]), full_page["has_more"], full_page["next_cursor"]) == (
        5,
        False,
        None,
    )


async def test_cursors_belong_to_their_query(
    client: httpx.AsyncClient, customer: str, signed_in: None
) -> None:
    tokens = [(await place(client, customer))[1] for _ in range(3)]
    orders = f"/customers/{customer}/orders"
    first: dict[str, str | int] = {"limit": 1, "after": tokens[-1]}
    page = (await client.get(orders, params=first)).json()
    scope = f"orders:{customer}:"
    forged = base64.urlsafe_b64encode(json.dumps([scope, ["x"]]).encode()).decode()
    wrong: list[dict[str, str]] = [
        {"cursor": page["next_cursor"], "status": "pending"},  # another filter
        {"cursor": "not-a-cursor"},
        {"cursor": forged},  # the right scope, but no position
    ]
    for params in wrong:
        refused = await client.get(orders, params=params)
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid_cursor")
    other = await client.get(
        "/customers/c2/orders", params={"cursor": page["next_cursor"]}, headers=as_user("c2")
    )
    assert other.status_code == 400


async def test_a_position_token_the_app_did_not_issue_is_refused(
    client: httpx.AsyncClient,
) -> None:
    order_id, token = await place(client)
    position, mac = token.split(".")
    for route in (f"/orders/{order_id}", "/customers/c1/orders"):
        refused = await client.get(route, params={"after": f"{int(position) + 1}.{mac}"})
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid_position_token")


class HeldCatalog(Catalog):
    """A customer service that answers only when the test lets it: the read model lags."""

    released = threading.Event()

    def customer(self, customer_id: str) -> Customer:
        self.released.wait(timeout=10)
        return super().customer(customer_id)


async def test_a_query_waits_for_the_position_it_is_given(fabula_sqlite_url: str) -> None:
    held = HeldCatalog(customers=DEMO_CATALOG.customers, products=DEMO_CATALOG.products)
    async with serve(create_app(fabula_sqlite_url, catalog=held, auth=AUTH)) as client:
        client.headers.update(as_user("c1"))
        try:
            order_id, token = await place(client)
            assert (await client.get(f"/orders/{order_id}")).status_code == 404  # not yet
            waiting = asyncio.create_task(
                client.get(f"/orders/{order_id}", params={"after": token})
            )
            await asyncio.sleep(0.1)
            assert not waiting.done()
            held.released.set()
            found = await waiting
        finally:
            held.released.set()
        assert found.status_code == 200
        assert Decimal(str(found.json()["total"])) == Decimal("19.98")


async def test_the_openapi_document(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert set(spec["paths"]) == {
        "/orders",
        "/orders/{order_id}/cancel",
        "/orders/{order_id}/ship",
        "/orders/{order_id}",
        "/customers/{customer_id}/orders",
        "/customers/{customer_id}/orders/events",
    }


async def test_every_route_needs_a_valid_token(client: httpx.AsyncClient, url: str) -> None:
    order_id, _ = await place(client)
    expired = BearerAuth(AUTH).mint("c1", now=datetime.now(UTC) - timedelta(days=1))
    forged = BearerAuth(AuthSettings(secret="another secret, with 32 bytes or more")).mint("c1")
    routes = [
        ("POST", "/orders", MUGS),
        ("POST", f"/orders/{order_id}/cancel", {"reason": "x"}),
        ("POST", f"/orders/{order_id}/ship", {"tracking_number": "x"}),
        ("GET", f"/orders/{order_id}", None),
        ("GET", "/customers/c1/orders", None),
        ("GET", "/customers/c1/orders/events", None),
    ]
    sent: list[tuple[dict[str, str], str]] = [
        ({}, "not_authenticated"),
        ({"Authorization": "Basic YTpi"}, "invalid_token"),
        ({"Authorization": f"Bearer {expired}"}, "invalid_token"),
        ({"Authorization": f"Bearer {forged}"}, "invalid_token"),
    ]
    saved = client.headers.pop("Authorization")
    try:
        for method, route, body in routes:
            for headers, code in sent:
                refused = await client.request(method, route, json=body, headers=headers)
                assert (refused.status_code, refused.json()["code"]) == (401, code), route
                assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    finally:
        client.headers["Authorization"] = saved
    assert await stream_versions(url, order_id) == 1


async def test_a_customer_sees_and_cancels_only_their_own_orders(
    client: httpx.AsyncClient, url: str
) -> None:
    order_id, token = await place(client, "c1")
    other = as_user("c2")
    found = await client.get(f"/orders/{order_id}", params={"after": token}, headers=other)
    assert (found.status_code, found.json()["code"]) == (404, "order_not_found")
    cancel = await client.post(f"/orders/{order_id}/cancel", json={"reason": "x"}, headers=other)
    assert (cancel.status_code, cancel.json()["code"]) == (404, "order_not_found")
    assert await stream_versions(url, order_id) == 1
    for route in ("/customers/c1/orders", "/customers/c1/orders/events"):
        refused = await client.get(route, headers=other)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    mine = await client.get("/customers/c2/orders", params={"after": token}, headers=other)
    assert order_id not in {order["order_id"] for order in mine.json()["data"]}


async def test_shipping_needs_the_ship_scope(client: httpx.AsyncClient, url: str) -> None:
    order_id, _ = await place(client, "c1")
    refused = await client.post(f"/orders/{order_id}/ship", json={"tracking_number": "T"})
    assert (refused.status_code, refused.json()) == (
        403,
        {"code": "forbidden", "message": "you may not do this", "params": {"scope": "orders:ship"}},
    )
    assert await stream_versions(url, order_id) == 1


async def test_the_openapi_document_declares_bearer_tokens(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT: `Authorization: Bearer <token>`. Get a development token "
        "with `fabula token <user>`.",
    }
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"bearer": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
            assert operation["tags"], (method, path)
            assert operation["summary"], (method, path)
    assert [tag["name"] for tag in spec["tags"]] == ["orders", "queries", "live"]
