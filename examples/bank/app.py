"""The bank account over REST (seed 001's ``restful`` demo), with FastAPI: ``fabula serve bank``.

| route | body | answer |
|---|---|---|
| ``POST /account/openBankAccount/{id}`` | ``{"account_id": id}`` | 204 |
| ``POST /account/depositMoney/{id}`` | ``{"amount": 1000.0}`` | 204 |
| ``POST /account/withdrawMoney/{id}`` | ``{"amount": 400.0}`` | 204 |
| ``POST /account/writeCheck/{id}`` | ``{"check_number": "1170", "amount": 256.28}`` | 204 |
| ``GET /account/{id}`` | | ``{"account_id", "balance", "written_checks"}`` |

A refused command answers 400 with the error's JSON (``{"code", "message", "params"}``),
and writes nothing. Each 204 carries a token for the position of its events in the
``Fabula-Position`` header; ``GET /account/{id}?after=<token>`` waits until the read
model has passed it (read your writes). Every event's metadata holds the time of its
command, and every command is logged (logger ``fabula.commands``), as in the seed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

from fastapi import FastAPI, Path, Response
from pydantic import BaseModel, Field

from examples.bank.aggregate import BankAccount, stream_id, stream_of
from examples.bank.commands import (
    BankAccountCommand,
    DepositMoney,
    OpenBankAccount,
    WithdrawMoney,
    WriteCheck,
)
from examples.bank.events import EVENTS
from examples.bank.read_model import bank_accounts, find_account
from fabula import AsyncFlow, DomainError, open_async_store
from fabula.app import (
    AsyncEnrichMetadata,
    AsyncIdempotency,
    AsyncLogCommands,
    AsyncRetryOnConflict,
    CommandContext,
)
from fabula.codec import EventRegistry
from fabula.domain import JSONValue
from fabula.web import (
    POSITION_HEADER,
    AfterToken,
    PositionTokens,
    StorableText,
    error_responses,
    install_docs,
    install_error_handlers,
)

__all__ = ["DEFAULT_URL", "create_app"]

DEFAULT_URL = "sqlite:///bank.db"
"""Where `fabula serve bank` keeps its events and read model unless told otherwise."""

AccountId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$", examples=["acct-1"])
]
Money = Annotated[
    Decimal, Field(max_digits=14, decimal_places=2, allow_inf_nan=False, examples=[1000.0])
]


class OpenBankAccountBody(BaseModel):
    """The body of `openBankAccount`: the account id again, as in the seed."""

    account_id: StorableText


class AmountBody(BaseModel):
    """The body of `depositMoney` and `withdrawMoney`."""

    amount: Money


class WriteCheckBody(BaseModel):
    """The body of `writeCheck`."""

    check_number: StorableText = Field(min_length=1, max_length=32)
    amount: Money


class AccountView(BaseModel):
    """The seed's `BankAccountQuery` as JSON (money as JSON numbers, as in the seed)."""

    account_id: str
    balance: float
    written_checks: list[str]


class AccountIdMismatch(DomainError):
    """The body names another account than the URL."""

    code = "account_id_mismatch"
    message = "the account_id in the body must be the one in the URL"


class AccountNotFound(DomainError):
    """No open account has this id."""

    code = "account_not_found"
    message = "no bank account has this id"


def _command_time(context: CommandContext) -> dict[str, JSONValue]:
    return {"time": datetime.now(UTC).isoformat()}


class _Running:
    """What the app opens when it starts (see `lifespan`)."""

    flow: AsyncFlow


def create_app(url: str = DEFAULT_URL) -> FastAPI:
    """Return the bank app, keeping its events and read model at `url`."""
    registry = EventRegistry(EVENTS)
    accounts = bank_accounts()
    tokens = PositionTokens()
    running = _Running()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_async_store(url)
        try:
            flow = AsyncFlow(
                store,
                registry=registry,
                middleware=[
                    AsyncLogCommands(),
                    AsyncRetryOnConflict(),
                    AsyncIdempotency(store, registry),
                    AsyncEnrichMetadata(_command_time),
                ],
            )
            flow.register(BankAccount, stream_id=stream_of)
            await accounts.start(store, url, registry=registry)
            running.flow = flow
            yield
        finally:
            await accounts.close()
            await store.close()

    app = FastAPI(
        title="fabula bank account",
        description="Seed 001's bank account demo (the Rust cqrs-es2 crates' restful example) "
        "over REST. Guide: docs/examples.md in the fabula repository.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "commands", "description": "Change an account (204, or 4xx)."},
            {"name": "queries", "description": "Read an account (read your writes)."},
        ],
    )
    install_error_handlers(app, statuses={AccountNotFound: 404})
    install_docs(app)

    async def dispatch(command: BankAccountCommand) -> Response:
        result = await running.flow.dispatch(command)
        token = tokens.issue(result.position)
        return Response(status_code=204, headers={POSITION_HEADER: token} if token else {})

    refusals = error_responses(400, 422)
    commands: list[str | Enum] = ["commands"]

    @app.post(
        "/account/openBankAccount/{account_id}",
        status_code=204,
        responses=refusals,
        tags=commands,
        summary="Open an account",
    )
    async def open_bank_account(account_id: AccountId, body: OpenBankAccountBody) -> Response:
        """Open an account (once)."""
        if body.account_id != account_id:
            raise AccountIdMismatch(params={"path": account_id, "body": body.account_id[:64]})
        return await dispatch(OpenBankAccount(account_id))

    @app.post(
        "/account/depositMoney/{account_id}",
        status_code=204,
        responses=refusals,
        tags=commands,
        summary="Deposit money",
    )
    async def deposit_money(account_id: AccountId, body: AmountBody) -> Response:
        """Deposit money into an open account."""
        return await dispatch(DepositMoney(account_id, body.amount))

    @app.post(
        "/account/withdrawMoney/{account_id}",
        status_code=204,
        responses=refusals,
        tags=commands,
        summary="Withdraw cash",
    )
    async def withdraw_money(account_id: AccountId, body: AmountBody) -> Response:
        """Withdraw cash, if the balance covers it."""
        return await dispatch(WithdrawMoney(account_id, body.amount))

    @app.post(
        "/account/writeCheck/{account_id}",
        status_code=204,
        responses=refusals,
        tags=commands,
        summary="Write a check",
    )
    async def write_check(account_id: AccountId, body: WriteCheckBody) -> Response:
        """Pay by check, if the balance covers it."""
        return await dispatch(WriteCheck(account_id, body.check_number, body.amount))

    @app.get(
        "/account/{account_id}",
        responses=error_responses(400, 404, 422, 503),
        tags=["queries"],
        summary="Read an account",
    )
    async def get_account(account_id: AccountId, after: AfterToken = None) -> AccountView:
        """Return the account's read model: balance and written checks."""
        await accounts.wait_for_position(tokens.read(after), timeout=5.0)
        found = await find_account(accounts, stream_id(account_id))
        if found is None or found.account_id is None:
            raise AccountNotFound(params={"account_id": account_id})
        return AccountView(
            account_id=found.account_id,
            balance=float(found.balance),
            written_checks=found.written_checks,
        )

    return app
