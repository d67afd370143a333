"""The error tree of fabula: one root, user errors apart from technical ones.

```
FabulaError
├── DomainError                 user-facing: code, message, params; JSON form (HTTP 400/422)
│   └── (your domain's errors)
├── UnknownCommand              no handler is registered for a command type
├── ConcurrencyError            stream, expected and actual version disagree (HTTP 409)
│   └── ContentionTimeout       retries on fresh state lost the race until the deadline (503)
├── StreamNotFound (LookupError)
├── StreamArchived (LookupError)  the stream is archived: unarchive it to read or append
├── StreamDeleted (LookupError)   the stream was deleted (a tombstone ends it): nothing more
├── StreamTruncated (LookupError) versions below the stream's truncation point were asked for
├── ForgottenSubject            personal data written for a subject that was forgotten
├── DuplicateEvent              an event id is stored already, in a way a retry cannot explain
├── StoreError                  the storage driver failed (connection lost, disk full, ...)
│   ├── SchemaError             the database schema is missing or at another version
│   ├── ReadOnlyError           a write to a store opened read-only (SQLite mode=ro, read_only=True)
│   └── ClosedError             the store or target was closed: no retry can succeed
├── CodecError                  an event or snapshot cannot be encoded or decoded
│   ├── UnknownEventType        a stored type name has no registered class
│   ├── MissingUpcaster         a stored schema version has no upcaster to the next
│   ├── InvalidMetadata (TypeError)  metadata that is not a mapping
│   └── PersonalKeyError        a sealed personal field's key is missing (table lost) or corrupt
├── ConfigurationError          wrong use of the API (bad URL, duplicate registration, ...)
├── FrozenDuringDecide (AttributeError)  an @decides method changed the aggregate
├── ImportRefused               a bulk import stopped at an event (its line, what was stored)
├── InvalidArgument (ValueError) an argument no store accepts (bare str filter, limit=-1, ...)
│   └── InvalidStreamId          not a str, empty, NUL, lone surrogate, or too long
└── ListenerError               after-commit listeners failed; the command itself was committed
```

This module is a leaf: it imports nothing from fabula, so every layer may use it.
Every technical error names its coordinates (stream, version, position) both in its
message and as attributes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ClosedError",
    "CodecError",
    "ConcurrencyError",
    "ConfigurationError",
    "ContentionTimeout",
    "DomainError",
    "DuplicateEvent",
    "FabulaError",
    "ForgottenSubject",
    "FrozenDuringDecide",
    "ImportRefused",
    "InvalidArgument",
    "InvalidMetadata",
    "InvalidStreamId",
    "ListenerError",
    "MissingUpcaster",
    "PersonalKeyError",
    "ReadOnlyError",
    "SchemaError",
    "StoreError",
    "StreamArchived",
    "StreamDeleted",
    "StreamNotFound",
    "StreamTruncated",
    "UnknownCommand",
    "UnknownEventType",
]


class FabulaError(Exception):
    """Root of every error fabula raises."""


class DomainError(FabulaError):
    """A rule of the domain refused a command: the user's error, not a technical one.

    Subclass it per error and set ``code`` and ``message`` as class attributes, or pass
    them when raising. A subclass that sets no ``code`` (nor inherits one from a base
    other than ``DomainError``) gets one derived from its name: ``AccountFrozen`` is
    ``account_frozen``. ``params`` carries values for the client (field names, limits).
    ``as_json()`` is the form an API returns as is: ``{code, message, params}``.
    """

    code: str = "domain_error"
    message: str = "the command was refused"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__ and cls.code == DomainError.code:
            cls.code = _snake_case(cls.__name__)

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        if message is not None:
            self.message = message
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.message)

    def as_json(self) -> dict[str, Any]:
        """Return ``{"code", "message", "params"}``, ready to serialize for a client."""
        return {"code": self.code, "message": self.message, "params": dict(self.params)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DomainError) or type(other) is not type(self):
            return False
        return other.as_json() == self.as_json()

    def __hash__(self) -> int:
        return hash((type(self), self.code, self.message))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class UnknownCommand(FabulaError, LookupError):
    """A command was dispatched that no handler is registered for."""

    def __init__(self, command_type: type) -> None:
        self.command_type = command_type
        super().__init__(f"no handler is registered for command {command_type.__qualname__}")


class ConcurrencyError(FabulaError):
    """The stream was not at the version the writer expected."""

    def __init__(self, stream_id: str, expected: str, actual: int) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stream {stream_id!r}: expected {expected}, but it is at version {actual}"
        )


class ContentionTimeout(ConcurrencyError, TimeoutError):
    """A command without an expected version kept losing races until its retry deadline.

    Not the caller's conflict (it sent no version): the stream is too busy; try again.
    """

    def __init__(
        self, stream_id: str, expected: str, actual: int, *, attempts: int, deadline: float
    ) -> None:
        super().__init__(stream_id, expected, actual)
        self.attempts = attempts
        self.deadline = deadline
        self.args: tuple[object, ...] = (
            f"stream {stream_id!r}: {attempts} attempt(s) in {deadline:g}s all lost the race "
            f"to concurrent writers (it is at version {actual})",
        )


class StreamNotFound(FabulaError, LookupError):
    """A stream that must exist does not."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        super().__init__(f"stream {stream_id!r} does not exist")


