"""What an export of one subject's personal data holds (right of access)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from fabula.store import StoredEvent

__all__ = ["SubjectExport", "holds_sealed_field"]


@dataclass(frozen=True, slots=True)
class SubjectExport:
    """Everything the store keeps sealed for one subject, opened.

    Attributes:
        subject: the subject's id.
        key: ``"active"`` (a key exists), ``"forgotten"`` (destroyed: the fields read
            redacted) or ``"none"`` (no personal data was ever stored for it).
        events: the stored events holding a personal field of the subject, in log
            order, with those fields opened (or marked forgotten).
    """

    subject: str
    key: Literal["active", "forgotten", "none"]
    events: tuple[StoredEvent, ...]

    def as_json(self) -> dict[str, Any]:
        """A JSON-able view: the subject, its key state and each event's payload."""
        return {
            "subject": self.subject,
            "key": self.key,
            "events": [
                {
                    "stream_id": e.stream_id,
                    "version": e.version,
                    "position": e.position,
                    "type": e.type,
                    "recorded_at": e.recorded_at.isoformat(),
                    "data": msgspec.json.decode(e.data),
                }
                for e in self.events
            ],
        }


def holds_sealed_field(record: StoredEvent, subject: str) -> bool:
    """Whether a stored record has a top-level field sealed for ``subject``."""
    if '"fabula:sealed"' not in record.data:
        return False
    payload: dict[str, Any] = msgspec.json.decode(record.data)
    return any(
        isinstance(value, dict) and "fabula:sealed" in value and value.get("subject") == subject
        for value in payload.values()
    )
