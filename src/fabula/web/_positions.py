"""Read your writes over HTTP: position tokens handed to clients, and the wait they ask for.

A command route answers with a token for the position of the events it wrote (in the
JSON body, or the ``Fabula-Position`` header of a 204). A query route accepts the token
back as ``?after=`` and, before it reads its read model, waits until the projection
behind it has passed that position::

    tokens = PositionTokens()

    @app.post("/orders", status_code=202)
    async def create_order(...):
        result = await flow.dispatch(...)
        return {"position": tokens.issue(result.position), ...}

    @app.get("/orders/{order_id}")
    async def get_order(order_id: str, after: AfterToken = None):
        return await queries.ask(GetOrder(order_id), after=tokens.read(after))

Rules:
1. A token is the position and a MAC of it (``"42.x3Jq..."``): the server only ever waits
   for positions it handed out. Anything else is refused at once with
   ``InvalidPositionToken`` (HTTP 400), never waited on until a timeout.
2. Tokens are signed with the ``secret`` given, or a random one per process: give every
   instance that serves one store the same secret. A token signed with another secret
   is refused like any other invalid one; the client may read without it.
3. A wait that times out is ``PositionTimeout`` (HTTP 503 with ``Retry-After``): the read
   model lags, the client may try again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Annotated, Final

from fastapi import Query

from fabula._errors import DomainError

__all__ = ["POSITION_HEADER", "AfterToken", "InvalidPositionToken", "PositionTokens"]

POSITION_HEADER: Final = "Fabula-Position"
"""The response header that carries the position token of the events a command wrote."""

AfterToken = Annotated[
    str | None,
    Query(
        max_length=64,
        description="Read your writes: a position token a command answered with. The "
        "answer waits until the read model has passed that position.",
    ),
]
"""A query parameter ``after`` for routes that read a projection's read model."""


class InvalidPositionToken(DomainError):
    """A position token this server did not hand out (garbled, forged, or signed elsewhere)."""

    code = "invalid_position_token"
    message = "the position token was not issued by this server"


class PositionTokens:
    """Issues and checks position tokens.

    Args:
        secret: the signing key; give every instance serving one store the same one.
            Default: a random key for this process.
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._key = secret if secret is not None else secrets.token_bytes(32)

    def issue(self, position: int | None, /) -> str | None:
        """Return the token of ``position`` (``None`` for ``None``: nothing was written)."""
        if position is None:
            return None
        return f"{position}.{self._mac(position)}"

    def read(self, token: str | None, /) -> int | None:
        """Return the position a token carries (``None`` for no token).

        Raises:
            InvalidPositionToken: the token was not issued with this secret.
        """
        if token is None:
            return None
        number, _, mac = token.partition(".")
        if number.isascii() and number.isdigit() and len(number) <= 20:
            position = int(number)
            if hmac.compare_digest(mac, self._mac(position)):
                return position
        raise InvalidPositionToken(params={"token": token[:64]})

    def _mac(self, position: int) -> str:
        digest = hmac.new(self._key, str(position).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:12]).decode()
