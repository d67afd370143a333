"""The event-store contract: protocols, records, preconditions, subscriptions, URLs.

Backends live in subpackages (``memory``, ``sqlite``, ``postgres``) and all pass the
conformance suite in ``fabula.testing.conformance``. Two building blocks serve other
layers too: ``Notifier`` (wake-ups for log followers, used by the projection runner) and
``sqlite_path`` (the file of a ``sqlite:///`` URL, used by the SQLite read-model target).
"""

from fabula.store._arguments import MAX_STREAM_ID_BYTES, MAX_STREAM_ID_LENGTH
from fabula.store._batch import StreamAppend
from fabula.store._contract import AsyncEventStore, EventStore
from fabula.store._import import ImportedEvent, ImportResult
from fabula.store._keys import KeyTable
from fabula.store._keys_async import AsyncKeyTable
from fabula.store._lifecycle import TOMBSTONE_TYPE
from fabula.store._notify import Notifier
from fabula.store._preconditions import (
    ANY_VERSION,
    NO_STREAM,
    STREAM_EXISTS,
    AnyVersion,
    ExpectedVersion,
    NoStream,
    Precondition,
    StreamExists,
)
from fabula.store._records import (
    AppendResult,
    Direction,
    NewEvent,
    SnapshotRecord,
    StoredEvent,
    StreamInfo,
    StreamState,
    StreamStatus,
    category_of,
)
from fabula.store._subscription import Subscription
from fabula.store._subscription_async import AsyncSubscription
from fabula.store._url import open_async_store, open_store, sqlite_path

__all__ = [
    "ANY_VERSION",
    "MAX_STREAM_ID_BYTES",
    "MAX_STREAM_ID_LENGTH",
    "NO_STREAM",
    "STREAM_EXISTS",
    "TOMBSTONE_TYPE",
    "AnyVersion",
    "AppendResult",
    "AsyncEventStore",
    "AsyncKeyTable",
    "AsyncSubscription",
    "Direction",
    "EventStore",
    "ExpectedVersion",
    "ImportResult",
    "ImportedEvent",
    "KeyTable",
    "NewEvent",
    "NoStream",
    "Notifier",
    "Precondition",
    "SnapshotRecord",
    "StoredEvent",
    "StreamAppend",
    "StreamExists",
    "StreamInfo",
    "StreamState",
    "StreamStatus",
    "Subscription",
    "category_of",
    "open_async_store",
    "open_store",
    "sqlite_path",
]
