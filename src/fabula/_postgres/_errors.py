"""Driver errors to fabula errors: one context manager at the boundary of every PostgreSQL adapter.

The event store and the read-model target both map through ``map_errors``, so one driver
failure is one fabula error, whichever of them met it.

| psycopg / psycopg_pool | fabula |
|---|---|
| connection refused or lost, pool timeout | ``StoreError`` naming host:port/db |
| pool closed (by its owner's ``close``) | ``ClosedError`` |
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
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import PoolClosed, PoolTimeout

from fabula._errors import (
    ClosedError,
    ConfigurationError,
    FabulaError,
    ReadOnlyError,
    SchemaError,
    StoreError,
)

__all__ = [
    "DRIVER_ERRORS",
    "first_line",
    "is_violation_of",
    "map_errors",
    "server_of",
    "translate",
]

DRIVER_ERRORS = (psycopg.Error, PoolTimeout, PoolClosed)
"""What ``map_errors`` translates: every psycopg and psycopg_pool failure."""

STORE_REMEDY = "open the store with migrate='auto' to create them"

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


def server_of(conninfo: str) -> str:
    """The server and database of ``conninfo`` as ``host:port/db``, for messages (no password)."""
    params = conninfo_to_dict(conninfo)
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    port = str(params.get("port") or "5432")
    db = str(params.get("dbname") or params.get("user") or "")
    return f"{host}:{port}/{db}"


def translate(
    exc: Exception, where: str, schema: str, *, owner: str = "store", remedy: str = STORE_REMEDY
) -> FabulaError:
    """The fabula error for a psycopg or psycopg_pool error (one of ``DRIVER_ERRORS``).

    Args:
        exc: the driver's error; the caller raises the result ``from`` it.
        where: the server as ``host:port/db``, named in connection errors.
        schema: the schema in use, named in schema errors.
        owner: what holds the pool (``store``, ``read-model target``), named when it is closed.
        remedy: what creates missing tables, said in schema errors.
    """
    if isinstance(exc, PoolTimeout):
        reason = first_line(exc)
        return StoreError(f"no PostgreSQL connection at {where} became available in time: {reason}")
    if isinstance(exc, PoolClosed):  # only its owner closes a pool: no retry can succeed
        return ClosedError(f"the PostgreSQL {owner} for {where} is closed")
    if not isinstance(exc, psycopg.Error):
        return StoreError(f"PostgreSQL at {where} failed: {first_line(exc)}")
    if isinstance(exc, _SCHEMA_ERRORS):
        msg = f"schema {schema!r} at {where} is missing fabula's tables or is damaged"
        return SchemaError(f"{msg} ({first_line(exc)}); {remedy}")
    if isinstance(exc, _ARGUMENT_TYPE_ERRORS):
        msg = f"PostgreSQL at {where} cannot use an argument of this type [{exc.sqlstate}]:"
        msg += f" {first_line(exc)}; stream ids, types and payloads are str, ids UUID,"
        return ConfigurationError(msg + " versions and positions int")
    if isinstance(exc, errors.ReadOnlySqlTransaction):
        return ReadOnlyError(f"the PostgreSQL {owner} at {where} is read-only: {first_line(exc)}")
    if isinstance(exc, errors.QueryCanceled):
        return StoreError(f"PostgreSQL at {where} canceled the statement: {first_line(exc)}")
    if _connection_lost(exc):
        return StoreError(f"lost the connection to PostgreSQL at {where}: {first_line(exc)}")
    state = f" [{exc.sqlstate}]" if exc.sqlstate else ""
    return StoreError(f"PostgreSQL at {where} failed{state}: {first_line(exc)}")


@contextmanager
def map_errors(
    where: str, schema: str, *, owner: str = "store", remedy: str = STORE_REMEDY
) -> Iterator[None]:
    """Raise ``translate``'s fabula error, chained, for a driver error inside the block."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise translate(exc, where, schema, owner=owner, remedy=remedy) from exc
