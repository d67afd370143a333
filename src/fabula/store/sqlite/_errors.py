"""``sqlite3`` errors to fabula errors, mapped once at the driver boundary.

| sqlite3 | fabula |
|---|---|
| ``OperationalError`` "no such table/column" | ``SchemaError`` (schema missing or not ours) |
| ``OperationalError`` "attempt to write a readonly database" | ``ReadOnlyError`` |
| any other ``sqlite3.Error`` (busy, disk full, corrupt file, bad parameter, ...) | ``StoreError`` |

fabula's own errors (``ConcurrencyError``, ``DuplicateEvent``, ...) pass through untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from fabula._errors import ReadOnlyError, SchemaError, StoreError

__all__ = ["map_errors", "mapped_error"]


def mapped_error(path: str, exc: sqlite3.Error) -> StoreError:
    """The fabula error for a ``sqlite3`` error (the table above); raise it ``from exc``.

    Args:
        path: the database file, named in the message.
        exc: what ``sqlite3`` raised.
    """
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        if text.startswith(("no such table", "no such column")):
            return SchemaError(f"SQLite database {path!r} lacks fabula's schema ({text})")
        if "readonly database" in text:
            return ReadOnlyError(f"SQLite database {path!r} is read-only: {text}")
    return StoreError(f"SQLite database {path!r} failed: {text}")


@contextmanager
def map_errors(path: str) -> Iterator[None]:
    """Raise a fabula error, chained to the driver's, for any ``sqlite3`` error in the block.

    Args:
        path: the database file, named in the message.

    Raises:
        SchemaError: a table or column the store needs does not exist.
        ReadOnlyError: SQLite refused a write (a read-only file or connection).
        StoreError: any other failure of SQLite.
    """
    try:
        yield
    except sqlite3.Error as exc:
        raise mapped_error(path, exc) from exc
