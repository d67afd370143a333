"""fabula's errors as GraphQL errors, for Strawberry schemas.

``Schema`` is ``strawberry.Schema`` with the ``FabulaErrors`` extension. Every error
an operation answers carries ``extensions: {code, params}``, the code the REST apps
give the same failure (``fabula.web._answers``):

- a ``DomainError`` keeps its message and gains its code and params;
- a stale expected version is ``concurrency_conflict``; a lagging or stopped read model
  ``position_timeout`` or ``read_model_unavailable``; a failing store
  ``store_unavailable`` (and so on, as in the table);
- GraphQL's own errors (syntax, validation, a wrong argument type) pass unchanged;
- anything else is masked as "Unexpected error." with ``code: "internal_error"`` and a
  ``correlation_id``: the server logs the original once, with its traceback and that
  id, and no driver message or stack detail reaches a client.

User errors and GraphQL's own are logged as one INFO line each, without a traceback.
Subscriptions get the same treatment: ``Schema.stream`` rewrites each result's errors,
which the extension does not see.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StreamResult
from strawberry.types import ExecutionContext
from strawberry.types.execution import ExecutionResult

from fabula.web._answers import answer_for, internal_error, log_answer

__all__ = ["FabulaErrors", "Schema", "error_extensions"]

logger = logging.getLogger("fabula.web.graphql")
_MASKED = "Unexpected error."


def error_extensions(error: BaseException, /) -> dict[str, Any] | None:
    """Return the ``extensions`` of a fabula error a client may see, else ``None``."""
    answer = answer_for(error)
    return None if answer is None else {"code": answer.code, "params": answer.params}


class FabulaErrors(SchemaExtension):
    """Give every error a code, and mask the unexpected ones."""

    def on_operation(self) -> Iterator[None]:
        """Rewrite the operation's errors once it has run."""
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | ExecutionResult) and result.errors:
            result.errors = [_rewrite(error) for error in result.errors]


def _rewrite(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    extensions = error_extensions(original)
    if extensions is None:
        extensions = _internal(error, original)
    return GraphQLError(
        message=error.message if extensions["code"] != "internal_error" else _MASKED,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original if extensions["code"] != "internal_error" else None,
        extensions=extensions,
    )


def _internal(error: GraphQLError, original: BaseException) -> dict[str, Any]:
    """Log an unexpected error once (see ``Schema.process_errors``) and return its extensions."""
    known = error.extensions or {}
    if known.get("code") != "internal_error":
        answer = internal_error(original, where=f"GraphQL {error.path}")
        known = {"code": answer.code, "params": answer.params}
        error.extensions = known
    return dict(known)


class Schema(strawberry.Schema):
    """A ``strawberry.Schema`` that answers fabula's errors with codes (``FabulaErrors``)."""

    def __init__(self, query: type, /, *, extensions: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(query, extensions=[*extensions, FabulaErrors], **kwargs)

    async def stream(self, *args: Any, **kwargs: Any) -> StreamResult:
        """Stream an operation's results (a subscription's), with their errors rewritten."""
        return _rewritten(await super().stream(*args, **kwargs))

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log user errors at INFO, one line each; an unexpected one once, with its id."""
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, GraphQLError):
                logger.info("GraphQL error at %s: %s", error.path, error.message)
                continue
            answer = answer_for(original)
            if answer is None:
                _internal(error, original)
            else:
                log_answer(answer, original, where=f"GraphQL {error.path}")


async def _rewritten(source: StreamResult) -> StreamResult:
    try:
        async for result in source:
            if isinstance(result, ExecutionResult) and result.errors:
                result.errors = [_rewrite(error) for error in result.errors]
            yield result
    finally:
        await source.aclose()
