"""Pure helpers of the SQLite read-model target, shared by both twins."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence

from fabula._errors import ConfigurationError


def _require_tables(name: str, tables: Sequence[str]) -> None:
    if not tables:
        msg = f"projection {name!r} declares no tables: declare them (tables=[...]) to rebuild it"
        raise ConfigurationError(msg)


def _remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)
