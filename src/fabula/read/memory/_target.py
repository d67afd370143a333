# Generated from _target_async.py by tools/unasync.py: do not edit, edit the source.
"""``MemoryTarget``: read models as plain dicts in process memory, for tests and prototypes.

Each projection's read model is a ``dict`` (its ``tx``). A commit runs the handlers on a
deep copy and swaps it in only if the checkpoint is still where the commit expected it
(compare and set), so a failed batch leaves nothing behind. Copying costs time in
proportion to the model's size: fine for tests, not for millions of rows.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from fabula._errors import ConfigurationError
from fabula.read._call import call
from fabula.read._checkpoints import Checkpoint
from fabula.read._dead_letters import DeadLetter
from fabula.read._errors import CheckpointConflict, HandlerError, LeaseLost, ParkedEventNotFound
from fabula.read._failures import Failure
from fabula.read._leases import Claim, Lease
from fabula.read._projection import SetupHook
from fabula.read._scratch import ScratchCopy
from fabula.read._target import CatchUp, Step
from fabula.read.memory._target_base import _now

__all__ = ["MemoryTarget"]


_HELD_POLL = 0.001
"""Seconds between looks of a commit waiting for a swap to release its checkpoint."""


class MemoryTarget:
    """Read models, checkpoints, leases and dead letters in process memory (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[str, dict[str, Any]] = {}
        self._checkpoints: dict[str, Checkpoint] = {}
        self._leases: dict[str, tuple[str, float]] = {}
        self._letters: dict[tuple[str, int], DeadLetter] = {}
        self._failures: dict[str, Failure] = {}
        self._held: set[str] = set()  # checkpoints a swap holds: their commits wait

    @classmethod
    def from_url(cls, url: str, /) -> MemoryTarget:
        """Open a new, empty target for ``memory://``."""
        if not url.startswith("memory://"):
            msg = f"not a memory target URL: {url!r}"
            raise ConfigurationError(msg)
        return cls()

    def model(self, name: str, /) -> dict[str, Any]:
        """Return the committed read model of ``name`` (do not change it)."""
        with self._lock:
            return self._models.setdefault(name, {})

    def prepare(self, name: str, /, *, setup: Sequence[SetupHook] = ()) -> None:
        """Create the checkpoint of ``name`` at 0 if missing, and run ``setup`` on its model."""
        with self._lock:
            self._checkpoints.setdefault(name, Checkpoint(name, 0))
            model = copy.deepcopy(self._models.get(name, {}))
        for hook in setup:
            call(hook, model)
        with self._lock:
            self._models[name] = model

    def checkpoint(self, name: str, /) -> Checkpoint:
        """Return the checkpoint of ``name`` (position 0 if it has none)."""
        with self._lock:
            return self._checkpoints.get(name, Checkpoint(name, 0))

    def checkpoints(self) -> list[Checkpoint]:
        """Return every checkpoint, by name."""
        with self._lock:
            return [self._checkpoints[name] for name in sorted(self._checkpoints)]

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
        with self._lock:
            self._check_position(name, after)  # like a SQL target's checkpoint move: first
            base = self._models.get(name)
            model = copy.deepcopy(base if base is not None else {}) if steps else None
        for handler, recorded in steps:
            try:
                call(handler, model, recorded)
            except Exception as exc:
                with self._lock:  # a reset or swap meanwhile: the handler saw a stale model
                    self._check_position(name, after)
                    if self._models.get(name) is not base:
                        raise CheckpointConflict(name, expected=after, actual=None) from exc
                raise HandlerError.of(name, recorded) from exc
        while True:
            with self._lock:
                if name not in self._held:
                    self._check(name, after, claim)
                    if model is not None and self._models.get(name) is not base:
                        raise CheckpointConflict(name, expected=after, actual=None)  # swapped
                    self._commit(name, after, position, model, parked)
                    return
            time.sleep(_HELD_POLL)  # a swap holds the checkpoint (a row lock's wait)

    def _commit(
        self,
        name: str,
        after: int,
        position: int,
        model: dict[str, Any] | None,
        parked: DeadLetter | None,
    ) -> None:
        if model is not None:
            self._models[name] = model
        self._checkpoints[name] = Checkpoint(name, position, _now())
        for key in [k for k in self._letters if k[0] == name and after < k[1] <= position]:
            del self._letters[key]
        if parked is not None:
            self._letters[(name, parked.position)] = parked

    def _check_position(self, name: str, after: int) -> None:
        current = self._checkpoints.get(name, Checkpoint(name, 0)).position
        if current != after:
            raise CheckpointConflict(name, expected=after, actual=current)

    def _check(self, name: str, after: int, claim: Claim | None) -> None:
        self._check_position(name, after)
        if claim is not None:
            holder = self._leases.get(name)
            now = time.time()
            if holder is None or holder[0] != claim.owner or holder[1] < now:
                raise LeaseLost(name, owner=claim.owner)
            self._leases[name] = (claim.owner, now + claim.ttl)

    def park(self, letter: DeadLetter, /) -> None:
        """Record (or update) a dead letter without moving the checkpoint."""
        with self._lock:
            self._letters[(letter.name, letter.position)] = letter

    def dead_letters(self, name: str | None = None, /) -> list[DeadLetter]:
        """Return the parked events of one projection (or all), by name and position."""
        with self._lock:
            return [
                self._letters[key]
                for key in sorted(self._letters)
                if name is None or key[0] == name
            ]

    def resolve(self, letter: DeadLetter, /, *, step: Step | None = None) -> None:
        """Remove a dead letter, applying ``step`` first if given, in one transaction."""
        key = (letter.name, letter.position)
        with self._lock:
            if key not in self._letters:
                raise ParkedEventNotFound(letter.name, letter.position)
            model = copy.deepcopy(self._models.get(letter.name, {}))
        if step is not None:
            handler, recorded = step
            try:
                call(handler, model, recorded)
            except Exception as exc:
                raise HandlerError.of(letter.name, recorded) from exc
        with self._lock:
            if self._letters.pop(key, None) is None:
                raise ParkedEventNotFound(letter.name, letter.position)
            self._models[letter.name] = model
            current = self._checkpoints.get(letter.name, Checkpoint(letter.name, 0))
            if current.position < letter.position:
                self._checkpoints[letter.name] = Checkpoint(letter.name, letter.position, _now())

    def record_failure(self, failure: Failure, /) -> None:
        """Keep ``failure`` as the projection's last failed attempt (replacing the previous)."""
        with self._lock:
            self._failures[failure.name] = failure

    def failure(self, name: str, /) -> Failure | None:
        """Return the last failed attempt of ``name``, if any."""
        with self._lock:
            return self._failures.get(name)

    def _clear_failure(self, name: str) -> None:
        found = self._failures.get(name)
        if found is not None:
            self._failures[name] = dataclasses.replace(found, position=0, attempts=0)

    def acquire_lease(self, name: str, owner: str, /, *, ttl: float) -> bool:
        """Take or renew the lease of ``name`` for ``ttl`` seconds; return whether held."""
        now = time.time()
        with self._lock:
            holder = self._leases.get(name)
            if holder is not None and holder[0] != owner and holder[1] >= now:
                return False
            self._leases[name] = (owner, now + ttl)
            return True

    def release_lease(self, name: str, owner: str, /) -> None:
        """Give up the lease of ``name`` if ``owner`` holds it."""
        with self._lock:
            holder = self._leases.get(name)
            if holder is not None and holder[0] == owner:
                del self._leases[name]

    def lease(self, name: str, /) -> Lease | None:
        """Return the unexpired lease of ``name``, if any."""
        with self._lock:
            holder = self._leases.get(name)
        if holder is None or holder[1] < time.time():
            return None
        return Lease(name, holder[0], datetime.fromtimestamp(holder[1], UTC))

    def reset(self, name: str, /, *, tables: Sequence[str]) -> None:
        """Empty the model of ``name``, drop its dead letters, set its checkpoint to 0."""
        with self._lock:
            self._models[name] = {}
            self._checkpoints[name] = Checkpoint(name, 0, _now())
            self._clear_failure(name)
            for key in [k for k in self._letters if k[0] == name]:
                del self._letters[key]

    def scratch(self, name: str, /) -> Self:
        """Return a new, empty memory target to rebuild ``name`` into."""
        return type(self)()

    def scratch_copy(self, name: str, /) -> ScratchCopy | None:
        """Return ``None``: a memory copy lives and dies with the process rebuilding it."""
        return None

    def swap_in(
        self,
        name: str,
        scratch: Self,
        /,
        *,
        tables: Sequence[str],
        catch_up: CatchUp | None = None,
    ) -> None:
        """Replace the model, checkpoint and dead letters of ``name`` by the scratch's.

        The swap holds the checkpoint of ``name`` first: commits of ``name`` wait until
        it is done. If the live checkpoint is past the scratch's, ``catch_up`` brings the
        scratch up to it meanwhile. Raises ``CheckpointConflict`` (and changes nothing)
        if the live checkpoint is still past the scratch's: a swap never moves a read
        model back in time.
        """
        with self._lock:
            live = self._checkpoints.get(name, Checkpoint(name, 0)).position
            if name in self._held:
                raise CheckpointConflict(name, expected=live, actual=live)  # another swap runs
            self._held.add(name)
        try:
            if catch_up is not None and live > (scratch.checkpoint(name)).position:
                catch_up(live)
            with scratch._lock:
                model = scratch._models.get(name, {})
                checkpoint = scratch._checkpoints.get(name, Checkpoint(name, 0))
                letters = [v for k, v in scratch._letters.items() if k[0] == name]
            with self._lock:
                if live > checkpoint.position:
                    raise CheckpointConflict(name, expected=checkpoint.position, actual=live)
                self._models[name] = model
                self._checkpoints[name] = Checkpoint(name, checkpoint.position, _now())
                self._clear_failure(name)
                for key in [k for k in self._letters if k[0] == name]:
                    del self._letters[key]
                self._letters.update(((name, letter.position), letter) for letter in letters)
        finally:
            with self._lock:
                self._held.discard(name)

    def close(self) -> None:
        """Nothing to release; present for the contract."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
