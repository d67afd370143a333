"""Read a projection's status from its target and the store (no runner needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from fabula.read._target_async import AsyncTarget
from fabula.read.running._status import ProjectionStatus, RunState
from fabula.store import AsyncEventStore

__all__ = ["LAG_COUNT_LIMIT", "count_after", "read_status"]

LAG_COUNT_LIMIT = 10_000
"""``lag_events`` is counted exactly up to this many events (positions may have gaps)."""

_PAGE = 1_000


async def count_after(store: AsyncEventStore, position: int, /, *, limit: int) -> int:
    """Count the log's events after ``position``, stopping at ``limit``."""
    counted = 0
    while counted < limit:
        page = await store.read_all(after=position, limit=min(_PAGE, limit - counted))
        if not page:
            break
        counted += len(page)
        position = page[-1].position
    return counted


async def read_status(
    store: AsyncEventStore,
    target: AsyncTarget,
    name: str,
    /,
    *,
    state: RunState | None = None,
    error: str | None = None,
) -> ProjectionStatus:
    """Return the status of ``name``: checkpoint, head, lag, parked events and lease holder.

    Without ``state`` (no runner in this process to ask), the state is derived from the
    database: ``failed`` if an event is parked ahead of the checkpoint, ``retrying`` if a
    worker holds the lease and an event ahead of the checkpoint has failed (see
    ``_failures``), ``running`` if a worker holds the lease, else ``stopped``.
    """
    checkpoint = await target.checkpoint(name)
    head = await store.head()
    letters = await target.dead_letters(name)
    lease = await target.lease(name)
    position = checkpoint.position
    lag_seconds = 0.0
    lag_events = 0
    if position < head:
        first = await store.read_all(after=position, limit=1)
        if first:
            age = datetime.now(UTC) - first[0].recorded_at
            lag_seconds = max(0.0, age.total_seconds())
            lag_events = await count_after(store, position, limit=LAG_COUNT_LIMIT)
    failure = await target.failure(name)
    pending = failure is not None and failure.pending(position)
    if state is None:
        if any(letter.position > position for letter in letters):
            state = "failed"
            error = error or letters[-1].error
        elif pending and lease is not None:
            state = "retrying"
        else:
            state = "running" if lease is not None else "stopped"
    if pending and failure is not None and error is None:
        error = failure.error
    return ProjectionStatus(
        name=name,
        position=position,
        head=head,
        lag_events=lag_events,
        lag_seconds=lag_seconds,
        state=state,
        parked=len(letters),
        owner=lease.owner if lease is not None else None,
        error=error,
        updated_at=checkpoint.updated_at,
        attempts=failure.attempts if pending and failure is not None else 0,
        last_error=failure.error if failure is not None else None,
        last_error_at=failure.failed_at if failure is not None else None,
        rebuild=await target.scratch_copy(name),
    )
