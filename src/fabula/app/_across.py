# Generated from _across_async.py by tools/unasync.py: do not edit, edit the source.
"""One command decided over several streams, appended in one transaction (``_decision.py``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fabula._errors import ConcurrencyError
from fabula.app._decision import Across, Decision, Model
from fabula.app._dispatch import CommandContext, DispatchResult
from fabula.app._loaded import Loaded
from fabula.app._repository import Repository
from fabula.app._streams import stream_name
from fabula.codec import EventRegistry, Keyring, encode_new
from fabula.domain import Recorded, as_decider
from fabula.store import EventStore, ExpectedVersion, StreamAppend

__all__ = ["decide_across"]


def decide_across(
    store: EventStore,
    registry: EventRegistry,
    repository_of: Callable[[Model], Repository[Any]],
    across: Across,
    context: CommandContext,
) -> DispatchResult:
    """Load the named streams, decide, and append to all of them at once (``_decision`` rules)."""
    loaded: dict[tuple[int, str], Loaded[Any]] = {}
    for model, key in across.streams(context.command):
        repository = repository_of(model)
        stream_id = stream_name(repository.decider.name, key)
        loaded[(id(as_decider(model)), key)] = repository.load(stream_id)
    first = next(iter(loaded.values()), None)
    if (
        first is not None
        and context.expected_version is not None
        and context.expected_version != first.version
    ):
        raise ConcurrencyError(
            first.stream_id, str(ExpectedVersion(context.expected_version)), first.version
        )
    decision = Decision(loaded)
    across.decide(context.command, decision)
    metadata = context.metadata
    if context.causation_id is not None:
        metadata = {**metadata, "caused_by": str(context.causation_id)}
    batch: list[StreamAppend] = []
    typed: list[list[object]] = []
    decided = {item.stream_id: decision.events(item.stream_id) for item in loaded.values()}
    keys = Keyring(store).keys_for_streams(registry, decided)
    for item in loaded.values():
        events = decided[item.stream_id]
        records = encode_new(
            registry,
            events,
            metadata=metadata,
            causation_id=context.command_id,
            correlation_id=context.correlation_id,
            keys=keys,
            stream_id=item.stream_id,
        )
        batch.append(StreamAppend(item.stream_id, records, ExpectedVersion(item.version)))
        typed.append(events)
    if not any(typed):
        last = first if first is not None else Loaded("", None, 0)
        return DispatchResult(
            stream_id=last.stream_id, version=last.version, events=(), command_id=context.command_id
        )
    results = store.append_many(batch)
    now = datetime.now(UTC)
    recorded: list[Recorded[Any]] = []
    for part, events, result in zip(batch, typed, results, strict=True):
        start = result.version - len(events)
        recorded.extend(
            Recorded(
                event=value,
                stream_id=part.stream_id,
                version=start + index + 1,
                position=position,
                event_id=record.event_id,
                type=record.type,
                recorded_at=now,
                causation_id=context.command_id,
                correlation_id=context.correlation_id,
                metadata=dict(metadata),
            )
            for index, (value, record, position) in enumerate(
                zip(events, part.events, result.positions, strict=True)
            )
        )
    recorded.sort(key=lambda item: item.position)
    last_event = recorded[-1]
    return DispatchResult(
        stream_id=last_event.stream_id,
        version=last_event.version,
        events=tuple(recorded),
        command_id=context.command_id,
    )
