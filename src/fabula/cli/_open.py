"""Open a store only to look at it: inspection commands never create, migrate or change one.

| URL | opened with |
|---|---|
| ``sqlite:///...`` | ``mode="ro"``: a missing file is not created, nothing is written |
| ``postgresql://...`` | ``migrate="check"``: a missing schema is not created |
| ``memory://`` | as is (a new, empty store) |

Where there is no fabula store, opening (or the first read, for PostgreSQL, which
connects on first use) raises ``SchemaError``, which the command reports and exits 1.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fabula.store import EventStore, open_store

__all__ = ["open_existing_store"]

_SETTINGS: dict[str, dict[str, str]] = {
    "sqlite": {"mode": "ro"},
    "postgresql": {"migrate": "check"},
    "postgres": {"migrate": "check"},
}


def open_existing_store(url: str, /) -> EventStore:
    """Open the store at ``url`` read-only, or as close to it as its backend allows."""
    return open_store(url, **_SETTINGS.get(urlsplit(url).scheme, {}))
