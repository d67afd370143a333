"""Appends to several streams in one transaction (``store.append_many``): shared rules.

Rules, the same on every backend:
1. All or nothing: every append's precondition holds and every event is stored, or
   nothing is. A failed precondition raises the ``ConcurrencyError`` of its stream.
2. A stream appears at most once per call, and an event id at most once.
3. An append without events stores nothing but its precondition still counts: it
   asserts another stream's version for the transaction.
4. A call repeated with the same events (a retry after a lost reply) returns the
   first call's results, ``deduplicated=True``; ids stored by some other append, or
   with other content, raise ``DuplicateEvent``.
5. Results come in the order of the appends; positions follow that order too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fabula._errors import ConfigurationError, DuplicateEvent
from fabula.store._dedupe import replayed_append
from fabula.store._preconditions import ANY_VERSION, Precondition
from fabula.store._records import AppendResult, NewEvent, StoredEvent

__all__ = ["StreamAppend", "check_batch", "replayed_batch", "wrote_events"]


@dataclass(frozen=True, slots=True)
class StreamAppend:
    """One stream's part of ``append_many``: its events and its precondition."""

    stream_id: str
    events: Sequence[NewEvent]
    precondition: Precondition = field(default=ANY_VERSION)


def check_batch(appends: Sequence[StreamAppend]) -> None:
    """Refuse a stream or an event id that appears twice (rule 2)."""
    streams = [a.stream_id for a in appends]
    if len(set(streams)) != len(streams):
        twice = next(s for s in streams if streams.count(s) > 1)
        msg = f"stream {twice!r} appears twice in one append_many; merge its events"
        raise ConfigurationError(msg)
    ids = [e.event_id for a in appends for e in a.events]
    if len(set(ids)) != len(ids):
        msg = "the same event id appears twice in one append_many"
        raise ConfigurationError(msg)


def replayed_batch(
    appends: Sequence[StreamAppend],
    stored: Sequence[StoredEvent],
    version_of: Callable[[str], int],
) -> list[AppendResult] | None:
    """Tell a retried call (its results) from a fresh one (``None``), or raise (rule 4).

    ``stored`` holds the stored events that share an id with the batch; ``version_of``
    gives a stream's current version, for the appends without events.
    """
    if not stored:
        return None
    by_id = {item.event_id: item for item in stored}
    replays: list[AppendResult | None] = []
    for append in appends:
        mine = [by_id[e.event_id] for e in append.events if e.event_id in by_id]
        replays.append(replayed_append(append.stream_id, append.events, mine))
    if all(r is not None for a, r in zip(appends, replays, strict=True) if a.events):
        return [
            r if r is not None else AppendResult(a.stream_id, version_of(a.stream_id), ())
            for a, r in zip(appends, replays, strict=True)
        ]
    # Some appends were stored before and others not: not a retry of one call.
    first = next(a for a, r in zip(appends, replays, strict=True) if r is not None)
    raise DuplicateEvent(first.events[0].event_id, first.stream_id)


def wrote_events(results: Sequence[AppendResult]) -> bool:
    """Tell whether a call stored new events (so followers should be woken)."""
    return any(r.positions and not r.deduplicated for r in results)
