"""The bulk import's statements (``_bulk_async.py``), shared by both twins."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from psycopg import sql

from fabula.store._import import ImportedEvent

__all__ = ["BulkStatements", "copy_text"]

_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_SPECIAL = re.compile(r"[\\\n\r\t]")


def _field(text: str) -> str:
    """``text`` as a field of COPY's text format."""
    return text.translate(_ESCAPES) if _SPECIAL.search(text) else text


def copy_text(chunk: Sequence[ImportedEvent], base: int, now: datetime) -> str:
    """The chunk's ``events`` rows in COPY's text format, at positions ``base``, ``base + 1``..."""
    stamp = now.isoformat()
    lines = [
        "\t".join(
            (
                str(base + index),
                _field(e.stream_id),
                str(e.version),
                str(e.event_id),
                _field(e.type),
                str(e.schema_version),
                _field(e.data),
                _field(e.metadata),
                "\\N" if e.causation_id is None else str(e.causation_id),
                "\\N" if e.correlation_id is None else str(e.correlation_id),
                stamp if e.recorded_at is None else e.recorded_at.isoformat(),
            )
        )
        for index, e in enumerate(chunk)
    ]
    lines.append("")
    return "\n".join(lines)


class BulkStatements:
    """The import's statements for one schema."""

    def __init__(self, schema: str) -> None:
        name = sql.Identifier(schema)
        self.lock_streams = (
            sql.SQL(
                "SELECT stream_id, version FROM {} WHERE stream_id = ANY(%(ids)s::text[])"
                " ORDER BY stream_id FOR UPDATE"
            )
            .format(sql.Identifier(schema, "streams"))
            .as_bytes(None)
        )
        self.statuses = (
            sql.SQL("SELECT stream_id, status FROM {} WHERE stream_id = ANY(%(ids)s::text[])")
            .format(sql.Identifier(schema, "stream_lifecycle"))
            .as_bytes(None)
        )
        self.insert_streams = (
            sql.SQL(
                "INSERT INTO {} (stream_id, version)"
                " SELECT * FROM unnest(%(ids)s::text[], %(versions)s::bigint[])"
            )
            .format(sql.Identifier(schema, "streams"))
            .as_bytes(None)
        )
        self.update_streams = (
            sql.SQL(
                "UPDATE {} AS s SET version = u.version"
                " FROM unnest(%(ids)s::text[], %(versions)s::bigint[]) AS u(stream_id, version)"
                " WHERE s.stream_id = u.stream_id"
            )
            .format(sql.Identifier(schema, "streams"))
            .as_bytes(None)
        )
        self.base = (
            sql.SQL(
                "SELECT (pg_current_xact_id()::text::bigint + xid_offset) << 16, now()"
                " FROM {}.log_clock"
            )
            .format(name)
            .as_bytes(None)
        )
        self.copy = (
            sql.SQL(
                "COPY {} (position, stream_id, version, event_id, type, schema_version, data,"
                " metadata, causation_id, correlation_id, recorded_at) FROM STDIN"
            )
            .format(sql.Identifier(schema, "events"))
            .as_bytes(None)
        )
        self.stored_ids = (
            sql.SQL("SELECT event_id FROM {} WHERE event_id = ANY(%(ids)s::uuid[])")
            .format(sql.Identifier(schema, "events"))
            .as_bytes(None)
        )
