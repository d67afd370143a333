-- fabula SQLite schema, version 1: the global log, stream heads and snapshots.
-- position is the global order; AUTOINCREMENT never hands out a position twice.
-- recorded_at counts microseconds since 1970-01-01 UTC.
CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    event_id BLOB NOT NULL UNIQUE,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    causation_id BLOB,
    correlation_id BLOB,
    recorded_at INTEGER NOT NULL,
    category TEXT NOT NULL,
    UNIQUE (stream_id, version)
);

CREATE INDEX events_type_position ON events (type, position);

CREATE INDEX events_category_position ON events (category, position);

CREATE INDEX events_causation_id ON events (causation_id) WHERE causation_id IS NOT NULL;

-- One row per stream: its current version, for preconditions, listing and counting.
CREATE TABLE streams (
    stream_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    category TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE snapshots (
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (stream_id, version)
) WITHOUT ROWID;
