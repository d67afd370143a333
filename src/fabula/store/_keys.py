# Generated from _keys_async.py by tools/unasync.py: do not edit, edit the source.
"""The key table contract: one encryption key per personal-data subject, in the store's database.

Rules (every backend; ``fabula.testing.conformance`` checks them):
1. One row per subject. ``create`` inserts a fresh random 32-byte key for each subject
   that has no row, and returns the rows as stored: of two writers creating a key for
   the same new subject at once, exactly one key wins and both get it.
2. ``forget`` destroys a subject's key for good: its row keeps the subject with no key
   (a subject with no row gets such a row), and ``create`` never gives it a key again.
3. ``fetch`` returns the rows that exist: a key, or ``None`` for a forgotten subject.
   A subject absent from the answer has no row: its key table was lost or emptied.
4. The table lives apart from the events, created on the first ``create``, ``forget``
   or ``restore``; before that ``fetch`` reads it as empty. Keys never enter a payload.
5. ``restore`` writes rows read from another key table (a copy of the store): a subject
   without a row gets the given one, its key or ``None`` (forgotten); a subject with a
   row keeps its key, unless the given row is forgotten: then its key is destroyed
   (forgetting wins, a copy never brings a forgotten key back).
6. ``note`` remembers which streams a subject's key sealed events in (idempotent, in a
   table beside the keys); ``note(..., complete=True)`` also marks the index complete.
   ``streams`` returns ``None`` until it is, then the subject's noted streams, sorted:
   a right-of-access export reads those instead of the whole log.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Protocol

__all__ = ["KeyTable"]


class KeyTable(Protocol):
    """Per-subject keys of one store (see the rules above)."""

    def fetch(self, subjects: Collection[str], /) -> dict[str, bytes | None]:
        """Return the stored key of each subject that has a row (``None``: forgotten)."""
        ...

    def create(self, subjects: Collection[str], /) -> dict[str, bytes | None]:
        """Give each subject without a row a fresh key; return every subject's row."""
        ...

    def forget(self, subject: str, /) -> bool:
        """Destroy the subject's key; return whether it had one."""
        ...

    def restore(self, rows: Mapping[str, bytes | None], /) -> None:
        """Write rows copied from another key table (rule 5: forgetting wins)."""
        ...

    def note(self, pairs: Collection[tuple[str, str]], /, *, complete: bool = False) -> None:
        """Remember ``(subject, stream)`` pairs; ``complete``: the index now covers all (rule 6)."""
        ...

    def streams(self, subject: str, /) -> list[str] | None:
        """The streams noted for ``subject``, sorted; ``None`` while the index is incomplete."""
        ...
