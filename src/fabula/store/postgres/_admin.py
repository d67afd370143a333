"""Administration helpers: is the server there, create or drop a store's schema.

They open one short-lived connection each; the stores never need them (a store creates
its schema itself when ``migrate="auto"``).
"""

from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from fabula._errors import ConfigurationError, StoreError
from fabula._postgres._errors import first_line, map_errors
from fabula._postgres._settings import PostgresSettings, settings_of, split_url

__all__ = ["create_schema", "drop_schema", "unreachable_reason"]


def _settings(url: str, connect_timeout: float = 10.0) -> PostgresSettings:
    split_url(url)  # a postgresql:// URL, not any libpq string
    return settings_of(url, connect_timeout=connect_timeout)


def unreachable_reason(url: str, /, *, connect_timeout: float = 5.0) -> str | None:
    """Return why the PostgreSQL server of ``url`` cannot be used, or ``None`` if it answers.

    The reason is one line, such as ``cannot connect to PostgreSQL at
    127.0.0.1:5432/test: connection refused``.
    """
    try:
        settings = _settings(url, connect_timeout)
    except ConfigurationError as exc:
        return str(exc)
    try:
        with psycopg.connect(settings.conninfo, **settings.connect_kwargs()) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"cannot connect to PostgreSQL at {settings.where}: {first_line(exc)}"
    return None


def create_schema(url: str, /) -> None:
    """Create the (empty) schema named by ``url``'s ``?schema=`` if it does not exist.

    Raises:
        StoreError: the server cannot be reached or refused.
    """
    _run(url, sql.SQL("CREATE SCHEMA IF NOT EXISTS {}"))


def drop_schema(url: str, /) -> None:
    """Drop the schema named by ``url``'s ``?schema=``, with every table in it.

    Raises:
        StoreError: the server cannot be reached or refused.
    """
    _run(url, sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE"))


def connect(settings: PostgresSettings) -> psycopg.Connection[TupleRow]:
    """One connection for an administrative task; ``StoreError`` if the server cannot be reached."""
    try:
        return psycopg.connect(settings.conninfo, **settings.connect_kwargs())
    except psycopg.Error as exc:
        msg = f"cannot connect to PostgreSQL at {settings.where}: {first_line(exc)}"
        raise StoreError(msg) from exc


def _run(url: str, statement: sql.SQL) -> None:
    settings = _settings(url)
    conn = connect(settings)
    with map_errors(settings.where, settings.schema), conn:
        conn.execute(statement.format(sql.Identifier(settings.schema)))
