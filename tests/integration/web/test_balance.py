"""The account balance app (seed 004, section G) over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest

from examples.balance.app import create_app

from .conftest import serve

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
async def client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(url)) as client:
        yield client


async def modify(client: httpx.AsyncClient, account_id: uuid.UUID, amount: int) -> str:
    answer = await client.post(
        "/modify-balance", json={"account_id": str(account_id), "amount": amount}
    )
    assert answer.status_code == 204, answer.text
    assert answer.content == b""
    return answer.headers["Fabula-Position"]


async def test_both_summaries_agree(client: httpx.AsyncClient) -> None:
    account = uuid.uuid4()
    tokens = [await modify(client, account, amount) for amount in (1000, -500, 250, -708)]
    await modify(client, uuid.uuid4(), 7)  # another account

    folded = await client.get("/account-summary", params={"account_id": str(account)})
    assert folded.status_code == 200
    assert folded.json()["balance"] == 42
    projected = await client.get(
        "/account-summary/read-model", params={"account_id": str(account), "after": tokens[-1]}
    )
    assert projected.status_code == 200
    assert projected.json() == folded.json()
    assert datetime.fromisoformat(folded.json()["last_updated"]).tzinfo is not None


async def test_the_balance_may_go_negative(client: httpx.AsyncClient) -> None:
    account = uuid.uuid4()
    token = await modify(client, account, -5)
    projected = await client.get(
        "/account-summary/read-model", params={"account_id": str(account), "after": token}
    )
    assert projected.json()["balance"] == -5


async def test_an_account_without_events_is_a_404(client: httpx.AsyncClient) -> None:
    unknown = str(uuid.uuid4())
    for route in ("/account-summary", "/account-summary/read-model"):
        missing = await client.get(route, params={"account_id": unknown})
        assert missing.status_code == 404
        assert missing.json() == {
            "code": "account_not_found",
            "message": "no account has this id",
            "params": {"account_id": unknown},
        }


@pytest.mark.parametrize(
    "body",
    [
        {"account_id": "not-a-uuid", "amount": 5},
        {"account_id": str(uuid.UUID(int=1)), "amount": "five"},
        {"account_id": str(uuid.UUID(int=1)), "amount": 1.5},
        {"account_id": str(uuid.UUID(int=1)), "amount": 10**13},
        {"amount": 5},
    ],
)
async def test_bad_input_is_a_422_and_writes_nothing(
    client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    refused = await client.post("/modify-balance", json=body)
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_request")
    folded = await client.get("/account-summary", params={"account_id": str(uuid.UUID(int=1))})
    assert folded.status_code == 404


async def test_bad_query_parameters(client: httpx.AsyncClient) -> None:
    assert (await client.get("/account-summary", params={"account_id": "x"})).status_code == 422
    assert (await client.get("/account-summary")).status_code == 422
    forged = await client.get(
        "/account-summary/read-model", params={"account_id": str(uuid.uuid4()), "after": "1.x"}
    )
    assert (forged.status_code, forged.json()["code"]) == (400, "invalid_position_token")
