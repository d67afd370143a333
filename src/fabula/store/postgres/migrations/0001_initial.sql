-- fabula 0001: the event log, streams, snapshots and the log clock.
-- Runs with search_path set to the store's schema; names are unqualified on purpose.
-- Why positions look the way they do: see fabula/store/postgres/_ordering.py.
-- Payloads are json, not jsonb: json keeps the writer's text exactly (the store contract
-- says a store never interprets payloads); cast to jsonb in queries that need operators.

CREATE TABLE streams (
    stream_id text COLLATE "C" PRIMARY KEY,
    version   bigint NOT NULL CHECK (version > 0)
);

CREATE TABLE events (
    -- (transaction id + log_clock.xid_offset) << 16 | index within the append
    position       bigint PRIMARY KEY,
    stream_id      text COLLATE "C" NOT NULL,
    version        bigint NOT NULL CHECK (version > 0),
    event_id       uuid NOT NULL,
    type           text NOT NULL,
    schema_version integer NOT NULL,
    data           json NOT NULL,
    metadata       json NOT NULL,
    causation_id   uuid,
    correlation_id uuid,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    category       text COLLATE "C" NOT NULL
                   GENERATED ALWAYS AS (split_part(stream_id, '-', 1)) STORED,
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
);

CREATE INDEX events_category_position ON events (category, position);
CREATE INDEX events_type_position ON events (type, position);
CREATE INDEX events_causation_id ON events (causation_id) WHERE causation_id IS NOT NULL;

CREATE TABLE snapshots (
    stream_id      text COLLATE "C" NOT NULL,
    version        bigint NOT NULL,
    type           text NOT NULL,
    schema_version integer NOT NULL,
    data           json NOT NULL,
    PRIMARY KEY (stream_id, version)
);

-- One row. xid_offset moves positions past those of a log restored from another cluster.
CREATE TABLE log_clock (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    xid_offset bigint NOT NULL DEFAULT 0
);
INSERT INTO log_clock DEFAULT VALUES;
