# Generated from _settle_async.py by tools/unasync.py: do not edit, edit the source.
"""Waiting for the global log to show an append, and proving that nothing was appended.

A store may publish an append's log positions a little after ``append`` returns: a
PostgreSQL log hides positions until every older writing transaction has finished, so
that no reader ever skips one (rule 2 of the contract). ``read_stream`` must see an
append at once; ``head``, ``read_all`` and subscriptions may lag. Checks that read the
log after appending first wait, boundedly, with the contract's own ``wait_for_events``.
"""

from __future__ import annotations

from fabula.store import AppendResult, EventStore
from fabula.testing.conformance._events import event_ids, new_events, unique_stream
from fabula.testing.conformance._expect import expect, expect_equal

__all__ = ["expect_nothing_appended", "settle", "settled_head"]

_SETTLE_TIMEOUT = 5.0


def settle(store: EventStore, result: AppendResult, /) -> AppendResult:
    """Wait until the log shows ``result``'s events (``head() >= result.position``); return it.

    Fails the check if the log does not show them within a few seconds.
    """
    if result.position is None:
        return result
    shown = store.wait_for_events(result.position - 1, timeout=_SETTLE_TIMEOUT)
    expect(
        shown,
        f"the log did not show position {result.position} within {_SETTLE_TIMEOUT} s "
        f"of its append (head is {store.head()})",
    )
    return result


def settled_head(store: EventStore, /) -> int:
    """Return the log's head once every earlier append shows: a safe start position.

    Appends a marker event to a stream of its own and waits for it, so events of earlier
    appends cannot appear below the returned position later.
    """
    marker = store.append(unique_stream(), new_events(1, event_type="Marker"))
    settle(store, marker)
    return store.head()


def expect_nothing_appended(store: EventStore, head: int, what: str, /) -> None:
    """Fail if any event entered the log after position ``head`` (a settled head).

    Appends a marker event and waits for it: once the log shows it, it shows every event
    appended before it, so the marker must be the only event after ``head``.
    """
    marker = new_events(1, event_type="Marker")
    settle(store, store.append(unique_stream(), marker))
    found = store.read_all(after=head)
    expect_equal(event_ids(found), event_ids(marker), f"{what}: events in the log after it")
