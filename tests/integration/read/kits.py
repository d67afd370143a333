"""PostgreSQL kits for the read-side tests: the store and the target in a temporary schema."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from fabula.read import Target
from fabula.read.postgres import PostgresTarget
from fabula.store.postgres import PostgresStore, drop_schema
from tests.unit.read import domain
from tests.unit.read.kits import Kit


def with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("schema", schema)])))


def schema_of(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))["schema"]


def postgres_rows(target: Target, name: str) -> list[tuple[Any, ...]]:
    assert isinstance(target, PostgresTarget)
    with target.connection() as conn:
        return domain.sql_rows(conn, name)


@pytest.fixture(params=["postgres", "postgres-shared"])
def kit(request: pytest.FixtureRequest, postgres_schema_url: str) -> Iterator[Kit]:
    """Events in one schema; read models in another one, or in the same ("shared")."""
    base = schema_of(postgres_schema_url)
    store = PostgresStore.from_url(postgres_schema_url)
    extra: list[str] = []

    def schema_url(suffix: str) -> str:
        extra.append(f"{base}_{suffix}")
        return with_schema(postgres_schema_url, extra[-1])

    counter = itertools.count()
    target_url = postgres_schema_url if request.param == "postgres-shared" else schema_url("read")
    made = Kit(
        request.param,
        store,
        PostgresTarget.from_url(target_url),
        lambda: PostgresTarget.from_url(schema_url(f"replay{next(counter)}")),
        functools.partial(domain.todo_sql, mark="%s"),
        postgres_rows,
    )
    yield made
    made.target.close()
    store.close()
    for schema in extra:
        drop_schema(with_schema(postgres_schema_url, schema))
