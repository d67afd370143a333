"""The application layer: repository, command flow with middleware, after-commit listeners."""

from fabula._ids import uuid7
from fabula.app._cause import Cause, caused_by, current_cause
from fabula.app._decision import Decision
from fabula.app._dispatch import CommandContext, DispatchResult
from fabula.app._flow import Flow
from fabula.app._flow_async import AsyncFlow
from fabula.app._loaded import Loaded
from fabula.app._middleware import (
    CallNext,
    EnrichMetadata,
    Idempotency,
    LogCommands,
    Middleware,
    RetryOnConflict,
)
from fabula.app._middleware_async import (
    AsyncCallNext,
    AsyncEnrichMetadata,
    AsyncIdempotency,
    AsyncLogCommands,
    AsyncMiddleware,
    AsyncRetryOnConflict,
)
from fabula.app._repository import Repository
from fabula.app._repository_async import AsyncRepository
from fabula.app._snapshot_state import decode_snapshot
from fabula.app._snapshots import NEVER, NeverSnapshot, SnapshotEvery, SnapshotPolicy
from fabula.codec import decode_records

__all__ = [
    "NEVER",
    "AsyncCallNext",
    "AsyncEnrichMetadata",
    "AsyncFlow",
    "AsyncIdempotency",
    "AsyncLogCommands",
    "AsyncMiddleware",
    "AsyncRepository",
    "AsyncRetryOnConflict",
    "CallNext",
    "Cause",
    "CommandContext",
    "Decision",
    "DispatchResult",
    "EnrichMetadata",
    "Flow",
    "Idempotency",
    "Loaded",
    "LogCommands",
    "Middleware",
    "NeverSnapshot",
    "Repository",
    "RetryOnConflict",
    "SnapshotEvery",
    "SnapshotPolicy",
    "caused_by",
    "current_cause",
    "decode_records",
    "decode_snapshot",
    "uuid7",
]
