"""Settings of a PostgreSQL store: one typed object, built from a URL plus keyword arguments.

``postgresql://user@host:port/db?schema=name`` names the server and the schema; every
other query parameter (``sslmode``, ``connect_timeout``, ...) goes to libpq unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeAlias
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from psycopg.conninfo import conninfo_to_dict

from fabula._errors import ConfigurationError
from fabula._postgres._errors import server_of

__all__ = [
    "DEFAULT_SCHEMA",
    "MigrateMode",
    "PostgresSettings",
    "check_schema",
    "conninfo_and_schema",
    "one_schema",
    "settings_of",
    "split_url",
]

MigrateMode: TypeAlias = Literal["auto", "check"]

_MAX_IDENTIFIER_BYTES = 63  # PostgreSQL silently truncates longer names (NAMEDATALEN - 1)

DEFAULT_SCHEMA = "fabula"
"""The schema of a store, a read-model target and an inline projection named by no one."""


def check_schema(schema: str) -> str:
    """Return ``schema`` if PostgreSQL keeps it whole (1 to 63 bytes), else raise.

    Raises:
        ConfigurationError: the name is empty or longer than 63 bytes.
    """
    if not 0 < len(schema.encode()) <= _MAX_IDENTIFIER_BYTES:
        msg = f"schema name {schema!r} must be 1 to 63 bytes long"
        raise ConfigurationError(msg)
    return schema


@dataclass(frozen=True, slots=True, kw_only=True)
class PostgresSettings:
    """How a PostgreSQL store connects, where its tables live, and how it waits.

    Attributes:
        conninfo: a libpq connection string or ``postgresql://`` URL (without ``schema``).
        schema: the schema holding the store's tables; several applications can share
            one database with one schema each.
        migrate: ``"auto"`` brings an older schema up to date on open; ``"check"`` only
            verifies it and raises ``SchemaError`` if it is not current.
        min_size: connections the pool keeps open.
        max_size: connections the pool opens at most.
        pool_timeout: seconds to wait for a free pooled connection before failing.
        connect_timeout: seconds to wait for the server when opening a connection.
        poll_interval: longest a waiting subscriber sleeps without a notification before
            it looks at the log anyway (a lost notification only delays it this long).
        application_name: shown in ``pg_stat_activity`` (unless the URL sets one).
        read_only: every session is read-only (``default_transaction_read_only``): a
            write raises ``ReadOnlyError``; implies ``migrate="check"``.
    """

    conninfo: str
    schema: str = DEFAULT_SCHEMA
    migrate: MigrateMode = "auto"
    min_size: int = 1
    max_size: int = 10
    pool_timeout: float = 30.0
    connect_timeout: float = 10.0
    poll_interval: float = 0.5
    application_name: str = "fabula"
    read_only: bool = False

    def __post_init__(self) -> None:
        check_schema(self.schema)
        if self.read_only:
            object.__setattr__(self, "migrate", "check")  # nothing to create or change
        if self.migrate not in ("auto", "check"):
            msg = f"migrate must be 'auto' or 'check', not {self.migrate!r}"
            raise ConfigurationError(msg)
        if not 0 <= self.min_size <= self.max_size or self.max_size < 1:
            msg = f"pool sizes need 0 <= min_size <= max_size >= 1 (got {self.min_size}, "
            msg += f"{self.max_size})"
            raise ConfigurationError(msg)
        try:
            conninfo_to_dict(self.conninfo)
        except Exception as exc:  # psycopg raises ProgrammingError for a bad string
            msg = f"not a PostgreSQL connection string: {exc}"
            raise ConfigurationError(msg) from exc

    @property
    def where(self) -> str:
        """The server and database as ``host:port/db``, for error messages (no password)."""
        return server_of(self.conninfo)

    @property
    def channel(self) -> str:
        """The LISTEN/NOTIFY channel of this schema's log (at most 63 bytes)."""
        channel = f"fabula_{self.schema}"
        if len(channel.encode()) > _MAX_IDENTIFIER_BYTES:
            channel = "fabula_" + hashlib.sha256(self.schema.encode()).hexdigest()[:32]
        return channel

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for every connection: autocommit, timeouts, a name."""
        kwargs: dict[str, Any] = {"autocommit": True}
        params = conninfo_to_dict(self.conninfo)
        if "connect_timeout" not in params:
            kwargs["connect_timeout"] = max(1, round(self.connect_timeout))
        if "application_name" not in params:
            kwargs["application_name"] = self.application_name
        if self.read_only:
            options = params.get("options", "")
            kwargs["options"] = f"{options} -c default_transaction_read_only=on".strip()
        return kwargs


def split_url(url: str) -> tuple[str, str | None]:
    """Split ``postgresql://...?schema=name`` into the libpq URL and the schema name.

    Raises:
        ConfigurationError: the URL is not a ``postgresql://`` or ``postgres://`` URL.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        msg = f"not a PostgreSQL URL: {url!r} (expected postgresql://user@host:port/db)"
        raise ConfigurationError(msg)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in query if key == "schema"]
    if len(schemas) > 1:
        msg = f"PostgreSQL URL {url!r} names more than one schema"
        raise ConfigurationError(msg)
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    return urlunsplit(parts._replace(query=rest)), (schemas[0] if schemas else None)


