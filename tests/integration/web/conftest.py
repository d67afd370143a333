"""Fixtures for the example apps' HTTP tests: a database per backend, an in-process client.

Each app test module runs on SQLite and on PostgreSQL (``postgres`` marker; skipped
locally without a server, failing under ``CI=true``). One app serves all the tests of a
module and backend (starting one takes a moment), so tests use ids of their own
(``new_id``); a test that needs an empty database takes ``fresh_url``. The client speaks
HTTP to the app in process (httpx over ASGI), after the app's lifespan has opened its
store.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from fabula.testing._postgres import temporary_schema
from fabula.web import AuthSettings, BearerAuth

AUTH = AuthSettings(secret="a secret for fabula's web tests, 32+ bytes")
"""The settings the apps under test check tokens with."""

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a new database for a module's tests: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'app.db'}"
        return
    server: str = request.getfixturevalue("fabula_postgres_url")
    with temporary_schema(server) as schema_url:
        yield schema_url


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database for one test."""
    name = "fabula_sqlite_url" if request.param == "sqlite" else "fabula_postgres_schema_url"
    found: str = request.getfixturevalue(name)
    return found


def as_user(subject: str, *scopes: str) -> dict[str, str]:
    """The ``Authorization`` header of a valid token for ``subject`` with ``scopes``."""
    return {"Authorization": f"Bearer {BearerAuth(AUTH).mint(subject, scopes=scopes)}"}


def new_id(prefix: str = "") -> str:
    """An id no other test uses."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and yield a client that talks to it over HTTP, in process."""
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        yield client
