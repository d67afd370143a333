"""Schema versions of the PostgreSQL store: create, check, migrate, refuse, rebase the clock."""

import threading
import uuid

import psycopg
import pytest
from psycopg import sql

from fabula._errors import SchemaError
from fabula._postgres._settings import split_url
from fabula.store import NewEvent
from fabula.store.postgres import PostgresStore
from fabula.store.postgres._migrate import MIGRATIONS, Migration, migrate

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]

FUTURE = Migration(len(MIGRATIONS) + 1, "future_note", "ALTER TABLE events ADD COLUMN note text;")


def _event() -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type="Migrated", data="{}")


def _connect(url: str) -> psycopg.Connection:
    conninfo, _ = split_url(url)
    return psycopg.connect(conninfo, autocommit=True)


def _schema(url: str) -> str:
    schema = split_url(url)[1]
    assert schema is not None
    return schema


def _versions(url: str) -> list[int]:
    query = sql.SQL("SELECT version FROM {}.schema_migrations ORDER BY version")
    with _connect(url) as conn:
        rows = conn.execute(query.format(sql.Identifier(_schema(url)))).fetchall()
    return [row[0] for row in rows]


def test_a_fresh_schema_is_created_when_auto(postgres_schema_url):
    with PostgresStore.from_url(postgres_schema_url) as store:
        store.append("made-1", [_event()])
        assert store.stream_version("made-1") == 1
    assert _versions(postgres_schema_url) == [m.version for m in MIGRATIONS]


def test_a_fresh_schema_is_refused_when_check(postgres_schema_url):
    store = PostgresStore.from_url(postgres_schema_url, migrate="check")
    try:
        with pytest.raises(SchemaError, match=r"holds no fabula tables.*migrate='auto'"):
            store.head()
    finally:
        store.close()


def test_an_older_schema_is_refused_when_check_and_migrated_when_auto(postgres_schema_url):
    schema = _schema(postgres_schema_url)
    with PostgresStore.from_url(postgres_schema_url) as store:
        store.append("old-1", [_event()])
    now, future = len(MIGRATIONS), FUTURE.version
    with _connect(postgres_schema_url) as conn:
        expected = rf"at version {now} and this fabula needs version {future}"
        with pytest.raises(SchemaError, match=expected):
            migrate(conn, schema, mode="check", migrations=(*MIGRATIONS, FUTURE))
        assert migrate(conn, schema, mode="auto", migrations=(*MIGRATIONS, FUTURE)) == future
        query = sql.SQL("SELECT note FROM {}.events").format(sql.Identifier(schema))
        assert conn.execute(query).fetchall() == [(None,)]
        assert migrate(conn, schema, mode="check", migrations=(*MIGRATIONS, FUTURE)) == future
    assert _versions(postgres_schema_url) == list(range(1, future + 1))


def test_a_version_1_schema_gets_the_append_horizon_when_auto(postgres_schema_url):
    schema = _schema(postgres_schema_url)
    with _connect(postgres_schema_url) as conn:
        assert migrate(conn, schema, mode="auto", migrations=MIGRATIONS[:1]) == 1
    store = PostgresStore.from_url(postgres_schema_url, migrate="check")
    try:
        needs = rf"at version 1 and this fabula needs version {len(MIGRATIONS)}"
        with pytest.raises(SchemaError, match=needs):
            store.head()
    finally:
        store.close()
    with PostgresStore.from_url(postgres_schema_url) as store:
        result = store.append("upgraded-1", [_event()])
        assert store.wait_for_events(0, timeout=5)
        assert [e.position for e in store.read_all()] == list(result.positions)
    assert _versions(postgres_schema_url) == [m.version for m in MIGRATIONS]


def test_a_newer_schema_is_refused_even_when_auto(postgres_schema_url):
    with PostgresStore.from_url(postgres_schema_url) as store:
        store.head()
    with _connect(postgres_schema_url) as conn:
        query = sql.SQL("INSERT INTO {}.schema_migrations (version, name) VALUES (99, 'x')")
        conn.execute(query.format(sql.Identifier(_schema(postgres_schema_url))))
    store = PostgresStore.from_url(postgres_schema_url, migrate="auto")
    try:
        with pytest.raises(SchemaError, match=r"version 99, newer than this fabula"):
            store.append("new-1", [_event()])
    finally:
        store.close()


def test_concurrent_openers_migrate_once(postgres_schema_url):
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def opener() -> None:
        try:
            start.wait()
            with PostgresStore.from_url(postgres_schema_url) as store:
                store.append(f"race-{uuid.uuid4()}", [_event()])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert _versions(postgres_schema_url) == [m.version for m in MIGRATIONS]


def test_a_log_restored_ahead_of_the_clock_is_rebased(postgres_schema_url):
    schema = sql.Identifier(_schema(postgres_schema_url))
    with PostgresStore.from_url(postgres_schema_url) as store:
        first = store.append("restored-1", [_event()])
    # Simulate a dump restored into a younger cluster: a stored position far ahead.
    with _connect(postgres_schema_url) as conn:
        row = conn.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
        assert row is not None
        ahead = (row[0] + 1_000_000) << 16
        conn.execute(
            sql.SQL(
                "INSERT INTO {}.events (position, stream_id, version, event_id, type,"
                " schema_version, data, metadata) VALUES (%s, 'restored-1', 2, %s, 'Old', 1,"
                " '{{}}', '{{}}')"
            ).format(schema),
            (ahead, uuid.uuid4()),
        )
        conn.execute(sql.SQL("UPDATE {}.streams SET version = 2").format(schema))
    checked = PostgresStore.from_url(postgres_schema_url, migrate="check")
    try:
        with pytest.raises(SchemaError, match=r"ahead of this server's transaction clock"):
            checked.head()
    finally:
        checked.close()
    with PostgresStore.from_url(postgres_schema_url) as store:
        later = store.append("restored-1", [_event()])
        assert later.positions[0] > ahead
        assert store.wait_for_events(ahead, timeout=10)
        log = store.read_all()
        assert [e.position for e in log] == [*first.positions, ahead, *later.positions]
        assert store.head() == later.positions[0]
