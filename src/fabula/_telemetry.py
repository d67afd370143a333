"""The hooks every layer calls for tracing and metrics; inactive until something installs one.

Rules:

1. ``hooks.active`` is ``None`` unless ``fabula.otel.instrument()`` (or a test) installs a
   ``Telemetry``. Callers read it once per operation and take a plain path when it is
   ``None``: without OpenTelemetry, fabula pays one global read and one ``if``.
2. The hooks speak in primitives (names, counts, the carrier dicts stored in event
   metadata), so this leaf imports nothing from fabula and any layer may call it.
3. A trace context travels in event metadata under the W3C names ``traceparent`` and
   ``tracestate`` (``CARRIER_KEYS``): ``inject()`` returns them for the current span,
   and a consumer passes the carriers of the events it handles back in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

__all__ = [
    "CARRIER_KEYS",
    "Attributes",
    "Hooks",
    "Telemetry",
    "carrier_of",
    "event_fields",
    "hooks",
    "install",
]

CARRIER_KEYS = ("traceparent", "tracestate")
"""The event metadata keys that carry a trace context (W3C Trace Context names)."""

Attributes = Mapping[str, str | int | float | bool]


class Telemetry(Protocol):
    """What fabula reports: spans, the trace context for new events, and measurements."""

    def span(
        self,
        name: str,
        attributes: Attributes,
        /,
        *,
        carriers: Sequence[Mapping[str, str]] = (),
    ) -> AbstractContextManager[object]:
        """A span, made current while open; ``carriers`` are the causing events' contexts."""

    def inject(self) -> dict[str, str]:
        """The current trace context, as metadata entries for the events about to be written."""

    def command(self, command_type: str, seconds: float, outcome: str) -> None:
        """One dispatch ended: ``ok``, ``refused``, ``conflict`` or ``error``."""

    def retried(self, command_type: str) -> None:
        """A command is decided again after a conflict."""

    def appended(self, count: int) -> None:
        """``count`` events were appended by a command."""

    def lag(self, consumer: str, events: int, seconds: float) -> None:
        """A consumer's distance behind the head of the log."""

    def parked(self, consumer: str, event_type: str) -> None:
        """A consumer parked an event (a dead letter)."""

    def annotate(self, span: object, attributes: Attributes, /) -> None:
        """Add ``attributes`` to ``span`` (what ``span()`` yielded), once they are known."""

    def process_step(self, manager: str, trigger: str, outcome: str, commands: int) -> None:
        """A process step ended (``event`` or ``deadline``; ``ok``, ``skipped``, ``failed``)."""

    def compensated(self, manager: str, command_type: str) -> None:
        """A process manager ran the compensation of a refused command."""


class Hooks:
    """The process-wide switch: ``hooks.active`` is the installed ``Telemetry``, or ``None``."""

    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active: Telemetry | None = None


hooks = Hooks()


def install(telemetry: Telemetry | None, /) -> Telemetry | None:
    """Make ``telemetry`` the active one (``None``: none); return the one it replaces."""
    previous, hooks.active = hooks.active, telemetry
    return previous


def carrier_of(metadata: Mapping[str, object], /) -> dict[str, str]:
    """The trace context entries of an event's metadata (empty if it has none)."""
    return {key: value for key in CARRIER_KEYS if isinstance(value := metadata.get(key), str)}


def event_fields(
    stream_id: str, event_type: str, position: int, correlation_id: object
) -> dict[str, object]:
    """A log record's structured ``extra`` fields for one event (``fabula.logs`` prints them)."""
    return {
        "stream_id": stream_id,
        "event_type": event_type,
        "position": position,
        "correlation_id": None if correlation_id is None else str(correlation_id),
    }
