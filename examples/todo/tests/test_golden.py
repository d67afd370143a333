"""The seed's golden sequence, stored and replayed: it ends at version 6 (seed 000, section A)."""

from __future__ import annotations

from datetime import UTC, datetime

from examples.todo import (
    Completed,
    Created,
    Description,
    DescriptionUpdated,
    Reminder,
    ReminderUpdated,
    Status,
    Todo,
    TodoEvent,
    TodoMetadata,
    stream_id,
    todo,
)
from fabula import NO_STREAM, Repository
from fabula.store.memory import MemoryStore
from fabula.testing import ProjectionSpec

GOLDEN: list[TodoEvent] = [
    Completed(),  # before Created: ignored
    Created(Description("Hello!")),
    ReminderUpdated(Reminder(datetime.fromtimestamp(10_000, UTC))),
    DescriptionUpdated(Description("New text")),
    Created(Description("Ignored!")),  # a second Created: ignored
    ReminderUpdated(None),
]
EXPECTED = Todo(description=Description("New text"), reminder=None, status=Status.NOT_COMPLETED)


def test_the_golden_sequence_folds_to_the_expected_state() -> None:
    ProjectionSpec(todo).given(*GOLDEN).then(EXPECTED)


def test_the_golden_sequence_is_at_version_6_after_a_store_round_trip() -> None:
    repository = Repository(MemoryStore(), todo)
    stream = stream_id("golden")
    metadata = TodoMetadata(initiated_by="golden-test").to_json()
    result, recorded = repository.append(stream, GOLDEN, precondition=NO_STREAM, metadata=metadata)
    assert result.version == 6
    assert [item.metadata for item in recorded] == [{"initiated_by": "golden-test"}] * 6

    loaded = repository.load(stream)
    assert loaded.version == 6
    assert loaded.state == EXPECTED
    history = repository.history(stream)
    assert [item.event for item in history] == GOLDEN
    assert {TodoMetadata.from_json(item.metadata) for item in history} == {
        TodoMetadata("golden-test")
    }
