"""The account balance over REST (seed 004, Estoria's CQRS page): ``fabula serve balance``.

| route | answer |
|---|---|
| ``POST /modify-balance`` ``{"account_id": "<uuid>", "amount": -500}`` | 204 |
| ``GET /account-summary?account_id=<uuid>`` | ``{"balance", "last_updated"}`` from the stream |
| ``GET /account-summary/read-model?account_id=<uuid>`` | the same, from a read model |

The seed's handler loads the account, appends ``balancechanged`` and answers 204; its
query folds the account's events on demand ("simple projection"), which suits a short
stream. The read-model route reads a table a projection keeps instead (Estoria's
"dedicated read model"): it lags behind the writes, so it takes the ``Fabula-Position``
token of a 204 as ``?after=`` to read your writes. An account with no events is a 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import FastAPI, Response
from pydantic import BaseModel, Field

from examples.balance.aggregate import Account, stream_id, stream_of
from examples.balance.commands import ModifyBalance
from examples.balance.events import EVENTS
from examples.balance.read_model import account_balances, find_balance
from examples.balance.view import AccountView, account_summary
from fabula import AsyncEventStore, AsyncFlow, DomainError, open_async_store
from fabula.codec import EventRegistry
from fabula.web import (
    POSITION_HEADER,
    AfterToken,
    PositionTokens,
    error_responses,
    install_docs,
    install_error_handlers,
)

__all__ = ["DEFAULT_URL", "create_app"]

DEFAULT_URL = "sqlite:///balance.db"
"""Where `fabula serve balance` keeps its events and read model unless told otherwise."""


class ModifyBalanceBody(BaseModel):
    """The seed's `ModifyBalanceCommand`: any amount, positive or negative."""

    account_id: UUID
    amount: Annotated[int, Field(ge=-(10**12), le=10**12, examples=[1000, -500])]


class AccountSummary(BaseModel):
    """The seed's `AccountView`."""

    balance: int
    last_updated: datetime | None


class AccountNotFound(DomainError):
    """No event was ever stored for this account."""

    code = "account_not_found"
    message = "no account has this id"


class _Running:
    """What the app opens when it starts (see `lifespan`)."""

    store: AsyncEventStore
    flow: AsyncFlow


def create_app(url: str = DEFAULT_URL) -> FastAPI:
    """Return the account balance app, keeping its events and read model at `url`."""
    registry = EventRegistry(EVENTS)
    balances = account_balances()
    tokens = PositionTokens()
    running = _Running()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_async_store(url)
        try:
            flow = AsyncFlow(store, registry=registry)
            flow.register(Account, stream_id=stream_of)
            await balances.start(store, url, registry=registry)
            running.store, running.flow = store, flow
            yield
        finally:
            await balances.close()
            await store.close()

    app = FastAPI(
        title="fabula account balance",
        description="Seed 004's account balance: a 204 command, an on-demand summary and "
        "a dedicated read model. Guide: docs/examples.md in the fabula repository.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "commands", "description": "Change a balance (204, or 4xx)."},
            {"name": "queries", "description": "Read an account's summary, two ways."},
        ],
    )
    install_error_handlers(app, statuses={AccountNotFound: 404})
    install_docs(app)

    def summary(view: AccountView, account_id: UUID) -> AccountSummary:
        if view.last_updated is None:
            raise AccountNotFound(params={"account_id": str(account_id)})
        return AccountSummary(balance=view.balance, last_updated=view.last_updated)

    @app.post(
        "/modify-balance",
        status_code=204,
        responses=error_responses(400, 422),
        tags=["commands"],
        summary="Change a balance",
    )
    async def modify_balance(body: ModifyBalanceBody) -> Response:
        """Add an amount (negative: subtract) to an account's balance."""
        command = ModifyBalance(
            account_id=body.account_id, amount=body.amount, changed_at=datetime.now(UTC)
        )
        result = await running.flow.dispatch(command)
        token = tokens.issue(result.position)
        return Response(status_code=204, headers={POSITION_HEADER: token} if token else {})

    @app.get(
        "/account-summary",
        responses=error_responses(404, 422),
        tags=["queries"],
        summary="Summary folded on demand",
    )
    async def account_summary_on_demand(account_id: UUID) -> AccountSummary:
        """Fold the account's stream into its summary, now."""
        records = await running.store.read_stream(stream_id(account_id))
        return summary(account_summary.fold(records), account_id)

    @app.get(
        "/account-summary/read-model",
        responses=error_responses(400, 404, 422, 503),
        tags=["queries"],
        summary="Summary from the read model",
    )
    async def account_summary_from_read_model(
        account_id: UUID, after: AfterToken = None
    ) -> AccountSummary:
        """Read the account's summary from the dedicated read model."""
        await balances.wait_for_position(tokens.read(after), timeout=5.0)
        found = await find_balance(balances, stream_id(account_id))
        return summary(found or AccountView(), account_id)

    return app