class StreamArchived(FabulaError, LookupError):
    """The stream is archived: it is not loaded or appended to until it is unarchived."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        super().__init__(f"stream {stream_id!r} is archived (unarchive it first)")


class StreamDeleted(FabulaError, LookupError):
    """The stream was deleted: its tombstone refuses every later read, append or change."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        super().__init__(f"stream {stream_id!r} is deleted")


class StreamTruncated(FabulaError, LookupError):
    """Versions below ``truncated_before`` were truncated away and cannot be read.

    A repository raises it when no snapshot covers the truncated versions.
    """

    def __init__(self, stream_id: str, *, version: int, truncated_before: int) -> None:
        self.stream_id = stream_id
        self.version = version
        self.truncated_before = truncated_before
        super().__init__(
            f"stream {stream_id!r}: version {version} was truncated (its first readable "
            f"version is {truncated_before})"
        )


class DuplicateEvent(FabulaError):
    """An appended event id is already stored, and not as a retry of the same append."""

    def __init__(self, event_id: object, stream_id: str, *, differs: Sequence[str] = ()) -> None:
        self.event_id = event_id
        self.stream_id = stream_id
        self.differs: tuple[str, ...] = tuple(differs)
        """The fields whose new value differs from the stored event's (empty if none does)."""
        how = f" with another {', '.join(self.differs)}" if self.differs else ""
        super().__init__(
            f"event id {event_id} is already stored{how} and this append to stream "
            f"{stream_id!r} is not a retry of the one that stored it"
        )


class StoreError(FabulaError):
    """The storage backend failed for a technical reason."""


class SchemaError(StoreError):
    """The database schema is missing, newer than this code, or needs a migration."""


class ReadOnlyError(StoreError):
    """A write was attempted on a store opened read-only; nothing was written."""


class ClosedError(StoreError):
    """The store or read-model target was closed by its owner: retrying cannot succeed."""


class CodecError(FabulaError):
    """An event or snapshot could not be encoded or decoded."""

    def __init__(
        self,
        message: str,
        *,
        stream_id: str | None = None,
        version: int | None = None,
        position: int | None = None,
    ) -> None:
        self.stream_id = stream_id
        self.version = version
        self.position = position
        where = [
            f"{name} {value!r}" if name == "stream" else f"{name} {value}"
            for name, value in (("stream", stream_id), ("version", version), ("position", position))
            if value is not None
        ]
        super().__init__(f"{message} (at {', '.join(where)})" if where else message)


class UnknownEventType(CodecError):
    """A stored event's type name has no registered class."""

    def __init__(
        self,
        type_name: str,
        *,
        stream_id: str | None = None,
        version: int | None = None,
        position: int | None = None,
    ) -> None:
        self.type_name = type_name
        super().__init__(
            f"unknown event type {type_name!r}: register its class with the codec",
            stream_id=stream_id,
            version=version,
            position=position,
        )


