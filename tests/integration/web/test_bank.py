"""The bank account app (seed 001, section D) over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Literal

import httpx
import pytest

from examples._sql import SqlReadModel
from examples.bank.aggregate import BankAccount, stream_of
from examples.bank.app import create_app
from examples.bank.commands import WriteCheck
from examples.bank.events import EVENTS
from examples.bank.read_model import bank_accounts
from fabula import AsyncFlow, open_async_store
from fabula.codec import EventRegistry
from fabula.read import ErrorPolicy
from fabula.store import NewEvent

from .conftest import new_id, serve

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
async def client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(url)) as client:
        yield client


@pytest.fixture
def account() -> str:
    return new_id("a")


async def stored_types(url: str, account_id: str) -> list[str]:
    store = open_async_store(url)
    try:
        return [record.type for record in await store.read_stream(f"bank_account-{account_id}")]
    finally:
        await store.close()


async def open_account(client: httpx.AsyncClient, account_id: str) -> httpx.Response:
    return await client.post(
        f"/account/openBankAccount/{account_id}", json={"account_id": account_id}
    )


async def test_the_seed_session(client: httpx.AsyncClient, account: str) -> None:
    assert (await open_account(client, account)).status_code == 204
    deposit = await client.post(f"/account/depositMoney/{account}", json={"amount": 1000.0})
    withdraw = await client.post(f"/account/withdrawMoney/{account}", json={"amount": 400.0})
    check = await client.post(
        f"/account/writeCheck/{account}", json={"check_number": "1170", "amount": 256.28}
    )
    assert [r.status_code for r in (deposit, withdraw, check)] == [204, 204, 204]
    assert deposit.content == b""
    token = check.headers["Fabula-Position"]
    assert int(token.split(".")[0]) > int(deposit.headers["Fabula-Position"].split(".")[0])

    found = await client.get(f"/account/{account}", params={"after": token})
    assert found.status_code == 200
    assert found.json() == {"account_id": account, "balance": 343.72, "written_checks": ["1170"]}


@pytest.mark.parametrize(
    ("route", "body", "code", "message"),
    [
        ("openBankAccount", None, "account_already_open", "bank account is already open"),
        ("withdrawMoney", {"amount": 5000}, "funds_not_available", "funds not available"),
        (
            "writeCheck",
            {"check_number": "9", "amount": 5000},
            "funds_not_available",
            "funds not available",
        ),
        ("depositMoney", {"amount": -5}, "invalid_amount", "amount must be positive"),
    ],
)
async def test_refused_commands_answer_400_and_write_nothing(
    client: httpx.AsyncClient,
    url: str,
    account: str,
    route: str,
    body: dict[str, object] | None,
    code: str,
    message: str,
) -> None:
    await open_account(client, account)
    funded = await client.post(f"/account/depositMoney/{account}", json={"amount": 100})

    refused = await client.post(f"/account/{route}/{account}", json=body or {"account_id": account})
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["message"]) == (code, message)

    found = await client.get(
        f"/account/{account}", params={"after": funded.headers["Fabula-Position"]}
    )
    assert found.json() == {"account_id": account, "balance": 100.0, "written_checks": []}
    assert await stored_types(url, account) == ["BankAccountOpened", "CustomerDepositedMoney"]


async def test_money_moves_only_on_an_open_account(client: httpx.AsyncClient, account: str) -> None:
    refused = await client.post(f"/account/depositMoney/{account}", json={"amount": 10})
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "account_not_open",
        "message": "bank account is not open",
        "params": {},
    }


async def test_an_unknown_account_is_404(client: httpx.AsyncClient, account: str) -> None:
    missing = await client.get(f"/account/{account}")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "account_not_found",
        "message": "no bank account has this id",
        "params": {"account_id": account},
    }


async def test_the_body_must_name_the_account_of_the_url(
    client: httpx.AsyncClient, url: str, account: str
) -> None:
    refused = await client.post(f"/account/openBankAccount/{account}", json={"account_id": "b"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "account_id_mismatch"
    assert await stored_types(url, account) == []


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b'{"amount": "lots"}', 422, "invalid_request"),
        (b'{"amount": 1.001}', 422, "invalid_request"),
        (b'{"amount": "NaN"}', 422, "invalid_request"),
        (b"{}", 422, "invalid_request"),
        (b"[1, 2]", 422, "invalid_request"),
    ],
)
async def test_bad_input_is_a_4xx_json_and_writes_nothing(
    client: httpx.AsyncClient, url: str, account: str, content: bytes, status: int, code: str
) -> None:
    await open_account(client, account)
    answer = await client.post(
        f"/account/depositMoney/{account}",
        content=content,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == status
    assert answer.json()["code"] == code
    assert await stored_types(url, account) == ["BankAccountOpened"]


async def test_bad_ids_are_422(client: httpx.AsyncClient) -> None:
    for account_id in ("a b", "x" * 65, "é"):
        answer = await client.get(f"/account/{account_id}")
        assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request")


async def test_a_position_token_the_app_did_not_issue_is_refused(
    client: httpx.AsyncClient, account: str
) -> None:
    token = (await open_account(client, account)).headers["Fabula-Position"]
    position, mac = token.split(".")
    assert (await client.get(f"/account/{account}", params={"after": token})).status_code == 200
    for forged in (f"{int(position) + 1}.{mac}", position, "x", "999999.abc"):
        refused = await client.get(f"/account/{account}", params={"after": forged})
        assert refused.status_code == 400
        assert refused.json() == {
            "code": "invalid_position_token",
            "message": "the position token was not issued by this server",
            "params": {"token": forged},
        }


async def test_the_openapi_document_lists_the_routes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert set(spec["paths"]) == {
        "/account/openBankAccount/{account_id}",
        "/account/depositMoney/{account_id}",
        "/account/withdrawMoney/{account_id}",
        "/account/writeCheck/{account_id}",
        "/account/{account_id}",
    }
    assert (await client.get("/docs")).status_code == 200


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("writeCheck", {"check_number": "11\u000070", "amount": 1}),
        ("openBankAccount", {"account_id": "a\u0000"}),
    ],
)
async def test_text_a_read_model_cannot_hold_is_a_422(
    client: httpx.AsyncClient, url: str, account: str, route: str, body: dict[str, object]
) -> None:
    if route != "openBankAccount":
        await open_account(client, account)
    refused = await client.post(f"/account/{route}/{account}", json=body)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_request"
    [error] = refused.json()["params"]["errors"]
    assert (error["type"], error["loc"][-1]) == ("unstorable_text", next(iter(body)))
    written = [] if route == "openBankAccount" else ["BankAccountOpened"]
    assert await stored_types(url, account) == written


async def test_a_poison_event_is_parked_and_the_read_model_goes_on(
    client: httpx.AsyncClient, url: str, account: str, caplog: pytest.LogCaptureFixture
) -> None:
    await open_account(client, account)
    await client.post(f"/account/depositMoney/{account}", json={"amount": 100})
    # Stored behind the API's back: PostgreSQL's TEXT cannot hold the NUL it carries.
    store = open_async_store(url)
    try:
        flow = AsyncFlow(store, registry=EventRegistry(EVENTS))
        flow.register(BankAccount, stream_id=stream_of)
        await flow.dispatch(WriteCheck(account, "1\u00002", Decimal(30)))
    finally:
        await store.close()

    later = await client.post(f"/account/depositMoney/{account}", json={"amount": 5})
    found = await client.get(
        f"/account/{account}", params={"after": later.headers["Fabula-Position"]}
    )
    assert found.status_code == 200, found.text
    assert found.json()["balance"] == 75.0
    if url.startswith("postgresql"):
        assert found.json()["written_checks"] == []  # the poison event's row is lost
        assert "parked CustomerWroteCheck" in caplog.text


async def store_undecodable_check(url: str) -> None:
    """Store a CustomerWroteCheck no codec can decode: a poison event on every backend."""
    store = open_async_store(url)
    try:
        await store.append(
            "bank_account-poisoned",
            [NewEvent(event_id=uuid.uuid4(), type="CustomerWroteCheck", data='{"x": 1}')],
        )
    finally:
        await store.close()


@pytest.mark.parametrize("on_park", ["continue", "stop"])
async def test_after_a_poison_event_reads_answer_200_or_503_never_500(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch, on_park: Literal["stop", "continue"]
) -> None:
    def read_model() -> SqlReadModel:
        return bank_accounts(policy=ErrorPolicy(on_park=on_park))

    monkeypatch.setattr("examples.bank.app.bank_accounts", read_model)
    async with serve(create_app(fresh_url)) as client:
        await open_account(client, "a1")
        await store_undecodable_check(fresh_url)
        later = await client.post("/account/depositMoney/a1", json={"amount": 5})
        token = {"after": later.headers["Fabula-Position"]}
        found = await client.get("/account/a1", params=token)
        again = await client.get("/account/a1", params=token)
    if on_park == "continue":
        assert (found.status_code, found.json()["balance"]) == (200, 5.0)
        return
    for answer in (found, again):
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "5"
        assert answer.json() == {
            "code": "read_model_unavailable",
            "message": "the read model is not available; try again later",
            "params": {"read_model": "bank_accounts"},
        }
