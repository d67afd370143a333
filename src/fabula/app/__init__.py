"""The application layer: repository, command flow with middleware, after-commit listeners."""

from fabula._ids import uuid7
from fabula.app._cause import Cause, caused_by, current_cause
from fabula.app._decision import Decision
from fabula.app._dispatch import CommandContext, DispatchResult
from fabula.app._export import SubjectExport
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
from fabula.app._personal import PersonalData
from fabula.app._personal_async import FORGOTTEN_STREAM_PREFIX, AsyncPersonalData
from fabula.app._repository import Repository
from fabula.app._repository_async import AsyncRepository
from fabula.app._snapshot_state import decode_snapshot
from fabula.app._snapshots import NEVER, NeverSnapshot, SnapshotEvery, SnapshotPolicy
from fabula.codec import decode_records

__all__ = [
    "FORGOTTEN_STREAM_PREFIX",
    "NEVER",
    "AsyncCallNext",
    "AsyncEnrichMetadata",
    "AsyncFlow",
    "AsyncIdempotency",
    "AsyncLogCommands",
    "AsyncMiddleware",
    "AsyncPersonalData",
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
    "PersonalData",
    "Repository",
    "RetryOnConflict",
    "SnapshotEvery",
    "SnapshotPolicy",
    "SubjectExport",
    "caused_by",
    "current_cause",
    "decode_records",
    "decode_snapshot",
    "uuid7",
]
