"""Snapshot state across versions: the current version decodes, an older one is upcast.

A snapshot is read only when its type is the decider's name and its state reaches the
decider's ``snapshot_version``: as stored, or through ``snapshot_upcasters`` one version
at a time. Anything else (a newer version, a gap in the chain, a failing upcaster) is
ignored, and the stream is replayed: a snapshot is never decoded as a state it is not.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import msgspec

from fabula._errors import CodecError, ConfigurationError
from fabula.domain import Decider
from fabula.store import SnapshotRecord

__all__ = ["decode_snapshot", "snapshot_data"]

logger = logging.getLogger("fabula.app")
_encoder = msgspec.json.Encoder()


def snapshot_data(decider: Decider[Any, Any, Any], snapshot: SnapshotRecord) -> str | bytes | None:
    """Return the snapshot's state JSON at the decider's version, or ``None`` to replay."""
    why = _refusal(decider, snapshot)
    if why is None and snapshot.schema_version == decider.snapshot_version:
        return snapshot.data
    if why is None:
        try:
            state = msgspec.json.decode(snapshot.data)
            for step in range(snapshot.schema_version, decider.snapshot_version):
                state = decider.snapshot_upcasters[step](state)
            return _encoder.encode(state)
        except Exception as exc:  # a failing upcaster means: replay
            why = f"its upcaster failed ({exc!r})"
    logger.info(
        "snapshot of %s at version %d (%s v%d) is not used: %s; replaying the stream",
        snapshot.stream_id,
        snapshot.version,
        snapshot.type,
        snapshot.schema_version,
        why,
    )
    return None


def _refusal(decider: Decider[Any, Any, Any], snapshot: SnapshotRecord) -> str | None:
    if snapshot.type != decider.name:
        return f"it is not a {decider.name!r} snapshot"
    if snapshot.schema_version > decider.snapshot_version:
        return f"it is newer than this code's version {decider.snapshot_version}"
    missing = [
        step
        for step in range(snapshot.schema_version, decider.snapshot_version)
        if step not in decider.snapshot_upcasters
    ]
    if missing:
        return f"no snapshot upcaster from version {missing[0]}"
    return None


@cache
def _decoder(state_type: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(state_type)


def decode_snapshot(decider: Decider[Any, Any, Any], snapshot: SnapshotRecord, /) -> Any | None:
    """Decode a stored snapshot's state as a repository would; ``None``: it would replay.

    Raises:
        ConfigurationError: the decider has no ``state_type``.
        CodecError: the state reaches the current version but does not decode (the
            repository logs this and replays).
    """
    if decider.state_type is None:
        msg = f"decider {decider.name!r} has no state_type: it reads no snapshots"
        raise ConfigurationError(msg)
    data = snapshot_data(decider, snapshot)
    if data is None:
        return None
    try:
        return _decoder(decider.state_type).decode(data)
    except (msgspec.DecodeError, TypeError, ValueError, RecursionError) as exc:
        msg = f"snapshot of {decider.name!r} does not decode: {exc}"
        raise CodecError(msg, stream_id=snapshot.stream_id, version=snapshot.version) from exc
