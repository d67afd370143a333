"""Append hooks: functions a SQL store calls inside an append's transaction, before COMMIT.

They are how a read model in the store's own database stays consistent with the log
(``fabula.read.InlineProjection`` is built on them). ``AppendHooks`` is the registry one
store keeps; the backends call it.

Rules:
1. A hook is called as ``hook(tx, records)``: ``tx`` is the store's connection, inside the
   append's transaction; ``records`` are the appended events of the types the hook asked
   for (all of them for ``types=None``), positions included, in log order. An append
   holding none of those types does not call it.
2. A hook that raises rolls the whole append back; its exception propagates unchanged.
3. Registering a hook is a transaction of its own that no append overlaps: ``attach(tx)``
   runs first; if it returns a position, the hook is called with the stored events (of
   its types) after that position, in pages, so it catches up. Every append that commits
   after the registration calls the hook, and none before does.
4. On PostgreSQL an append that no hook wants skips the transaction: one autocommit
   statement, as without hooks. ``begin``/``end`` count those appends, so that a
   registration can first wait for the ones that started before it (rule 3).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from fabula.store._notify import Notifier
from fabula.store._records import StoredEvent

__all__ = ["REPLAY_PAGE", "AppendHooks", "ReplayFrom", "Reservation"]

REPLAY_PAGE = 500
"""Events per call when a hook catches up with the stored events (rule 3)."""

ReplayFrom: TypeAlias = int | None
"""What ``attach(tx)`` returns: the position to replay the stored events from, or ``None``."""


def _wants(wanted: frozenset[str] | None, types: Iterable[str]) -> bool:
    return wanted is None or not wanted.isdisjoint(types)


@dataclass(frozen=True, slots=True)
class _Entry:
    hook: Callable[..., Any]
    types: frozenset[str] | None


@dataclass(frozen=True, slots=True, eq=False)
class Reservation:
    """A registration under way: appends of its ``types`` already take the hooked path."""

    types: frozenset[str] | None
    epoch: int
    """Appends on the plain path that began in this epoch or before may still run."""


class AppendHooks:
    """The append hooks of one store, and the appends on the way past them (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: tuple[_Entry, ...] = ()
        self._reservations: list[Reservation] = []
        self._epoch = 0
        self._plain: dict[int, int] = {}
        self.ended = Notifier()
        """Woken when the last plain append of an epoch ends (``plain_before`` may change)."""

    @property
    def active(self) -> bool:
        """Whether any hook is registered."""
        return bool(self._active)

    def wanted(self, types: Collection[str]) -> bool:
        """Whether a registered hook wants some events of ``types``."""
        return any(_wants(e.types, types) for e in self._active)

    def calls(
        self, records: Sequence[StoredEvent]
    ) -> list[tuple[Callable[..., Any], list[StoredEvent]]]:
        """Return each registered hook that wants some of ``records``, with those records."""
        found = []
        for entry in self._active:
            chosen = (
                list(records)
                if entry.types is None
                else [r for r in records if r.type in entry.types]
            )
            if chosen:
                found.append((entry.hook, chosen))
        return found

    def begin(self, types: Collection[str]) -> int | None:
        """Start an append of events of ``types``; return a ticket if no hook can want them.

        With a ticket the append may run without a transaction (rule 4), and must give
        the ticket back to ``end``. ``None``: a registered hook, or one being registered,
        wants some of them; the append takes the hooked path.
        """
        with self._lock:
            wanted = [e.types for e in self._active] + [c.types for c in self._reservations]
            if any(_wants(w, types) for w in wanted):
                return None
            self._plain[self._epoch] = self._plain.get(self._epoch, 0) + 1
            return self._epoch

    def end(self, ticket: int) -> None:
        """End an append that ``begin`` let take the plain path."""
        with self._lock:
            left = self._plain[ticket] - 1
            if left:
                self._plain[ticket] = left
                return
            del self._plain[ticket]
        self.ended.notify()

    def reserve(self, types: Collection[str] | None) -> Reservation:
        """Announce a registration: from now on, appends of ``types`` take the hooked path."""
        with self._lock:
            reservation = Reservation(None if types is None else frozenset(types), self._epoch)
            self._reservations.append(reservation)
            self._epoch += 1
            return reservation

    def plain_before(self, reservation: Reservation) -> bool:
        """Whether appends that took the plain path before ``reservation`` are still running."""
        with self._lock:
            return any(epoch <= reservation.epoch for epoch in self._plain)

    def release(self, reservation: Reservation) -> None:
        """Forget a reservation, once its hook is registered or its registration failed."""
        with self._lock:
            self._reservations.remove(reservation)

    def __contains__(self, hook: object) -> bool:
        return any(e.hook == hook for e in self._active)

    def add(self, hook: Callable[..., Any], types: Collection[str] | None) -> None:
        """Register ``hook`` (replacing an earlier registration of the same hook)."""
        entry = _Entry(hook, None if types is None else frozenset(types))
        with self._lock:
            self._active = (*(e for e in self._active if e.hook != hook), entry)

    def remove(self, hook: Callable[..., Any]) -> bool:
        """Unregister ``hook``; return whether it was registered."""
        with self._lock:
            kept = tuple(e for e in self._active if e.hook != hook)
            removed = len(kept) != len(self._active)
            self._active = kept
            return removed
