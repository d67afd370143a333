"""Named SQL statements of the PostgreSQL store, one per operation, for one schema.

The schema name is an identifier, quoted by ``psycopg.sql.Identifier``; values always
travel as parameters. Statements are composed once per store and kept as bytes, so
psycopg prepares each of them on the server after a few uses.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from psycopg import sql

from fabula.store.postgres._ordering import ANNOUNCE, APPEND_BASE, HORIZON, append_key

__all__ = ["EVENT_COLUMNS", "EVENT_ID_KEY", "REFUSED_COLUMN", "STREAM_VERSION_KEY", "Statements"]

EVENT_ID_KEY = "events_event_id_key"
"""The unique constraint on ``events.event_id``."""

STREAM_VERSION_KEY = "events_stream_version_key"
"""The unique constraint on ``events (stream_id, version)``."""

REFUSED_COLUMN = "version"
"""The ``events`` column left NULL by a refused stream of ``append_batch``."""

EVENT_COLUMNS = sql.SQL(
    "position, stream_id, version, event_id, type, data::text, schema_version,"
    " metadata::text, causation_id, correlation_id, recorded_at"
)
"""The columns of an event, in the order ``_rows.stored_event`` reads them."""

# An append is one statement: announce it (``announced``, _ordering.py rule 6: every part
# that writes or takes a transaction id reads from it, so it runs first), take the
# stream's row (the only lock between writers, rule 3) if the precondition holds, then
# insert the events. When the precondition fails, no row comes from ``bumped`` and
# nothing is inserted. One statement per precondition keeps every plan generic (the store
# runs with plan_cache_mode = force_generic_plan).
_BUMP = {
    "any": "INSERT INTO {schema}.streams AS s (stream_id, version)"
    " SELECT %(stream_id)s::text, %(count)s::bigint FROM announced"
    " ON CONFLICT (stream_id) DO UPDATE SET version = s.version + excluded.version"
    " RETURNING s.version",
    "new": "INSERT INTO {schema}.streams AS s (stream_id, version)"
    " SELECT %(stream_id)s::text, %(count)s::bigint FROM announced"
    " ON CONFLICT (stream_id) DO NOTHING RETURNING s.version",
    "exists": "UPDATE {schema}.streams AS s SET version = s.version + %(count)s::bigint"
    " FROM announced WHERE s.stream_id = %(stream_id)s RETURNING s.version",
    "exact": "UPDATE {schema}.streams AS s SET version = s.version + %(count)s::bigint"
    " FROM announced WHERE s.stream_id = %(stream_id)s AND s.version = %(expected)s::bigint"
    " RETURNING s.version",
}

# Arrays travel in binary (``%(name)b``): psycopg dumps a text array by quoting every
# element, about eight times the cost of the binary form.
_APPEND = """
WITH announced AS MATERIALIZED ({announce}),
    bumped AS ({bump}), base AS ({append_base})
INSERT INTO {schema}.events (position, stream_id, version, event_id, type,
    schema_version, data, metadata, causation_id, correlation_id)
SELECT base.position + %(first)s::bigint + e.n - 1, %(stream_id)s,
    bumped.version - %(count)s::bigint + e.n,
    e.event_id, e.type, e.schema_version, e.data, e.metadata, e.causation_id,
    e.correlation_id
FROM bumped, base, unnest(%(event_ids)b::uuid[], %(types)b::text[],
    %(schema_versions)b::integer[], %(data)b::json[], %(metadata)b::json[],
    %(causation_ids)b::uuid[], %(correlation_ids)b::uuid[])
    WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata, causation_id,
        correlation_id, n)
RETURNING position, version
"""

# The one-event append, the common case: the same statement with scalar parameters, which
# cost the client a fraction of what seven one-element arrays do.
_APPEND_ONE = """
WITH announced AS MATERIALIZED ({announce}),
    bumped AS ({bump}), base AS ({append_base})
