"""The PostgreSQL key table's statements (``<schema>.personal_keys``), composed per schema."""

from __future__ import annotations

from psycopg import sql

__all__ = [
    "CREATE",
    "FETCH_TABLE",
    "FORGET",
    "NOTE",
    "RESTORE",
    "STREAMS",
    "STREAMS_TABLE",
    "TABLE",
    "personal_keys_query",
]

TABLE = sql.SQL(
    "CREATE TABLE IF NOT EXISTS {schema}.personal_keys ("
    " subject text PRIMARY KEY, key bytea, created_at timestamptz NOT NULL DEFAULT now(),"
    " forgotten_at timestamptz)"
)
FETCH_TABLE = sql.SQL("SELECT subject, key FROM {schema}.personal_keys WHERE subject = ANY(%(s)s)")
CREATE = sql.SQL(
    "INSERT INTO {schema}.personal_keys (subject, key)"
    " SELECT * FROM unnest(%(s)s::text[], %(k)s::bytea[]) ON CONFLICT (subject) DO NOTHING"
)
FORGET = sql.SQL(
    "INSERT INTO {schema}.personal_keys AS p (subject, key, forgotten_at)"
    " VALUES (%(s)s, NULL, now()) ON CONFLICT (subject) DO UPDATE SET key = NULL,"
    " forgotten_at = coalesce(p.forgotten_at, now())"
    " RETURNING (SELECT key IS NOT NULL FROM {schema}.personal_keys WHERE subject = %(s)s)"
)

RESTORE = sql.SQL(
    "INSERT INTO {schema}.personal_keys AS p (subject, key, forgotten_at)"
    " SELECT s, k, CASE WHEN k IS NULL THEN now() END"
    " FROM unnest(%(s)s::text[], %(k)s::bytea[]) AS r(s, k)"
    " ON CONFLICT (subject) DO UPDATE SET"
    " key = CASE WHEN excluded.key IS NULL THEN NULL ELSE p.key END,"
    " forgotten_at = CASE WHEN excluded.key IS NULL THEN coalesce(p.forgotten_at, now())"
    " ELSE p.forgotten_at END"
)

STREAMS_TABLE = sql.SQL(
    "CREATE TABLE IF NOT EXISTS {schema}.personal_key_streams ("
    " subject text NOT NULL, stream_id text NOT NULL, PRIMARY KEY (subject, stream_id))"
)
NOTE = sql.SQL(
    "INSERT INTO {schema}.personal_key_streams (subject, stream_id)"
    " SELECT * FROM unnest(%(s)s::text[], %(t)s::text[]) ON CONFLICT DO NOTHING"
)
STREAMS = sql.SQL(
    "SELECT subject, stream_id FROM {schema}.personal_key_streams"
    " WHERE subject = %(s)s OR (subject = '' AND stream_id = '') ORDER BY stream_id"
)


def personal_keys_query(schema: str, /) -> bytes:
    """The statement reading the key rows of ``%(s)s`` (a list of subjects) in ``schema``.

    For code that reads keys in its own transaction (inline projections).
    """
    return FETCH_TABLE.format(schema=sql.Identifier(schema)).as_string().encode()
