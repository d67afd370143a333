"""The NATS JetStream server behind the broker tests, and a stream of their own per test.

The server comes from ``FABULA_TEST_NATS_URL`` (default ``nats://127.0.0.1:4222``). When
it does not answer, the tests skip with the reason, and with ``CI=true`` they fail.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

DEFAULT_URL = "nats://127.0.0.1:4222"


@pytest.fixture(scope="session")
def nats_url() -> str:
    """The test server's URL, once it answers."""
    url = os.environ.get("FABULA_TEST_NATS_URL", DEFAULT_URL)
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 4222), 2).close()
    except OSError as exc:
        reason = f"NATS is not reachable at {url}: {exc}"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def stream_name(nats_url: str) -> Iterator[str]:
    """A unique JetStream stream name (and subject prefix), deleted after the test."""
    name = f"fabula_test_{uuid.uuid4().hex[:12]}"
    yield name
    asyncio.run(_delete(nats_url, name))


async def _delete(url: str, name: str) -> None:
    import nats
    import nats.js.errors

    connection = await nats.connect(url)
    try:
        await connection.jetstream().delete_stream(name)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await connection.close()
