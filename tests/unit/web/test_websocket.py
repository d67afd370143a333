"""Refusing a WebSocket handshake: an HTTP answer where the server can send one, else 1008."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

from starlette.websockets import WebSocket

from fabula.web import Forbidden, InvalidLastEventId, NotAuthenticated, refuse


def handshake(extensions: dict[str, Any]) -> tuple[WebSocket, list[MutableMapping[str, Any]]]:
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/live", "headers": [], "extensions": extensions}
    return WebSocket(scope, receive, send), sent


def test_a_server_with_denial_responses_answers_the_status_and_json() -> None:
    for error, status in (
        (NotAuthenticated(), 401),
        (Forbidden(), 403),
        (InvalidLastEventId(), 400),
    ):
        websocket, sent = handshake({"websocket.http.response": {}})
        asyncio.run(refuse(websocket, error))
        start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
        assert (start["type"], start["status"]) == ("websocket.http.response.start", status)
        assert json.loads(body)["code"] == error.code
        challenge = dict(start["headers"]).get(b"www-authenticate")
        assert challenge == (b"Bearer" if status == 401 else None)


def test_other_servers_close_with_a_policy_violation() -> None:
    websocket, sent = handshake({})
    asyncio.run(refuse(websocket, Forbidden()))
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": "forbidden"}]
