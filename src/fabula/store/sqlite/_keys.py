# Generated from _keys_async.py by tools/unasync.py: do not edit, edit the source.
"""The SQLite store's key table (``KeyTable``), on the store's own connections."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from fabula.store.sqlite import _keys_ops
from fabula.store.sqlite._driver import Connection

__all__ = ["SqliteKeyTable"]


class SqliteKeyTable:
    """Per-subject keys in the store's file, table ``fabula_personal_keys``."""

    def __init__(self, db: Connection, /) -> None:
        self._db = db

    def fetch(self, subjects: Collection[str], /) -> dict[str, bytes | None]:
        """Return the stored key of each subject that has a row (``None``: forgotten)."""
        if not subjects:
            return {}
        return self._db.read(_keys_ops.fetch, subjects)

    def create(self, subjects: Collection[str], /) -> dict[str, bytes | None]:
        """Give each subject without a row a fresh key; return every subject's row."""
        if not subjects:
            return {}
        return self._db.write(_keys_ops.create, subjects)

    def forget(self, subject: str, /) -> bool:
        """Destroy the subject's key; return whether it had one."""
        return self._db.write(_keys_ops.forget, subject)

    def restore(self, rows: Mapping[str, bytes | None], /) -> None:
        """Write rows copied from another key table (forgetting wins)."""
        if rows:
            self._db.write(_keys_ops.restore, dict(rows))

    def note(self, pairs: Collection[tuple[str, str]], /, *, complete: bool = False) -> None:
        """Remember ``(subject, stream)`` pairs; ``complete``: the index now covers all."""
        rows = [*pairs, _keys_ops.COMPLETE] if complete else list(pairs)
        if rows:
            self._db.write(_keys_ops.note, rows)

    def streams(self, subject: str, /) -> list[str] | None:
        """The streams noted for ``subject``, sorted; ``None`` while the index is incomplete."""
        return self._db.read(_keys_ops.streams, subject)
