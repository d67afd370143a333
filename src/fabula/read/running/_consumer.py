"""``Consumer``: what a runner feeds. ``Projection`` is one; ``fabula.flows.Reaction`` another.

A runner (``ProjectionRunner``, ``ProjectionSet``) needs five things from what it feeds:

1. ``name``: the checkpoint key (and the lease's, the dead letters').
2. ``handlers``: the handled event classes (the subscription's filter) and, per class,
   whether its events may share a transaction (``Entry.batch``).
3. ``entry(cls)``: the handler the runner applies as ``handler(tx, recorded)``.
4. ``batch_size`` and ``setup_hooks``: how many events share one commit at most, and
   what creates the read model's tables before the first event.
5. ``transactional``: ``True`` when the handlers write through the target's transaction
   (a read model). ``False`` when they act on the world (send, call, dispatch): the
   runner then applies each event alone, calls its handler with ``tx=None`` before, and
   outside, the commit that moves the checkpoint past it (at least once).

Structural, so the read side needs nothing from the packages whose consumers it runs.
"""

from __future__ import annotations

from typing import Any, Protocol

from fabula.read._handlers import Entry, HandlerTable
from fabula.read._projection import Handler, SetupHook

__all__ = ["Consumer"]


class Consumer(Protocol):
    """What a runner feeds: handlers per event class, with a checkpoint named ``name``."""

    @property
    def name(self) -> str:
        """The checkpoint key."""
        ...

    @property
    def handlers(self) -> HandlerTable[Any]:
        """The handler table: handled classes, and which may share a transaction."""
        ...

    @property
    def batch_size(self) -> int:
        """How many events at most share one commit."""
        ...

    @property
    def setup_hooks(self) -> tuple[SetupHook, ...]:
        """What creates the read model's tables (run before any event)."""
        ...

    @property
    def transactional(self) -> bool:
        """``False``: handlers act outside the commit, each event alone (at least once)."""
        ...

    def entry(self, event_type: type, /) -> Entry[Handler]:
        """The handler of one event class, applied as ``handler(tx, recorded)``."""
        ...
