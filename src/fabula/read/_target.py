# Generated from _target_async.py by tools/unasync.py: do not edit, edit the source.
"""The target contract: where read models live, with their checkpoints, leases and dead letters.

A target is one database (or process memory) holding read models. Runners never write
to it except through these methods, so every guarantee below is the target's to keep.
The contract is four concerns, each a Protocol of its own, composed into ``Target``
(``Target`` for sync): a target for another database implements all four, and proves
them with ``fabula.testing.conformance.targets``.

Checkpointed commit (``Checkpoints``):

1. ``commit`` is one transaction: the handlers' writes, the dead letter (if any), and the
   checkpoint move from ``after`` to ``position``; all or nothing.
2. ``commit`` moves the checkpoint only if it is still at ``after`` (compare and set;
   else ``CheckpointConflict``): a checkpoint never moves backwards behind a runner.
3. A handler's failure rolls everything back and raises ``HandlerError`` (with the
   handler's exception as ``__cause__``). A failure of the database itself raises
   ``StoreError``: it says nothing about the event.

Leases (``Leases``):

4. A lease is exclusive: while one owner holds an unexpired lease, ``acquire_lease`` by
   another returns ``False``. The holder renews it by acquiring again; it lapses after
   ``ttl`` seconds without renewal, or when released. Given a ``claim``, ``commit``
   succeeds only if the claimant still holds the lease (else ``LeaseLost``), and
   extends it.

Dead letters and failures (``DeadLetters``):

5. ``park`` records a dead letter without moving the checkpoint; ``resolve`` removes it,
   applying a step first (retry) or not (discard), in one transaction. Dead letters at
   positions in ``(after, position]`` are removed by the commit that passes them (the
   event was applied after all), before ``parked`` is recorded.
6. Dead letters and the last recorded failure are durable: they survive closing and
   reopening the target (a memory target lives as long as its object).

Rebuild (``Rebuild``):

7. ``reset`` empties the read model and its dead letters and sets the checkpoint to 0,
   atomically. ``scratch`` gives an empty target of the same kind; ``swap_in`` replaces
   the live read model by the scratch's in one transaction, and never moves the
   checkpoint back: if the live checkpoint has passed the scratch's, nothing changes.

And for all: targets are safe to share between the runners of one process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Protocol, Self

from fabula.domain import Recorded
from fabula.read._checkpoints import Checkpoint
from fabula.read._dead_letters import DeadLetter
from fabula.read._failures import Failure
from fabula.read._leases import Claim, Lease
from fabula.read._projection import Handler, SetupHook
from fabula.read._scratch import ScratchCopy

__all__ = [
    "CatchUp",
    "Checkpoints",
    "DeadLetters",
    "Leases",
    "Rebuild",
    "Step",
    "Target",
]

Step = tuple[Handler, Recorded[Any]]
"""One event and the handler to apply it with."""

CatchUp = Callable[[int], None]
"""Runs a copy rebuild's runner until the copy's checkpoint is at least the position given."""


class Checkpoints(Protocol):
    """Read models with one checkpoint each, moved by atomic commits (rules 1-3)."""

    def prepare(self, name: str, /, *, setup: Sequence[SetupHook] = ()) -> None:
        """Create fabula's tables and a checkpoint at 0 if missing; run ``setup`` hooks."""
        ...

    def checkpoint(self, name: str, /) -> Checkpoint:
        """Return the checkpoint of ``name`` (position 0 if it has none)."""
        ...

    def checkpoints(self) -> list[Checkpoint]:
        """Return every checkpoint in this target, by name."""
        ...

    def commit(
        self,
        name: str,
        /,
        *,
        after: int,
        position: int,
        steps: Sequence[Step] = (),
        claim: Claim | None = None,
        parked: DeadLetter | None = None,
    ) -> None:
        """Apply ``steps`` and move the checkpoint from ``after`` to ``position``, atomically."""
        ...


class Leases(Protocol):
    """Exclusive, expiring leases: one runner per projection at a time (rule 4)."""

    def acquire_lease(self, name: str, owner: str, /, *, ttl: float) -> bool:
        """Take or renew the lease of ``name`` for ``ttl`` seconds; return whether held."""
        ...

    def release_lease(self, name: str, owner: str, /) -> None:
        """Give up the lease of ``name`` if ``owner`` holds it."""
        ...

    def lease(self, name: str, /) -> Lease | None:
        """Return the unexpired lease of ``name``, if any."""
        ...


class DeadLetters(Protocol):
    """Parked events and the last failed attempt, kept durably (rules 5-6)."""

    def park(self, letter: DeadLetter, /) -> None:
        """Record (or update) a dead letter without moving the checkpoint."""
        ...

    def dead_letters(self, name: str | None = None, /) -> list[DeadLetter]:
        """Return the parked events of one projection (or all), by name and position."""
        ...

    def resolve(self, letter: DeadLetter, /, *, step: Step | None = None) -> None:
        """Remove a dead letter, applying ``step`` first if given, in one transaction.

        The checkpoint moves up to the letter's position if it is below it (an event
        parked under the "stop" policy). Raises ``ParkedEventNotFound`` if the letter is
        gone, and ``HandlerError`` if the step fails (then nothing changes).
        """
        ...

    def record_failure(self, failure: Failure, /) -> None:
        """Keep ``failure`` as the projection's last failed attempt (replacing the previous)."""
        ...

    def failure(self, name: str, /) -> Failure | None:
        """Return the last failed attempt of ``name``, if any."""
        ...


class Rebuild(Protocol):
    """Reset in place, or build in a scratch target and swap in (rule 7)."""

    def reset(self, name: str, /, *, tables: Sequence[str]) -> None:
        """Empty ``tables``, drop the dead letters and set the checkpoint to 0, atomically.

        The recorded failure stops being current (its attempt count is cleared).
        """
        ...

    def scratch(self, name: str, /) -> Self:
        """Return an empty target of the same kind, to rebuild ``name`` into."""
        ...

    def scratch_copy(self, name: str, /) -> ScratchCopy | None:
        """Return the scratch target of a copy rebuild of ``name``, if one exists."""
        ...

    def swap_in(
        self,
        name: str,
        scratch: Self,
        /,
        *,
        tables: Sequence[str],
        catch_up: CatchUp | None = None,
    ) -> None:
        """Replace ``tables``, checkpoint and dead letters of ``name`` by the scratch's.

        One transaction: readers see the old read model until the new one is complete.
        The scratch target is closed and removed afterwards. The swap first holds the
        live checkpoint (the live runner's next commit waits); if it is past the
        scratch's, ``catch_up(live)`` brings the scratch up to it, writing only to the
        scratch. If the live checkpoint is still past the scratch's then, nothing changes
        and ``CheckpointConflict`` is raised (the scratch stays open, to catch up and try
        again): a swap never moves a read model back in time.
        """
        ...


class Target(Checkpoints, Leases, DeadLetters, Rebuild, Protocol):
    """A read-model database with checkpoints, leases and dead letters (asyncio)."""

    def close(self) -> None:
        """Release connections; the target cannot be used afterwards."""
        ...

    def __enter__(self) -> Self:
        """Return the target itself: ``with`` closes it on the way out."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the target."""
        ...
