"""A live feed of stored events over a WebSocket, next to the server-sent events one.

::

    @app.websocket("/orders/live")
    async def live(websocket: WebSocket) -> None:
        user = bearer_token(websocket)
        if user is None:
            await refuse(websocket, NotAuthenticated())
        else:
            await websocket_feed(websocket, store, after=await store.head(), categories=["order"])

Rules:
1. Each event is one text message, the JSON object an SSE message carries as ``data``
   (stream, version, position, type, time, payload, metadata). A client that reconnects
   resumes after the last ``position`` it saw.
2. A handshake the server refuses is answered with an HTTP status and the usual JSON
   error body (401, 403, 400) when the server supports WebSocket denial responses
   (uvicorn does); otherwise it is closed with code 1008 (policy violation).
3. The feed ends when the client closes the socket (or goes away): the subscription is
   closed then, not at the next event.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import anyio
from starlette.websockets import WebSocket, WebSocketDisconnect

from fabula._errors import DomainError
from fabula.store import AsyncEventStore
from fabula.web._auth import Forbidden, NotAuthenticated
from fabula.web._errors import error_response
from fabula.web._sse import Select, event_json

__all__ = ["refuse", "websocket_feed"]

_STATUSES: Mapping[type[DomainError], int] = {NotAuthenticated: 401, Forbidden: 403}


async def refuse(websocket: WebSocket, error: DomainError, /) -> None:
    """Refuse a WebSocket handshake with ``error`` (401, 403 or 400, see rule 2)."""
    status = next((_STATUSES[cls] for cls in type(error).__mro__ if cls in _STATUSES), 400)
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        body = error_response(status, error.code, error.message, error.params, headers=headers)
        await websocket.send_denial_response(body)
    else:
        await websocket.close(code=1008, reason=error.code)


async def websocket_feed(
    websocket: WebSocket,
    store: AsyncEventStore,
    /,
    *,
    after: int,
    categories: Collection[str] | None = None,
    types: Collection[str] | None = None,
    select: Select | None = None,
) -> None:
    """Accept the socket, then send the events after ``after`` and each new one until closed.

    Args:
        websocket: the socket, not yet accepted.
        store: the event store to follow.
        after: the position to start after.
        categories: only events of streams in these categories.
        types: only events of these stable type names.
        select: a further filter (the customer's own orders, say).
    """
    await websocket.accept()
    subscription = store.subscribe(after=after, categories=categories, types=types)
    try:
        async with anyio.create_task_group() as group:

            async def until_closed() -> None:
                try:
                    while (await websocket.receive())["type"] != "websocket.disconnect":
                        pass  # the feed is one-way: anything the client sends is ignored
                finally:
                    group.cancel_scope.cancel()

            group.start_soon(until_closed)
            while True:
                for record in await subscription.next_batch(timeout=15.0):
                    if select is None or await select(record):
                        await websocket.send_text(event_json(record).decode())
    except WebSocketDisconnect:
        pass
    finally:
        await subscription.close()
