# Generated from _follow_async.py by tools/unasync.py: do not edit, edit the source.
"""Conformance: waiting for new events, and subscriptions that catch up then follow live.

The writers a waiting check needs run beside it: a thread for a sync store, a task on
the running loop for an asyncio store. Timing bounds are loose (seconds) so that slow
machines pass; a store that waits out its whole timeout instead of waking still fails.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence

from fabula.store import EventStore, NewEvent, StoredEvent, Subscription
from fabula.testing.conformance._background import Background
from fabula.testing.conformance._events import (
    event_ids,
    new_events,
    unique_category,
    unique_stream,
)
from fabula.testing.conformance._expect import expect, expect_equal
from fabula.testing.conformance._follow_base import _expect_delivered
from fabula.testing.conformance._settle import settle, settled_head

__all__ = [
    "check_next_batch_times_out_empty",
    "check_subscription_catches_up",
    "check_subscription_filters",
    "check_subscription_follows_live",
    "check_subscription_iterates",
    "check_subscription_resumes_from_checkpoint",
    "check_wait_for_events_returns_at_once",
    "check_wait_for_events_times_out",
    "check_wait_for_events_wakes_on_append",
]

_LONG = 5.0  # a timeout that must not be waited out
_EARLY = 2.0  # "early": well before _LONG
_SHORT = 0.15  # a timeout that is waited out


def _collect(subscription: Subscription, count: int) -> list[StoredEvent]:
    """Read batches until ``count`` events came or ``_LONG`` seconds passed."""
    deadline = time.monotonic() + _LONG
    found: list[StoredEvent] = []
    while len(found) < count and (left := deadline - time.monotonic()) > 0:
        found.extend(subscription.next_batch(timeout=left))
    return found


def _append_each(store: EventStore, stream: str, batches: Sequence[Sequence[NewEvent]]) -> None:
    for batch in batches:
        store.append(stream, batch)


def _expect_nothing_more(subscription: Subscription, what: str) -> None:
    extra = subscription.next_batch(timeout=_SHORT)
    expect_equal(event_ids(extra), [], f"{what}: events delivered after the expected ones")


def check_wait_for_events_returns_at_once(store: EventStore) -> None:
    """``wait_for_events`` returns True at once when the log already holds a later position."""
    base = settled_head(store)
    result = settle(store, store.append(unique_stream(), new_events(2)))
    for after in (base, result.positions[0]):
        started = time.monotonic()
        found = store.wait_for_events(after, timeout=_LONG)
        took = time.monotonic() - started
        expect(found is True, f"wait_for_events({after}) gave {found!r} with events past it")
        expect(took < _EARLY, f"wait_for_events({after}) took {took:.2f} s with events there")


def check_wait_for_events_times_out(store: EventStore) -> None:
    """``wait_for_events`` returns False once its timeout passed without a new event."""
    head = settled_head(store)
    started = time.monotonic()
    found = store.wait_for_events(head, timeout=_SHORT)
    took = time.monotonic() - started
    expect(found is False, f"wait_for_events at the head gave {found!r}, nothing was appended")
    expect(
        took >= _SHORT * 0.66, f"wait_for_events returned after {took:.3f} s, before its timeout"
    )
    expect(took < _EARLY, f"wait_for_events({_SHORT}) took {took:.2f} s")


def check_wait_for_events_wakes_on_append(store: EventStore) -> None:
    """A waiter wakes, well before its timeout, when another writer appends."""
    head = settled_head(store)
    stream = unique_stream()
    with Background() as background:
        background.start(lambda: store.append(stream, new_events(1)), delay=0.05)
        started = time.monotonic()
        found = store.wait_for_events(head, timeout=_LONG)
        took = time.monotonic() - started
    expect(found is True, f"wait_for_events gave {found!r} while another writer appended")
    expect(took < _EARLY, f"wait_for_events woke {took:.2f} s after the append, not early")


def check_subscription_catches_up(store: EventStore) -> None:
    """A subscription delivers the events after its start position, in log order, in batches."""
    a, b = unique_stream(), unique_stream()
    base = settled_head(store)
    written = new_events(7)
    store.append(a, written[:3])
    store.append(b, written[3:5])
    store.append(a, written[5:])
    with store.subscribe(after=base, batch_size=3) as subscription:
        expect_equal(subscription.position, base, "position before anything was delivered")
        first = subscription.next_batch(timeout=_LONG)
        expect(0 < len(first) <= 3, f"next_batch with batch_size=3 gave {len(first)} events")
        found = first + _collect(subscription, len(written) - len(first))
        _expect_delivered(found, written, "catch-up")
        expect_equal(found, store.read_all(after=base), "delivered vs read_all records")
        expect_equal(subscription.position, found[-1].position, "position after catching up")
        _expect_nothing_more(subscription, "catch-up")
    with store.subscribe(after=found[2].position) as subscription:
        rest = _collect(subscription, len(written) - 3)
        _expect_delivered(rest, written[3:], "catch-up from a position")


def check_subscription_follows_live(store: EventStore) -> None:
    """Events appended by another writer while a subscription waits arrive in order, once each."""
    stream = unique_stream()
    head = settled_head(store)
    batches = [new_events(2), new_events(1), new_events(3)]
    written = [event for batch in batches for event in batch]
    with store.subscribe(after=head) as subscription:
        with Background() as background:
            background.start(lambda: _append_each(store, stream, batches), delay=0.05)
            found = _collect(subscription, len(written))
        _expect_delivered(found, written, "live")
        expect_equal(subscription.position, found[-1].position, "position after live events")
        _expect_nothing_more(subscription, "live")


def check_subscription_filters(store: EventStore) -> None:
    """A subscription with ``types`` or ``categories`` delivers only matching events, old or new."""
    cat = unique_category()
    kept_type = f"Kept{cat}"
    inside, outside = unique_stream(cat), unique_stream()
    base = settled_head(store)
    old = [*new_events(1, event_type=kept_type), *new_events(1)]
    store.append(inside, old)
    elsewhere = new_events(1, event_type=kept_type)
    store.append(outside, elsewhere)
    new = [*new_events(1), *new_events(1, event_type=kept_type)]
    filters: list[tuple[Collection[str] | None, Collection[str] | None]] = [
        ([kept_type], None),
        (None, [cat]),
        ([kept_type], [cat]),
    ]
    wanted_old = [[old[0], *elsewhere], old, [old[0]]]
    for (types, categories), want in zip(filters, wanted_old, strict=True):
        what = f"types={types}, categories={categories}"
        with store.subscribe(after=base, types=types, categories=categories) as sub:
            found = _collect(sub, len(want))
            _expect_delivered(found, want, what)
            _expect_nothing_more(sub, what)
            expect(
                sub.position >= found[-1].position,
                f"{what}: position {sub.position} is before the last delivered event",
            )
    head = settled_head(store)
    with store.subscribe(after=head, types=[kept_type], categories=[cat]) as subscription:
        with Background() as background:
            background.start(lambda: store.append(outside, new_events(1, event_type=kept_type)))
            background.start(lambda: store.append(inside, new), delay=0.05)
            found = _collect(subscription, 1)
        _expect_delivered(found, new[1:], "live events through types and categories filters")
        _expect_nothing_more(subscription, "live filtered")
        expect(
            subscription.position >= found[-1].position,
            f"position {subscription.position} is before the last delivered event",
        )


def check_subscription_iterates(store: EventStore) -> None:
    """Iterating a subscription yields its events one by one, moving ``position`` along."""
    stream = unique_stream()
    base = settled_head(store)
    written = new_events(3)
    store.append(stream, written)
    found: list[StoredEvent] = []
    with store.subscribe(after=base, batch_size=2) as subscription:
        for event in subscription:
            found.append(event)
            expect_equal(subscription.position, event.position, "position while iterating")
            if len(found) == len(written):
                break
    _expect_delivered(found, written, "iteration")


def check_subscription_resumes_from_checkpoint(store: EventStore) -> None:
    """A new subscription from an old one's ``position`` sees every later event, none twice."""
    stream = unique_stream()
    base = settled_head(store)
    written = new_events(5)
    store.append(stream, written)
    with store.subscribe(after=base, batch_size=3) as first:
        seen = first.next_batch(timeout=_LONG)
        checkpoint = first.position
    expect_equal(event_ids(seen), event_ids(written[:3]), "first page with batch_size=3")
    expect_equal(checkpoint, seen[-1].position, "checkpoint after the first page")
    later = new_events(2)
    store.append(stream, later)
    with store.subscribe(after=checkpoint) as second:
        rest = _collect(second, 4)
        _expect_delivered(rest, written[3:] + later, "resumed from the checkpoint")
        _expect_nothing_more(second, "resumed")


def check_next_batch_times_out_empty(store: EventStore) -> None:
    """``next_batch(timeout=...)`` returns an empty list when nothing arrives in time."""
    head = settled_head(store)
    with store.subscribe(after=head) as subscription:
        started = time.monotonic()
        found = subscription.next_batch(timeout=_SHORT)
        took = time.monotonic() - started
        expect_equal(found, [], "next_batch at the head with nothing appended")
        expect(took < _EARLY, f"next_batch(timeout={_SHORT}) took {took:.2f} s")
        expect_equal(subscription.position, head, "position after an empty wait")
