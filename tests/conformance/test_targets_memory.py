"""The target suite against the in-memory reference target, sync and asyncio."""

import asyncio

import pytest

from fabula.testing.conformance.targets import (
    ASYNC_CHECKS,
    SYNC_CHECKS,
    async_memory_kit,
    memory_kit,
)


@pytest.mark.parametrize("check", SYNC_CHECKS, ids=lambda check: check.__name__)
def test_sync(check):
    check(memory_kit())


@pytest.mark.parametrize("check", ASYNC_CHECKS, ids=lambda check: check.__name__)
def test_async(check):
    asyncio.run(check(async_memory_kit()))
