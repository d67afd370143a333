# Generated from _copy_async.py by tools/unasync.py: do not edit, edit the source.
"""``copy``: copy a store into an empty one, transforming events on the way.

Rules:
1. The destination must be empty (its head is 0): ``DestinationNotEmpty`` otherwise. The
   source is only read (open it read-only).
2. The log is read in pages, in order; each page's output is written with one
   ``append_many`` (one transaction), consecutive events of a stream in one append.
   Event ids, types, payloads, metadata, causation and correlation ids are kept; each
   stream's order is kept, its versions are renumbered 1, 2, ... when events are
   dropped or added. Positions and ``recorded_at`` are the destination's own.
3. The newest snapshot of each stream copied unchanged (every event written as it is, to
   its own stream, at its own version) is copied, once the events are; a stream the
   transform changed gets none (its snapshot may not match): its repositories replay,
   and snapshot again by their policy.
4. The key rows of the subjects of the sealed personal fields of each page are copied
   (``KeyTable.restore``) before the page is written, forgotten subjects as forgotten:
   every copied event reads as it did in the source. The streams they land in are noted
   (``KeyTable.note``): exports from the destination read only those.
5. At the end the destination is read back: its event count and SHA-256 checksum must
   equal what was written (``CopyMismatch`` otherwise).
"""

from __future__ import annotations

import hashlib

from fabula._errors import ConfigurationError, StreamArchived, StreamDeleted
from fabula.codec import sealed_subjects_per_record
from fabula.evolution._copy_base import (
    CopyMismatch,
    CopyReport,
    DestinationNotEmpty,
    Transform,
    fingerprint,
    outputs,
    unchanged,
)
from fabula.evolution._report import Progress
from fabula.store import EventStore, ExpectedVersion, NewEvent, StreamAppend

__all__ = ["copy_store"]


def copy_store(
    source: EventStore,
    destination: EventStore,
    /,
    *,
    transform: Transform | None = None,
    page_size: int = 1000,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every event of ``source`` into the empty ``destination``; verify the result.

    Raises:
        DestinationNotEmpty: ``destination`` holds events already (nothing is written).
        ConfigurationError: ``source`` and ``destination`` are the same store.
        CopyMismatch: the destination read back differs from what was written.
    """
    if source is destination:
        msg = "copy needs two stores: source and destination are the same"
        raise ConfigurationError(msg)
    _refuse_non_empty(destination)
    report = CopyReport()
    versions: dict[str, int] = {}
    expected = hashlib.sha256()
    source_digest = hashlib.sha256()
    head = source.head()
    after = 0
    while True:
        page = source.read_all(after=after, limit=page_size)
        if not page:
            break
        runs: list[tuple[str, list[NewEvent]]] = []
        pending: dict[str, int] = {}
        for record in page:
            report.read += 1
            fingerprint(source_digest, record.stream_id, record.version, record)
            written = outputs(transform, record)
            if not written:
                report.dropped += 1
            next_version = versions.get(record.stream_id, 0) + pending.get(record.stream_id, 0) + 1
            if not unchanged(record, written, next_version):
                report.changed.add(record.stream_id)
            for stream_id, new in written:
                pending[stream_id] = pending.get(stream_id, 0) + 1
                if stream_id != record.stream_id:
                    report.changed.add(stream_id)
                if runs and runs[-1][0] == stream_id:
                    runs[-1][1].append(new)
                else:
                    runs.append((stream_id, [new]))
        appends = []
        for stream_id, events in runs:
            version = versions.get(stream_id, 0)
            appends.append(StreamAppend(stream_id, events, ExpectedVersion(version)))
            for offset, new in enumerate(events, start=1):
                fingerprint(expected, stream_id, version + offset, new)
            versions[stream_id] = version + len(events)
            report.written += len(events)
        if appends:
            _copy_keys(source, destination, appends, report)
            destination.append_many(appends)
        after = page[-1].position
        if progress is not None:
            progress(report.read, max(head, after))
    report.streams = len(versions)
    report.source_checksum = source_digest.hexdigest()
    report.checksum = expected.hexdigest()
    _verify(destination, report, page_size)
    _copy_snapshots(source, destination, versions, report)
    return report


def _copy_keys(
    source: EventStore,
    destination: EventStore,
    appends: list[StreamAppend],
    report: CopyReport,
) -> None:
    pairs = {
        (subject, append.stream_id)
        for append in appends
        for _, subjects in sealed_subjects_per_record(append.events)
        for subject in subjects
    }
    subjects = sorted({subject for subject, _ in pairs})
    if not subjects:
        return
    source_keys = getattr(source, "personal_keys", None)
    destination_keys = getattr(destination, "personal_keys", None)
    if not callable(source_keys) or not callable(destination_keys):
        msg = "the copy holds personal fields: both stores need a key table (personal_keys())"
        raise ConfigurationError(msg)
    rows = source_keys().fetch(subjects)
    destination_keys().restore(rows)
    # The destination was empty: its index of each subject's streams is complete.
    destination_keys().note(sorted(pairs), complete=True)
    report.keys += len(rows)


def _copy_snapshots(
    source: EventStore,
    destination: EventStore,
    versions: dict[str, int],
    report: CopyReport,
) -> None:
    for stream_id, version in versions.items():
        if stream_id in report.changed:
            continue
        try:
            snapshot = source.load_snapshot(stream_id, max_version=version)
        except (StreamArchived, StreamDeleted):
            continue
        if snapshot is not None:
            destination.save_snapshot(snapshot)
            report.snapshots += 1


def _refuse_non_empty(destination: EventStore) -> None:
    head = destination.head()
    if head:
        raise DestinationNotEmpty(head)


def _verify(destination: EventStore, report: CopyReport, page_size: int) -> None:
    digest = hashlib.sha256()
    count = 0
    after = 0
    while True:
        page = destination.read_all(after=after, limit=page_size)
        if not page:
            break
        for record in page:
            count += 1
            fingerprint(digest, record.stream_id, record.version, record)
        after = page[-1].position
    if count != report.written or digest.hexdigest() != report.checksum:
        msg = (
            f"the destination holds {count} events (checksum {digest.hexdigest()}), "
            f"not the {report.written} written (checksum {report.checksum})"
        )
        raise CopyMismatch(msg)
