# Generated from _keys_async.py by tools/unasync.py: do not edit, edit the source.
"""The in-memory store's key table (``KeyTable``): rows beside its ``MemoryLog``."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from fabula.store.memory._keys_base import MemoryKeys

__all__ = ["MemoryKeyTable"]


class MemoryKeyTable:
    """Per-subject keys of an in-memory store (``store.personal_keys()``)."""

    def __init__(self, keys: MemoryKeys, /) -> None:
        self._keys = keys

    def fetch(self, subjects: Collection[str], /) -> dict[str, bytes | None]:
        """Return the stored key of each subject that has a row (``None``: forgotten)."""
        return self._keys.fetch(subjects)

    def create(self, subjects: Collection[str], /) -> dict[str, bytes | None]:
        """Give each subject without a row a fresh key; return every subject's row."""
        return self._keys.create(subjects)

    def forget(self, subject: str, /) -> bool:
        """Destroy the subject's key; return whether it had one."""
        return self._keys.forget(subject)

    def restore(self, rows: Mapping[str, bytes | None], /) -> None:
        """Write rows copied from another key table (forgetting wins)."""
        self._keys.restore(rows)

    def note(self, pairs: Collection[tuple[str, str]], /, *, complete: bool = False) -> None:
        """Remember ``(subject, stream)`` pairs; ``complete``: the index now covers all."""
        self._keys.note(pairs, complete=complete)

    def streams(self, subject: str, /) -> list[str] | None:
        """The streams noted for ``subject``, sorted; ``None`` while the index is incomplete."""
        return self._keys.streams(subject)
