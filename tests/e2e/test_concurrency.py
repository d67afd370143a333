"""Real concurrency: many clients hit one account at once over a real server process.

No client sends an expected version, so no answer may be a 409: the flow retries a lost
race on fresh state until it wins. The final balance is the sum of the accepted commands.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from ._server import ServerLog, running_server

pytestmark = pytest.mark.anyio

COMMANDS = 100


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    found: str = request.getfixturevalue("fabula_postgres_schema_url")
    return found


@pytest.fixture
def bank(url: str, tmp_path: Path) -> Iterator[tuple[str, ServerLog]]:
    with running_server("bank", url, tmp_path) as running:
        yield running


@pytest.fixture
def balance(url: str, tmp_path: Path) -> Iterator[str]:
    with running_server("balance", url, tmp_path) as (base, _):
        yield base


def position(answer: httpx.Response) -> int:
    return int(answer.headers["Fabula-Position"].split(".")[0])


async def test_100_concurrent_bank_commands_on_one_account(
    bank: tuple[str, ServerLog],
) -> None:
    base, log = bank
    rng = random.Random(11)
    account = "acct-busy"
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        opened = await client.post(
            f"/account/openBankAccount/{account}", json={"account_id": account}
        )
        funded = await client.post(f"/account/depositMoney/{account}", json={"amount": 5000})
        assert (opened.status_code, funded.status_code) == (204, 204)
        # Withdrawals the opening deposit covers in any order, and deposits, all at once.
        amounts = [Decimal(rng.randint(1, 4000)) / 100 for _ in range(COMMANDS)]
        routes = ["withdrawMoney" if i % 3 else "depositMoney" for i in range(COMMANDS)]
        answers = await asyncio.gather(
            *(
                client.post(f"/account/{route}/{account}", json={"amount": str(amount)})
                for route, amount in zip(routes, amounts, strict=True)
            )
        )
        statuses = [answer.status_code for answer in answers]
        assert statuses.count(409) == 0
        assert statuses == [204] * COMMANDS, {a.status_code: a.text for a in answers}
        expected = Decimal(5000) + sum(
            (
                a if route == "depositMoney" else -a
                for route, a in zip(routes, amounts, strict=True)
            ),
            Decimal(0),
        )
        last = max(answers, key=position).headers["Fabula-Position"]
        found = await client.get(f"/account/{account}", params={"after": last})
    assert found.status_code == 200
    assert Decimal(str(found.json()["balance"])) == expected
    # The bank logs every command (logger fabula.commands), under fabula serve too.
    assert log().count("WithdrawMoney") == routes.count("withdrawMoney")


async def test_100_concurrent_balance_changes_on_one_account(balance: str) -> None:
    account = str(uuid.uuid4())
    rng = random.Random(4)
    amounts = [rng.randint(-1000, 1000) for _ in range(COMMANDS)]
    async with httpx.AsyncClient(base_url=balance, timeout=60) as client:
        answers = await asyncio.gather(
            *(
                client.post("/modify-balance", json={"account_id": account, "amount": amount})
                for amount in amounts
            )
        )
        statuses = [answer.status_code for answer in answers]
        assert statuses.count(409) == 0
        assert statuses == [204] * COMMANDS, {a.status_code: a.text for a in answers}
        last = max(answers, key=position).headers["Fabula-Position"]
        stored = await client.get("/account-summary", params={"account_id": account})
        read = await client.get(
            "/account-summary/read-model", params={"account_id": account, "after": last}
        )
    assert stored.json()["balance"] == read.json()["balance"] == sum(amounts)
