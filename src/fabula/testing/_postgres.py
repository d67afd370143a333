"""Finding the PostgreSQL server for tests, and a throw-away schema per test or run.

``FABULA_TEST_DATABASE_URL`` names the server (default
``postgresql://postgres@127.0.0.1:5432/test``); it is read here and nowhere else.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "DEFAULT_TEST_DATABASE_URL",
    "postgres_unavailable_reason",
    "temporary_schema",
    "test_database_url",
]

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
"""The server tests use when ``FABULA_TEST_DATABASE_URL`` is not set."""


def test_database_url() -> str:
    """Return the test server's URL: ``FABULA_TEST_DATABASE_URL``, or the local default."""
    return os.environ.get("FABULA_TEST_DATABASE_URL", "").strip() or DEFAULT_TEST_DATABASE_URL


test_database_url.__test__ = False  # type: ignore[attr-defined]  # not a test for pytest


def postgres_unavailable_reason(url: str) -> str | None:
    """Return ``None`` if PostgreSQL at ``url`` answers and psycopg imports; else why not.

    The reason is one line a person can act on (install the extra, start the server).
    """
    try:
        from fabula.store.postgres import unreachable_reason
    except ImportError as exc:
        return f"the postgres backend cannot be imported ({exc}); pip install 'fabula[postgres]'"
    return unreachable_reason(url)


@contextmanager
def temporary_schema(url: str) -> Iterator[str]:
    """Create a new, uniquely named schema; yield ``url`` with ``?schema=<name>``; drop it.

    Runs never collide: each schema name is fresh (``fabula_test_<random>``).
    """
    from fabula.store.postgres import create_schema, drop_schema

    name = f"fabula_test_{uuid.uuid4().hex[:16]}"
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "schema"]
    schema_url = urlunsplit(parts._replace(query=urlencode([*query, ("schema", name)])))
    create_schema(schema_url)
    try:
        yield schema_url
    finally:
        drop_schema(schema_url)
