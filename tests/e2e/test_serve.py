"""End to end: ``fabula serve orders`` as a real server process, driven over HTTP.

The server runs in its own process on a free local port; the test places and cancels
orders, reads them back with read-your-writes tokens, follows the customer's live event
feed (server-sent events), then stops the server with SIGTERM and expects a clean exit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fabula.cli import main

from ._server import running_server


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
    with httpx.Client(base_url=server, timeout=10) as client:
        assert client.get("/docs").status_code == 200

        placed = client.post(
            "/orders", json={"customer_id": "c1", "items": [{"product_id": "mug", "quantity": 2}]}
        )
        assert placed.status_code == 202
        order_id, token = placed.json()["order_id"], placed.json()["position"]
        found = client.get(f"/orders/{order_id}", params={"after": token})
        assert found.status_code == 200
        assert (found.json()["status"], found.json()["total"]) == ("pending", 19.98)

        feed = {"after": token}
        with client.stream("GET", "/customers/c1/orders/events", params=feed) as events:
            assert events.status_code == 200
            assert events.headers["content-type"].startswith("text/event-stream")
            other = {"customer_id": "c2", "items": [{"product_id": "tea", "quantity": 1}]}
            assert client.post("/orders", json=other).status_code == 202  # not c1's
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
        again = client.post(f"/orders/{order_id}/ship", json={"tracking_number": "T1"})
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
