"""The read side's errors; each names its projection and, where it applies, its position.

```
FabulaError
├── HandlerError            a projection's or reaction's handler raised on an event
├── CheckpointConflict      the checkpoint moved under this writer (another worker, a rebuild)
├── LeaseLost               this worker no longer holds the projection's lease
├── ProjectionFailed        a runner stopped: an event was parked under the "stop" policy
├── ParkedEventNotFound     (LookupError) no parked event at that position
├── UnknownQuery            (LookupError) no handler is registered for a query type
├── PositionTimeout         (TimeoutError) a projection did not pass a position in time
└── DomainError
    └── InvalidCursor       a pagination cursor is not one this query handed out (HTTP 400)
```

They subclass ``fabula.FabulaError`` like every other fabula error; they live here, beside
the read side, so that the leaf ``fabula._errors`` stays about the write side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fabula._errors import DomainError, FabulaError

if TYPE_CHECKING:
    from fabula.domain import Recorded

__all__ = [
    "CheckpointConflict",
    "HandlerError",
    "InvalidCursor",
    "LeaseLost",
    "ParkedEventNotFound",
    "PositionTimeout",
    "ProjectionFailed",
    "UnknownQuery",
]


class HandlerError(FabulaError):
    """A handler raised on an event; the transaction that ran it was rolled back.

    The handler's own exception is ``__cause__``; ``error`` repeats it as text.
    """

    def __init__(
        self, name: str, *, stream_id: str, version: int, position: int, event_type: str
    ) -> None:
        self.name = name
        self.stream_id = stream_id
        self.version = version
        self.position = position
        self.event_type = event_type
        super().__init__(
            f"projection {name!r}: the handler of {event_type!r} failed "
            f"(at stream {stream_id!r}, version {version}, position {position})"
        )

    @classmethod
    def of(cls, name: str, recorded: Recorded[Any], /) -> HandlerError:
        """The error of ``name``'s handler failing on ``recorded`` (raise it ``from`` the cause)."""
        return cls(
            name,
            stream_id=recorded.stream_id,
            version=recorded.version,
            position=recorded.position,
            event_type=recorded.type,
        )


class CheckpointConflict(FabulaError):
    """The checkpoint was not where this writer expected: someone else moved it."""

    def __init__(self, name: str, *, expected: int, actual: int | None) -> None:
        self.name = name
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"projection {name!r}: expected its checkpoint at position {expected}, "
            f"found {actual}; another worker or a rebuild moved it"
        )


class LeaseLost(FabulaError):
    """A worker tried to commit for a projection whose lease it no longer holds."""

    def __init__(self, name: str, *, owner: str) -> None:
        self.name = name
        self.owner = owner
        super().__init__(f"projection {name!r}: worker {owner!r} no longer holds the lease")


class ProjectionFailed(FabulaError):
    """A runner stopped because an event was parked under the ``"stop"`` policy."""

    def __init__(self, name: str, *, position: int, reason: str) -> None:
        self.name = name
        self.position = position
        self.reason = reason
        super().__init__(f"projection {name!r} stopped at position {position}: {reason}")

    @classmethod
    def of(cls, name: str, failure: BaseException, /, *, position: int) -> ProjectionFailed:
        """The error that tells a waiter the runner stopped on ``failure``, said once.

        A ``ProjectionFailed`` is told again as it is (its position is the parked event's),
        with its own cause, rather than wrapped into "stopped at ...: stopped at ...".
        Any other failure becomes the reason, at ``position``, and the cause.
        """
        if isinstance(failure, ProjectionFailed):
            error = cls(failure.name, position=failure.position, reason=failure.reason)
            error.__cause__ = failure.__cause__
        else:
            error = cls(name, position=position, reason=str(failure))
            error.__cause__ = failure
        return error


class ParkedEventNotFound(FabulaError, LookupError):
    """No event is parked for that projection at that position."""

    def __init__(self, name: str, position: int) -> None:
        self.name = name
        self.position = position
        super().__init__(f"projection {name!r}: no event is parked at position {position}")


class UnknownQuery(FabulaError, LookupError):
    """A query was asked that no handler is registered for."""

    def __init__(self, query_type: type) -> None:
        self.query_type = query_type
        super().__init__(f"no handler is registered for query {query_type.__qualname__}")


class PositionTimeout(FabulaError, TimeoutError):
    """A projection did not pass a position before the timeout."""

    def __init__(self, name: str, *, position: int, reached: int, timeout: float) -> None:
        self.name = name
        self.position = position
        self.reached = reached
        self.timeout = timeout
        super().__init__(
            f"projection {name!r} did not pass position {position} within {timeout:g}s "
            f"(it is at {reached})"
        )


class InvalidCursor(DomainError):
    """A pagination cursor that this query did not hand out, or that was altered."""

    code = "invalid_cursor"
    message = "the cursor is not valid for this query"
