"""Fixtures shared by fabula's own tests: the PostgreSQL server behind ``postgres`` tests.

They are the public plugin's fixtures (``fabula.testing.plugin``) under shorter names: the
server comes from ``FABULA_TEST_DATABASE_URL``; when it, or the postgres backend, is
unavailable, tests that need it skip with the reason, and with ``CI=true`` they fail
instead, so CI never passes by skipping.
"""

import pytest


@pytest.fixture(scope="session")
def postgres_url(fabula_postgres_url: str) -> str:
    """The test server's URL, once the server answers and the backend imports."""
    return fabula_postgres_url


@pytest.fixture
def postgres_schema_url(fabula_postgres_schema_url: str) -> str:
    """The URL of a new, empty schema on the test server, dropped after the test."""
    return fabula_postgres_schema_url
