"""Errors as HTTP answers: every failure becomes a JSON body of one shape.

Every body is the one ``DomainError.as_json()`` gives: ``{"code": "...", "message":
"...", "params": {...}}``. fabula's errors answer as the table in ``_answers.py`` says
(a refusal 400, a stale expected version 409, a lagging or stopped read model or a
failing store 503 with ``Retry-After``, ...); besides them:

| failure | status | body ``code`` |
|---|---|---|
| malformed JSON body (too deeply nested included) | 400 | ``malformed_json`` |
| wrong types, missing fields (request validation) | 422 | ``invalid_request`` |
| any ``HTTPException`` (unknown route, ...) | its status | ``not_found``, ... |
| any other exception | 500 | ``internal_error``, with a ``correlation_id`` |

A 500 is logged once, with its traceback and the correlation id the client sees; a 4xx
is not logged as an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fabula._errors import DomainError
from fabula.web._answers import ANSWERED, answer_for, internal_error, log_answer

__all__ = ["ErrorBody", "error_response", "error_responses", "install_error_handlers"]


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
    """Answer every failure with a JSON body (see the tables above).

    Args:
        app: the FastAPI application (before it starts).
        statuses: the HTTP status of particular ``DomainError`` classes (a subclass
            takes its nearest mapped base's); the others answer 400.
    """
    mapped = dict(statuses or {})

    async def fabula_error(request: Request, exc: Exception) -> JSONResponse:
        answer = answer_for(exc, statuses=mapped)
        if answer is None:  # not reachable for the classes registered below
            raise exc
        if answer.status >= 500:
            log_answer(answer, exc, where=f"{request.method} {request.url.path}")
        return error_response(
            answer.status, answer.code, answer.message, answer.params, headers=answer.headers()
        )

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

    for answered in ANSWERED:
        app.add_exception_handler(answered, fabula_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_middleware(_InternalErrors)


class _InternalErrors:
    """Answer any exception no handler took with a 500 JSON body, and log it once.

    It sits inside Starlette's ``ServerErrorMiddleware`` and does not re-raise, so the
    server does not log the failure a second time (nor answer in plain text).
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, receive, sending)
        except Exception as exc:
            answer = internal_error(exc, where=f"{scope['method']} {scope['path']}")
            if started:  # too late to answer: let the server close the connection
                raise
            response = error_response(
                500, answer.code, answer.message, answer.params, headers=answer.headers()
            )
            await response(scope, receive, send)


def _slug(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return f"http_{status}"
