"""What inline projections share: an append's records, decoded into handler steps.

The store hands an inline projection only the records of the types it handles, so each
one decodes, and has a handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fabula.app._envelopes import decode_recorded
from fabula.codec import EventRegistry
from fabula.domain import Recorded
from fabula.read._batches import steps_for
from fabula.read._errors import HandlerError
from fabula.read._projection import Projection
from fabula.read._target import Step
from fabula.store import StoredEvent

__all__ = ["decode_steps", "handler_failed"]


def decode_steps(
    projection: Projection, registry: EventRegistry, records: Sequence[StoredEvent]
) -> list[Step]:
    """Decode ``records`` and pair each with its handler (a batch handler's run as one).

    Raises:
        CodecError: a record does not decode (the error names its coordinates).
    """
    return steps_for(projection.entry, [decode_recorded(registry, r) for r in records])


def handler_failed(name: str, recorded: Recorded[Any]) -> HandlerError:
    """The error that says which projection's handler failed, on which event."""
    return HandlerError(
        name,
        stream_id=recorded.stream_id,
        version=recorded.version,
        position=recorded.position,
        event_type=recorded.type,
    )
