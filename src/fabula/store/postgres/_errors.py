"""Driver errors to fabula errors: one context manager at the adapter boundary.

| psycopg / psycopg_pool | fabula |
|---|---|
| connection refused or lost, pool timeout or closed | ``StoreError`` naming host:port/db |
| missing schema, table or column | ``SchemaError`` naming the schema |
| no operator or function for an argument's type | ``ConfigurationError`` saying so |
| any other database error | ``StoreError`` with the SQLSTATE |

An argument of the wrong type (an ``int`` stream id, say) makes PostgreSQL look for an
operator it does not have (``text = smallint``): that is the caller's mistake, not a
damaged schema, as fabula's schema defines no function of its own.

Errors fabula raises itself pass through untouched. Unique violations that mean something
(an event id stored already, a stream version taken) are handled by the append itself,
which turns them into a deduplicated result, ``DuplicateEvent`` or ``ConcurrencyError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors
from psycopg_pool import PoolClosed, PoolTimeout

from fabula._errors import ConfigurationError, SchemaError, StoreError

__all__ = ["EVENT_ID_KEY", "STREAM_VERSION_KEY", "first_line", "is_violation_of", "map_errors"]

EVENT_ID_KEY = "events_event_id_key"
"""The unique constraint on ``events.event_id``."""

STREAM_VERSION_KEY = "events_stream_version_key"
"""The unique constraint on ``events (stream_id, version)``."""

_SHUTDOWN = frozenset({"57P01", "57P02", "57P03"})  # admin / crash shutdown, cannot connect now

_SCHEMA_ERRORS = (errors.InvalidSchemaName, errors.UndefinedTable, errors.UndefinedColumn)

_ARGUMENT_TYPE_ERRORS = (
    errors.UndefinedFunction,  # 42883: no operator text = smallint, no function f(uuid[])
    errors.DatatypeMismatch,  # 42804: a value of the wrong type for a column
    errors.CannotCoerce,  # 42846: no cast from the argument's type
    errors.IndeterminateDatatype,  # 42P18: a parameter PostgreSQL cannot type
)


def is_violation_of(exc: psycopg.Error, constraint: str) -> bool:
    """Tell whether ``exc`` is a unique violation of ``constraint``."""
    return isinstance(exc, errors.UniqueViolation) and exc.diag.constraint_name == constraint


def _connection_lost(exc: psycopg.Error) -> bool:
    """Tell a lost connection (client-side, class 08, a server shutting down) from the rest."""
    if isinstance(exc, psycopg.InterfaceError):
        return True
    state = exc.sqlstate
    if state is None:
        return isinstance(exc, psycopg.OperationalError)
    return state.startswith("08") or state in _SHUTDOWN


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an error's message: the reason, without libpq's detail."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    # psycopg prefixes libpq's own "connection to server at ... failed: ..." with this.
    return lines[0].removeprefix("connection failed: ") if lines else type(exc).__name__


@contextmanager
def map_errors(where: str, schema: str) -> Iterator[None]:
    """Turn psycopg errors raised inside the block into fabula errors.

    Args:
        where: the server as ``host:port/db``, named in connection errors.
        schema: the store's schema, named in schema errors.
    """
    try:
        yield
    except PoolTimeout as exc:
        msg = f"no PostgreSQL connection at {where} became available in time: {first_line(exc)}"
        raise StoreError(msg) from exc
    except PoolClosed as exc:
        msg = f"the PostgreSQL store for {where} is closed"
        raise StoreError(msg) from exc
    except _SCHEMA_ERRORS as exc:
        msg = f"schema {schema!r} at {where} is missing fabula's tables or is damaged"
        msg += f" ({first_line(exc)}); open the store with migrate='auto' to create them"
        raise SchemaError(msg) from exc
    except _ARGUMENT_TYPE_ERRORS as exc:
        msg = f"PostgreSQL at {where} cannot use an argument of this type [{exc.sqlstate}]:"
        msg += f" {first_line(exc)}; stream ids, types and payloads are str, ids UUID,"
        msg += " versions and positions int"
        raise ConfigurationError(msg) from exc
    except errors.QueryCanceled as exc:
        msg = f"PostgreSQL at {where} canceled the statement: {first_line(exc)}"
        raise StoreError(msg) from exc
    except psycopg.Error as exc:
        if _connection_lost(exc):
            msg = f"lost the connection to PostgreSQL at {where}: {first_line(exc)}"
            raise StoreError(msg) from exc
        state = f" [{exc.sqlstate}]" if exc.sqlstate else ""
        msg = f"PostgreSQL at {where} failed{state}: {first_line(exc)}"
        raise StoreError(msg) from exc
