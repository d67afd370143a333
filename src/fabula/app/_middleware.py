# Generated from _middleware_async.py by tools/unasync.py: do not edit, edit the source.
"""Command middleware: wrap every dispatch, same shape as the handler they wrap.

A middleware is called with the command's context and ``call_next`` (the rest of the
chain) and returns the dispatch result::

    class Audit:
        def __call__(self, context, call_next):
            result = call_next(context)
            ...
            return result

The built-ins, outermost first in the default chain: ``RetryOnConflict`` then
``Idempotency``. ``LogCommands`` is opt-in.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from fabula._errors import ConcurrencyError, ConfigurationError, ContentionTimeout, DomainError
from fabula.app._dispatch import CommandContext, DispatchResult
from fabula.app._turns import Turns
from fabula.codec import EventRegistry, Keyring, as_metadata, decode_recorded
from fabula.domain import JSONValue
from fabula.store import EventStore

__all__ = [
    "CallNext",
    "EnrichMetadata",
    "Idempotency",
    "LogCommands",
    "Middleware",
    "RetryOnConflict",
]

CallNext = Callable[[CommandContext], DispatchResult]
"""The rest of the chain, down to the command's handler."""


class Middleware(Protocol):
    """Wraps a dispatch: may change the context, retry, short-cut or observe the result."""

    def __call__(self, context: CommandContext, call_next: CallNext) -> DispatchResult:
        """Handle ``context``, normally by awaiting ``call_next(context)``."""
        ...


class EnrichMetadata:
    """Add fields to every command's metadata (who, from where, which request...).

    ``enrich(context)`` returns the fields to add; fields the caller set win over them.
    """

    def __init__(self, enrich: Callable[[CommandContext], Mapping[str, JSONValue]]) -> None:
        self._enrich = enrich

    def __call__(self, context: CommandContext, call_next: CallNext) -> DispatchResult:
        """Merge the extra fields under the caller's, then run the command."""
        context.metadata = {**as_metadata(self._enrich(context)), **context.metadata}
        return call_next(context)


class RetryOnConflict:
    """Retry a command whose append lost a race (``ConcurrencyError``), on fresh state.

    Rules:
    1. A command that carries the caller's ``expected_version`` is never retried: that
       conflict is the caller's to resolve (``ConcurrencyError``, HTTP 409 "your
       version is stale").
    2. Any other conflict is the flow's own: between loading the stream and appending,
       a concurrent writer got there first. The command runs again on fresh state until
       it succeeds or ``deadline`` seconds have passed since its first try.
    3. The commands of this process that lost a race on a stream retry one at a time
       (a lock per stream): they stop colliding with each other, so n concurrent
       commands cost about n appends, not n * n / 2 attempts. A retry that loses again
       (to another process) sleeps a jittered backoff first: ``backoff * 2**(retry - 1)``
       capped at ``max_backoff``, times a random factor in [0, 1).
    4. Past the deadline it raises ``ContentionTimeout`` (a ``ConcurrencyError``; HTTP
       503, try again), never the bare conflict: the caller sent no version to be stale.
    """

    def __init__(
        self, *, deadline: float = 10.0, backoff: float = 0.002, max_backoff: float = 0.1
    ) -> None:
        if deadline < 0 or backoff < 0 or max_backoff < 0:
            msg = "deadline, backoff and max_backoff must not be negative"
            raise ConfigurationError(msg)
        self.deadline = deadline
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._turns = Turns()

    def __call__(self, context: CommandContext, call_next: CallNext) -> DispatchResult:
        """Run the command, retrying lost races on fresh state until the deadline."""
        give_up = time.monotonic() + self.deadline
        try:
            return call_next(context)
        except ConcurrencyError as exc:
            if isinstance(exc, ContentionTimeout) or context.expected_version is not None:
                raise
            conflict = exc
        with self._turns.turn(conflict.stream_id):
            while True:
                if time.monotonic() >= give_up:
                    raise ContentionTimeout(
                        conflict.stream_id,
                        conflict.expected,
                        conflict.actual,
                        attempts=context.attempt,
                        deadline=self.deadline,
                    ) from conflict
                context.attempt += 1
                try:
                    return call_next(context)
                except ConcurrencyError as exc:
                    if isinstance(exc, ContentionTimeout):
                        raise
                    conflict = exc
                pause = min(self._delay(context.attempt - 1), give_up - time.monotonic())
                time.sleep(max(0.0, pause))

    def _delay(self, retry: int) -> float:
        ceiling = min(self.max_backoff, self.backoff * 2 ** min(retry - 1, 30))
        return float(ceiling * random.random())  # noqa: S311 (jitter, not a secret)


class Idempotency:
    """Make a command with a caller-given ``command_id`` take effect at most once.

    Events store the command id as their causation id. Before running a command whose
    caller gave an id, the store is asked for events it already caused: if there are
    any, their result is returned (``deduplicated=True``) and nothing runs. Two racing
    dispatches of one command conflict on the stream version; the retry then finds the
    winner's events. A command that appended nothing leaves no trace, and may run again.
    """

    def __init__(self, store: EventStore, registry: EventRegistry) -> None:
        self._store = store
        self._registry = registry

    def __call__(self, context: CommandContext, call_next: CallNext) -> DispatchResult:
        """Return the earlier result of this command id, or run it."""
        if context.idempotent:
            earlier = self._store.read_caused_by(context.command_id)
            if earlier:
                earlier = Keyring(self._store).open(earlier)
                events = tuple(decode_recorded(self._registry, r) for r in earlier)
                return DispatchResult(
                    stream_id=events[-1].stream_id,
                    version=events[-1].version,
                    events=events,
                    command_id=context.command_id,
                    deduplicated=True,
                )
        return call_next(context)


class LogCommands:
    """Log each command: its type, stream, outcome and duration (logger ``fabula.commands``).

    Each record carries ``command_type``, ``command_id`` and ``correlation_id`` as ``extra``
    fields, and ``stream_id`` and ``position`` (the last written) when the command ran.

    One line per command: INFO when it ran or was refused, WARNING when it failed (the
    traceback is left to whoever handles the exception, so it is logged once).
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._logger = logger or logging.getLogger("fabula.commands")

    def __call__(self, context: CommandContext, call_next: CallNext) -> DispatchResult:
        """Run the command and log what happened."""
        name = type(context.command).__name__
        fields = {
            "command_type": name,
            "command_id": str(context.command_id),
            "correlation_id": str(context.correlation_id),
        }
        started = time.perf_counter()
        try:
            result = call_next(context)
        except DomainError as exc:
            self._logger.info(
                "%s %s refused: %s (%s)", name, context.command_id, exc.code, exc, extra=fields
            )
            raise
        except Exception as exc:
            # One line: whoever handles the exception logs its traceback, once.
            self._logger.warning(
                "%s %s failed: %s: %s",
                name,
                context.command_id,
                type(exc).__name__,
                exc,
                extra=fields,
            )
            raise
        elapsed = (time.perf_counter() - started) * 1000
        self._logger.info(
            "%s %s -> %s: %d event(s), version %d%s (%.1f ms)",
            name,
            context.command_id,
            result.stream_id,
            len(result.events),
            result.version,
            " (deduplicated)" if result.deduplicated else "",
            elapsed,
            extra=fields | {"stream_id": result.stream_id, "position": result.position},
        )
        return result
