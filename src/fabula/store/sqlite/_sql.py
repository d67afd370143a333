"""The SQLite backend's statements: one statement per name, built once at import.

Every statement that returns events selects ``EVENT_COLUMNS`` in that order, which is
the order ``_ops`` decodes. An absent upper bound or limit is passed as a value
(``MAX_INT``, ``-1``) rather than by another statement, so each query stays one
prepared statement in the driver's cache.
"""

from __future__ import annotations

__all__ = [
    "APPEND_STATE",
    "BATCH_STATE",
    "BEGIN_IMMEDIATE",
    "COMMIT",
    "COUNT_STREAMS",
    "COUNT_STREAMS_BELOW",
    "CREATE_SCHEMA_TABLE",
    "EVENT_BY_ID",
    "EVENT_COLUMNS",
    "HEAD",
    "INSERT_EVENT",
    "LAST_POSITION",
    "LIST_STREAMS",
    "LIST_STREAMS_BELOW",
    "LOAD_SNAPSHOT",
    "MAX_INT",
    "READ_ALL",
    "READ_ALL_CATEGORY",
    "READ_ALL_FILTERED",
    "READ_ALL_TYPE",
    "READ_CAUSED_BY",
    "READ_STREAM_BACKWARDS",
    "READ_STREAM_FORWARDS",
    "RECORD_MIGRATION",
    "RELEASE",
    "ROLLBACK",
    "ROLLBACK_TO",
    "SAVEPOINT",
    "SAVE_SNAPSHOT",
    "SCHEMA_TABLE_EXISTS",
    "SCHEMA_VERSION",
    "STATUSES",
    "STREAM_VERSION",
    "STREAM_VERSIONS",
]

MAX_INT = 2**63 - 1
"""The largest SQLite integer: "no upper bound" for a version."""

BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"
COMMIT = "COMMIT"
ROLLBACK = "ROLLBACK"
SAVEPOINT = "SAVEPOINT fabula_append"
RELEASE = "RELEASE fabula_append"
ROLLBACK_TO = "ROLLBACK TO fabula_append"

EVENT_COLUMNS = (
    "position, stream_id, version, event_id, type, data, schema_version, metadata, "
    "causation_id, correlation_id, recorded_at"
)

# -- append ------------------------------------------------------------------------------

APPEND_STATE = (
    "SELECT coalesce((SELECT max(version) FROM events WHERE stream_id = ?1), 0), "
    "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0), "
    "coalesce((SELECT status FROM stream_lifecycle WHERE stream_id = ?1), 'live')"
)
"""The stream's version, the last position ever handed out and the stream's status."""

BATCH_STATE = (
    "WITH state AS MATERIALIZED (SELECT j.value AS stream_id, "
    "(SELECT max(version) FROM events WHERE stream_id = j.value) AS version, l.status "
    "FROM json_each(?) AS j LEFT JOIN stream_lifecycle AS l ON l.stream_id = j.value) "
    "SELECT * FROM state WHERE version IS NOT NULL OR status IS NOT NULL"
)
"""The version and status of the streams named in a JSON list that have either."""

STREAM_VERSIONS = (
    "WITH found AS MATERIALIZED (SELECT j.value AS stream_id, "
    "(SELECT max(version) FROM events WHERE stream_id = j.value) AS version "
    "FROM json_each(?) AS j) SELECT * FROM found WHERE version IS NOT NULL"
)
"""The versions of the streams named in a JSON list (the ones that exist)."""

LAST_POSITION = "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)"
"""The last position ever handed out."""

