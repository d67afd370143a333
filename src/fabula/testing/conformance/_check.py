"""What a conformance check is: a function that takes an open store and raises on failure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias

from fabula.store import AsyncEventStore, EventStore

__all__ = ["AsyncCheck", "Check"]

Check: TypeAlias = Callable[[EventStore], None]
"""A sync check: runs against an open ``EventStore``; raises ``AssertionError`` on failure."""

AsyncCheck: TypeAlias = Callable[[AsyncEventStore], Awaitable[None]]
"""An asyncio check: runs against an open ``AsyncEventStore``; raises on failure."""
