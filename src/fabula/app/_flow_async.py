"""The command flow: route a command to its aggregate, decide, append, then tell listeners.

Theory of operation, for one ``dispatch(command)``:

1. A ``CommandContext`` is built (command id, correlation and causation ids, metadata,
   the caller's expected version) and passed down the middleware chain. Inside a
   reaction's handler (``_cause.caused_by``), ids the caller leaves out come from the
   triggering event: its id is the causation, its correlation id the correlation.
2. At the bottom, the route for ``type(command)`` gives the aggregate and the stream id.
   No route is an ``UnknownCommand`` error: a command is never silently ignored.
3. The repository loads the stream (snapshot + events). If the caller sent an expected
   version and the stream is elsewhere, ``ConcurrencyError`` is raised before deciding.
   ``expected_version=0`` (a create) skips the load: a new stream's state is the initial
   state, and the append at version 0 fails if the stream exists after all.
4. ``decide`` runs. A ``DomainError`` propagates and nothing is written. Zero events is a
   valid no-op: nothing is appended.
5. The events are appended with ``ExpectedVersion(loaded version)``, so a concurrent
   writer makes this append fail (and ``AsyncRetryOnConflict`` retry on fresh state) instead
   of two decisions on one state both landing. Metadata, causation id (the command id)
   and correlation id go into every event's envelope.
6. After the commit, listeners registered for each event's type are called in order.
   Their failures are collected into ``DispatchResult.listener_errors`` (and logged), or
   raised as ``ListenerError`` with ``listener_errors="raise"``: never as a failed command.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast, overload
from uuid import UUID

from fabula._errors import (
    ConcurrencyError,
    ConfigurationError,
    DomainError,
    ListenerError,
    UnknownCommand,
)
from fabula._ids import uuid7
from fabula._telemetry import Telemetry, event_fields, hooks
from fabula.app._across_async import decide_across
from fabula.app._cause import current_cause
from fabula.app._decision import Across, Decision, Model
from fabula.app._dispatch import CommandContext, DispatchResult
from fabula.app._flow_base import _with_errors
from fabula.app._listeners import Listener, async_call, is_coroutine_function
from fabula.app._loaded import Loaded
from fabula.app._middleware_async import (
    AsyncCallNext,
    AsyncIdempotency,
    AsyncMiddleware,
    AsyncRetryOnConflict,
)
from fabula.app._repository_async import AsyncRepository
from fabula.app._snapshots import NEVER, SnapshotPolicy
from fabula.app._streams import Keyed, check_name, stream_name
from fabula.app._traced import command_attributes, outcome_of, span
from fabula.codec import EventRegistry, as_metadata
from fabula.domain import (
    Aggregate,
    AggregateClass,
    Decider,
    JSONValue,
    Recorded,
    as_decider,
)
from fabula.store import AsyncEventStore, ExpectedVersion

__all__ = ["AsyncFlow"]

logger = logging.getLogger("fabula.flow")

StateT = TypeVar("StateT")
CommandT = TypeVar("CommandT")
AggregateT = TypeVar("AggregateT", bound=Aggregate)


@dataclass(frozen=True, slots=True)
class _Route:
    repository: AsyncRepository[Any]
    stream_id: Callable[[Any], str]


class AsyncFlow:
    """Dispatches commands to aggregates over one event store, with middleware and listeners."""

    def __init__(
        self,
        store: AsyncEventStore,
        /,
        *,
        registry: EventRegistry | None = None,
        middleware: Sequence[AsyncMiddleware] | None = None,
        listener_errors: Literal["report", "raise"] = "report",
    ) -> None:
        """Create a flow.

        Args:
            store: where events are stored.
            registry: the event-type registry (one is made, and filled from the
                registered aggregates, if not given).
            middleware: the chain, outermost first. Default: ``AsyncRetryOnConflict()`` then
                ``AsyncIdempotency``. Pass your own list to replace it (``[]`` for none).
            listener_errors: what a failing after-commit listener does: ``"report"``
                (collect into the result and log) or ``"raise"`` (``ListenerError``).
        """
        self.store = store
        self.registry: EventRegistry = registry if registry is not None else EventRegistry()
        self._routes: dict[type, _Route] = {}
        self._across: dict[type, Across] = {}
        self._repositories: dict[int, AsyncRepository[Any]] = {}
        self._listeners: dict[type, list[Listener]] = {}
        self._listener_errors = listener_errors
        chain: list[AsyncMiddleware] = (
            list(middleware)
            if middleware is not None
            else [AsyncRetryOnConflict(), AsyncIdempotency(store, self.registry)]
        )
        self._chain: AsyncCallNext = self._handle
        for layer in reversed(chain):
            self._chain = _bind(layer, self._chain)

    @property
    def deciders(self) -> tuple[Decider[Any, Any, Any], ...]:
        """The deciders of the registered aggregates, in registration order."""
        return tuple(repository.decider for repository in self._repositories.values())

    @overload
    def register(
        self,
        model: AggregateClass[StateT, CommandT],
        /,
        *,
        key: Callable[[CommandT], str] | None = None,
        stream_id: Callable[[CommandT], str] | None = None,
        snapshots: SnapshotPolicy = NEVER,
    ) -> AsyncRepository[StateT]: ...
    @overload
    def register(
        self,
        model: Decider[StateT, CommandT, Any],
        /,
        *,
        key: Callable[[CommandT], str] | None = None,
        stream_id: Callable[[CommandT], str] | None = None,
        snapshots: SnapshotPolicy = NEVER,
    ) -> AsyncRepository[StateT]: ...
    def register(
        self,
        model: Decider[Any, Any, Any] | type[Aggregate] | AggregateClass[Any, Any],
        /,
        *,
        key: Callable[[Any], str] | None = None,
        stream_id: Callable[[Any], str] | None = None,
        snapshots: SnapshotPolicy = NEVER,
    ) -> AsyncRepository[Any]:
        """Route every command ``model`` handles to it, and return its repository.

        Name each command's stream with exactly one of:

        - ``key(command)``: the instance's key; the stream id is ``"<name>-<key>"``, from the
          aggregate's name (which must hold no ``-``, the stream-category separator), and
          ``load(model, key)`` finds it again;
        - ``stream_id(command)``: the whole stream id, spelled by you.

        Raises:
            ConfigurationError: neither or both of ``key`` and ``stream_id``; an aggregate
                already registered, with no commands, or (with ``key``) whose name holds
                ``-``, ``/`` or a space; a command already routed elsewhere.
        """
        decider = as_decider(cast("type[Aggregate]", model))  # either kind: checked at run time
        if (key is None) == (stream_id is None):
            msg = f"register {decider.name!r} with one of key= or stream_id="
            raise ConfigurationError(msg)
        if not decider.commands:
            msg = f"aggregate {decider.name!r} declares no commands"
            raise ConfigurationError(msg)
        if id(decider) in self._repositories:
            msg = f"aggregate {decider.name!r} is already registered with this flow"
            raise ConfigurationError(msg)
        naming = Keyed(check_name(decider.name), key) if key is not None else stream_id
        assert naming is not None
        repository = AsyncRepository(
            self.store, decider, registry=self.registry, snapshots=snapshots
        )
        for command_type in decider.commands:
            if command_type in self._across:
                msg = f"{command_type.__qualname__} is already routed to a decision"
                raise ConfigurationError(msg)
            if command_type in self._routes:
                other = self._routes[command_type].repository.decider.name
                msg = f"{command_type.__qualname__} is already routed to {other!r}"
                raise ConfigurationError(msg)
        for command_type in decider.commands:
            self._routes[command_type] = _Route(repository, naming)
        self._repositories[id(decider)] = repository
        return repository

    def register_decision(
        self,
        command_type: type[CommandT],
        decide: Callable[[CommandT, Decision], object],
        /,
        *,
        streams: Callable[[CommandT], Sequence[tuple[Model, str]]],
    ) -> None:
        """Route ``command_type`` to ``decide(command, decision)``, over several streams.

        ``streams(command)`` names the ``(model, key)`` streams the decision reads; each
        model must be registered with this flow (with ``key=``). The flow loads them, calls
        ``decide``, which reads ``decision.state(model, key)`` and calls
        ``decision.append(model, key, *events)``, then appends to every named stream in one
        transaction, each guarded by its loaded version. Middleware, retries, idempotent
        command ids, metadata, causation, correlation and listeners work as for
        ``dispatch`` to one aggregate.

        Raises:
            ConfigurationError: ``command_type`` is already routed.
        """
        if command_type in self._routes or command_type in self._across:
            msg = f"{command_type.__qualname__} is already routed"
            raise ConfigurationError(msg)
        self._across[command_type] = Across(
            streams, cast("Callable[[Any, Decision], object]", decide)
        )

    @overload
    def repository(self, model: type[AggregateT], /) -> AsyncRepository[AggregateT]: ...
    @overload
    def repository(self, model: Decider[StateT, Any, Any], /) -> AsyncRepository[StateT]: ...
    def repository(
        self, model: Decider[Any, Any, Any] | type[Aggregate], /
    ) -> AsyncRepository[Any]:
        """Return the repository of a registered aggregate.

        Raises:
            ConfigurationError: ``model`` is not registered with this flow.
        """
        found = self._repositories.get(id(as_decider(model)))
        if found is None:
            msg = f"aggregate {as_decider(model).name!r} is not registered with this flow"
            raise ConfigurationError(msg)
        return found

    @overload
    async def load(
        self, model: type[AggregateT], key: str, /, *, as_of_version: int | None = None
    ) -> Loaded[AggregateT]: ...
    @overload
    async def load(
        self, model: Decider[StateT, Any, Any], key: str, /, *, as_of_version: int | None = None
    ) -> Loaded[StateT]: ...
    async def load(
        self,
        model: Decider[Any, Any, Any] | type[Aggregate],
        key: str,
        /,
        *,
        as_of_version: int | None = None,
    ) -> Loaded[Any]:
        """Return the state of the instance ``key`` of a registered aggregate (stream ``name-key``).

        Raises:
            ConfigurationError: ``model`` is not registered with this flow.
            InvalidArgument: ``key`` is not a non-empty ``str``.
        """
        repository = self.repository(model)
        stream_id = stream_name(repository.decider.name, key)
        return await repository.load(stream_id, as_of_version=as_of_version)

    def listen(self, event_type: type, listener: Listener, /) -> None:
        """Call ``listener(recorded)`` after each committed event of ``event_type``.

        The asyncio flow awaits a coroutine-function listener; the sync flow refuses one.

        Raises:
            ConfigurationError: a coroutine function given to the sync flow.
        """
        # True in this asyncio source, false in its generated sync twin.
        awaits = inspect.iscoroutinefunction(self.dispatch)
        if not awaits and is_coroutine_function(listener):
            name = getattr(listener, "__qualname__", repr(listener))
            msg = f"listener {name} is a coroutine function: register it with the asyncio flow"
            raise ConfigurationError(msg)
        self.registry.register(event_type)
        self._listeners.setdefault(event_type, []).append(listener)

    async def dispatch(
        self,
        command: object,
        /,
        *,
        metadata: Mapping[str, JSONValue] | None = None,
        expected_version: int | None = None,
        command_id: UUID | None = None,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
    ) -> DispatchResult:
        """Handle one command and return what it did.

        Raises:
            UnknownCommand: no aggregate handles this command type.
            CodecError: an event or the metadata cannot be stored as JSON that reads
                back as it was (``InvalidMetadata``: metadata is not a mapping);
                nothing was written.
            DomainError: the aggregate refused the command (nothing was written).
            ConcurrencyError: the stream is not at ``expected_version``, or conflicts
                outlasted the retries.
            ListenerError: with ``listener_errors="raise"``, after-commit listeners
                failed (the command is committed; see ``error.result``).
        """
        given_id = command_id is not None
        the_id = command_id if command_id is not None else uuid7()
        cause = current_cause()
        if cause is not None:  # dispatched by a reaction: inherit its event's ids
            causation_id = causation_id if causation_id is not None else cause.causation_id
            correlation_id = correlation_id if correlation_id is not None else cause.correlation_id
        context = CommandContext(
            command=command,
            command_id=the_id,
            correlation_id=correlation_id if correlation_id is not None else the_id,
            causation_id=causation_id,
            metadata=as_metadata(metadata),
            expected_version=expected_version,
            idempotent=given_id,
        )
        telemetry = hooks.active
        chain = self._chain(context) if telemetry is None else self._traced(telemetry, context)
        result = await chain
        if result.events and not result.deduplicated:
            errors = await self._publish(result.events)
            if errors:
                result = _with_errors(result, errors)
                if self._listener_errors == "raise":
                    raise ListenerError(result, errors)
        return result

    async def _traced(self, telemetry: Telemetry, context: CommandContext) -> DispatchResult:
        """Run the chain in a dispatch span and count the command (rule 1 of ``_telemetry``)."""
        attributes = command_attributes(context.command, context.command_id, context.correlation_id)
        name = attributes["fabula.command.type"]
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            with telemetry.span(f"fabula.dispatch {name}", attributes):
                result = await self._chain(context)
        except BaseException as exc:
            error = exc
            raise
        finally:
            telemetry.command(name, time.perf_counter() - started, outcome_of(error))
        if not result.deduplicated:
            telemetry.appended(len(result.events))
        return result

    async def _handle(self, context: CommandContext) -> DispatchResult:
        route = self._routes.get(type(context.command))
        if route is None:
            across = self._across.get(type(context.command))
            if across is None:
                raise UnknownCommand(type(context.command))
            return await decide_across(self.store, self.registry, self.repository, across, context)
        stream_id = route.stream_id(context.command)
        repository = route.repository
        telemetry = hooks.active
        if telemetry is not None and context.attempt > 1:
            telemetry.retried(type(context.command).__name__)
        decide = repository.decider.decide
        if context.expected_version == 0:
            # The caller says the stream is new: its state is the initial one by definition,
            # and the append at version 0 refuses it if it exists. Only a refusal or a no-op,
            # which append nothing, need the store asked whether the stream is really new.
            loaded = repository.initial(stream_id)
            try:
                with span(telemetry, "fabula.decide", stream_id):
                    events = decide(context.command, loaded.state)
            except DomainError:
                await self._require_new(stream_id)
                raise
            if not events:
                await self._require_new(stream_id)
        else:
            loaded = await repository.load(stream_id)
            if context.expected_version is not None and context.expected_version != loaded.version:
                raise ConcurrencyError(
                    stream_id, str(ExpectedVersion(context.expected_version)), loaded.version
                )
            with span(telemetry, "fabula.decide", stream_id):
                events = decide(context.command, loaded.state)
        if not events:
            return DispatchResult(
                stream_id=stream_id,
                version=loaded.version,
                events=(),
                command_id=context.command_id,
            )
        metadata = context.metadata
        if context.causation_id is not None:
            # The events' causation id is the command; what caused the command is kept too.
            metadata = {**metadata, "caused_by": str(context.causation_id)}
        with span(telemetry, "fabula.append", stream_id):
            if telemetry is not None:
                metadata = {**metadata, **telemetry.inject()}  # the trace goes with the events
            result, recorded = await repository.append(
                stream_id,
                events,
                precondition=ExpectedVersion(loaded.version),
                metadata=metadata,
                causation_id=context.command_id,
                correlation_id=context.correlation_id,
                loaded=loaded,
            )
        return DispatchResult(
            stream_id=stream_id,
            version=result.version,
            events=tuple(recorded),
            command_id=context.command_id,
            deduplicated=result.deduplicated,
        )

    async def _require_new(self, stream_id: str) -> None:
        version = await self.store.stream_version(stream_id)
        if version != 0:
            raise ConcurrencyError(stream_id, str(ExpectedVersion(0)), version)

    async def _publish(self, events: Sequence[Recorded[Any]]) -> list[BaseException]:
        errors: list[BaseException] = []
        for recorded in events:
            for listener in self._listeners.get(type(recorded.event), ()):
                try:
                    await async_call(listener, recorded)
                except Exception as exc:  # a listener's failure must not fail the command
                    logger.exception(
                        "after-commit listener %r failed on %s at %s v%d",
                        listener,
                        recorded.type,
                        recorded.stream_id,
                        recorded.version,
                        extra=event_fields(
                            recorded.stream_id,
                            recorded.type,
                            recorded.position,
                            recorded.correlation_id,
                        ),
                    )
                    errors.append(exc)
        return errors


def _bind(layer: AsyncMiddleware, call_next: AsyncCallNext) -> AsyncCallNext:
    async def call(context: CommandContext) -> DispatchResult:
        return await layer(context, call_next)

    return call
