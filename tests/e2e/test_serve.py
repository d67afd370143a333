"""End to end: ``fabula serve orders`` and ``fabula serve todo`` as real server processes.

Each server runs in its own process on a free local port, with its signing secret from
the environment (``FABULA_AUTH_SECRET``), as in production. The tests place and cancel
orders with bearer tokens, read them back with read-your-writes tokens, follow the
customer's live event feed (server-sent events, then a WebSocket with the ``websockets``
client), follow todo changes over a GraphQL subscription (graphql-transport-ws), then
stop the server with SIGTERM and expect a clean exit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from fabula.cli import main

from ._server import TOKENS, bearer, running_server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'orders.db'}"
    found: str = request.getfixturevalue("fabula_postgres_schema_url")
    return found


@pytest.fixture
def server(url: str, tmp_path: Path) -> Iterator[str]:
    """Start ``fabula serve orders`` and yield its base URL; stop it afterwards."""
    with running_server("orders", url, tmp_path) as (base, _):
        yield base


@pytest.fixture
def todo_server(url: str, tmp_path: Path) -> Iterator[str]:
    """Start ``fabula serve todo`` and yield its base URL; stop it afterwards."""
    with running_server("todo", url, tmp_path) as (base, _):
        yield base


def sse_messages(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Parse a text/event-stream into messages (comments skipped)."""
    message: dict[str, str] = {}
    for line in lines:
        if not line:
            if message:
                yield message
            message = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(": ")
            message[field] = value


def test_orders_over_a_real_server(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10, headers=bearer("c1")) as client:
        assert client.get("/docs").status_code == 200

        placed = client.post("/orders", json={"items": [{"product_id": "mug", "quantity": 2}]})
        assert placed.status_code == 202
        order_id, token = placed.json()["order_id"], placed.json()["position"]
        found = client.get(f"/orders/{order_id}", params={"after": token})
        assert found.status_code == 200
        assert (found.json()["status"], found.json()["total"]) == ("pending", 19.98)

        feed = {"after": token}
        with client.stream("GET", "/customers/c1/orders/events", params=feed) as events:
            assert events.status_code == 200
            assert events.headers["content-type"].startswith("text/event-stream")
            other = {"items": [{"product_id": "tea", "quantity": 1}]}
            placed_by_c2 = client.post("/orders", json=other, headers=bearer("c2"))
            assert placed_by_c2.status_code == 202  # not c1's
            cancel = client.post(f"/orders/{order_id}/cancel", json={"reason": "changed my mind"})
            assert cancel.status_code == 202
            message = next(sse_messages(events.iter_lines()))

        assert message["event"] == "OrderCancelled"
        data = json.loads(message["data"])
        assert data["stream_id"] == f"order-{order_id}"
        assert data["data"] == {"orderId": order_id, "reason": "changed my mind"}
        assert int(message["id"]) == data["position"]

        # A reconnecting EventSource sends the last id it saw: the feed resumes after it.
        resume = {"Last-Event-ID": str(int(message["id"]) - 1)}
        with client.stream("GET", "/customers/c1/orders/events", headers=resume) as events:
            assert next(sse_messages(events.iter_lines())) == message

        listed = client.get("/customers/c1/orders", params={"after": cancel.json()["position"]})
        assert [(o["order_id"], o["status"]) for o in listed.json()["data"]] == [
            (order_id, "cancelled")
        ]
        warehouse = bearer("warehouse", "orders:ship")
        again = client.post(
            f"/orders/{order_id}/ship", json={"tracking_number": "T1"}, headers=warehouse
        )
        assert (again.status_code, again.json()["code"]) == (422, "cannot_ship")
        missing = client.get("/orders/nope")
        assert (missing.status_code, missing.json()["message"]) == (404, "Order not found")


def test_serve_names_the_extra_when_it_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now fails
    assert main(["serve", "bank"]) == 2
    assert "pip install 'fabula[web]'" in capsys.readouterr().err
    assert main(["serve", "todo"]) == 2
    assert "pip install 'fabula[graphql]'" in capsys.readouterr().err


