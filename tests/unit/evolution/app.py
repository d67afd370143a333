"""The current code and a transform, as ``--app`` and ``--transform`` name them."""

from __future__ import annotations

from typing import Any

import msgspec

from fabula.evolution import CurrentCode
from fabula.store import StoredEvent
from tests.unit.codec.evolution_kit import decider, registry

code = CurrentCode(registry(), (decider(),))


def make_code() -> CurrentCode:
    """A function returning the code works too."""
    return code


def modernize(record: StoredEvent) -> StoredEvent | list[StoredEvent] | None:
    """Drop ``Noise``, rename ``Renamed`` v1 to ``NameChanged`` v2, keep the rest."""
    if record.type == "Noise":
        return None
    if record.type == "Renamed":
        payload: dict[str, Any] = msgspec.json.decode(record.data)
        data = msgspec.json.encode({**payload, "by": "copy"}).decode()
        return msgspec.structs.replace(record, type="NameChanged", schema_version=2, data=data)
    return record
