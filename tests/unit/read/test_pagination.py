from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, strategies as st

from fabula import DomainError
from fabula.read import InvalidCursor, Page, clamp_limit, decode_cursor, encode_cursor, paginate


def test_cursor_round_trips_and_is_opaque() -> None:
    cursor = encode_cursor(["2024-01-01T00:00:00Z", "order-7"], scope="orders")
    assert "order-7" not in cursor
    assert "=" not in cursor
    assert decode_cursor(cursor, scope="orders") == ("2024-01-01T00:00:00Z", "order-7")
    assert decode_cursor(None) is None
    assert decode_cursor("") is None


@given(
    st.lists(st.one_of(st.integers(), st.text(), st.none(), st.booleans()), max_size=4), st.text()
)
def test_any_json_key_round_trips(key: list[object], scope: str) -> None:
    assert decode_cursor(encode_cursor(key, scope=scope), scope=scope) == tuple(key)  # type: ignore[arg-type]


@pytest.mark.parametrize("cursor", ["garbage!", "e30", "W10", encode_cursor([1], scope="other")])
def test_bad_or_foreign_cursors_are_the_clients_error(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as refused:
        decode_cursor(cursor, scope="orders")
    assert isinstance(refused.value, DomainError)
    assert refused.value.as_json()["code"] == "invalid_cursor"
    assert refused.value.params == {"cursor": cursor}


def test_clamp_limit() -> None:
    assert clamp_limit(None) == 20
    assert clamp_limit(0) == 1
    assert clamp_limit(1000, maximum=50) == 50
    assert clamp_limit(7) == 7


def test_paginate_cuts_the_extra_row_into_has_more() -> None:
    page = paginate([1, 2, 3], limit=2, key=lambda n: [n])
    assert page == Page((1, 2), True, encode_cursor([2]))
    assert paginate([1, 2], limit=2, key=lambda n: [n]) == Page((1, 2), False, None)
    assert paginate([], limit=2, key=lambda n: [n]) == Page((), False, None)


def _orders(conn: sqlite3.Connection, cursor: str | None, limit: int) -> Page[tuple[str, int]]:
    after = decode_cursor(cursor, scope="orders")
    if after is None:
        rows = conn.execute(
            "SELECT id, placed FROM orders ORDER BY placed DESC, id DESC LIMIT ?", (limit + 1,)
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT id, placed FROM orders WHERE (placed, id) < (?, ?) "
            "ORDER BY placed DESC, id DESC LIMIT ?",
            (*after, limit + 1),
        ).fetchall()
    return paginate(rows, limit=limit, key=lambda row: [row[1], row[0]], scope="orders")


def test_keyset_pages_walk_every_row_once_even_with_inserts_between_pages() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE orders (id TEXT PRIMARY KEY, placed INTEGER)")
    conn.executemany("INSERT INTO orders VALUES (?, ?)", [(f"o{i:02}", i // 3) for i in range(10)])
    seen: list[str] = []
    cursor = None
    while True:
        page = _orders(conn, cursor, 3)
        seen.extend(row[0] for row in page.items)
        conn.execute("INSERT INTO orders VALUES (?, ?)", (f"new{len(seen)}", 100))  # newer rows
        if not page.has_more:
            assert page.next_cursor is None
            break
        cursor = page.next_cursor
    assert sorted(seen) == [f"o{i:02}" for i in range(10)]
    assert len(seen) == len(set(seen))
