"""The Eventuality todo flow, reproducing seed 002 (its README).

Commands go through a ``fabula.Flow`` to the class-style ``Todo`` aggregate; after each
commit, listeners update an in-memory "database" and log. ``build_flow(store)`` wires it;
``main()`` dispatches the seed's ``CreateTodo(id="todo1", description="Create a todo")``
and ``MarkAsCompleted(id="todo1")``.
"""

from examples.todo_flow.aggregate import STREAM_PREFIX, Todo, TodoNotFound, stream_id
from examples.todo_flow.commands import CreateTodo, MarkAsCompleted
from examples.todo_flow.events import EVENTS, TodoCompletedEvent, TodoCreatedEvent
from examples.todo_flow.flow import build_flow, main
from examples.todo_flow.listeners import TodoDatabase, TodoRow, log_stuff

__all__ = [
    "EVENTS",
    "STREAM_PREFIX",
    "CreateTodo",
    "MarkAsCompleted",
    "Todo",
    "TodoCompletedEvent",
    "TodoCreatedEvent",
    "TodoDatabase",
    "TodoNotFound",
    "TodoRow",
    "build_flow",
    "log_stuff",
    "main",
    "stream_id",
]
