-- fabula SQLite schema, version 4: a stream's version comes from the log itself (ADR 0026).
-- The events table's (stream_id, version) index already holds every stream's versions;
-- the streams table repeated the newest one, and keeping it cost a second random-key
-- page write per new or changed stream in every commit. SQLite's single write lock
-- serialises appends, so the row was never needed as a lock here (PostgreSQL keeps it).
DROP TABLE streams;
