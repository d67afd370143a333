-- fabula SQLite schema, version 2: the stream lifecycle (ADR 0015).
-- A row only for a stream that is archived, deleted or truncated: no row means live, whole.
CREATE TABLE stream_lifecycle (
    stream_id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('live', 'archived', 'deleted')),
    truncated_before INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
