"""Subscriptions: catch up on the global log from a position, then follow it live.

Rules:
1. A subscription reads pages with ``read_all(after=last delivered)``: the store's rule 2
   (no event ever appears below a position already returned) is what makes it gapless.
2. When caught up it waits for the store's wake-up or the poll interval, whichever comes
   first, then reads again: a lost notification delays, never loses, an event.
3. Positions come out strictly increasing; ``position`` is the last one delivered, the
   checkpoint to resume from.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Collection
from types import TracebackType

from fabula.store import _arguments
from fabula.store._contract import AsyncEventStore
from fabula.store._records import StoredEvent

__all__ = ["AsyncSubscription"]


class AsyncSubscription:
    """Iterates the global log from ``after`` on, forever, until closed."""

    def __init__(
        self,
        store: AsyncEventStore,
        *,
        after: int = 0,
        types: Collection[str] | None = None,
        categories: Collection[str] | None = None,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        self._store = store
        self._position = after
        self._types = types
        self._categories = categories
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._buffer: deque[StoredEvent] = deque()
        self._closed = False
        self._scanned = after
        self._filtered = types is not None or categories is not None

    @property
    def position(self) -> int:
        """The checkpoint to resume after: the last event delivered (or scanned past)."""
        return self._position if self._buffer else max(self._position, self._scanned)

    async def next_batch(self, *, timeout: float | None = None) -> list[StoredEvent]:
        """Return the next page of events, waiting up to ``timeout`` (forever if None) for one.

        Returns an empty list on timeout or once closed.
        """
        _arguments.check_next_batch(timeout)
        if not self._buffer:
            await self._fill(timeout)
        batch = list(self._buffer)
        self._buffer.clear()
        if batch:
            self._position = batch[-1].position
        return batch

    async def _fill(self, timeout: float | None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._closed:
            # With filters, the head is read before the page: every event up to it has
            # been scanned once the page comes back, so the scan may resume past it.
            head = await self._store.head() if self._filtered else 0
            page = await self._store.read_all(
                after=max(self._position, self._scanned),
                limit=self._batch_size,
                types=self._types,
                categories=self._categories,
            )
            if page:
                self._buffer.extend(page)
                self._scanned = page[-1].position
                return
            if self._filtered:
                self._scanned = max(self._scanned, head)
            step = self._poll_interval
            if deadline is not None:
                step = min(step, deadline - time.monotonic())
                if step <= 0:
                    return
            await self._store.wait_for_events(max(self._position, self._scanned), timeout=step)

    def __aiter__(self) -> AsyncSubscription:
        return self

    async def __anext__(self) -> StoredEvent:
        if not self._buffer:
            await self._fill(None)
            if not self._buffer:
                raise StopAsyncIteration
        item = self._buffer.popleft()
        self._position = item.position
        return item

    async def close(self) -> None:
        """Stop the subscription; iteration ends at the next wake-up."""
        self._closed = True

    async def __aenter__(self) -> AsyncSubscription:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
