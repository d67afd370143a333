"""Cursor pagination: pages of a read model, resumed from an opaque cursor (keyset paging).

A query handler fetches ``limit + 1`` rows ordered by a unique key, starting after the
key its cursor carries, and ``paginate`` cuts them into a ``Page``::

    after = decode_cursor(query.cursor, scope="orders")      # None on the first page
    rows = fetch(after=after, limit=limit + 1)                # ORDER BY created_at, id
    return paginate(rows, limit=limit, key=lambda r: (r.created_at, r.id), scope="orders")

Rules:
1. A cursor is opaque to clients: URL-safe base64 of JSON, carrying the last row's key
   and the query's ``scope``. A cursor made for another scope, or altered, or garbled,
   is refused with ``InvalidCursor`` (a ``DomainError``: the client's mistake, HTTP 400).
2. Keyset paging never skips nor repeats a row when rows are inserted meanwhile (unlike
   OFFSET), provided the key is unique and the order is by that key.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec

from fabula.domain import JSONValue
from fabula.read._errors import InvalidCursor

__all__ = ["Page", "clamp_limit", "decode_cursor", "encode_cursor", "paginate"]

ItemT = TypeVar("ItemT")

_decoder = msgspec.json.Decoder(tuple[str, list[Any]])


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT]):
    """One page of results: the items, whether more follow, and the cursor to get them."""

    items: tuple[ItemT, ...]
    has_more: bool
    next_cursor: str | None


def encode_cursor(key: Sequence[JSONValue], /, *, scope: str = "") -> str:
    """Return the opaque cursor that resumes after the row whose sort key is ``key``."""
    raw = msgspec.json.encode((scope, list(key)))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, /, *, scope: str = "") -> tuple[JSONValue, ...] | None:
    """Return the sort key a cursor resumes after (``None`` for no cursor: the first page).

    Raises:
        InvalidCursor: the cursor is garbled, altered, or was made for another scope.
    """
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        found_scope, key = _decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidCursor(params={"cursor": cursor}) from exc
    if found_scope != scope:
        raise InvalidCursor(params={"cursor": cursor})
    return tuple(key)


def clamp_limit(limit: int | None, /, *, default: int = 20, maximum: int = 100) -> int:
    """Return a page size between 1 and ``maximum`` (``default`` when none was asked)."""
    if limit is None:
        return default
    return max(1, min(limit, maximum))


def paginate(
    rows: Sequence[ItemT],
    /,
    *,
    limit: int,
    key: Callable[[ItemT], Sequence[JSONValue]],
    scope: str = "",
) -> Page[ItemT]:
    """Cut ``rows`` (fetched with ``limit + 1``) into a page with its next cursor."""
    has_more = len(rows) > limit
    items = tuple(rows[:limit])
    next_cursor = encode_cursor(key(items[-1]), scope=scope) if has_more and items else None
    return Page(items, has_more, next_cursor)
