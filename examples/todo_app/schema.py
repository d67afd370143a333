"""The todo GraphQL schema (seed 000's ``cqrs-todoql-psql`` demo), with Strawberry.

::

    query {
      allTodos(first: 10) { totalCount edges { cursor node { id description completed } }
                            pageInfo { hasNextPage endCursor } }
      todo(id: "1") { description reminder completed version
                      events(maxCount: 5) { sequence type metadata { initiatedBy } } }
    }
    mutation { createTodo(id: "1", description: "Buy milk") { version position } }
    subscription { todoChanges { id position event { sequence type } } }

Reads: ``todo(id)`` folds the todo's stream, so it is always current; its ``events`` come
from the stream too, newest first. ``allTodos`` pages through the ``todo_list`` read
model, which a projection keeps up to date: pass a mutation's ``position`` as
``afterPosition`` to wait until the list shows the change.

Writes: one mutation per todo command, each with an optional ``expectedVersion`` (a
stale one is a ``concurrency_conflict`` error). Every event records who initiated it:
the subject of the request's bearer token. Mutations and subscriptions need one (a
``not_authenticated`` error without); queries do not. Refusals come back as GraphQL
errors whose ``extensions`` hold the domain error's ``code`` and ``params``.

Push: the ``todoChanges`` subscription (graphql-transport-ws, on the same URL) sends each
todo event as it is stored, after ``afterPosition`` if given, else from now on.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.fastapi import BaseContext
from strawberry.scalars import JSON

import fabula
from examples._sql import SqlReadModel
from examples.todo import (
    TODO_STREAM,
    CancelReminder,
    CreateTodo,
    Description,
    MarkCompleted,
    Reminder,
    ResetCompleted,
    SetReminder,
    Status,
    Todo as CreatedTodo,
    TodoCommand,
    TodoMetadata,
    TodoState,
    ToggleCompletion,
    UpdateDescription,
    stream_id,
)
from examples.todo_app.read_model import TodoRow, count_todos, page_of_todos
from fabula import AsyncEventStore, AsyncFlow, AsyncRepository, DomainError, uuid7
from fabula.read import clamp_limit
from fabula.store import StoredEvent
from fabula.web import NotAuthenticated, PositionTokens, Principal, storable_text
from fabula.web.graphql import Schema

__all__ = ["Services", "TodoContext", "schema"]


@dataclass(frozen=True, slots=True)
class Services:
    """What the resolvers use: the store, the command flow, the todos' repository and list."""

    store: AsyncEventStore
    flow: AsyncFlow
    repository: AsyncRepository[TodoState]
    todos: SqlReadModel
    tokens: PositionTokens


class TodoContext(BaseContext):
    """The context of one GraphQL request: the services and who sent it (`None`: anonymous)."""

    def __init__(self, services: Services, user: Principal | None) -> None:
        super().__init__()
        self.services = services
        self.user = user

    def signed_in(self) -> Principal:
        """Return who sent the request, or raise `NotAuthenticated`."""
        if self.user is None:
            raise NotAuthenticated
        return self.user


Info = strawberry.Info[TodoContext, None]
TodoId = Annotated[strawberry.ID, strawberry.argument(name="id", description="The todo's id.")]


class InvalidTodoId(DomainError):
    """A todo id with characters a stream id should not have."""

    code = "invalid_todo_id"
    message = "a todo id has 1 to 64 letters, digits or _ . : -"


@strawberry.type(description="Who caused an event.")
class EventMetadata:
    initiated_by: str


@strawberry.type(description="One stored event of a todo.")
class TodoEvent:
    sequence: int = strawberry.field(description="Its version within the todo's stream.")
    type: str = strawberry.field(description="Its stable type name (todo_created, ...).")
    recorded_at: datetime
    data: JSON = strawberry.field(description="Its JSON payload.")
    metadata: EventMetadata


@strawberry.type(description="A todo.")
class Todo:
    id: strawberry.ID
    description: str
    reminder: datetime | None
    completed: bool
    version: int

    @strawberry.field(description="The todo's events, newest first.")
    async def events(
        self, info: Info, before: int | None = None, max_count: int = 10
    ) -> list[TodoEvent]:
        """Events with a sequence below `before` (default: all), at most `max_count`."""
        if before is not None and before <= 1:
            return []
        records = await info.context.services.store.read_stream(
            stream_id(self.id),
            direction="backwards",
            to_version=before - 1 if before is not None else None,
            limit=clamp_limit(max_count, default=10, maximum=100),
        )
        return [_event(record) for record in records]


