"""After-commit listeners: how the asyncio and the sync flow call them.

Rules:
1. The asyncio flow awaits what a listener returns when it is awaitable (``async def``).
2. The sync flow refuses a coroutine function when it is registered, and a listener that
   still returns an awaitable is a ``ConfigurationError`` (reported like any listener
   failure), never a coroutine silently dropped.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from fabula._errors import ConfigurationError
from fabula.domain import Recorded

__all__ = ["Listener", "async_call", "call", "is_coroutine_function"]

Listener = Callable[[Recorded[Any]], object]
"""``listener(recorded)``: told about one committed event."""


def is_coroutine_function(listener: Callable[..., object], /) -> bool:
    """Tell whether ``listener`` (or a callable object's ``__call__``) is ``async def``."""
    call_method = getattr(listener, "__call__", None)  # noqa: B004 (its own method)
    return inspect.iscoroutinefunction(listener) or inspect.iscoroutinefunction(call_method)


async def async_call(listener: Listener, recorded: Recorded[Any], /) -> None:
    """Call ``listener(recorded)`` and await its result if it is awaitable."""
    result = listener(recorded)
    if result is not None and inspect.isawaitable(result):
        await result


def call(listener: Listener, recorded: Recorded[Any], /) -> None:
    """Call ``listener(recorded)``; an awaitable result is a configuration error."""
    result = listener(recorded)
    if result is not None and inspect.isawaitable(result):
        close = getattr(result, "close", None)
        if close is not None:
            close()  # no "coroutine was never awaited" warning on top of the error
        name = getattr(listener, "__qualname__", repr(listener))
        msg = f"listener {name} is asynchronous: register it with the asyncio flow"
        raise ConfigurationError(msg)
