"""Dead letters: events a projection parked after its handler kept failing on them.

A dead letter is written in the target's database, keyed by projection and position. It
disappears when the event is finally applied (by a retry, or by a runner that processes
the position again) or explicitly discarded: never by being forgotten.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID

from fabula.read._errors import HandlerError
from fabula.store import StoredEvent

__all__ = ["DeadLetter", "describe_error"]


def describe_error(error: BaseException) -> str:
    """Return ``Type: message``; for a ``HandlerError``, of the handler's own exception."""
    cause = error.__cause__ if isinstance(error, HandlerError) and error.__cause__ else error
    return f"{type(cause).__name__}: {cause}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    """A parked event: where it is in the log, and why its handler failed."""

    name: str
    position: int
    stream_id: str
    version: int
    event_id: UUID
    type: str
    error: str
    details: str = ""
    attempts: int = 1
    parked_at: datetime

    @classmethod
    def from_failure(
        cls, name: str, record: StoredEvent, error: BaseException, *, attempts: int
    ) -> DeadLetter:
        """Describe ``record`` parked by projection ``name`` after ``error``."""
        return cls(
            name=name,
            position=record.position,
            stream_id=record.stream_id,
            version=record.version,
            event_id=record.event_id,
            type=record.type,
            error=describe_error(error),
            details="".join(traceback.format_exception(error)),
            attempts=attempts,
            parked_at=datetime.now(UTC),
        )

    def failed_again(self, error: BaseException) -> DeadLetter:
        """Return this letter after one more failed attempt."""
        return replace(
            self,
            error=describe_error(error),
            details="".join(traceback.format_exception(error)),
            attempts=self.attempts + 1,
            parked_at=datetime.now(UTC),
        )
