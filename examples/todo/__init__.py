"""The canonical todo, reproducing seed 000 (the ``cqrs-todo-core`` crate).

A functional decider (``todo``): state as a union (``Uninitialized | Todo``), ``match``
with exhaustiveness checks, value objects that validate, and errors with stable codes::

    from examples.todo import CreateTodo, Description, TodoMetadata, stream_of, todo
    from fabula import Flow, open_store

    flow = Flow(open_store("sqlite:///todo.db"))
    flow.register(todo, stream_id=stream_of)
    flow.dispatch(
        CreateTodo(todo_id="1", description=Description("Buy milk")),
        metadata=TodoMetadata(initiated_by="ann").to_json(),
    )
"""

from examples.todo.commands import (
    COMMANDS,
    CancelReminder,
    CreateTodo,
    MarkCompleted,
    ResetCompleted,
    SetReminder,
    TodoCommand,
    ToggleCompletion,
    UpdateDescription,
)
from examples.todo.decider import decide, evolve, todo
from examples.todo.errors import (
    AlreadyCreated,
    InvalidDescription,
    InvalidReminderTime,
    NotInitialized,
)
from examples.todo.events import (
    EVENTS,
    Completed,
    Created,
    DescriptionUpdated,
    ReminderUpdated,
    TodoEvent,
    Uncompleted,
)
from examples.todo.state import Status, Todo, TodoState, Uninitialized
from examples.todo.streams import (
    TODO_STREAM,
    TodoMetadata,
    precondition_for,
    stream_id,
    stream_of,
)
from examples.todo.values import Description, Reminder

__all__ = [
    "COMMANDS",
    "EVENTS",
    "TODO_STREAM",
    "AlreadyCreated",
    "CancelReminder",
    "Completed",
    "CreateTodo",
    "Created",
    "Description",
    "DescriptionUpdated",
    "InvalidDescription",
    "InvalidReminderTime",
    "MarkCompleted",
    "NotInitialized",
    "Reminder",
    "ReminderUpdated",
    "ResetCompleted",
    "SetReminder",
    "Status",
    "Todo",
    "TodoCommand",
    "TodoEvent",
    "TodoMetadata",
    "TodoState",
    "ToggleCompletion",
    "Uncompleted",
    "Uninitialized",
    "UpdateDescription",
    "decide",
    "evolve",
    "precondition_for",
    "stream_id",
    "stream_of",
    "todo",
]
