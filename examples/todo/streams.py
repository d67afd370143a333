"""Where todos live in the store, and what the app writes with them (seed 000, section A).

Each todo is the stream ``todo-<id>`` (category ``todo``). Every event carries
``TodoMetadata``: who initiated the command.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from examples.todo.commands import CreateTodo, TodoCommand
from fabula import NO_STREAM, STREAM_EXISTS, ExpectedVersion
from fabula.domain import JSONValue
from fabula.store import Precondition

__all__ = ["TODO_STREAM", "TodoMetadata", "precondition_for", "stream_id", "stream_of"]

TODO_STREAM: Final = "todo"
"""The stream category (and aggregate type) of todos."""


@dataclass(frozen=True, slots=True)
class TodoMetadata:
    """The metadata stored with every todo event: ``{"initiated_by": "<user>"}``.

    Write it with ``flow.dispatch(command, metadata=TodoMetadata("ann").to_json())``;
    read it back from an event's envelope with ``TodoMetadata.from_json(recorded.metadata)``.
    The GraphQL ``events`` field shows it as ``metadata.initiatedBy``.
    """

    initiated_by: str

    def to_json(self) -> dict[str, JSONValue]:
        """Return the metadata as stored: ``{"initiated_by": ...}``."""
        return {"initiated_by": self.initiated_by}

    @classmethod
    def from_json(cls, metadata: Mapping[str, JSONValue]) -> TodoMetadata:
        """Read the metadata of a stored event (``initiated_by`` is ``""`` if missing)."""
        value = metadata.get("initiated_by")
        return cls(value if isinstance(value, str) else "")


def stream_id(todo_id: str) -> str:
    """Return the stream id of a todo: ``todo-<id>``."""
    return f"{TODO_STREAM}-{todo_id}"


def stream_of(command: TodoCommand) -> str:
    """Return the stream a command goes to (the ``stream_id`` a ``Flow`` route needs)."""
    return stream_id(command.todo_id)


def precondition_for(command: TodoCommand, version: int | None = None) -> Precondition:
    """Return the append precondition the app uses for ``command``.

    ``CreateTodo`` needs a new stream; any other command needs the version the client
    sent (``ExpectedVersion``), or else only an existing stream.
    """
    if isinstance(command, CreateTodo):
        return NO_STREAM
    if version is not None:
        return ExpectedVersion(version)
    return STREAM_EXISTS
