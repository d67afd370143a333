"""Which answer a client gets for each error: one table for REST and GraphQL alike.

| error | status | ``code`` |
|---|---|---|
| ``DomainError`` (a rule refused the command) | 400, or as mapped | its own |
| ``InvalidArgument`` (a value no store accepts: too long, NUL...) | 422 | ``invalid_argument`` |
| ``ContentionTimeout`` (a busy stream; no version sent) | 503 (*) | ``write_contention`` |
| ``ConcurrencyError`` (the caller's version is stale) | 409 | ``concurrency_conflict`` |
| ``StreamNotFound`` | 404 | ``stream_not_found`` |
| ``StreamArchived`` (restorable) | 404 | ``stream_archived`` |
| ``StreamDeleted`` (gone for good) | 410 | ``stream_deleted`` |
| ``StreamTruncated`` (the asked versions are gone) | 410 | ``stream_truncated`` |
| ``PositionTimeout`` (a read model lags) | 503 (*) | ``position_timeout`` |
| ``ProjectionFailed`` (a read model stopped) | 503 (*) | ``read_model_unavailable`` |
| ``StoreError`` (the database failed: logged, not shown) | 503 (*) | ``store_unavailable`` |
| anything else (logged once, with a ``correlation_id``) | 500 | ``internal_error`` |

(*) with ``Retry-After``: the condition may pass.

A conflict's params have one typed shape: ``{"stream_id": str, "expected_version":
int | null, "actual_version": int}`` (``expected_version`` is null when the writer
expected a state, not a number: an existing stream, say).

Nothing here imports a web framework: ``fabula.web`` (FastAPI) and
``fabula.web.graphql`` (Strawberry) both answer from this table.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fabula._errors import (
    ConcurrencyError,
    ContentionTimeout,
    DomainError,
    InvalidArgument,
    StoreError,
    StreamArchived,
    StreamDeleted,
    StreamNotFound,
    StreamTruncated,
)
from fabula.read import PositionTimeout, ProjectionFailed

__all__ = [
    "ANSWERED",
    "ErrorAnswer",
    "answer_for",
    "conflict_params",
    "internal_error",
    "log_answer",
]

logger = logging.getLogger("fabula.web")
_NO_STATUSES: Mapping[type[DomainError], int] = {}

ANSWERED: tuple[type[Exception], ...] = (
    DomainError,
    InvalidArgument,
    ConcurrencyError,
    StreamNotFound,
    StreamArchived,
    StreamDeleted,
    StreamTruncated,
    PositionTimeout,
    ProjectionFailed,
    StoreError,
)
"""The error classes ``answer_for`` answers (with their subclasses)."""


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    """What a client is told about a failure: status, code, message, params."""

    status: int
    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    retry_after: int | None = None

    def body(self) -> dict[str, Any]:
        """Return the JSON body ``{"code", "message", "params"}``."""
        return {"code": self.code, "message": self.message, "params": dict(self.params)}

    def headers(self) -> dict[str, str]:
        """Return the answer's headers (``Retry-After`` for what may pass)."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


def conflict_params(error: ConcurrencyError, /) -> dict[str, Any]:
    """Return a conflict's params: stream, expected version (int or null), actual version."""
    expected: int | None = None
    number = error.expected.removeprefix("version ")
    if number.isdigit():
        expected = int(number)
    elif error.expected == "no stream":
        expected = 0
    return {
        "stream_id": error.stream_id,
        "expected_version": expected,
        "actual_version": error.actual,
    }


def answer_for(
    error: BaseException,
    /,
    *,
    statuses: Mapping[type[DomainError], int] = _NO_STATUSES,
) -> ErrorAnswer | None:
    """Return the answer for an error a client may be told about, else ``None`` (a 500).

    Args:
        error: the exception.
        statuses: the HTTP status of particular ``DomainError`` classes (a subclass
            takes its nearest mapped base's); the others answer 400.
    """
    match error:
        case DomainError():
            status = next((statuses[c] for c in type(error).__mro__ if c in statuses), 400)
            return ErrorAnswer(status, error.code, error.message, dict(error.params))
        case InvalidArgument():
            # the caller's value reached the store unchecked by the app: the caller's error
            return ErrorAnswer(422, "invalid_argument", str(error), {"argument": error.argument})
        case ContentionTimeout():
            params = {"stream_id": error.stream_id, "attempts": error.attempts}
            message = "too many concurrent writes to this stream; try again"
            return ErrorAnswer(503, "write_contention", message, params, retry_after=1)
        case ConcurrencyError():
            return ErrorAnswer(409, "concurrency_conflict", str(error), conflict_params(error))
        case StreamNotFound():
            return ErrorAnswer(404, "stream_not_found", str(error), {"stream_id": error.stream_id})
        case StreamArchived():
            return ErrorAnswer(404, "stream_archived", str(error), {"stream_id": error.stream_id})
        case StreamDeleted():
            return ErrorAnswer(410, "stream_deleted", str(error), {"stream_id": error.stream_id})
        case StreamTruncated():
            params = {"stream_id": error.stream_id, "truncated_before": error.truncated_before}
            return ErrorAnswer(410, "stream_truncated", str(error), params)
        case PositionTimeout():
            params = {"position": error.position, "reached": error.reached}
            return ErrorAnswer(503, "position_timeout", str(error), params, retry_after=1)
        case ProjectionFailed():
            message = "the read model is not available; try again later"
            return ErrorAnswer(
                503, "read_model_unavailable", message, {"read_model": error.name}, retry_after=5
            )
        case StoreError():
            message = "the store is unavailable; try again"
            return ErrorAnswer(503, "store_unavailable", message, retry_after=1)
        case _:
            return None


def log_answer(answer: ErrorAnswer, error: BaseException, /, *, where: str) -> None:
    """Log an answered error: a server-side condition (5xx) as a warning, else at INFO.

    One line, without a traceback: the error is expected, and the operator needs only
    what happened (a driver message is shown here, never to the client).
    """
    level = logging.WARNING if answer.status >= 500 else logging.INFO
    logger.log(level, "%s answered %d %s: %s", where, answer.status, answer.code, error)


def internal_error(error: BaseException, /, *, where: str) -> ErrorAnswer:
    """Log an unexpected error once, with its traceback, and return the 500 answer.

    The answer shows only a new correlation id, which the log line carries too.
    """
    correlation_id = uuid.uuid4().hex
    logger.error("%s failed (correlation id %s)", where, correlation_id, exc_info=error)
    message = "the server failed; quote the correlation id to its operators"
    return ErrorAnswer(500, "internal_error", message, {"correlation_id": correlation_id})
