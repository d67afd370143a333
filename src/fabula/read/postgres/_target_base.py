"""Pure helpers of the PostgreSQL read-model target: scratch names, table checks, rows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from fabula._errors import ConfigurationError
from fabula.read._dead_letters import DeadLetter


def _scratch_schema(schema: str, name: str) -> str:
    scratch = f"{schema}_rebuild_{name}"
    if len(scratch.encode()) > 63:
        scratch = "fabula_rebuild_" + hashlib.sha256(scratch.encode()).hexdigest()[:40]
    return scratch


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
