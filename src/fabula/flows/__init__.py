"""Flows: what turns events into commands (reactions, process managers).

A ``Reaction`` is a checkpointed consumer (``fabula.read.running.Consumer``) whose
handlers act on events (send, call, dispatch commands) instead of writing a read model.
The read side's runners (``ProjectionRunner``, ``ProjectionSet``) run it; commands it
dispatches carry the triggering event as their causation and its correlation.
"""

from fabula.flows._process import ProcessWorker
from fabula.flows._process_async import AsyncProcessWorker
from fabula.flows._process_base import (
    Clock,
    Deadline,
    ProcessContext,
    ProcessManager,
    SystemClock,
)
from fabula.flows._reaction import OnReactions, Reaction, ReactionHandler
from fabula.flows._reaction_context import ReactionContext

__all__ = [
    "AsyncProcessWorker",
    "Clock",
    "Deadline",
    "OnReactions",
    "ProcessContext",
    "ProcessManager",
    "ProcessWorker",
    "Reaction",
    "ReactionContext",
    "ReactionHandler",
    "SystemClock",
]
