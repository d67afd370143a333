"""Appends in doubt: when the reply is lost, the first attempt may have committed.

Rules:
1. PostgreSQL commits an append, then replies; the connection can die in between. The
   database then runs the write once more on a fresh connection (``_driver_async.py``
   rule 3) and marks the call's ``Attempts`` in doubt: its first attempt may have
   committed without the client hearing of it.
2. A retry that finds the whole batch stored, with its content (``replayed_append``), is
   a caller's re-append when no attempt was in doubt: ``deduplicated=True``. When one
   was, the batch is this call's own first attempt, committed unseen: the result is a
   first-time one (``deduplicated=False``), so the store wakes its followers and the
   flow runs its after-commit listeners, exactly once.
3. The store cannot tell which transaction stored the batch, only that it is stored: an
   in-doubt call whose batch an identical re-append (another caller with the same event
   ids) stored meanwhile is reported as first-time too. Both calls sent the same events;
   one of them stored them.
"""

from __future__ import annotations

import dataclasses

from fabula.store._records import AppendResult

__all__ = ["Attempts", "settled"]


class Attempts:
    """One write call's attempts: whether one may have committed unseen (rule 1)."""

    __slots__ = ("in_doubt",)

    def __init__(self) -> None:
        self.in_doubt = False
        """An attempt's connection died after it was sent; the write ran again."""


def settled(result: AppendResult, attempts: Attempts) -> AppendResult:
    """The result of an append that found its batch stored (rule 2)."""
    if attempts.in_doubt and result.deduplicated:
        return dataclasses.replace(result, deduplicated=False)
    return result
