"""The read side: projections, runners, checkpoints, leases, dead letters and queries.

Start with ``Projection`` (handlers per event type that update a read model) and a
target for it (``fabula.read.sqlite.SqliteTarget``, ``fabula.read.postgres.PostgresTarget``,
``fabula.read.memory.MemoryTarget``); ``ProjectionRunner`` keeps it up to date, or
``InlineProjection`` in each append's own transaction. See ``docs/projections.md``.

Folders, one concept each (every public name is re-exported here):

- this folder: what you declare (``Projection``, ``View``, queries, pagination) and the
  contract a read-model target meets (``Target`` and its records: checkpoints, leases,
  dead letters, failures, scratch copies);
- ``running/``: running one consumer (``ProjectionRunner``, ``InlineProjection``, status);
- ``operations/``: operating many (``ProjectionSet``, workers, rebuilds, parked events);
- ``memory/``, ``sqlite/``, ``postgres/``: one target per backend, with its inline variant.

Reactions (they dispatch commands) are imported from ``fabula.flows``; the ``fabula``
command's helpers live in ``fabula.cli``.
"""

from fabula.read._checkpoints import Checkpoint
from fabula.read._dead_letters import DeadLetter
from fabula.read._errors import (
    CheckpointConflict,
    HandlerError,
    InvalidCursor,
    LeaseLost,
    ParkedEventNotFound,
    PositionTimeout,
    ProjectionFailed,
    UnknownQuery,
)
from fabula.read._failures import Failure
from fabula.read._leases import Claim, Lease, LeaseSettings
from fabula.read._pagination import Page, clamp_limit, decode_cursor, encode_cursor, paginate
from fabula.read._projection import Handler, Projection, SetupHook
from fabula.read._queries import QueryBus
from fabula.read._queries_async import AsyncQueryBus
from fabula.read._query import Query
from fabula.read._scratch import ScratchCopy
from fabula.read._target import Checkpoints, DeadLetters, Leases, Rebuild, Target
from fabula.read._target_async import (
    AsyncCheckpoints,
    AsyncDeadLetters,
    AsyncLeases,
    AsyncRebuild,
    AsyncTarget,
    Step,
)
from fabula.read._targets import open_async_target, open_target
from fabula.read._views import View
from fabula.read.operations._set import ProjectionSet
from fabula.read.operations._set_async import AsyncProjectionSet, RebuildMode, RebuildProgress
from fabula.read.operations._workers import run_worker, run_workers
from fabula.read.running._inline import InlineProjection
from fabula.read.running._inline_async import AsyncInlineProjection
from fabula.read.running._partitioned import (
    PartitionedWorker,
    read_partition_status,
    reset_partitions,
)
from fabula.read.running._partitioned_async import AsyncPartitionedWorker
from fabula.read.running._partitions import PartitionOf, partition_of
from fabula.read.running._policy import ErrorPolicy
from fabula.read.running._runner import Application, ProjectionRunner
from fabula.read.running._runner_async import AsyncApplication, AsyncProjectionRunner, Progress
from fabula.read.running._status import ProjectionStatus

__all__ = [
    "Application",
    "AsyncApplication",
    "AsyncCheckpoints",
    "AsyncDeadLetters",
    "AsyncInlineProjection",
    "AsyncLeases",
    "AsyncPartitionedWorker",
    "AsyncProjectionRunner",
    "AsyncProjectionSet",
    "AsyncQueryBus",
    "AsyncRebuild",
    "AsyncTarget",
    "Checkpoint",
    "CheckpointConflict",
    "Checkpoints",
    "Claim",
    "DeadLetter",
    "DeadLetters",
    "ErrorPolicy",
    "Failure",
    "Handler",
    "HandlerError",
    "InlineProjection",
    "InvalidCursor",
    "Lease",
    "LeaseLost",
    "LeaseSettings",
    "Leases",
    "Page",
    "ParkedEventNotFound",
    "PartitionOf",
    "PartitionedWorker",
    "PositionTimeout",
    "Progress",
    "Projection",
    "ProjectionFailed",
    "ProjectionRunner",
    "ProjectionSet",
    "ProjectionStatus",
    "Query",
    "QueryBus",
    "Rebuild",
    "RebuildMode",
    "RebuildProgress",
    "ScratchCopy",
    "SetupHook",
    "Step",
    "Target",
    "UnknownQuery",
    "View",
    "clamp_limit",
    "decode_cursor",
    "encode_cursor",
    "open_async_target",
    "open_target",
    "paginate",
    "partition_of",
    "read_partition_status",
    "reset_partitions",
    "run_worker",
    "run_workers",
]