INSERT INTO {schema}.events (position, stream_id, version, event_id, type,
    schema_version, data, metadata, causation_id, correlation_id)
SELECT base.position + %(first)s::bigint, %(stream_id)s, bumped.version,
    %(event_id)s::uuid, %(type)s::text,
    %(schema_version)s::integer, %(data)s::json, %(metadata)s::json,
    %(causation_id)s::uuid, %(correlation_id)s::uuid
FROM bumped, base
RETURNING position, version
"""

# append_many of streams that all get events (``_batch_async.py`` rule 1): one statement for
# the whole batch, so one round trip, one plan and one lifecycle trigger call whatever the
# batch's size. Streams are taken in the order of their ids (rule 1: no deadlock between
# batches). A stream's precondition decides whether its row is inserted (``new``, ``any``)
# or bumped (``any``, ``exists``, ``exact`` if its version is the expected one). The events
# of a stream that is neither, or inserted where it had to exist (its version is then its
# count), get no version: the NOT NULL of ``events.version`` fails the whole statement
# (``REFUSED_COLUMN``), so it runs alone in autocommit like a one-stream append (rule 3).
_APPEND_BATCH = """
WITH announced AS MATERIALIZED ({announce}),
    input AS (SELECT i.stream_id COLLATE "C" AS stream_id, i.count, i.mode, i.expected
        FROM unnest(%(stream_ids)b::text[], %(counts)b::bigint[], %(modes)b::text[],
            %(expected)b::bigint[]) AS i(stream_id, count, mode, expected)),
    bumped AS (INSERT INTO {schema}.streams AS s (stream_id, version)
        SELECT i.stream_id, i.count FROM input AS i, announced ORDER BY i.stream_id
        ON CONFLICT (stream_id) DO UPDATE SET version = s.version + excluded.version
        WHERE (SELECT i.mode IN ('any', 'exists') OR (i.mode = 'exact' AND s.version = i.expected)
            FROM input AS i WHERE i.stream_id = excluded.stream_id)
        RETURNING s.stream_id, s.version),
    accepted AS (SELECT b.stream_id, b.version - i.count AS before
        FROM bumped AS b JOIN input AS i ON i.stream_id = b.stream_id
        WHERE i.mode IN ('new', 'any') OR b.version > i.count),
    base AS ({append_base})
INSERT INTO {schema}.events (position, stream_id, version, event_id, type,
    schema_version, data, metadata, causation_id, correlation_id)
SELECT base.position + e.k - 1, e.stream_id, a.before + e.n,
    e.event_id, e.type, e.schema_version, e.data, e.metadata, e.causation_id,
    e.correlation_id
FROM base, unnest(%(event_streams)b::text[], %(event_ns)b::bigint[], %(event_ids)b::uuid[],
    %(types)b::text[], %(schema_versions)b::integer[], %(data)b::json[], %(metadata)b::json[],
    %(causation_ids)b::uuid[], %(correlation_ids)b::uuid[])
    WITH ORDINALITY AS e(stream_id, n, event_id, type, schema_version, data, metadata,
        causation_id, correlation_id, k)
    LEFT JOIN accepted AS a ON a.stream_id = e.stream_id COLLATE "C"
