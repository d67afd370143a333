"""Planning an ``append_many`` batch: pure logic shared by both twins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fabula._errors import ConfigurationError
from fabula.store._batch import StreamAppend
from fabula.store._records import StoredEvent
from fabula.store.postgres._ordering import MAX_APPEND
from fabula.store.postgres._rows import append_params
from fabula.store.postgres._sql import Statements

Planned = tuple[StreamAppend, bytes | None, dict[str, Any]]


Found = list[StoredEvent]


Versions = dict[str, int]


class _Refused(Exception):
    """An append of the batch wrote nothing: roll back, then find out why (rule 3)."""


def _version_in(versions: Versions) -> Callable[[str], int]:
    """A stream's version from ``versions`` (0 for a stream that does not exist)."""
    return lambda stream_id: versions.get(stream_id, 0)


def _plan(statements: Statements, appends: Sequence[StreamAppend]) -> list[Planned]:
    planned: list[Planned] = []
    first = 0
    for append in appends:
        if not append.events:
            planned.append((append, None, {}))
            continue
        mode, params = append_params(
            append.stream_id, append.events, append.precondition, first=first
        )
        planned.append((append, statements.append(mode), params))
        first += len(append.events)
    if first > MAX_APPEND:
        msg = f"one append_many holds at most {MAX_APPEND} events (got {first}); split it"
        raise ConfigurationError(msg)
    return planned
