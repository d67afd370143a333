"""fabula.web on its own: error answers, position tokens, the SSE feed, GraphQL errors."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime

import httpx
import pytest
import strawberry
from fastapi import FastAPI, HTTPException

from fabula import (
    ConcurrencyError,
    ContentionTimeout,
    DomainError,
    InvalidStreamId,
    StoreError,
    StreamArchived,
    StreamDeleted,
    StreamNotFound,
)
from fabula.read import PositionTimeout, ProjectionFailed
from fabula.store import NewEvent, StoredEvent
from fabula.store.memory import AsyncMemoryStore
from fabula.web import (
    InvalidLastEventId,
    InvalidPositionToken,
    PositionTokens,
    event_stream,
    format_event,
    install_error_handlers,
    resume_after,
)
from fabula.web.graphql import Schema

pytestmark = pytest.mark.anyio


class Refused(DomainError):
    code = "refused"
    message = "no"


class Missing(Refused):
    code = "missing"
    message = "not here"


class AccountFrozen(DomainError):
    message = "the account is frozen"


def failing_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app, statuses={Refused: 418})
    errors: dict[str, Exception] = {
        "domain": DomainError("plain", code="plain"),
        "unnamed": AccountFrozen(),
        "mapped": Refused(params={"x": 1}),
        "inherited": Missing(),
        "conflict": ConcurrencyError("s-1", "version 2", 3),
        "missing": StreamNotFound("s-1"),
        "archived": StreamArchived("s-1"),
        "deleted": StreamDeleted("s-1"),
        "timeout": PositionTimeout("p", position=9, reached=4, timeout=1.0),
        "http": HTTPException(405, "Method Not Allowed"),
        "store": StoreError("PostgreSQL at db.internal:5432 failed: connection refused"),
        "stopped": ProjectionFailed("accounts", position=7, reason="NUL in TEXT: x\x00y"),
        "busy": ContentionTimeout("s-1", "version 2", 3, attempts=40, deadline=10.0),
        "exists": ConcurrencyError("s-1", "an existing stream", 0),
        "bug": ZeroDivisionError("password=hunter2"),
        "argument": InvalidStreamId("stream_id", "x" * 600, "at most 500 characters"),
    }

    @app.get("/fail/{kind}")
    async def fail(kind: str) -> None:
        raise errors[kind]

    return app


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("domain", 400, {"code": "plain", "message": "plain", "params": {}}),
        (
            "unnamed",
            400,
            {"code": "account_frozen", "message": "the account is frozen", "params": {}},
        ),
        ("mapped", 418, {"code": "refused", "message": "no", "params": {"x": 1}}),
        (
            "archived",
            404,
            {
                "code": "stream_archived",
                "message": "stream 's-1' is archived (unarchive it first)",
                "params": {"stream_id": "s-1"},
            },
        ),
        (
            "deleted",
            410,
            {
                "code": "stream_deleted",
                "message": "stream 's-1' is deleted",
                "params": {"stream_id": "s-1"},
            },
        ),
        ("inherited", 418, {"code": "missing", "message": "not here", "params": {}}),
        (
            "conflict",
            409,
            {
                "code": "concurrency_conflict",
                "message": "stream 's-1': expected version 2, but it is at version 3",
                "params": {"stream_id": "s-1", "expected_version": 2, "actual_version": 3},
            },
        ),
        (
            "exists",
            409,
            {
                "code": "concurrency_conflict",
                "message": "stream 's-1': expected an existing stream, but it is at version 0",
                "params": {"stream_id": "s-1", "expected_version": None, "actual_version": 0},
            },
        ),
        (
            "missing",
            404,
            {
                "code": "stream_not_found",
                "message": "stream 's-1' does not exist",
                "params": {"stream_id": "s-1"},
            },
        ),
        (
            "argument",
            422,
            {
                "code": "invalid_argument",
                "message": "stream_id: got '" + "x" * 59 + "... (602 characters);"
                " wanted at most 500 characters",
                "params": {"argument": "stream_id"},
            },
        ),
        (
            "http",
            405,
            {"code": "method_not_allowed", "message": "Method Not Allowed", "params": {}},
        ),
    ],
)
async def test_errors_become_json_answers(kind: str, status: int, body: object) -> None:
    transport = httpx.ASGITransport(app=failing_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get(f"/fail/{kind}")
    assert (answer.status_code, answer.json()) == (status, body)


async def test_a_store_failure_is_a_503_that_tells_no_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = httpx.ASGITransport(app=failing_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/fail/store")
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "1")
    assert answer.json() == {
        "code": "store_unavailable",
        "message": "the store is unavailable; try again",
        "params": {},
    }
    assert "db.internal" in caplog.text  # logged for the operator


@pytest.mark.parametrize(
    ("kind", "code", "params", "retry_after"),
    [
        ("timeout", "position_timeout", {"position": 9, "reached": 4}, "1"),
        ("stopped", "read_model_unavailable", {"read_model": "accounts"}, "5"),
        ("busy", "write_contention", {"stream_id": "s-1", "attempts": 40}, "1"),
    ],
)
async def test_what_may_pass_is_a_503_to_retry(
    kind: str, code: str, params: dict[str, object], retry_after: str
) -> None:
    transport = httpx.ASGITransport(app=failing_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get(f"/fail/{kind}")
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, retry_after)
    assert (answer.json()["code"], answer.json()["params"]) == (code, params)
    assert "\x00" not in answer.text  # the reason a read model stopped stays in the log


async def test_any_other_exception_is_a_500_json_logged_once_with_its_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = httpx.ASGITransport(app=failing_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/fail/bug")
        refused = await client.get("/fail/mapped")
    assert answer.status_code == 500
    body = answer.json()
    assert (body["code"], list(body["params"])) == ("internal_error", ["correlation_id"])
    assert "hunter2" not in answer.text
    [logged] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert body["params"]["correlation_id"] in logged.getMessage()
    assert logged.exc_info is not None  # the traceback, for the operator
    assert refused.status_code == 418  # a 4xx logs no error
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


async def test_a_position_timeout_is_a_503_to_retry() -> None:
    transport = httpx.ASGITransport(app=failing_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/fail/timeout")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["code"] == "position_timeout"
    assert answer.json()["params"] == {"position": 9, "reached": 4}


def test_position_tokens_carry_only_positions_they_issued() -> None:
    tokens = PositionTokens(b"k" * 32)
    token = tokens.issue(42)
    assert token is not None
    assert token.startswith("42.")
    assert tokens.read(token) == 42
    assert tokens.issue(None) is None
    assert tokens.read(None) is None
    assert PositionTokens(b"k" * 32).read(token) == 42  # another instance, same secret
    mac = token.split(".")[1]
    for bad in (f"43.{mac}", "42", "42.", f"-42.{mac}", "x.y", f"{'9' * 30}.{mac}", token + "x"):
        with pytest.raises(InvalidPositionToken):
            tokens.read(bad)
    with pytest.raises(InvalidPositionToken):
        PositionTokens().read(token)  # another secret


def stored(position: int, stream_id: str = "order-1", type_: str = "OrderCreated") -> StoredEvent:
    return StoredEvent(
        position=position,
        stream_id=stream_id,
        version=1,
        event_id=uuid.UUID(int=position),
        type=type_,
        data='{"orderId":"1"}',
        schema_version=1,
        metadata='{"by":"ann"}',
        causation_id=None,
        correlation_id=None,
        recorded_at=datetime(2024, 5, 1, tzinfo=UTC),
    )


def test_an_sse_message() -> None:
    message = format_event(stored(7))
    head, data = message.rsplit(b"\ndata: ", 1)
    assert head == b"id: 7\nevent: OrderCreated"
    assert data.endswith(b"\n\n")
    assert json.loads(data) == {
        "stream_id": "order-1",
        "version": 1,
        "position": 7,
        "type": "OrderCreated",
        "recorded_at": "2024-05-01T00:00:00+00:00",
        "data": {"orderId": "1"},
        "metadata": {"by": "ann"},
    }


def test_resume_after() -> None:
    assert resume_after(None, default=5) == 5
    assert resume_after("12", default=5) == 12
    for bad in ("-1", "x", "١٢", ""):
        with pytest.raises(InvalidLastEventId):
            resume_after(bad, default=5)


def new(stream_type: str) -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type=stream_type, data="{}")


async def test_the_feed_catches_up_filters_then_follows() -> None:
    store = AsyncMemoryStore()
    await store.append("order-1", [new("OrderCreated")])
    await store.append("user-1", [new("UserCreated")])
    await store.append("order-2", [new("OrderCreated")])

    async def mine(record: StoredEvent) -> bool:
        return record.stream_id != "order-2"

    feed = event_stream(store, after=0, categories=["order"], select=mine, keepalive=0.05)
    first = await anext(feed)
    assert first.startswith(b"id: 1\nevent: OrderCreated\n")
    assert await anext(feed) == b": keep-alive\n\n"  # order-2 is not selected
    await store.append("order-1", [new("OrderShipped")])
    assert (await asyncio.wait_for(anext(feed), 2)).startswith(b"id: 4\nevent: OrderShipped\n")
    await feed.aclose()
    await store.close()


@strawberry.type
class Query:
    @strawberry.field
    def refused(self) -> str:
        raise Refused(params={"why": "rules"})

    @strawberry.field
    def conflict(self) -> str:
        raise ConcurrencyError("s-1", "version 1", 2)

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("password=hunter2")

    @strawberry.field
    def stopped(self) -> str:
        raise ProjectionFailed("todo_list", position=3, reason="NUL")

    @strawberry.field
    def argument(self) -> str:
        raise InvalidStreamId("stream_id", "", "a non-empty str")


schema = Schema(Query)


async def test_graphql_errors_carry_codes_and_hide_the_unexpected(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        refused = await schema.execute("{ refused }")
        conflict = await schema.execute("{ conflict }")
        broken = await schema.execute("{ broken }")
        stopped = await schema.execute("{ stopped }")
        argument = await schema.execute("{ argument }")
    assert refused.errors is not None
    assert argument.errors is not None
    assert argument.errors[0].extensions == {
        "code": "invalid_argument",
        "params": {"argument": "stream_id"},
    }
    assert stopped.errors is not None
    assert conflict.errors is not None
    assert broken.errors is not None
    [error] = refused.errors
    assert (error.message, error.extensions) == (
        "no",
        {"code": "refused", "params": {"why": "rules"}},
    )
    [error] = conflict.errors
    assert error.extensions == {
        "code": "concurrency_conflict",
        "params": {"stream_id": "s-1", "expected_version": 1, "actual_version": 2},
    }
    [error] = stopped.errors
    assert error.extensions == {
        "code": "read_model_unavailable",
        "params": {"read_model": "todo_list"},
    }
    [error] = broken.errors
    assert error.message == "Unexpected error."
    assert error.extensions is not None
    assert error.extensions["code"] == "internal_error"
    correlation_id = error.extensions["params"]["correlation_id"]
    # A refusal is one INFO line; only the unexpected error is logged as an ERROR, once.
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert correlation_id in errors[0].getMessage()
    assert "hunter2" in str(errors[0].exc_info[1])
    assert any("answered 400 refused" in r.getMessage() for r in caplog.records)


async def test_graphql_client_errors_are_not_logged_as_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        syntax = await schema.execute("{ refused ")
        unknown = await schema.execute("{ nowhere }")
    assert syntax.errors is not None
    assert unknown.errors is not None
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert all(r.exc_info is None for r in caplog.records)
