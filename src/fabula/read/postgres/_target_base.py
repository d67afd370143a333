"""Pure helpers of the PostgreSQL read-model target: error mapping, names, rows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from fabula._errors import ConfigurationError, StoreError
from fabula.read._dead_letters import DeadLetter
from fabula.store.postgres._settings import split_url


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _store_error(where: str, exc: Exception) -> StoreError:
    """The one mapping of driver errors: every psycopg or pool failure is a ``StoreError``."""
    state = f" [{exc.sqlstate}]" if isinstance(exc, psycopg.Error) and exc.sqlstate else ""
    return StoreError(f"PostgreSQL read-model target {where} failed{state}: {_first_line(exc)}")


def _scratch_schema(schema: str, name: str) -> str:
    scratch = f"{schema}_rebuild_{name}"
    if len(scratch.encode()) > 63:
        scratch = "fabula_rebuild_" + hashlib.sha256(scratch.encode()).hexdigest()[:40]
    return scratch


def _conninfo_and_schema(conninfo: str, schema: str | None) -> tuple[str, str]:
    """Take ``?schema=`` out of a URL (libpq refuses it) and check what libpq is left with."""
    if conninfo.startswith(("postgresql:", "postgres:")):
        conninfo, named = split_url(conninfo)
        if named is not None and schema is not None and named != schema:
            msg = f"two schemas for one PostgreSQL target: {named!r} (URL) and {schema!r}"
            raise ConfigurationError(msg)
        schema = schema if schema is not None else named
    try:
        conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as exc:
        msg = f"bad PostgreSQL connection string for a read-model target: {exc}"
        raise ConfigurationError(msg) from exc
    return conninfo, schema if schema is not None else "public"


def _require_tables(name: str, tables: Sequence[str]) -> None:
    if not tables:
        msg = f"projection {name!r} declares no tables: declare them (tables=[...]) to rebuild it"
        raise ConfigurationError(msg)


def _letter_row(letter: DeadLetter) -> tuple[Any, ...]:
    return (
        letter.name,
        letter.position,
        letter.stream_id,
        letter.version,
        letter.event_id,
        letter.type,
        letter.error,
        letter.details,
        letter.attempts,
        letter.parked_at,
    )
