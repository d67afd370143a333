"""Open a store from a URL: a small scheme table, resolved by value (no import-path strings).

| URL | store |
|---|---|
| ``memory://`` | a new in-memory store |
| ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``, ``sqlite:///:memory:`` | SQLite |
| ``postgresql://user@host:port/db?schema=name`` (or ``postgres://``) | PostgreSQL |

SQLite URLs take options too (``?mode=ro``): see ``fabula.store.sqlite._settings``.
"""

from __future__ import annotations

import importlib
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from fabula._errors import ConfigurationError
from fabula.store._contract import AsyncEventStore, EventStore

__all__ = ["open_async_store", "open_store", "split_sqlite_url", "sqlite_path"]

# scheme -> (module, sync class, async class, pip extra that provides its driver)
_BACKENDS: dict[str, tuple[str, str, str, str]] = {
    "memory": ("fabula.store.memory", "MemoryStore", "AsyncMemoryStore", ""),
    "sqlite": ("fabula.store.sqlite", "SqliteStore", "AsyncSqliteStore", ""),
    "postgresql": ("fabula.store.postgres", "PostgresStore", "AsyncPostgresStore", "postgres"),
    "postgres": ("fabula.store.postgres", "PostgresStore", "AsyncPostgresStore", "postgres"),
}


def split_sqlite_url(url: str) -> tuple[str, list[tuple[str, str]]]:
    """Split ``sqlite:///path.db?key=value`` into the file path and its options, in order."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc or parts.fragment:
        msg = f"not a SQLite URL: {url!r} (expected sqlite:///path.db)"
        raise ConfigurationError(msg)
    path = parts.path.removeprefix("/")
    if not path:
        msg = f"SQLite URL {url!r} names no file (expected sqlite:///path.db)"
        raise ConfigurationError(msg)
    try:
        options = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        msg = f"SQLite URL {url!r}: malformed options ({exc})"
        raise ConfigurationError(msg) from exc
    return path, options


def sqlite_path(url: str) -> str:
    """Return the file path of a ``sqlite:///...`` URL that has no options.

    Raises:
        ConfigurationError: not a SQLite URL, or it has options (``?key=value``): a
            read-model target takes none, and ignoring them would surprise.
    """
    path, options = split_sqlite_url(url)
    if options:
        names = ", ".join(sorted({key for key, _ in options}))
        msg = f"SQLite URL {url!r}: unknown option(s) {names} (a read-model target takes none)"
        raise ConfigurationError(msg)
    return path


def _resolve(url: str, index: Literal[1, 2]) -> Any:
    scheme = urlsplit(url).scheme
    entry = _BACKENDS.get(scheme)
    if entry is None:
        known = ", ".join(f"{s}://" for s in _BACKENDS)
        msg = f"unknown store URL {url!r}: the scheme must be one of {known}"
        raise ConfigurationError(msg)
    module_name, extra = entry[0], entry[3]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = f" (pip install 'fabula[{extra}]')" if extra else ""
        msg = f"the {scheme} backend cannot be loaded: {exc}{hint}"
        raise ConfigurationError(msg) from exc
    return getattr(module, entry[index])


# scheme -> the settings that open a store without creating, migrating or changing it
_READ_ONLY: dict[str, dict[str, object]] = {
    "sqlite": {"mode": "ro"},
    "postgresql": {"read_only": True},
    "postgres": {"read_only": True},
}


def _settings(url: str, settings: dict[str, Any], *, read_only: bool) -> dict[str, Any]:
    if not read_only:
        return settings
    return {**settings, **_READ_ONLY.get(urlsplit(url).scheme, {})}


def open_store(url: str, /, *, read_only: bool = False, **settings: Any) -> EventStore:
    """Open a sync store from its URL; ``settings`` go to the backend's constructor.

    ``read_only=True`` opens it to look only: nothing is created, migrated or changed,
    and no store there raises ``SchemaError``; writes raise ``ReadOnlyError``. SQLite
    opens with ``mode="ro"``, PostgreSQL with read-only sessions and ``migrate="check"``;
    ``memory://`` is a new, empty store either way.
    """
    cls = _resolve(url, 1)
    store: EventStore = cls.from_url(url, **_settings(url, settings, read_only=read_only))
    return store


def open_async_store(url: str, /, *, read_only: bool = False, **settings: Any) -> AsyncEventStore:
    """Open an asyncio store from its URL; ``settings`` go to the backend's constructor.

    ``read_only=True``: as for ``open_store``.
    """
    cls = _resolve(url, 2)
    store: AsyncEventStore = cls.from_url(url, **_settings(url, settings, read_only=read_only))
    return store
