"""Fixtures shared by fabula's own tests: the PostgreSQL server behind ``postgres`` tests.

The server comes from ``FABULA_TEST_DATABASE_URL`` (see ``fabula.testing._postgres``).
When it, or the postgres backend, is unavailable, the tests that need it skip with the
reason; with ``CI=true`` they fail instead, so CI never passes by skipping.
"""

import os
from collections.abc import Iterator
from typing import NoReturn

import pytest

from fabula.testing._postgres import (
    postgres_unavailable_reason,
    temporary_schema,
    test_database_url,
)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"PostgreSQL is required when CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL is not available: {reason}")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test server's URL, once the server answers and the backend imports."""
    url = test_database_url()
    reason = postgres_unavailable_reason(url)
    if reason is not None:
        _unavailable(f"{reason} (FABULA_TEST_DATABASE_URL={url!r})")
    return url


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """The URL of a new, empty schema on the test server, dropped after the test."""
    with temporary_schema(postgres_url) as url:
        yield url
