"""What a dispatch carries in (``CommandContext``) and what it gives back (``DispatchResult``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fabula._errors import InvalidArgument
from fabula.domain import JSONValue, Recorded

__all__ = ["CommandContext", "DispatchResult"]


@dataclass(slots=True, kw_only=True)
class CommandContext:
    """One command on its way through the middleware to its handler.

    Attributes:
        command: the command value.
        command_id: its id; the causation id of every event it causes.
        correlation_id: shared by everything one request caused.
        causation_id: what caused the command (an event id, another command), if anything.
        metadata: user fields stored with every event (who, from where, ...).
        expected_version: the stream version the caller saw, if it sent one.
        idempotent: the caller gave ``command_id``: a second dispatch with it is a no-op.
        attempt: 1 for the first try, then counts retries.
    """

    command: Any
    command_id: UUID
    correlation_id: UUID
    causation_id: UUID | None = None
    metadata: dict[str, JSONValue] = field(default_factory=dict)
    expected_version: int | None = None
    idempotent: bool = False
    attempt: int = 1

    def __post_init__(self) -> None:
        # Refused at dispatch, the same on every backend: a str id would work on one
        # store and fail on another, or pass unnoticed when the command appends nothing.
        if (bad := _bad_argument(self)) is not None:
            raise InvalidArgument(*bad)


def _bad_argument(context: CommandContext) -> tuple[str, object, str] | None:
    """Name the first bad id or expected version of ``context``, if any."""
    ids: tuple[tuple[str, object], ...] = (
        ("command_id", context.command_id),
        ("correlation_id", context.correlation_id),
        ("causation_id", context.causation_id),
    )
    for name, value in ids:
        if not isinstance(value, UUID) and (value is not None or name != "causation_id"):
            return name, value, "a uuid.UUID, not its text"
    version: object = context.expected_version
    if version is None or (
        isinstance(version, int) and not isinstance(version, bool) and 0 <= version < 2**63
    ):
        return None
    return "expected_version", version, "None or an int from 0 to 2**63-1"


@dataclass(frozen=True, slots=True, kw_only=True)
class DispatchResult:
    """What a dispatched command did.

    Attributes:
        stream_id: the stream the command was decided on.
        version: the stream's version after the command (unchanged for a no-op).
        events: the appended events with their envelopes (empty for a no-op).
        command_id: the command's id.
        deduplicated: the command had been handled before (same ``command_id``); the
            events shown are the ones it appended then.
        listener_errors: failures of after-commit listeners; the command IS committed.
    """

    stream_id: str
    version: int
    events: tuple[Recorded[Any], ...]
    command_id: UUID
    deduplicated: bool = False
    listener_errors: tuple[BaseException, ...] = ()

    @property
    def positions(self) -> tuple[int, ...]:
        """Global positions of the appended events."""
        return tuple(item.position for item in self.events)

    @property
    def position(self) -> int | None:
        """The last global position written (wait for it to read your writes), if any."""
        return self.events[-1].position if self.events else None