INSERT_EVENT = (
    "INSERT INTO events (position, stream_id, version, event_id, type, schema_version, data, "
    "metadata, causation_id, correlation_id, recorded_at, category) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

EVENT_BY_ID = (
    f"SELECT {EVENT_COLUMNS} FROM events "  # noqa: S608 (constant text, no input)
    "WHERE event_id = ?"
)

LIFECYCLE = "SELECT status, truncated_before FROM stream_lifecycle WHERE stream_id = ?"
"""A stream's lifecycle row (none: live and whole; ADR 0015)."""

STATUSES = (
    "SELECT stream_id, status FROM stream_lifecycle "
    "WHERE stream_id IN (SELECT value FROM json_each(?))"
)
"""The status of the streams named in a JSON list that have a lifecycle row."""

# -- reads -------------------------------------------------------------------------------

READ_STREAM_FORWARDS = (
    f"SELECT {EVENT_COLUMNS} FROM events "  # noqa: S608 (constant text, no input)
    "WHERE stream_id = ? AND version >= ? AND version <= ? ORDER BY version LIMIT ?"
)
READ_STREAM_BACKWARDS = (
    f"SELECT {EVENT_COLUMNS} FROM events "  # noqa: S608 (constant text, no input)
    "WHERE stream_id = ? AND version >= ? AND version <= ? ORDER BY version DESC LIMIT ?"
)

# One type or one category: its (type|category, position) index yields the page in order.
# Several: a scan of the log from ``after``, filtered, stops once the page is full. (The
# indexes would need a sort of every match past ``after`` for each page, which makes a long
# catch-up quadratic.) A filter of any size is one JSON array, so one prepared statement;
# NULL means "no filter".
READ_ALL = (
    f"SELECT {EVENT_COLUMNS} FROM events "  # noqa: S608 (constant text, no input)
    "WHERE position > ? ORDER BY position LIMIT ?"
)
READ_ALL_TYPE = (
    f"SELECT {EVENT_COLUMNS} FROM events "  # noqa: S608 (constant text, no input)
    "WHERE type = ? AND position > ? ORDER BY position LIMIT ?"
)
READ_ALL_CATEGORY = (
    f"SELECT {EVENT_COLUMNS} FROM events "  # noqa: S608 (constant text, no input)
    "WHERE category = ? AND position > ? ORDER BY position LIMIT ?"
)
READ_ALL_FILTERED = (
    f"SELECT {EVENT_COLUMNS} FROM events "  # noqa: S608 (constant text, no input)
    "WHERE position > ?1 "
    "AND (?2 IS NULL OR type IN (SELECT value FROM json_each(?2))) "
    "AND (?3 IS NULL OR category IN (SELECT value FROM json_each(?3))) "
    "ORDER BY position LIMIT ?4"
)

READ_CAUSED_BY = (
    f"SELECT {EVENT_COLUMNS} FROM events "  # noqa: S608 (constant text, no input)
    "WHERE causation_id = ? ORDER BY position"
)

STREAM_VERSION = "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = ?"

HEAD = "SELECT coalesce(max(position), 0) FROM events"

# A stream is its events (ADR 0026): its version is the top of its ``(stream_id, version)``
# index entries, and a listing walks that index in id order, one group per stream.
# Prefixes are matched as ranges [prefix, end of prefix), so % and _ mean themselves.
# A stream's status is "live" unless stream_lifecycle says otherwise (ADR 0015).
_STATUS_IS = (
    "coalesce((SELECT status FROM stream_lifecycle l WHERE l.stream_id = s.stream_id), 'live') = ?"
)
LIST_STREAMS = (
    "SELECT stream_id, max(version) FROM events s WHERE stream_id >= ? "  # noqa: S608 (constant)
    f"GROUP BY stream_id HAVING {_STATUS_IS} ORDER BY stream_id LIMIT ?"
)
LIST_STREAMS_BELOW = (
    "SELECT stream_id, max(version) FROM events s "  # noqa: S608 (constant text, no input)
    "WHERE stream_id >= ? AND stream_id < ? "
    f"GROUP BY stream_id HAVING {_STATUS_IS} ORDER BY stream_id LIMIT ?"
)
COUNT_STREAMS = (
    "SELECT count(*) FROM (SELECT stream_id FROM events s "  # noqa: S608 (constant text)
    f"WHERE stream_id >= ? GROUP BY stream_id HAVING {_STATUS_IS})"
)
COUNT_STREAMS_BELOW = (
    "SELECT count(*) FROM (SELECT stream_id FROM events s "  # noqa: S608 (constant text)
    f"WHERE stream_id >= ? AND stream_id < ? GROUP BY stream_id HAVING {_STATUS_IS})"
)

# -- snapshots ---------------------------------------------------------------------------

SAVE_SNAPSHOT = (
    "INSERT INTO snapshots (stream_id, version, type, schema_version, data) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (stream_id, version) DO UPDATE SET "
    "type = excluded.type, schema_version = excluded.schema_version, data = excluded.data"
)
LOAD_SNAPSHOT = (
    "SELECT stream_id, version, type, data, schema_version FROM snapshots "
    "WHERE stream_id = ? AND version <= ? ORDER BY version DESC LIMIT 1"
)

# -- schema versions ---------------------------------------------------------------------

SCHEMA_TABLE_EXISTS = (
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'fabula_schema'"
)
CREATE_SCHEMA_TABLE = (
    "CREATE TABLE IF NOT EXISTS fabula_schema "
    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
)
SCHEMA_VERSION = "SELECT coalesce(max(version), 0) FROM fabula_schema"
RECORD_MIGRATION = "INSERT INTO fabula_schema (version, name, applied_at) VALUES (?, ?, ?)"