def _event(record: StoredEvent) -> TodoEvent:
    return TodoEvent(
        sequence=record.version,
        type=record.type,
        recorded_at=record.recorded_at,
        data=json.loads(record.data),
        metadata=EventMetadata(
            initiated_by=TodoMetadata.from_json(json.loads(record.metadata)).initiated_by
        ),
    )


def _todo(todo_id: str, state: CreatedTodo, version: int) -> Todo:
    return Todo(
        id=strawberry.ID(todo_id),
        description=state.description.text,
        reminder=state.reminder.time if state.reminder is not None else None,
        completed=state.status is Status.COMPLETED,
        version=version,
    )


def _listed(row: TodoRow) -> Todo:
    return Todo(
        id=strawberry.ID(row.todo_id),
        description=row.description,
        reminder=row.reminder,
        completed=row.completed,
        version=row.version,
    )


async def _load(info: Info, todo_id: str) -> Todo | None:
    loaded = await info.context.services.repository.load(stream_id(todo_id))
    if not isinstance(loaded.state, CreatedTodo):
        return None
    return _todo(todo_id, loaded.state, loaded.version)


@strawberry.type
class TodoEdge:
    cursor: str
    node: Todo


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A page of todos, in creation order.")
class TodoConnection:
    total_count: int
    edges: list[TodoEdge]
    page_info: PageInfo


@strawberry.type(description="What a mutation did.")
class TodoResult:
    id: strawberry.ID
    version: int = strawberry.field(description="The todo's version after the mutation.")
    position: str | None = strawberry.field(
        description="A position token: pass it as allTodos(afterPosition:) to read your write "
        "(null when nothing changed)."
    )

    @strawberry.field(description="The todo after the mutation.")
    async def todo(self, info: Info) -> Todo | None:
        """Load the todo as it is now."""
        return await _load(info, self.id)


@strawberry.type(description="A todo's event, as it was stored.")
class TodoChange:
    id: strawberry.ID = strawberry.field(description="The todo's id.")
    position: str = strawberry.field(
        description="A position token: pass it as allTodos(afterPosition:) to read it."
    )
    event: TodoEvent


