"""How long a stream id PostgreSQL can index: the measurement behind ``MAX_STREAM_ID_BYTES``.

Creates a schema of its own with fabula's two key shapes (``stream_id`` alone, as in
``streams``; ``(stream_id, version)``, as in ``events`` and ``snapshots``), finds by
bisection the longest incompressible id each accepts, in ASCII and in 3-byte characters,
and drops the schema. On PostgreSQL 15 the btree refuses rows past 2,704 bytes: about
2,690 bytes of id alone and 2,680 beside a version (fabula's limit is 1,000).

Usage: python -m benchmarks.name_limit [--pg-url URL]
"""

from __future__ import annotations

import argparse
import random
import secrets

import psycopg
from psycopg import sql

from benchmarks.storage import DEFAULT_PG_URL

__all__ = ["main"]

_ALPHABETS = {
    "ascii": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "3-byte": "".join(chr(c) for c in range(0x4E00, 0x4E00 + 3000)),
}


def _longest(conn: psycopg.Connection, table: sql.Composable, alphabet: str) -> int:
    """The most characters of random ``alphabet`` text that ``table``'s key accepts."""
    chosen = random.Random(1)
    low, high = 1, 6000
    while low < high:
        middle = (low + high + 1) // 2
        text = "".join(chosen.choice(alphabet) for _ in range(middle))
        try:
            conn.execute(sql.SQL("INSERT INTO {} VALUES (%s)").format(table), (text,))
        except psycopg.errors.ProgramLimitExceeded:
            high = middle - 1
        else:
            low = middle
    return low


_SHAPES = (
    ("stream_id", sql.SQL('CREATE TABLE {} (stream_id text COLLATE "C" PRIMARY KEY)')),
    (
        "(stream_id, version)",
        sql.SQL(
            'CREATE TABLE {} (stream_id text COLLATE "C", version bigint DEFAULT 1, '
            "PRIMARY KEY (stream_id, version))"
        ),
    ),
)


def main(argv: list[str] | None = None) -> None:
    """Print the longest indexable id per key shape and alphabet."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    schema = f"name_limit_{secrets.token_hex(4)}"
    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            for index, (shape, create) in enumerate(_SHAPES):
                table = sql.Identifier(schema, f"t{index}")
                conn.execute(create.format(table))
                for name, alphabet in _ALPHABETS.items():
                    chars = _longest(conn, sql.SQL("{} (stream_id)").format(table), alphabet)
                    size = chars * len(alphabet[0].encode())
                    print(f"key {shape:22} {name:7} {chars:5} characters, {size:5} bytes")
        finally:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


if __name__ == "__main__":
    main()
