"""Errors as HTTP answers: every failure a client can cause becomes a 4xx JSON body.

| error | status | body ``code`` |
|---|---|---|
| ``DomainError`` (a rule refused the command) | 400, or as mapped per class | the error's own |
| ``ConcurrencyError`` (the stream moved on) | 409 | ``concurrency_conflict`` |
| ``StreamNotFound`` | 404 | ``stream_not_found`` |
| ``PositionTimeout`` (a read model lags) | 503, ``Retry-After: 1`` | ``position_timeout`` |
| ``StoreError`` (the database failed: logged, not shown) | 503 | ``store_unavailable`` |
| malformed JSON body | 400 | ``malformed_json`` |
| wrong types, missing fields (request validation) | 422 | ``invalid_request`` |
| any ``HTTPException`` (unknown route, ...) | its status | ``not_found``, ... |

Every body has one shape, the one ``DomainError.as_json()`` gives:
``{"code": "...", "message": "...", "params": {...}}``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from fabula._errors import ConcurrencyError, DomainError, StoreError, StreamNotFound
from fabula.read import PositionTimeout

__all__ = ["ErrorBody", "error_response", "error_responses", "install_error_handlers"]

logger = logging.getLogger("fabula.web")
_RETRY = {"Retry-After": "1"}


class ErrorBody(BaseModel):
    """The JSON body of every error answer (for OpenAPI docs)."""

    code: str
    message: str
    params: dict[str, Any]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document error answers for a route: ``@app.post(..., responses=error_responses(400))``.

    Name 422 to document invalid requests with this body instead of FastAPI's default.
    """
    return {
        status: {"model": ErrorBody, "description": HTTPStatus(status).phrase}
        for status in statuses
    }


def error_response(
    status: int,
    code: str,
    message: str,
    params: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Return the JSON error answer ``{"code", "message", "params"}`` with ``status``."""
    body = {"code": code, "message": message, "params": dict(params or {})}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def install_error_handlers(
    app: FastAPI, /, *, statuses: Mapping[type[DomainError], int] | None = None
) -> None:
    """Answer fabula's errors and invalid requests with 4xx JSON bodies (see the table above).

    Args:
        app: the FastAPI application.
        statuses: the HTTP status of particular ``DomainError`` classes (a subclass
            takes its nearest mapped base's); the others answer 400.
    """
    mapped = dict(statuses or {})

    async def domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        status = next((mapped[cls] for cls in type(exc).__mro__ if cls in mapped), 400)
        return error_response(status, exc.code, exc.message, exc.params)

    async def concurrency_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ConcurrencyError)
        params = {"stream_id": exc.stream_id, "expected": exc.expected, "actual": exc.actual}
        return error_response(409, "concurrency_conflict", str(exc), params)

    async def stream_not_found(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StreamNotFound)
        return error_response(404, "stream_not_found", str(exc), {"stream_id": exc.stream_id})

    async def position_timeout(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PositionTimeout)
        params = {"position": exc.position, "reached": exc.reached}
        return error_response(503, "position_timeout", str(exc), params, headers=_RETRY)

    async def store_error(request: Request, exc: Exception) -> JSONResponse:
        logger.error("%s %s: the store failed: %s", request.method, request.url.path, exc)
        message = "the store is unavailable; try again"
        return error_response(503, "store_unavailable", message, {}, headers=_RETRY)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error["type"]}
            for error in exc.errors()
        ]
        if any(error["type"] == "json_invalid" for error in errors):
            return error_response(400, "malformed_json", "the body is not valid JSON", {})
        return error_response(
            422, "invalid_request", "the request is not valid", {"errors": errors}
        )

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = _slug(exc.status_code)
        return error_response(exc.status_code, code, str(exc.detail), {}, headers=exc.headers)

    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(ConcurrencyError, concurrency_error)
    app.add_exception_handler(StreamNotFound, stream_not_found)
    app.add_exception_handler(PositionTimeout, position_timeout)
    app.add_exception_handler(StoreError, store_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)


def _slug(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return f"http_{status}"
