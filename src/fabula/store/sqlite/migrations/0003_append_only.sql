-- fabula SQLite schema, version 3: the log is append-only in the database itself (ADR 0025).
-- fabula never changes or removes a row of events (archive, delete and truncate of a
-- stream are statuses and tombstones, ADR 0015; forgetting personal data destroys a key,
-- ADR 0016). These triggers refuse any UPDATE or DELETE of events, from any connection,
-- as a constraint error (sqlite3.IntegrityError); the statement is rolled back. SQLite
-- has no TRUNCATE: DELETE FROM events without WHERE runs the trigger too. Inserts pay
-- nothing: no trigger fires on INSERT. Anyone who can write the file can drop a trigger:
-- on SQLite they guard against mistakes, not against an attacker (docs/lifecycle.md).
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'table events is append-only (the fabula event log): UPDATE refused, see fabula ADR 0025');
END;

CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'table events is append-only (the fabula event log): DELETE refused, see fabula ADR 0025');
END;