class MissingUpcaster(CodecError):
    """A stored payload is at an older schema version and no upcaster lifts it further."""

    def __init__(
        self,
        type_name: str,
        from_version: int,
        *,
        stream_id: str | None = None,
        version: int | None = None,
        position: int | None = None,
    ) -> None:
        self.type_name = type_name
        self.from_version = from_version
        super().__init__(
            f"no upcaster for event {type_name!r} from schema version {from_version}",
            stream_id=stream_id,
            version=version,
            position=position,
        )


class InvalidMetadata(CodecError, TypeError):
    """Metadata given to a dispatch or an append is not a mapping.

    A mapping that holds something JSON cannot keep raises a plain ``CodecError``.
    """


class PersonalKeyError(CodecError):
    """A sealed personal field cannot be opened: its subject's key is missing or corrupt.

    A forgotten subject is not an error (its fields decode redacted); a subject with no
    row at all means the key table was lost or emptied, and a key that fails to open
    the field means it was altered. ``subject`` names whose key it is.
    """

    def __init__(
        self,
        message: str,
        *,
        subject: str,
        stream_id: str | None = None,
        version: int | None = None,
        position: int | None = None,
    ) -> None:
        self.subject = subject
        super().__init__(message, stream_id=stream_id, version=version, position=position)


class ForgottenSubject(FabulaError):
    """Personal data was written for a subject that was forgotten: nothing is written."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        super().__init__(f"subject {subject!r} was forgotten: its personal data cannot be stored")


class ConfigurationError(FabulaError):
    """fabula was set up in a way that cannot work (bad URL, duplicate name, ...)."""


class ImportRefused(FabulaError):
    """A bulk import (``import_events``, ``fabula import``) stopped at an event it refuses.

    ``line`` is the event's 1-based number in the input (its line in a JSON-lines file),
    ``imported`` how many events were committed before it (whole chunks: nothing of the
    failing chunk is stored), ``reason`` why; the underlying typed error (``ConcurrencyError``,
    ``DuplicateEvent``, ``CodecError``, ``InvalidArgument``) is the ``__cause__``.
    """

    def __init__(self, line: int, imported: int, reason: str) -> None:
        self.line = line
        self.imported = imported
        self.reason = reason
        super().__init__(
            f"line {line}: {reason} (import stopped; {imported} events stored before it)"
        )


class InvalidArgument(FabulaError, ValueError):
    """An argument no store accepts; raised before anything is read or written.

    ``argument`` names the parameter (``"limit"``, ``"events[0].event_id"``...); the
    message says what was given and what is wanted. Every backend, sync and asyncio,
    raises the same error for the same input (``fabula.store._arguments``).
    """

    def __init__(self, argument: str, value: object, wanted: str) -> None:
        self.argument = argument
        self.value = value
        shown = repr(value)
        if len(shown) > 80:
            shown = f"{shown[:60]}... ({len(shown)} characters)"
        super().__init__(f"{argument}: got {shown}; wanted {wanted}")


class InvalidStreamId(InvalidArgument):
    """A stream id that is not a str, is empty, holds NUL or a lone surrogate, or is too long."""


class ListenerError(FabulaError):
    """After-commit listeners failed. The command's events ARE committed.

    ``result`` is the dispatch result of the committed command; ``errors`` holds each
    listener's exception.
    """

    def __init__(self, result: object, errors: Sequence[BaseException]) -> None:
        self.result = result
        self.errors: tuple[BaseException, ...] = tuple(errors)
        names = ", ".join(type(e).__name__ for e in self.errors)
        super().__init__(
            f"{len(self.errors)} after-commit listener(s) failed ({names}); "
            "the command itself was committed"
        )


def _snake_case(name: str) -> str:
    """``AccountFrozen`` -> ``account_frozen``; ``HTTPRefused`` -> ``http_refused``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


class FrozenDuringDecide(FabulaError, AttributeError):
    """An ``@decides`` method tried to change the aggregate (change it in ``@evolves``)."""
