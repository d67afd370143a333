"""The todo aggregate as a functional decider (seed 000, section A): decide, evolve, ``todo``.

Rules (the seed's, exactly):
1. Only ``CreateTodo`` works on an uninitialized todo (``NotInitialized`` otherwise), and
   only there (``AlreadyCreated`` otherwise). It decides ``Created``, then
   ``ReminderUpdated`` when a reminder was given.
2. On a created todo, a command that would change nothing decides no events, except
   ``ToggleCompletion``, which always flips.
3. ``evolve`` applies ``Created`` only to an uninitialized todo and every other event only
   to a created one; an event that does not apply leaves the state as it is, so any stored
   history replays.
"""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

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
from examples.todo.errors import AlreadyCreated, NotInitialized
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
from fabula import Decider

__all__ = ["decide", "evolve", "todo"]


def decide(command: TodoCommand, state: TodoState) -> list[TodoEvent]:
    """Return the events ``command`` causes on a todo in ``state``.

    Raises:
        NotInitialized: a command other than ``CreateTodo`` on an uninitialized todo.
        AlreadyCreated: ``CreateTodo`` on a created todo.
    """
    match state:
        case Uninitialized():
            return _decide_uninitialized(command)
        case Todo():
            return _decide_created(command, state)
        case _:
            assert_never(state)


def _decide_uninitialized(command: TodoCommand) -> list[TodoEvent]:
    match command:
        case CreateTodo(description=description, reminder=reminder):
            events: list[TodoEvent] = [Created(description)]
            if reminder is not None:
                events.append(ReminderUpdated(reminder))
            return events
        case (
            UpdateDescription()
            | SetReminder()
            | CancelReminder()
            | ToggleCompletion()
            | MarkCompleted()
            | ResetCompleted()
        ):
            raise NotInitialized
        case _:
            assert_never(command)


def _decide_created(command: TodoCommand, todo: Todo) -> list[TodoEvent]:
    completed = todo.status is Status.COMPLETED
    match command:
        case CreateTodo():
            raise AlreadyCreated
        case UpdateDescription(new_description=description):
            return [] if description == todo.description else [DescriptionUpdated(description)]
        case SetReminder(new_reminder=reminder):
            return [] if reminder == todo.reminder else [ReminderUpdated(reminder)]
        case CancelReminder():
            return [] if todo.reminder is None else [ReminderUpdated(None)]
        case ToggleCompletion():
            return [Uncompleted()] if completed else [Completed()]
        case MarkCompleted():
            return [] if completed else [Completed()]
        case ResetCompleted():
            return [Uncompleted()] if completed else []
        case _:
            assert_never(command)


def evolve(state: TodoState, event: TodoEvent) -> TodoState:
    """Return the state of a todo after ``event``."""
    match state:
        case Uninitialized():
            if isinstance(event, Created):
                return Todo(description=event.initial_description)
            return state
        case Todo():
            return _evolve_created(state, event)
        case _:
            assert_never(state)


def _evolve_created(todo: Todo, event: TodoEvent) -> Todo:
    match event:
        case Created():
            return todo
        case DescriptionUpdated(new_description=description):
            return replace(todo, description=description)
        case ReminderUpdated(new_reminder=reminder):
            return replace(todo, reminder=reminder)
        case Completed():
            return replace(todo, status=Status.COMPLETED)
        case Uncompleted():
            return replace(todo, status=Status.NOT_COMPLETED)
        case _:
            assert_never(event)


todo: Decider[TodoState, TodoCommand, TodoEvent] = Decider(
    name="todo",
    initial_state=Uninitialized,
    decide=decide,
    evolve=evolve,
    commands=COMMANDS,
    events=EVENTS,
)
"""The todo aggregate: for a ``Flow``, a ``Repository`` or a ``DeciderSpec``."""
