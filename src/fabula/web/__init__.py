"""Helpers for web front ends built with FastAPI (``pip install 'fabula[web]'``).

- ``install_error_handlers``: fabula's errors and invalid requests as 4xx JSON bodies
  (``DomainError`` 400, ``ConcurrencyError`` 409, ...), one shape for all.
- ``PositionTokens``, ``AfterToken``, ``POSITION_HEADER``: read your writes, with the
  position token a command answered with.
- ``StorableText``, ``storable_text``, ``UnstorableText``: refuse text a read model
  cannot hold (NUL characters) before a command decides.
- ``event_stream``, ``event_stream_response``, ``resume_after``: a live feed of stored
  events as server-sent events.

GraphQL (Strawberry) helpers live in ``fabula.web.graphql``.
"""

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
    event_stream,
    event_stream_response,
    format_event,
    resume_after,
)
from fabula.web._text import StorableText, UnstorableText, storable_text

__all__ = [
    "POSITION_HEADER",
    "AfterToken",
    "ErrorBody",
    "InvalidLastEventId",
    "InvalidPositionToken",
    "PositionTokens",
    "Select",
    "StorableText",
    "UnstorableText",
    "error_response",
    "error_responses",
    "event_stream",
    "event_stream_response",
    "format_event",
    "install_error_handlers",
    "resume_after",
    "storable_text",
]
