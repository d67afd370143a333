"""What inline projections share: an append's records, decoded into handler steps.

The store hands an inline projection only the records of the types it handles, so each
one decodes, and has a handler.
"""

from __future__ import annotations

from collections.abc import Sequence

from fabula.codec import EventRegistry, decode_parts
from fabula.read._batches import handled, steps_for
from fabula.read._projection import Projection
from fabula.read._target import Step
from fabula.store import StoredEvent

__all__ = ["decode_steps"]


def decode_steps(
    projection: Projection, registry: EventRegistry, records: Sequence[StoredEvent]
) -> list[Step]:
    """Decode ``records`` and pair each with its handler (a batch handler's run as one).

    Raises:
        CodecError: a record does not decode (the error names its coordinates).
    """
    events = [part for r in records for part in decode_parts(registry, r)]
    return steps_for(projection.entry, handled(projection.handlers.event_types, events))