RETURNING position, stream_id, version
"""

_READ_ALL = """
SELECT {columns} FROM {schema}.events
WHERE position > %(after)s AND position < ({horizon}){filters}
ORDER BY position LIMIT %(limit)s
"""

# Catching an append hook up (``_hooks_async.py``): no horizon, as no append runs then.
_EVENTS_AFTER = """
SELECT {columns} FROM {schema}.events WHERE position > %(after)s{filters}
ORDER BY position LIMIT %(limit)s
"""

# append_many (``_batch_async.py``): the announcement as its own first statement, which
# also says whether the transaction had a transaction id before it (it must not).
_ANNOUNCE = "SELECT pg_current_xact_id_if_assigned() IS NULL FROM ({announce}) AS announced"

# append_many's appends without events (``_batch_async.py`` rule 2): lock the stream's
# row, or, when the stream does not exist, hold its key with a placeholder row that the
# transaction deletes before it commits. A row comes back only for a placeholder.
_HOLD_STREAM = """
INSERT INTO {schema}.streams AS s (stream_id, version) VALUES (%(stream_id)s, 1)
ON CONFLICT (stream_id) DO UPDATE SET version = s.version WHERE false
RETURNING 0
"""

# Appends of this store running now, oldest first (``_ordering.py`` rule 7).
_RUNNING_APPENDS = """
SELECT a.pid, a.application_name, a.client_addr::text, a.xact_start,
    extract(epoch FROM clock_timestamp() - a.xact_start)::float8
FROM pg_catalog.pg_locks AS l JOIN pg_catalog.pg_stat_activity AS a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
    AND l.classid = ({key1})::oid AND l.objid = ({key2})::oid
    AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
    AND a.xact_start IS NOT NULL
