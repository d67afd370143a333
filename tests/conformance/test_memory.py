"""The conformance suite against the in-memory reference backend."""

import asyncio

import pytest

from fabula.store.memory import AsyncMemoryStore, MemoryStore
from fabula.testing.conformance import ASYNC_CHECKS, SYNC_CHECKS, run_async_check, run_check


@pytest.mark.parametrize("check", SYNC_CHECKS, ids=lambda check: check.__name__)
def test_sync(check):
    run_check(check, MemoryStore)


@pytest.mark.parametrize("check", ASYNC_CHECKS, ids=lambda check: check.__name__)
def test_async(check):
    asyncio.run(run_async_check(check, AsyncMemoryStore))
