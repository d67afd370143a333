"""Subscriptions get fabula's error codes and masking too (``Schema.stream``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator

import pytest
import strawberry

from fabula.web import NotAuthenticated
from fabula.web.graphql import Schema


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True


def refuse() -> None:
    raise NotAuthenticated


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def refused(self) -> AsyncGenerator[int, None]:
        refuse()
        yield 0

    @strawberry.subscription
    async def broken(self) -> AsyncGenerator[int, None]:
        yield 1
        raise RuntimeError("password=hunter2 at db:5432")


schema = Schema(Query, subscription=Subscription)


Errors = list[tuple[str, object]]


async def results(query: str) -> list[tuple[object, Errors]]:
    source = await schema.subscribe(query)
    assert not isinstance(source, strawberry.types.ExecutionResult)
    return [
        (result.data, [(error.message, error.extensions) for error in result.errors or []])
        async for result in source
    ]


def test_a_refusal_in_a_subscription_carries_its_code() -> None:
    [(data, errors)] = asyncio.run(results("subscription { refused }"))
    assert data is None
    assert errors == [
        (NotAuthenticated.message, {"code": "not_authenticated", "params": {}}),
    ]


def test_an_unexpected_error_in_a_subscription_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="fabula"):
        first, second = asyncio.run(results("subscription { broken }"))
    assert first == ({"broken": 1}, [])
    [(message, extensions)] = second[1]
    assert message == "Unexpected error."
    assert isinstance(extensions, dict)
    assert extensions["code"] == "internal_error"
    correlation_id = extensions["params"]["correlation_id"]
    # Logged once, with its traceback and the id the client was shown.
    [logged] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert correlation_id in logged.getMessage()
    assert logged.exc_info is not None