ORDER BY a.xact_start, a.pid
"""

# A stream's status is 'live' unless stream_lifecycle says otherwise (ADR 0015).
_STATUS_IS = (
    " AND coalesce((SELECT l.status FROM {schema}.stream_lifecycle AS l"
    " WHERE l.stream_id = s.stream_id), 'live') = %(status)s"
)

_TYPES = " AND type = ANY(%(types)s::text[])"
_CATEGORIES = " AND category = ANY(%(categories)s::text[])"

_TEXT: dict[str, str] = {
    **{f"append_{mode}": _APPEND.replace("{bump}", bump) for mode, bump in _BUMP.items()},
    **{f"append_one_{mode}": _APPEND_ONE.replace("{bump}", bump) for mode, bump in _BUMP.items()},
    "append_batch": _APPEND_BATCH,
    "announce": _ANNOUNCE,
    "hold_stream": _HOLD_STREAM,
    "drop_placeholders": "DELETE FROM {schema}.streams"
    " WHERE stream_id = ANY(%(stream_ids)s::text[])",
    "running_appends": _RUNNING_APPENDS,
    # LOCK TABLE events IN SHARE MODE, run as the schema's owner (migration 0004): an
    # application role may insert into events and not update them, which that lock needs.
    "lock_log": "SELECT {schema}.lock_log()",
    "events_after": _EVENTS_AFTER.replace("{filters}", ""),
    "events_after_types": _EVENTS_AFTER.replace("{filters}", _TYPES),
    "find_events": "SELECT {columns} FROM {schema}.events"
    " WHERE event_id = ANY(%(event_ids)s::uuid[]) ORDER BY position",
    "stream_version": "SELECT version FROM {schema}.streams WHERE stream_id = %(stream_id)s",
    "stream_versions": "SELECT stream_id, version FROM {schema}.streams"
    " WHERE stream_id = ANY(%(stream_ids)s::text[])",
    "stream_version_locked": "SELECT version FROM {schema}.streams"
    " WHERE stream_id = %(stream_id)s FOR SHARE",
    "read_stream_forwards": "SELECT {columns} FROM {schema}.events"
    " WHERE stream_id = %(stream_id)s AND version >= %(low)s AND version <= %(high)s"
    " ORDER BY version LIMIT %(limit)s",
    "read_stream_backwards": "SELECT {columns} FROM {schema}.events"
    " WHERE stream_id = %(stream_id)s AND version >= %(low)s AND version <= %(high)s"
    " ORDER BY version DESC LIMIT %(limit)s",
    "read_all": _READ_ALL.replace("{filters}", ""),
    "read_all_types": _READ_ALL.replace("{filters}", _TYPES),
    "read_all_categories": _READ_ALL.replace("{filters}", _CATEGORIES),
    "read_all_both": _READ_ALL.replace("{filters}", _TYPES + _CATEGORIES),
    "head": "SELECT coalesce(max(position), 0) FROM {schema}.events WHERE position < ({horizon})",
    "read_caused_by": "SELECT {columns} FROM {schema}.events"
    " WHERE causation_id = %(causation_id)s ORDER BY position",
    "list_streams": "SELECT stream_id, version FROM {schema}.streams AS s"
    " WHERE stream_id >= %(low)s AND stream_id IS DISTINCT FROM %(exclude)s"
    " AND stream_id < %(high)s{status_is} ORDER BY stream_id LIMIT %(limit)s",
    "list_streams_unbounded": "SELECT stream_id, version FROM {schema}.streams AS s"
    " WHERE stream_id >= %(low)s AND stream_id IS DISTINCT FROM %(exclude)s{status_is}"
    " ORDER BY stream_id LIMIT %(limit)s",
    "count_streams": "SELECT count(*) FROM {schema}.streams AS s"
    " WHERE stream_id >= %(low)s AND stream_id < %(high)s{status_is}",
    "count_streams_unbounded": "SELECT count(*) FROM {schema}.streams AS s"
    " WHERE stream_id >= %(low)s{status_is}",
    "save_snapshot": "INSERT INTO {schema}.snapshots"
    " (stream_id, version, type, schema_version, data)"
    " VALUES (%(stream_id)s, %(version)s, %(type)s, %(schema_version)s, %(data)s::json)"
    " ON CONFLICT (stream_id, version) DO UPDATE SET type = excluded.type,"
    " schema_version = excluded.schema_version, data = excluded.data",
    "load_snapshot": "SELECT stream_id, version, type, data::text, schema_version"
    " FROM {schema}.snapshots WHERE stream_id = %(stream_id)s AND version <= %(high)s"
    " ORDER BY version DESC LIMIT 1",
}


@dataclass(frozen=True, slots=True)
class Statements:
    """Every statement of the store, composed for one schema (as bytes, ready to run)."""

    append_any: bytes
    append_new: bytes
    append_exists: bytes
    append_exact: bytes
    append_one_any: bytes
    append_one_new: bytes
    append_one_exists: bytes
    append_one_exact: bytes
    append_batch: bytes
    announce: bytes
    hold_stream: bytes
    drop_placeholders: bytes
    running_appends: bytes
    lock_log: bytes
    events_after: bytes
    events_after_types: bytes
    find_events: bytes
    stream_version: bytes
    stream_versions: bytes
    stream_version_locked: bytes
    read_stream_forwards: bytes
    read_stream_backwards: bytes
    read_all: bytes
    read_all_types: bytes
    read_all_categories: bytes
    read_all_both: bytes
    head: bytes
    read_caused_by: bytes
    list_streams: bytes
    list_streams_unbounded: bytes
    count_streams: bytes
    count_streams_unbounded: bytes
    save_snapshot: bytes
    load_snapshot: bytes

    def append(self, mode: str) -> bytes:
        """The append statement for a precondition mode (``_rows.append_params``)."""
        statement: bytes = getattr(self, f"append_{mode}")
        return statement

    @classmethod
    def for_schema(cls, schema: str) -> Statements:
        """Compose every statement for the tables in ``schema``."""
        name = sql.Identifier(schema)
        key1, key2 = append_key(schema)
        key = sql.SQL(", ").join([key1, key2])
        parts = {
            "schema": name,
            "columns": EVENT_COLUMNS,
            "horizon": HORIZON.format(schema=name, key=key),
            "announce": ANNOUNCE.format(key=key),
            "append_base": APPEND_BASE.format(schema=name),
            "key1": key1,
            "key2": key2,
            "status_is": sql.SQL(_STATUS_IS).format(schema=name),
        }
        return cls(
            **{f.name: sql.SQL(_TEXT[f.name]).format(**parts).as_bytes(None) for f in fields(cls)}
        )
