"""fabula: CQRS and event sourcing for Python, on SQLite and PostgreSQL.

The names a quickstart needs live here; the rest is in documented subpackages:
``fabula.domain``, ``fabula.codec``, ``fabula.store`` (and its backends), ``fabula.app``,
``fabula.testing``.
"""

import contextlib

from fabula._errors import (
    ClosedError,
    CodecError,
    ConcurrencyError,
    ConfigurationError,
    ContentionTimeout,
    DomainError,
    DuplicateEvent,
    FabulaError,
    ForgottenSubject,
    FrozenDuringDecide,
    ImportRefused,
    InvalidArgument,
    InvalidMetadata,
    InvalidStreamId,
    ListenerError,
    MissingUpcaster,
    PersonalKeyError,
    ReadOnlyError,
    SchemaError,
    StoreError,
    StreamArchived,
    StreamDeleted,
    StreamNotFound,
    StreamTruncated,
    UnknownCommand,
    UnknownEventType,
)
from fabula.app import (
    AsyncFlow,
    AsyncPersonalData,
    AsyncRepository,
    Decision,
    DispatchResult,
    Flow,
    Loaded,
    PersonalData,
    Repository,
    SnapshotEvery,
    uuid7,
)
from fabula.codec import EventRegistry
from fabula.domain import (
    REDACTED,
    STREAM,
    Aggregate,
    Decider,
    Personal,
    Recorded,
    StreamTombstone,
    SubjectForgotten,
    SubjectFrom,
    decides,
    event,
    evolves,
    fold,
)
from fabula.store import (
    ANY_VERSION,
    NO_STREAM,
    STREAM_EXISTS,
    AnyVersion,
    AsyncEventStore,
    EventStore,
    ExpectedVersion,
    NoStream,
    StreamExists,
    open_async_store,
    open_store,
)

__all__ = [
    "ANY_VERSION",
    "NO_STREAM",
    "REDACTED",
    "STREAM",
    "STREAM_EXISTS",
    "Aggregate",
    "AnyVersion",
    "AsyncEventStore",
    "AsyncFlow",
    "AsyncPersonalData",
    "AsyncRepository",
    "ClosedError",
    "CodecError",
    "ConcurrencyError",
    "ConfigurationError",
    "ContentionTimeout",
    "Decider",
    "Decision",
    "DispatchResult",
    "DomainError",
    "DuplicateEvent",
    "EventRegistry",
    "EventStore",
    "ExpectedVersion",
    "FabulaError",
    "Flow",
    "ForgottenSubject",
    "FrozenDuringDecide",
    "ImportRefused",
    "InvalidArgument",
    "InvalidMetadata",
    "InvalidStreamId",
    "ListenerError",
    "Loaded",
    "MissingUpcaster",
    "NoStream",
    "Personal",
    "PersonalData",
    "PersonalKeyError",
    "ReadOnlyError",
    "Recorded",
    "Repository",
    "SchemaError",
    "SnapshotEvery",
    "StoreError",
    "StreamArchived",
    "StreamDeleted",
    "StreamExists",
    "StreamNotFound",
    "StreamTombstone",
    "StreamTruncated",
    "SubjectForgotten",
    "SubjectFrom",
    "UnknownCommand",
    "UnknownEventType",
    "__version__",
    "decides",
    "event",
    "evolves",
    "fold",
    "open_async_store",
    "open_store",
    "uuid7",
]

__version__ = "0.1.0"


def _rehome(names: list[str]) -> None:
    """Show public names as ``fabula.X`` in reprs and docs, not their private modules."""
    for name in names:
        value = globals()[name]
        if isinstance(value, type) or callable(value):
            with contextlib.suppress(AttributeError, TypeError):
                value.__module__ = "fabula"


_rehome(__all__)
