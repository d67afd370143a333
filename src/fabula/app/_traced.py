"""What the command flow reports to the active telemetry (shared by both flow twins)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from fabula._errors import ConcurrencyError, DomainError
from fabula._telemetry import Telemetry

__all__ = ["command_attributes", "outcome_of", "span"]

_NOTHING: AbstractContextManager[object] = nullcontext()


def span(telemetry: Telemetry | None, name: str, stream_id: str) -> AbstractContextManager[object]:
    """A span about ``stream_id`` from ``telemetry``, or a shared no-op when there is none."""
    if telemetry is None:
        return _NOTHING
    return telemetry.span(name, {"fabula.stream_id": stream_id})


def outcome_of(error: BaseException | None, /) -> str:
    """The ``outcome`` attribute of a finished command."""
    if error is None:
        return "ok"
    if isinstance(error, DomainError):
        return "refused"
    return "conflict" if isinstance(error, ConcurrencyError) else "error"


def command_attributes(
    command: object, command_id: object, correlation_id: object
) -> dict[str, str]:
    """The attributes of a dispatch span."""
    return {
        "fabula.command.type": type(command).__name__,
        "fabula.command.id": str(command_id),
        "fabula.correlation_id": str(correlation_id),
    }
