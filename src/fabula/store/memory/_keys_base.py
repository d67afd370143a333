"""The in-memory key table's rows, kept per ``MemoryLog`` (the memory store's database)."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Collection, Mapping

from fabula.store.memory._log import MemoryLog

__all__ = ["MemoryKeys", "keys_of"]


class MemoryKeys:
    """Subject -> key (``None``: forgotten), under a lock: the reference key table."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rows: dict[str, bytes | None] = {}
        self.pairs: set[tuple[str, str]] = set()
        self.complete = False

    def fetch(self, subjects: Collection[str]) -> dict[str, bytes | None]:
        with self._lock:
            return {s: self.rows[s] for s in subjects if s in self.rows}

    def create(self, subjects: Collection[str]) -> dict[str, bytes | None]:
        with self._lock:
            for subject in subjects:
                self.rows.setdefault(subject, os.urandom(32))
            return {s: self.rows[s] for s in subjects}

    def forget(self, subject: str) -> bool:
        with self._lock:
            had = self.rows.get(subject) is not None
            self.rows[subject] = None
            return had

    def note(self, pairs: Collection[tuple[str, str]], *, complete: bool) -> None:
        with self._lock:
            self.pairs.update(pairs)
            self.complete = self.complete or complete

    def streams(self, subject: str) -> list[str] | None:
        with self._lock:
            if not self.complete:
                return None
            return sorted(stream for who, stream in self.pairs if who == subject)

    def restore(self, rows: Mapping[str, bytes | None]) -> None:
        with self._lock:
            for subject, key in rows.items():
                if key is None or subject not in self.rows:
                    self.rows[subject] = key


_tables: weakref.WeakKeyDictionary[MemoryLog, MemoryKeys] = weakref.WeakKeyDictionary()
_tables_lock = threading.Lock()


def keys_of(log: MemoryLog) -> MemoryKeys:
    """Return the key rows of one memory database, created on first use."""
    with _tables_lock:
        keys = _tables.get(log)
        if keys is None:
            keys = _tables[log] = MemoryKeys()
        return keys
