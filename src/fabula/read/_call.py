"""Call a user function that may be sync or async: the one place the two worlds meet.

The asyncio runners call handlers through ``async_call`` (awaiting a coroutine's result);
the generated sync runners call them through ``call``, which refuses coroutine functions
rather than silently dropping their work.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from fabula._errors import ConfigurationError
from fabula.read._tables import CreateTables

__all__ = ["async_call", "call", "require_async"]


async def async_call(function: Callable[..., Any], /, *args: Any) -> Any:
    """Call ``function(*args)`` and await its result if it is awaitable."""
    result = function(*args)
    if result is not None and inspect.isawaitable(result):  # None: the common, cheap case
        return await result
    return result


def call(function: Callable[..., Any], /, *args: Any) -> Any:
    """Call ``function(*args)``; an awaitable result is a configuration error."""
    result = function(*args)
    if result is not None and inspect.isawaitable(result):
        close = getattr(result, "close", None)
        if close is not None:
            close()  # no "coroutine was never awaited" warning on top of the error
        name = getattr(function, "__qualname__", repr(function))
        msg = f"{name} is asynchronous: use it with the asyncio runner and target"
        raise ConfigurationError(msg)
    return result


def require_async(name: str, function: Callable[..., Any], /, *, target: str) -> None:
    """Refuse a sync handler where the connection is asyncio's (``psycopg.AsyncConnection``).

    Its ``tx.execute(...)`` would return a coroutine that nobody awaits: the writes would
    vanish without an error. A callable object counts by its ``__call__``.

    Raises:
        ConfigurationError: ``function`` is not a coroutine function.
    """
    if isinstance(function, CreateTables):  # hands asyncio's connection an awaitable
        return
    call_method = getattr(function, "__call__", None)  # noqa: B004 (its own method)
    if inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(call_method):
        return
    what = getattr(function, "__qualname__", repr(function))
    msg = (
        f"projection {name!r}: {what} is synchronous, but {target} hands it an "
        "AsyncConnection: write it `async def` (and await tx.execute), or run the "
        "projection with the sync target"
    )
    raise ConfigurationError(msg)
