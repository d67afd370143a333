"""Turns: one lock per stream, so a process's writers that lost a race retry one at a time.

``AsyncTurns`` (asyncio) and ``Turns`` (threads) are the one primitive the generated sync
middleware cannot derive from its asyncio source, so both are written here, side by side.
A stream's lock lives only while someone holds or waits for it (a weak mapping).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from weakref import WeakValueDictionary

__all__ = ["AsyncTurns", "Turns"]


class AsyncTurns:
    """Per-stream locks for asyncio tasks."""

    def __init__(self) -> None:
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    @asynccontextmanager
    async def turn(self, stream_id: str, /) -> AsyncIterator[None]:
        """Wait for the stream's turn, and hold it inside the block."""
        lock = self._locks.get(stream_id)
        if lock is None:
            lock = self._locks[stream_id] = asyncio.Lock()
        async with lock:
            yield


class Turns:
    """Per-stream locks for threads."""

    def __init__(self) -> None:
        self._locks: WeakValueDictionary[str, threading.Lock] = WeakValueDictionary()
        self._guard = threading.Lock()

    @contextmanager
    def turn(self, stream_id: str, /) -> Iterator[None]:
        """Wait for the stream's turn, and hold it inside the block."""
        with self._guard:
            lock = self._locks.get(stream_id)
            if lock is None:
                lock = self._locks[stream_id] = threading.Lock()
        with lock:
            yield
