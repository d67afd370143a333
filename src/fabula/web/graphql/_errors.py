"""fabula's errors as GraphQL errors, for Strawberry schemas.

``Schema`` is ``strawberry.Schema`` with the ``FabulaErrors`` extension, and it logs a
refused command (a user error) as one line at INFO level instead of an ERROR with a
traceback. ``FabulaErrors`` rewrites an operation's errors once it has run:

- a ``DomainError`` keeps its message and gains ``extensions: {code, params}``;
- a ``ConcurrencyError`` gains ``extensions: {code: "concurrency_conflict", params}``;
- a ``PositionTimeout`` gains ``extensions: {code: "position_timeout", params}``;
- GraphQL's own errors (syntax, validation, a wrong argument type) pass unchanged;
- anything else is masked as "Unexpected error." (the server logs the original), so
  no driver message or stack detail reaches a client.

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

from fabula._errors import ConcurrencyError, DomainError
from fabula.read import PositionTimeout

__all__ = ["FabulaErrors", "Schema", "error_extensions"]

logger = logging.getLogger("fabula.web.graphql")


def error_extensions(error: BaseException, /) -> dict[str, Any] | None:
    """Return the ``extensions`` of a fabula error a client may see, else ``None``."""
    match error:
        case DomainError():
            return {"code": error.code, "params": dict(error.params)}
        case ConcurrencyError():
            where = {"stream_id": error.stream_id, "expected": error.expected}
            return {"code": "concurrency_conflict", "params": {**where, "actual": error.actual}}
        case PositionTimeout():
            reached = {"position": error.position, "reached": error.reached}
            return {"code": "position_timeout", "params": reached}
        case _:
            return None


class FabulaErrors(SchemaExtension):
    """Give fabula's user-facing errors a code, and mask every unexpected error."""

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
    return GraphQLError(
        message=error.message if extensions is not None else "Unexpected error.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original if extensions is not None else None,
        extensions=extensions,
    )


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
        """Log user errors at INFO, one line each; the others as Strawberry does."""
        unexpected = []
        for error in errors:
            original = error.original_error
            extensions = error_extensions(original) if original is not None else None
            if extensions is None:
                unexpected.append(error)
            else:
                logger.info("%s refused (%s): %s", error.path, extensions["code"], error.message)
        super().process_errors(unexpected, execution_context)


async def _rewritten(source: StreamResult) -> StreamResult:
    try:
        async for result in source:
            if isinstance(result, ExecutionResult) and result.errors:
                result.errors = [_rewrite(error) for error in result.errors]
            yield result
    finally:
        await source.aclose()
