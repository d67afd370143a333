"""The apps' docs pages over HTTP, on SQLite and PostgreSQL: every asset comes from the app.

Swagger UI (``/docs``, the REST apps) and GraphiQL (``/graphql``, the todo app) must load
nothing from another host, and each asset they name must be served. The browser check is
tests/e2e/test_docs_pages.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from examples.balance.app import create_app as balance_app
from examples.bank.app import create_app as bank_app
from examples.orders.app import create_app as orders_app
from examples.todo_app.app import create_app as todo_app

from .conftest import AUTH, serve

pytestmark = pytest.mark.anyio

ASSET = re.compile(r"""(?:src|href)\s*[=:]\s*["']([^"']+\.(?:js|css|png))["']""")
TYPES = {"js": "javascript", "css": "text/css", "png": "image/png"}


async def assets_of(client: httpx.AsyncClient, page: str, accept: str) -> list[str]:
    answer = await client.get(page, headers={"accept": accept})
    assert answer.status_code == 200
    assert not re.search(r"https?://", answer.text), answer.text
    found = ASSET.findall(answer.text)
    for asset in found:
        assert asset.startswith("/_fabula/static/"), asset
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert TYPES[asset.rpartition(".")[2]] in served.headers["content-type"], asset
        assert len(served.content) > 500, asset
    return found


@pytest.mark.parametrize(
    "create", [bank_app, orders_app, balance_app], ids=["bank", "orders", "balance"]
)
async def test_swagger_ui_is_served_from_the_app(url: str, create: Callable[..., FastAPI]) -> None:
    app = create(url, auth=AUTH) if create is orders_app else create(url)
    async with serve(app) as client:
        assets = await assets_of(client, "/docs", "text/html")
        assert {asset.rpartition("/")[2] for asset in assets} >= {
            "swagger-ui-bundle.js",
            "swagger-ui.css",
        }
        assert (await client.get("/redoc")).status_code == 404  # it would need a CDN
        spec = (await client.get("/openapi.json")).json()
        for operations in spec["paths"].values():
            for operation in operations.values():
                assert operation["tags"], operation
                assert operation["summary"], operation


async def test_graphiql_is_served_from_the_app_with_an_example(url: str) -> None:
    async with serve(todo_app(url, auth=AUTH)) as client:
        assets = await assets_of(client, "/graphql", "text/html")
        assert {asset.rpartition("/")[2] for asset in assets} == {
            "graphiql.min.css",
            "graphiql.min.js",
            "react.production.min.js",
            "react-dom.production.min.js",
        }
        page = (await client.get("/graphql", headers={"accept": "text/html"})).text
        assert "defaultQuery" in page
        assert "allTodos(first: 10)" in page
