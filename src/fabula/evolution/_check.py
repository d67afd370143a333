# Generated from _check_async.py by tools/unasync.py: do not edit, edit the source.
"""``check``: decode every stored event and snapshot with the current code, page by page.

Rules:
1. The log is read in pages of ``page_size`` (``read_all(after=..., limit=...)``), each
   decoded and dropped before the next is fetched: memory stays bounded by one page and
   the report's few coordinates per problem.
2. An event is decoded as every reader would (``decode_parts``: renames, upcasters,
   splits, metadata upcasters); a failure is grouped by kind and stored type.
3. Snapshots: for the deciders given, each stream's newest snapshot is decoded as a
   repository would (``decode_snapshot``). One that would be ignored (the stream replays)
   is counted, not failed; one that reaches the current version and does not decode fails.
4. Nothing is written.
"""

from __future__ import annotations

import contextlib

from fabula._errors import CodecError
from fabula.app import decode_snapshot
from fabula.codec import Keyring, decode_parts, merge_lookups
from fabula.domain import StreamTombstone, SubjectForgotten
from fabula.evolution._code import CurrentCode
from fabula.evolution._report import CheckReport, Progress, Where, kind_of
from fabula.store import EventStore, StoredEvent

__all__ = ["check_store"]


def check_store(
    store: EventStore,
    code: CurrentCode,
    /,
    *,
    page_size: int = 1000,
    first: int = 3,
    snapshots: bool = True,
    progress: Progress | None = None,
) -> CheckReport:
    """Decode every stored event (and the deciders' snapshots); return what failed.

    Args:
        store: the store to check (open it read-only: nothing is written).
        code: the current registry and deciders (``CurrentCode.of(flow)``).
        page_size: events per read of the log.
        first: coordinates kept per problem.
        snapshots: also decode each stream's newest snapshot.
        progress: called with (events read, head) after each page.
    """
    report = CheckReport(first=first)
    for system in (StreamTombstone, SubjectForgotten):  # fabula's own events are known
        code.registry.register(system)
    keyring = Keyring(store)
    head = store.head()
    after = 0
    while True:
        page = store.read_all(after=after, limit=page_size)
        if not page:
            break
        page, closed = _open(keyring, page, report)
        earlier = _merge_members(store, keyring, code, page)
        for record in page:
            report.events += 1
            if record.position in closed:
                continue
            try:
                ends_merge = code.registry.merge_span(record.type, record.version)
                group = earlier if ends_merge is not None else ()
                report.decoded += len(decode_parts(code.registry, record, earlier=group))
            except CodecError as exc:
                where = Where(record.stream_id, record.version, record.position)
                report.add(kind_of(exc), record.type, where, str(exc))
        after = page[-1].position
        if progress is not None:
            progress(report.events, max(head, after))
    if snapshots:
        _check_snapshots(store, code, report, page_size)
    return report


def _open(
    keyring: Keyring, page: list[StoredEvent], report: CheckReport
) -> tuple[list[StoredEvent], set[int]]:
    """Open the page's personal fields; a record whose key is lost is reported, not decoded."""
    try:
        return keyring.open(page), set()
    except CodecError:
        pass
    opened: list[StoredEvent] = []
    closed: set[int] = set()
    for record in page:
        try:
            opened += keyring.open([record])
        except CodecError as exc:
            where = Where(record.stream_id, record.version, record.position)
            report.add(kind_of(exc), record.type, where, str(exc))
            closed.add(record.position)
            opened.append(record)
    return opened, closed


def _merge_members(
    store: EventStore, keyring: Keyring, code: CurrentCode, page: list[StoredEvent]
) -> list[StoredEvent]:
    extra: list[StoredEvent] = []
    for stream_id, first, last in merge_lookups(code.registry, page):
        extra += store.read_stream(stream_id, from_version=first, to_version=last)
    if extra:
        # A lost key: the member stays sealed, and its own line reports the failure.
        with contextlib.suppress(CodecError):
            extra = keyring.open(extra)
    return [*page, *extra]


def _check_snapshots(
    store: EventStore, code: CurrentCode, report: CheckReport, page_size: int
) -> None:
    deciders = {d.name: d for d in code.deciders if d.state_type is not None}
    if not deciders:
        return
    after: str | None = None
    while True:
        streams = store.list_streams("", after=after, limit=page_size)
        if not streams:
            return
        for stream in streams:
            snapshot = store.load_snapshot(stream.stream_id)
            if snapshot is None or snapshot.type not in deciders:
                continue
            try:
                state = decode_snapshot(deciders[snapshot.type], snapshot)
            except CodecError as exc:
                where = Where(snapshot.stream_id, snapshot.version, None)
                report.add("snapshot", snapshot.type, where, str(exc))
                continue
            if state is None:
                report.snapshots_replayed += 1
            else:
                report.snapshots += 1
        after = streams[-1].stream_id
