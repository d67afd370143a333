"""Helpers for web front ends built with FastAPI (``pip install 'fabula[web]'``).

- ``install_error_handlers``: fabula's errors and invalid requests as 4xx JSON bodies
  (``DomainError`` 400, ``ConcurrencyError`` 409, ...), one shape for all.
- ``PositionTokens``, ``AfterToken``, ``POSITION_HEADER``: read your writes, with the
  position token a command answered with.
- ``StorableText``, ``storable_text``, ``UnstorableText``: refuse text a read model
  cannot hold (NUL characters) before a command decides.
- ``event_stream``, ``event_stream_response``, ``resume_after``: a live feed of stored
  events as server-sent events; ``websocket_feed`` and ``refuse``: the same over a
  WebSocket.
- ``AuthSettings``, ``BearerAuth``, ``CurrentUser``: OAuth2 bearer tokens (JWTs).
- ``install_docs``, ``graphiql_html``: Swagger UI and GraphiQL that work offline.

GraphQL (Strawberry) helpers live in ``fabula.web.graphql``.
"""

from fabula.web._auth import (
    DEVELOPMENT_SECRET,
    AuthSettings,
    BearerAuth,
    CurrentUser,
    Forbidden,
    InvalidToken,
    NotAuthenticated,
    OptionalUser,
    Principal,
    bearer_token,
)
from fabula.web._docs_assets import STATIC_URL, graphiql_html, install_docs, mount_static
from fabula.web._errors import (
    ErrorBody,
    error_response,
    error_responses,
    install_error_handlers,
)
from fabula.web._positions import (
    POSITION_HEADER,
    AfterToken,
    InvalidPositionToken,
    PositionTokens,
)
from fabula.web._sse import (
    InvalidLastEventId,
    Select,
    event_json,
    event_stream,
    event_stream_response,
    format_event,
    resume_after,
)
from fabula.web._text import StorableText, UnstorableText, storable_text
from fabula.web._websocket import refuse, websocket_feed

__all__ = [
    "DEVELOPMENT_SECRET",
    "POSITION_HEADER",
    "STATIC_URL",
    "AfterToken",
    "AuthSettings",
    "BearerAuth",
    "CurrentUser",
    "ErrorBody",
    "Forbidden",
    "InvalidLastEventId",
    "InvalidPositionToken",
    "InvalidToken",
    "NotAuthenticated",
    "OptionalUser",
    "PositionTokens",
    "Principal",
    "Select",
    "StorableText",
    "UnstorableText",
    "bearer_token",
    "error_response",
    "error_responses",
    "event_json",
    "event_stream",
    "event_stream_response",
    "format_event",
    "graphiql_html",
    "install_docs",
    "install_error_handlers",
    "mount_static",
    "refuse",
    "resume_after",
    "storable_text",
    "websocket_feed",
]