def conninfo_and_schema(conninfo: str, schema: str | None, *, what: str) -> tuple[str, str]:
    """Take ``?schema=`` out of a URL (libpq refuses it); check what libpq is left with.

    Args:
        conninfo: a libpq connection string or ``postgresql://`` URL.
        schema: the schema named apart from the URL, if any.
        what: what is being opened (``store``, ``read-model target``), for messages.

    Returns:
        The connection string for libpq, and the schema (``DEFAULT_SCHEMA`` if none named).

    Raises:
        ConfigurationError: the string is malformed, or it and ``schema`` name two schemas.
    """
    if conninfo.startswith(("postgresql:", "postgres:")):
        conninfo, named = split_url(conninfo)
        schema = one_schema(named, schema, what=what, by="the URL")
    try:
        conninfo_to_dict(conninfo)
    except Exception as exc:  # psycopg raises ProgrammingError for a bad string
        msg = f"bad PostgreSQL connection string for a {what}: {exc}"
        raise ConfigurationError(msg) from exc
    return conninfo, check_schema(schema if schema is not None else DEFAULT_SCHEMA)


def one_schema(named: str | None, schema: str | None, *, what: str, by: str) -> str | None:
    """The schema ``by`` (a URL, settings) named, or else ``schema``; refuse two different ones.

    Raises:
        ConfigurationError: both name a schema, and not the same one.
    """
    if named is not None and schema is not None and named != schema:
        msg = f"two schemas for one PostgreSQL {what}: {by} names schema {named!r}"
        msg += f" and the settings {schema!r}"
        raise ConfigurationError(msg)
    return named if named is not None else schema


def settings_of(source: str | PostgresSettings, /, **given: Any) -> PostgresSettings:
    """A store's settings from a URL, a libpq string or settings, and keyword arguments.

    A keyword given as ``None`` takes ``PostgresSettings``' default (or the settings' own).
    ``schema`` may come from the URL (``?schema=``) or the settings, or a keyword, not two.

    Raises:
        ConfigurationError: a malformed string, two schemas, or a bad setting.
    """
    chosen = {key: value for key, value in given.items() if value is not None}
    schema = chosen.pop("schema", None)
    if isinstance(source, PostgresSettings):
        one_schema(source.schema, schema, what="store", by="its PostgresSettings")
        return replace(source, **chosen)
    conninfo, schema = conninfo_and_schema(source, schema, what="store")
    return PostgresSettings(conninfo=conninfo, schema=schema, **chosen)