def test_the_fabula_command_does_not_import_web_libraries() -> None:
    code = (
        "import sys; from fabula.cli._main import build_parser; build_parser(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'fastapi', 'starlette', 'uvicorn', 'strawberry', 'httpx', 'pydantic'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def ws_url(base: str, path: str) -> str:
    return "ws" + base.removeprefix("http") + path


def test_orders_live_over_a_websocket(server: str) -> None:
    live = ws_url(server, "/customers/c1/orders/live")
    with httpx.Client(base_url=server, timeout=10, headers=bearer("c1")) as client:
        placed = client.post("/orders", json={"items": [{"product_id": "mug", "quantity": 1}]})
        order_id, token = placed.json()["order_id"], placed.json()["position"]

        with connect(f"{live}?after={token}", additional_headers=bearer("c1")) as socket:
            other = {"items": [{"product_id": "tea", "quantity": 1}]}
            assert client.post("/orders", json=other, headers=bearer("c2")).status_code == 202
            cancel = client.post(f"/orders/{order_id}/cancel", json={"reason": "no"})
            assert cancel.status_code == 202
            event = json.loads(socket.recv(timeout=30))
        assert (event["type"], event["stream_id"]) == ("OrderCancelled", f"order-{order_id}")
        assert event["data"] == {"orderId": order_id, "reason": "no"}

        # A browser cannot send headers on a WebSocket: the token may come as a parameter.
        access = TOKENS.mint("c1")
        after = event["position"] - 1
        with connect(f"{live}?access_token={access}&after={token}") as socket:
            assert json.loads(socket.recv(timeout=30))["position"] > after

    refusals = [({}, 401), (bearer("c2"), 403), ({"Authorization": "Bearer forged"}, 401)]
    for headers, status in refusals:
        with pytest.raises(InvalidStatus) as refused:
            connect(live, additional_headers=headers).close()
        assert refused.value.response.status_code == status
        body = json.loads(refused.value.response.body or b"{}")
        assert body["code"] in {"not_authenticated", "forbidden", "invalid_token"}


def test_todo_changes_over_a_graphql_subscription(todo_server: str) -> None:
    graphql = ws_url(todo_server, "/graphql")
    with httpx.Client(base_url=todo_server, timeout=10, headers=bearer("ann")) as client:
        create = 'mutation { createTodo(description: "Buy milk") { id position } }'
        created = client.post("/graphql", json={"query": create}).json()["data"]["createTodo"]
        todo_id, position = created["id"], created["position"]

        with graphql_socket(graphql, {"Authorization": bearer("ann")["Authorization"]}) as ws:
            ws.send(
                subscribe(
                    "todoChanges(afterPosition: $p) { id position event { type "
                    "metadata { initiatedBy } } }",
                    p=position,
                )
            )
            complete = f'mutation {{ markCompleted(id: "{todo_id}") {{ version }} }}'
            done = client.post("/graphql", json={"query": complete}, headers=bearer("bob"))
            assert done.json()["data"]["markCompleted"]["version"] == 2
            message = json.loads(ws.recv(timeout=30))
        assert message["type"] == "next", message
        change = message["payload"]["data"]["todoChanges"]
        assert (change["id"], change["event"]["type"]) == (todo_id, "todo_completed")
        assert change["event"]["metadata"] == {"initiatedBy": "bob"}

    # Without a token the subscription is refused; with a forged one, the socket.
    with graphql_socket(graphql, {}) as ws:
        ws.send(subscribe("todoChanges { id }"))
        refused = json.loads(ws.recv(timeout=30))
    payload = refused["payload"]
    errors = payload if isinstance(payload, list) else payload["errors"]
    assert errors[0]["extensions"]["code"] == "not_authenticated", refused
    with (
        pytest.raises(ConnectionClosed) as closed,
        graphql_socket(graphql, {"Authorization": "Bearer forged"}),
    ):
        pass
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


@contextmanager
def graphql_socket(url: str, payload: dict[str, str]) -> Iterator[ClientConnection]:
    """A graphql-transport-ws connection, initialised with ``payload``."""
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        assert json.loads(ws.recv(timeout=30))["type"] == "connection_ack"
        yield ws


def subscribe(selection: str, **variables: str) -> str:
    declared = ", ".join(f"${name}: String" for name in variables)
    query = f"subscription{f'({declared})' if declared else ''} {{ {selection} }}"
    payload = {"query": query, "variables": variables}
    return json.dumps({"id": "1", "type": "subscribe", "payload": payload})
