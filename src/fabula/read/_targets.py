"""Open a target from a URL, like a store: a small scheme table, resolved by value.

| URL | target |
|---|---|
| ``memory://`` | a new in-memory target |
| ``sqlite:///path.db`` | SQLite (the event store's own file, or another one) |
| ``postgresql://user@host/db?schema=name`` | PostgreSQL, tables in schema ``name`` |
"""

from __future__ import annotations

import importlib
from typing import Any, Literal
from urllib.parse import urlsplit

from fabula._errors import ConfigurationError
from fabula.read._target import Target
from fabula.read._target_async import AsyncTarget

__all__ = ["open_async_target", "open_target"]

# scheme -> (module, sync class, async class, pip extra that provides its driver)
_TARGETS: dict[str, tuple[str, str, str, str]] = {
    "memory": ("fabula.read.memory", "MemoryTarget", "AsyncMemoryTarget", ""),
    "sqlite": ("fabula.read.sqlite", "SqliteTarget", "AsyncSqliteTarget", ""),
    "postgresql": ("fabula.read.postgres", "PostgresTarget", "AsyncPostgresTarget", "postgres"),
    "postgres": ("fabula.read.postgres", "PostgresTarget", "AsyncPostgresTarget", "postgres"),
}


def _resolve(url: str, index: Literal[1, 2]) -> Any:
    scheme = urlsplit(url).scheme
    entry = _TARGETS.get(scheme)
    if entry is None:
        known = ", ".join(f"{s}://" for s in _TARGETS)
        msg = f"unknown target URL {url!r}: the scheme must be one of {known}"
        raise ConfigurationError(msg)
    try:
        module = importlib.import_module(entry[0])
    except ImportError as exc:
        hint = f" (pip install 'fabula[{entry[3]}]')" if entry[3] else ""
        msg = f"the {scheme} read-model target cannot be loaded: {exc}{hint}"
        raise ConfigurationError(msg) from exc
    return getattr(module, entry[index])


def _settings(url: str, settings: dict[str, Any], *, read_only: bool) -> dict[str, Any]:
    if read_only and urlsplit(url).scheme != "memory":
        return {**settings, "read_only": True}
    return settings


def open_target(url: str, /, *, read_only: bool = False, **settings: Any) -> Target:
    """Open a sync read-model target from its URL; ``settings`` go to its constructor.

    ``read_only=True`` opens it only to read (status, dead letters): nothing is created
    or changed, and a database without fabula's tables raises ``SchemaError``.
    """
    target: Target = _resolve(url, 1).from_url(url, **_settings(url, settings, read_only=read_only))
    return target


def open_async_target(url: str, /, *, read_only: bool = False, **settings: Any) -> AsyncTarget:
    """Open an asyncio read-model target from its URL (``read_only``: as ``open_target``)."""
    found = _resolve(url, 2).from_url(url, **_settings(url, settings, read_only=read_only))
    target: AsyncTarget = found
    return target
