"""Snapshot records shared by both twins of the snapshot checks."""

from __future__ import annotations

from fabula.store import SnapshotRecord


def _snapshot(stream: str, version: int, data: str = '{"n": 0}') -> SnapshotRecord:
    return SnapshotRecord(
        stream_id=stream, version=version, type="Counter", data=data, schema_version=2
    )
