"""The todo app over GraphQL (seed 000's demo), with FastAPI and Strawberry: ``fabula serve todo``.

``POST /graphql`` answers GraphQL; ``GET /graphql`` in a browser opens GraphiQL (set the
``X-User`` header there to say who you are). The schema is in ``schema.py``. A body that
is not a GraphQL request at all (malformed JSON, no query) answers 400 with a JSON error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from strawberry.fastapi import GraphQLRouter

from examples.todo import EVENTS, stream_of, todo
from examples.todo_app.read_model import todo_list
from examples.todo_app.schema import Services, TodoContext, schema
from fabula import AsyncFlow, DomainError, open_async_store
from fabula.codec import EventRegistry
from fabula.web import PositionTokens, install_error_handlers

__all__ = ["DEFAULT_URL", "create_app"]

DEFAULT_URL = "sqlite:///todo.db"
"""Where `fabula serve todo` keeps its events and read model unless told otherwise."""


class NotAGraphQLRequest(DomainError):
    """A POST body that is not a JSON object with a `query`."""

    code = "not_a_graphql_request"
    message = 'the body must be a JSON object like {"query": "..."}'


async def graphql_request(request: Request) -> None:
    """Refuse, with a JSON body, what Strawberry would refuse in plain text."""
    if request.method != "POST" or "json" not in request.headers.get("content-type", ""):
        return
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise NotAGraphQLRequest(params={"error": str(exc)}) from exc
    except RecursionError as exc:  # nested deeper than the parser goes: not a request
        raise NotAGraphQLRequest(params={"error": "the JSON is nested too deeply"}) from exc
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise NotAGraphQLRequest


def create_app(url: str = DEFAULT_URL) -> FastAPI:
    """Return the todo GraphQL app, keeping its events and read model at `url`."""
    registry = EventRegistry(EVENTS)
    todos = todo_list()
    tokens = PositionTokens()
    running: list[Services] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_async_store(url)
        try:
            flow = AsyncFlow(store, registry=registry)
            repository = flow.register(todo, stream_id=stream_of)
            await todos.start(store, url, registry=registry)
            running.append(Services(store, flow, repository, todos, tokens))
            yield
        finally:
            running.clear()
            await todos.close()
            await store.close()

    async def context(request: Request) -> TodoContext:
        return TodoContext(running[0], request.headers.get("x-user") or "anonymous")

    app = FastAPI(
        title="fabula todo",
        description="Seed 000's todo over GraphQL. Guide: docs/examples.md in the fabula "
        "repository.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    graphql = GraphQLRouter(schema, context_getter=context, dependencies=[Depends(graphql_request)])
    app.include_router(graphql, prefix="/graphql")

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/graphql")

    return app
