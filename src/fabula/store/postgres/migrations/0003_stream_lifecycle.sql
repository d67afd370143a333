-- fabula 0003: the stream lifecycle (ADR 0015; rules in fabula/store/_lifecycle.py).
-- A row only for a stream that is archived, deleted or truncated: no row means live, whole.
-- The trigger below keeps the append statement as it is (_sql.py): after each insert into
-- events it refuses rows of a deleted stream, and rows other than a tombstone of an
-- archived one, and marks a stream deleted when its tombstone ('$tombstone') is inserted,
-- in the append's own transaction. A refusal is SQLSTATE 55000 with the constraint name
-- 'stream_lifecycle', the stream id as detail and its status as hint (_lifecycle_sql.py).

CREATE TABLE stream_lifecycle (
    stream_id        text COLLATE "C" PRIMARY KEY,
    status           text NOT NULL CHECK (status IN ('live', 'archived', 'deleted')),
    truncated_before bigint NOT NULL DEFAULT 1 CHECK (truncated_before > 0)
);

DO $migration$ BEGIN
EXECUTE format($sql$
CREATE FUNCTION stream_lifecycle_guard() RETURNS trigger
LANGUAGE plpgsql AS $f$
DECLARE
    refused record;
BEGIN
    SELECT a.stream_id, l.status INTO refused
    FROM appended AS a JOIN %1$I.stream_lifecycle AS l ON l.stream_id = a.stream_id
    WHERE l.status = 'deleted' OR (l.status = 'archived' AND a.type <> '$tombstone')
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'stream %% is %%', refused.stream_id, refused.status
            USING ERRCODE = '55000', CONSTRAINT = 'stream_lifecycle',
                DETAIL = refused.stream_id, HINT = refused.status;
    END IF;
    INSERT INTO %1$I.stream_lifecycle AS l (stream_id, status)
    SELECT DISTINCT a.stream_id, 'deleted' FROM appended AS a WHERE a.type = '$tombstone'
    ON CONFLICT (stream_id) DO UPDATE SET status = 'deleted';
    RETURN NULL;
END
$f$;
$sql$, current_schema());
END $migration$;

CREATE TRIGGER events_stream_lifecycle AFTER INSERT ON events
    REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION stream_lifecycle_guard();
