-- fabula 0004: the log is append-only in the database itself (ADR 0025).
-- fabula never changes or removes a row of events: archive, delete and truncate of a
-- stream are statuses and tombstones (0003, ADR 0015), forgetting personal data destroys
-- a key (ADR 0016). The triggers below refuse every UPDATE, DELETE and TRUNCATE of
-- events, whoever runs it, with SQLSTATE 23001 (restrict_violation) and the constraint
-- name 'events_append_only'. Only the table's owner can switch them off (ALTER TABLE
-- events DISABLE TRIGGER ...), which is the documented escape hatch (docs/postgres.md).
-- Inserts pay nothing: no trigger of this file fires on INSERT or COPY.
--
-- lock_log() takes the SHARE lock on events that adding an append hook needs
-- (_hooks_async.py, rule 3). PostgreSQL lets only a role with UPDATE, DELETE or
-- TRUNCATE on a table take that lock; the function runs as its owner, so an
-- application role granted SELECT and INSERT only can still add hooks. It is not
-- executable by PUBLIC: fabula store grants gives it to the application role.
CREATE FUNCTION events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    RAISE EXCEPTION 'table %.events is append-only (the fabula event log): % refused',
            quote_ident(TG_TABLE_SCHEMA), TG_OP
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'events_append_only',
            DETAIL = 'fabula never changes or removes a stored event: triggers of'
                ' schema migration 0004 refuse UPDATE, DELETE and TRUNCATE of this table',
            HINT = 'archive, delete or truncate streams with the store''s lifecycle'
                ' operations, forget personal data with forget(); see fabula ADR 0025';
END
$f$;

DO $migration$ BEGIN
EXECUTE format($sql$
CREATE FUNCTION lock_log() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
    LOCK TABLE %1$I.events IN SHARE MODE;
END
$f$;
$sql$, current_schema());
END $migration$;

REVOKE EXECUTE ON FUNCTION lock_log() FROM PUBLIC;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
