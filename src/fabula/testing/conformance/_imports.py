# Generated from _imports_async.py by tools/unasync.py: do not edit, edit the source.
"""Conformance: ``import_events``, the bulk import (``fabula.store._import``).

A store without ``import_events`` (it is not part of the ``EventStore`` protocol)
passes these checks untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from fabula._errors import ConcurrencyError, DuplicateEvent, ImportRefused
from fabula.store import EventStore, ImportedEvent, ImportResult
from fabula.testing.conformance._events import imported_event, unique_stream
from fabula.testing.conformance._expect import expect, expect_equal, raises
from fabula.testing.conformance._settle import settled_head

__all__ = ["check_import_keeps_versions_ids_and_order"]


class _Importer(Protocol):
    def import_events(
        self,
        events: Iterable[ImportedEvent],
        /,
        *,
        chunk_size: int = ...,
        progress: Callable[[int], object] | None = ...,
    ) -> ImportResult: ...


def check_import_keeps_versions_ids_and_order(store: EventStore) -> None:
    """``import_events`` keeps input order and versions, and refuses a chunk whole.

    Versions must follow the stored stream and ids be unique; the refusal names the line.
    """
    if not hasattr(store, "import_events"):
        return
    importer: _Importer = store  # type: ignore[assignment]
    one, two = unique_stream(), unique_stream()
    head = settled_head(store)
    events = [
        imported_event(one, 1),
        imported_event(two, 1),
        imported_event(one, 2),
        imported_event(two, 2),
        imported_event(one, 3),
    ]
    result = importer.import_events(events, chunk_size=2)
    expect_equal((result.events, result.chunks), (5, 3), "events and chunks imported")
    settled_head(store)
    read = [e for e in store.read_all(after=head) if e.stream_id in (one, two)]
    expect_equal(
        [(e.stream_id, e.version, e.event_id) for e in read],
        [(e.stream_id, e.version, e.event_id) for e in events],
        "imported events in input order with their versions",
    )
    expect_equal(store.stream_version(one), 3, "version of an imported stream")
    # Chunk 1 is fine; chunk 2 skips version 4 of ``one``: it stops there, chunk 1 stays.
    gap = [
        imported_event(two, 3),
        imported_event(two, 4),
        imported_event(two, 5),
        imported_event(one, 5),
    ]
    with raises(ImportRefused, "an import whose version skips one") as refused:
        importer.import_events(gap, chunk_size=2)
    expect_equal(refused.error.line, 4, "the line of the version out of place")
    expect_equal(refused.error.imported, 2, "events stored before the refused chunk")
    expect(isinstance(refused.error.__cause__, ConcurrencyError), "caused by a ConcurrencyError")
    expect_equal(store.stream_version(two), 4, "the chunk before the refusal is stored")
    reused = [
        imported_event(unique_stream(), 1),
        imported_event(unique_stream(), 1, event_id=events[0].event_id),
    ]
    with raises(ImportRefused, "an import reusing a stored event id") as refused:
        importer.import_events(reused)
    expect_equal(refused.error.line, 2, "the line of the reused id")
    expect(isinstance(refused.error.__cause__, DuplicateEvent), "caused by a DuplicateEvent")
    expect_equal(store.stream_version(reused[0].stream_id), 0, "nothing of a refused chunk")
