"""The todo app over GraphQL (seed 000's demo), with FastAPI and Strawberry: ``fabula serve todo``.

``POST /graphql`` answers GraphQL; ``GET /graphql`` in a browser opens GraphiQL, served
from assets in fabula's wheel (it works offline) with an example query. The schema is in
``schema.py``. A body that is not a GraphQL request at all (malformed JSON, no query)
answers 400 with a JSON error.

Who you are is the subject of a bearer token (``Authorization: Bearer <token>``, in
GraphiQL's headers pane; ``fabula token ann`` mints a development one). Mutations and
subscriptions need one; a token that is not valid is a 401 on any request. Over the
WebSocket (subscriptions, graphql-transport-ws) the token goes in the ``connection_init``
payload as ``{"Authorization": "Bearer <token>"}``, or in the handshake's header; an
invalid one closes the socket with 4403.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.types.unset import UnsetType

from examples.todo import EVENTS, stream_of, todo
from examples.todo_app.read_model import todo_list
from examples.todo_app.schema import Services, TodoContext, schema
from fabula import AsyncFlow, DomainError, open_async_store
from fabula.codec import EventRegistry
from fabula.web import (
    AuthSettings,
    BearerAuth,
    InvalidToken,
    PositionTokens,
    bearer_token,
    graphiql_html,
    install_docs,
    install_error_handlers,
)

__all__ = ["DEFAULT_URL", "create_app"]

DEFAULT_URL = "sqlite:///todo.db"
"""Where `fabula serve todo` keeps its events and read model unless told otherwise."""


class NotAGraphQLRequest(DomainError):
    """A POST body that is not a JSON object with a `query`."""

    code = "not_a_graphql_request"
    message = 'the body must be a JSON object like {"query": "..."}'


async def graphql_request(connection: HTTPConnection) -> None:
    """Refuse, with a JSON body, what Strawberry would refuse in plain text."""
    request = connection
    if not isinstance(request, Request) or request.method != "POST":
        return
    if "json" not in request.headers.get("content-type", ""):
        return
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise NotAGraphQLRequest(params={"error": str(exc)}) from exc
    except RecursionError as exc:  # nested deeper than the parser goes: not a request
        raise NotAGraphQLRequest(params={"error": "the JSON is nested too deeply"}) from exc
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise NotAGraphQLRequest


EXAMPLE_QUERY = """# The todo API (seed 000). Run this with the play button.
# Mutations and subscriptions need a bearer token: in the Headers pane below, put
# {"Authorization": "Bearer <the output of: fabula token ann>"}
query {
  apiVersion
  allTodos(first: 10) {
    totalCount
    edges { node { id description completed version } }
  }
}
# mutation { createTodo(description: "Buy milk") { id version position } }
# subscription { todoChanges { id position event { sequence type data } } }
"""


class TodoRouter(GraphQLRouter[TodoContext, None]):
    """The GraphQL endpoint: GraphiQL from fabula's wheel, tokens checked on WebSockets."""

    @property
    def graphql_ide_html(self) -> str:
        return graphiql_html(example_query=EXAMPLE_QUERY, title="fabula todo - GraphiQL")

    async def on_ws_connect(self, context: TodoContext) -> UnsetType | dict[str, object] | None:
        """Take the token from `connection_init` (or the handshake); refuse a bad one."""
        params = context.connection_params
        header = params.get("Authorization") if isinstance(params, dict) else None
        websocket = context.request
        assert isinstance(websocket, WebSocket)
        try:
            if isinstance(header, str):
                context.user = websocket.app.state.fabula_auth.authenticate(header)
            else:
                context.user = bearer_token(websocket)
        except InvalidToken as exc:
            raise ConnectionRejectionError({"code": exc.code}) from exc
        return await super().on_ws_connect(context)


def create_app(url: str = DEFAULT_URL, *, auth: AuthSettings | None = None) -> FastAPI:
    """Return the todo GraphQL app, keeping its events and read model at `url`.

    Tokens are checked with `auth` (default: `AuthSettings.from_env()`).
    """
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

    async def context(connection: HTTPConnection) -> TodoContext:
        if isinstance(connection, WebSocket):  # the token comes with connection_init
            return TodoContext(running[0], None)
        return TodoContext(running[0], bearer_token(connection))

    app = FastAPI(
        title="fabula todo",
        description="Seed 000's todo over GraphQL. Guide: docs/examples.md in the fabula "
        "repository.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    BearerAuth(auth).install(app)
    install_docs(app)
    graphql = TodoRouter(schema, context_getter=context, dependencies=[Depends(graphql_request)])
    app.include_router(graphql, prefix="/graphql")

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/graphql")

    return app
