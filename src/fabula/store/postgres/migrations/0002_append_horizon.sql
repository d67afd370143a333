-- fabula 0002: the log's horizon waits only for this store's own appends.
-- Why this is safe: fabula/store/postgres/_ordering.py (rules 2 and 6) and ADR 0002.
--
-- log_horizon(key1, key2) returns the transaction id below which every position of the
-- log is final in the caller's snapshot S (pg_current_snapshot() is the snapshot of the
-- statement that calls it, as the function is STABLE). (key1, key2) is the advisory lock
-- that every append of this store holds, shared, from before it has a transaction id
-- until after its commit (or abort) is recorded. The result is the smallest x in xip(S)
-- that is bound, or xmax(S) when none is:
--   1. first, x is bound if the backend whose transaction id is x holds the lock now;
--   2. then, if x is no longer in progress, x is bound if it wrote to this log: seen from
--      a fresh snapshot (log_wrote), where it is finished, or where it is not finished
--      yet (the commit is recorded a moment before snapshots stop listing x).
-- An x that fails both was in progress after the lock was seen free of it, so it has
-- never been one of our appends (an append holds the lock from before x existed until x
-- stops being in progress): it cannot write the log, and the horizon passes it.
-- Holders and their ids are read from pg_locks (time t1), the ids missing there from
-- pg_stat_activity (t2), then the status of each x (t3): t1 < t2 < t3, as the statements
-- of a function run in order. A backend's id is visible to snapshots a moment before its
-- transactionid lock row exists; pg_stat_activity.backend_xid is read from the proc
-- array, where the id is from the start, so a holder without an id row is looked up
-- there (it is rare, and pg_stat_activity is the dearer read). Ids are compared modulo
-- 2^32 (transactionid and backend_xid are 32 bits).
-- The functions name their schema (no search_path lookup, no SET clause to pay per call):
-- they are created through format() with the schema the migration runs in.
DO $migration$ BEGIN
EXECUTE format($sql$
CREATE FUNCTION log_wrote(x bigint) RETURNS boolean
LANGUAGE sql VOLATILE AS $f$
SELECT NOT pg_visible_in_snapshot(x::text::xid8, pg_current_snapshot())
    OR EXISTS (SELECT FROM %1$I.events, %1$I.log_clock WHERE position >= (x + xid_offset) << 16
        AND position < (x + xid_offset + 1) << 16)
$f$;
$sql$, current_schema());
EXECUTE format($sql$
CREATE FUNCTION log_horizon(key1 integer, key2 integer) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $f$
DECLARE
    snap pg_snapshot := pg_current_snapshot();
    holders integer[];
    owners integer[];
    owned bigint[];
    unknown integer[];
    held bigint[];
    x bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_snapshot_xip(snap)) THEN
        RETURN pg_snapshot_xmax(snap)::text::bigint;
    END IF;
    -- t1: one read of the lock table: who holds the announcement, and who owns which id.
    SELECT
        array_agg(l.pid) FILTER (WHERE l.locktype = 'advisory' AND l.objsubid = 2
            AND l.classid = key1::oid AND l.objid = key2::oid
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())),
        array_agg(l.pid) FILTER (WHERE l.locktype = 'transactionid'
            AND l.mode = 'ExclusiveLock'),
        array_agg(l.transactionid::text::bigint) FILTER (WHERE l.locktype = 'transactionid'
            AND l.mode = 'ExclusiveLock')
    INTO holders, owners, owned
    FROM pg_lock_status() AS l WHERE l.granted;
    SELECT coalesce(array_agg(o.xid), '{}') INTO held
    FROM unnest(owners, owned) AS o(pid, xid) WHERE o.pid = ANY(holders);
    SELECT array_agg(h) INTO unknown
    FROM unnest(holders) AS h WHERE h <> ALL(coalesce(owners, '{}'));
    IF unknown IS NOT NULL THEN
        -- t2: holders whose id has no lock row yet (it may be visible already): read the
        -- proc array. pg_stat_activity is cached per transaction: drop the cache first.
        PERFORM pg_stat_clear_snapshot();
        SELECT held || coalesce(array_agg(a.backend_xid::text::bigint), '{}') INTO held
        FROM pg_stat_get_activity(NULL) AS a
        WHERE a.pid = ANY(unknown) AND a.backend_xid IS NOT NULL;
    END IF;
    -- t3: the status of each listed id, oldest first.
    FOR x IN SELECT xip::text::bigint FROM pg_snapshot_xip(snap) AS xip ORDER BY 1 LOOP
        IF mod(x, 4294967296) = ANY(held) THEN
            RETURN x;
        END IF;
        IF pg_xact_status(x::text::xid8) IS DISTINCT FROM 'in progress' THEN
            IF %1$I.log_wrote(x) THEN
                RETURN x;
            END IF;
        END IF;
    END LOOP;
    RETURN pg_snapshot_xmax(snap)::text::bigint;
END $f$;
$sql$, current_schema());
END $migration$;