@strawberry.type
class Query:
    @strawberry.field(description="The version of fabula serving this API.")
    def api_version(self) -> str:
        """fabula's version."""
        return fabula.__version__

    @strawberry.field(description="One todo, current (folded from its stream), or null.")
    async def todo(self, info: Info, todo_id: TodoId) -> Todo | None:
        """Load one todo."""
        return await _load(info, _checked(todo_id))

    @strawberry.field(description="Todos in creation order, `first` at a time after a cursor.")
    async def all_todos(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        after_position: str | None = None,
    ) -> TodoConnection:
        """Page through the todo list (wait for `after_position` first, if given)."""
        services = info.context.services
        await services.todos.wait_for_position(services.tokens.read(after_position), timeout=5.0)
        page = await page_of_todos(
            services.todos, first=clamp_limit(first, default=20, maximum=100), after=after
        )
        edges = [TodoEdge(cursor=row.cursor, node=_listed(row)) for row in page.items]
        return TodoConnection(
            total_count=await count_todos(services.todos),
            edges=edges,
            # Relay: the last edge's cursor, on the last page too (null only without edges).
            page_info=PageInfo(
                has_next_page=page.has_more, end_cursor=edges[-1].cursor if edges else None
            ),
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a todo (a new id unless one is given).")
    async def create_todo(
        self,
        info: Info,
        description: str,
        reminder: datetime | None = None,
        todo_id: Annotated[strawberry.ID | None, strawberry.argument(name="id")] = None,
        expected_version: int | None = None,
    ) -> TodoResult:
        """Dispatch `CreateTodo`."""
        now = datetime.now(UTC)
        command = CreateTodo(
            todo_id=_checked(todo_id) if todo_id is not None else str(uuid7()),
            description=Description(storable_text(description, field="description")),
            reminder=Reminder.new(_utc(reminder), now) if reminder is not None else None,
        )
        return await _dispatch(info, command, expected_version)

    @strawberry.mutation(description="Change a todo's description.")
    async def update_description(
        self,
        info: Info,
        todo_id: TodoId,
        description: str,
        expected_version: int | None = None,
    ) -> TodoResult:
        """Dispatch `UpdateDescription`."""
        command = UpdateDescription(
            todo_id=_checked(todo_id),
            new_description=Description(storable_text(description, field="description")),
        )
        return await _dispatch(info, command, expected_version)

    @strawberry.mutation(description="Set or move a todo's reminder (a time in the future).")
    async def set_reminder(
        self,
        info: Info,
        todo_id: TodoId,
        time: datetime,
        expected_version: int | None = None,
    ) -> TodoResult:
        """Dispatch `SetReminder`."""
        reminder = Reminder.new(_utc(time), datetime.now(UTC))
        command = SetReminder(todo_id=_checked(todo_id), new_reminder=reminder)
        return await _dispatch(info, command, expected_version)

    @strawberry.mutation(description="Remove a todo's reminder.")
    async def cancel_reminder(
        self,
        info: Info,
        todo_id: TodoId,
        expected_version: int | None = None,
    ) -> TodoResult:
        """Dispatch `CancelReminder`."""
        return await _dispatch(info, CancelReminder(todo_id=_checked(todo_id)), expected_version)

    @strawberry.mutation(description="Flip a todo between completed and not completed.")
    async def toggle_completion(
        self,
        info: Info,
        todo_id: TodoId,
        expected_version: int | None = None,
    ) -> TodoResult:
        """Dispatch `ToggleCompletion`."""
        return await _dispatch(info, ToggleCompletion(todo_id=_checked(todo_id)), expected_version)

    @strawberry.mutation(description="Mark a todo completed.")
    async def mark_completed(
        self,
        info: Info,
        todo_id: TodoId,
        expected_version: int | None = None,
    ) -> TodoResult:
        """Dispatch `MarkCompleted`."""
        return await _dispatch(info, MarkCompleted(todo_id=_checked(todo_id)), expected_version)

    @strawberry.mutation(description="Mark a todo not completed.")
    async def reset_completed(
        self,
        info: Info,
        todo_id: TodoId,
        expected_version: int | None = None,
    ) -> TodoResult:
        """Dispatch `ResetCompleted`."""
        return await _dispatch(info, ResetCompleted(todo_id=_checked(todo_id)), expected_version)


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each todo event as it is stored (only todo `id`'s, if given); needs a "
        "bearer token."
    )
    async def todo_changes(
        self,
        info: Info,
        todo_id: Annotated[strawberry.ID | None, strawberry.argument(name="id")] = None,
        after_position: str | None = None,
    ) -> AsyncGenerator[TodoChange, None]:
        """Follow the todos' events after `after_position` (default: from now on)."""
        info.context.signed_in()
        services = info.context.services
        position = services.tokens.read(after_position)
        start = position if position is not None else await services.store.head()
        stream = stream_id(_checked(todo_id)) if todo_id is not None else None
        subscription = services.store.subscribe(after=start, categories=[TODO_STREAM])
        try:
            while True:
                for record in await subscription.next_batch(timeout=15.0):
                    if stream is None or record.stream_id == stream:
                        yield TodoChange(
                            id=strawberry.ID(record.stream_id.removeprefix(f"{TODO_STREAM}-")),
                            position=services.tokens.issue(record.position) or "",
                            event=_event(record),
                        )
        finally:
            await subscription.close()


async def _dispatch(info: Info, command: TodoCommand, expected_version: int | None) -> TodoResult:
    services, user = info.context.services, info.context.signed_in()
    result = await services.flow.dispatch(
        command,
        metadata=TodoMetadata(initiated_by=user.subject).to_json(),
        expected_version=expected_version,
    )
    return TodoResult(
        id=strawberry.ID(command.todo_id),
        version=result.version,
        position=services.tokens.issue(result.position),
    )


def _checked(todo_id: str) -> str:
    if not 0 < len(todo_id) <= 64 or not all(
        c.isascii() and (c.isalnum() or c in "_.:-") for c in todo_id
    ):
        raise InvalidTodoId(params={"id": todo_id[:64]})
    return todo_id


def _utc(time: datetime) -> datetime:
    """A time without a timezone is taken as UTC."""
    return time if time.tzinfo is not None else time.replace(tzinfo=UTC)


schema = Schema(Query, mutation=Mutation, subscription=Subscription)
"""The todo API's GraphQL schema."""
