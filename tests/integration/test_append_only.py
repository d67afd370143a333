"""The log is append-only in the database itself, on SQLite and PostgreSQL (ADR 0025).

A plain ``UPDATE`` or ``DELETE`` of ``events`` (and ``TRUNCATE`` on PostgreSQL) fails with
a message naming the table and that it is append-only, the stored rows are unchanged, and
every lifecycle operation and forgetting a subject still work with the
triggers on, sync and asyncio. An existing store of the previous schema version gets the
triggers when it is opened with ``migrate="auto"``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

import fabula
from fabula.store import (
    NewEvent,
    SnapshotRecord,
    StreamAppend,
    open_async_store,
    open_store,
)
from tests.unit.personal.domain import Customer, Registered, registered

UPDATE = "UPDATE {events} SET data = '{{}}', type = 'Rewritten'"
DELETE = "DELETE FROM {events} WHERE version = 1"
REFUSED = r"events is append-only \(the fabula event log\): {op} refused"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    schema_url: str = request.getfixturevalue("postgres_schema_url")
    return schema_url


@contextmanager
def raw(url: str) -> Iterator[tuple[Any, str]]:
    """A plain driver connection to the store of ``url`` (autocommit) and its events table."""
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)) as c:
            yield c, "events"
        return
    import psycopg

    from fabula._postgres._settings import split_url

    conninfo, schema = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        yield conn, f'"{schema}".events'


def stored_rows(url: str) -> list[tuple[Any, ...]]:
    with raw(url) as (conn, events):
        return [tuple(row) for row in conn.execute(f"SELECT * FROM {events} ORDER BY position")]


def driver_errors(url: str) -> type[Exception]:
    if url.startswith("sqlite"):
        return sqlite3.IntegrityError
    from psycopg import errors

    return errors.RestrictViolation


def assert_refused(url: str, statement: str, op: str) -> None:
    before = stored_rows(url)
    assert before, "the test needs stored events"
    with raw(url) as (conn, events), pytest.raises(driver_errors(url)) as caught:
        conn.execute(statement.format(events=events))
    assert caught.match(REFUSED.format(op=op))
    assert stored_rows(url) == before


def _event() -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type="Noted", data='{"n": 1}')


def test_a_plain_update_or_delete_of_events_fails(url: str) -> None:
    with open_store(url) as store:
        store.append("note-1", [_event(), _event()])
    assert_refused(url, UPDATE, "UPDATE")
    assert_refused(url, DELETE, "DELETE")
    assert_refused(url, "DELETE FROM {events}", "DELETE")


@pytest.mark.postgres
def test_truncate_of_events_fails_on_postgres(postgres_schema_url: str) -> None:
    with open_store(postgres_schema_url) as store:
        store.append("note-1", [_event()])
    assert_refused(postgres_schema_url, "TRUNCATE {events}", "TRUNCATE")


@pytest.mark.postgres
def test_the_postgres_refusal_names_the_schema_table_and_constraint(
    postgres_schema_url: str,
) -> None:
    from psycopg import errors

    from fabula._postgres._settings import split_url

    with open_store(postgres_schema_url) as store:
        store.append("note-1", [_event()])
    schema = split_url(postgres_schema_url)[1]
    with raw(postgres_schema_url) as (conn, events), pytest.raises(errors.RestrictViolation) as e:
        conn.execute(f"UPDATE {events} SET type = 'x'")
    assert str(e.value).splitlines()[0] == (
        f"table {schema}.events is append-only (the fabula event log): UPDATE refused"
    )
    assert e.value.diag.constraint_name == "events_append_only"
    assert e.value.sqlstate == "23001"
    assert "lifecycle" in (e.value.diag.message_hint or "")


def _seed(store: Any) -> None:
    fabula.Repository(store, Customer).append("personal_customer-c1", [registered("c1")])
    store.append("note-1", [_event(), _event(), _event()])
    store.append_many([StreamAppend("note-2", [_event()]), StreamAppend("note-3", [_event()])])


async def _async_seed(store: Any) -> None:
    await fabula.AsyncRepository(store, Customer).append("personal_customer-c1", [registered("c1")])
    await store.append("note-1", [_event(), _event(), _event()])
    appends = [StreamAppend("note-2", [_event()]), StreamAppend("note-3", [_event()])]
    await store.append_many(appends)


def _lifecycle(store: Any) -> None:
    """Every lifecycle operation and a forget, on a sync store."""
    repo = fabula.Repository(store, Customer)
    store.save_snapshot(SnapshotRecord(stream_id="note-1", version=2, type="S", data="{}"))
    store.archive_stream("note-2")
    store.unarchive_stream("note-2")
    store.append("note-2", [_event()])
    store.truncate_stream("note-1", before=3)
    assert [e.version for e in store.read_stream("note-1", from_version=3)] == [3]
    store.delete_stream("note-3")
    assert store.stream_state("note-3").status == "deleted"
    assert fabula.PersonalData(store).forget("c1")
    assert repo.load("personal_customer-c1").state.email == fabula.REDACTED


async def _async_lifecycle(store: Any) -> None:
    """The same on an asyncio store."""
    repo = fabula.AsyncRepository(store, Customer)
    await store.save_snapshot(SnapshotRecord(stream_id="note-1", version=2, type="S", data="{}"))
    await store.archive_stream("note-2")
    await store.unarchive_stream("note-2")
    await store.append("note-2", [_event()])
    await store.truncate_stream("note-1", before=3)
    assert [e.version for e in await store.read_stream("note-1", from_version=3)] == [3]
    await store.delete_stream("note-3")
    assert (await store.stream_state("note-3")).status == "deleted"
    assert await fabula.AsyncPersonalData(store).forget("c1")
    assert (await repo.load("personal_customer-c1")).state.email == fabula.REDACTED


def _check_log_after_lifecycle(url: str, rows_before: list[tuple[Any, ...]]) -> None:
    rows = stored_rows(url)
    assert len(rows_before) == 6
    assert rows[: len(rows_before)] == rows_before  # nothing changed, nothing removed
    assert len(rows) == 9  # 1 + 3 + 2 + 1 appended, a tombstone, a SubjectForgotten
    assert_refused(url, UPDATE, "UPDATE")


def test_every_lifecycle_operation_works_with_the_triggers_on(url: str) -> None:
    with open_store(url) as store:
        _seed(store)
        before = stored_rows(url)
        _lifecycle(store)
        assert len(store.read_all()) == 9
    _check_log_after_lifecycle(url, before)


def test_every_async_lifecycle_operation_works_with_the_triggers_on(url: str) -> None:
    async def run() -> None:
        async with open_async_store(url) as store:
            await _async_seed(store)
            before.extend(stored_rows(url))
            await _async_lifecycle(store)
            assert len(await store.read_all()) == 9

    before: list[tuple[Any, ...]] = []
    asyncio.run(run())
    _check_log_after_lifecycle(url, before)


def test_the_triggers_exist_in_a_fresh_store(url: str) -> None:
    with open_store(url) as store:
        store.head()
    with raw(url) as (conn, _):
        if url.startswith("sqlite"):
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
        else:
            from fabula._postgres._settings import split_url

            schema = split_url(url)[1]
            query = (
                "SELECT t.tgname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid"
                " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
                f" WHERE NOT t.tgisinternal AND c.relname = 'events' AND n.nspname = '{schema}'"
            )
        names = {row[0] for row in conn.execute(query)}
    assert {name for name in names if "append_only" in name} == (
        {"events_append_only_update", "events_append_only_delete"}
        if url.startswith("sqlite")
        else {"events_append_only", "events_append_only_truncate"}
    )


def _old_row(version: int) -> tuple[Any, ...]:
    return ("note-1", version, uuid.uuid4(), "Noted", 1, '{"n": 1}', "{}")


def test_an_existing_sqlite_store_gets_the_triggers_when_opened(tmp_path: Path) -> None:
    from fabula.store.sqlite._migrate import MIGRATIONS, migrate, schema_version

    path = tmp_path / "old.db"
    before = next(i for i, m in enumerate(MIGRATIONS) if m.name.endswith("_append_only"))
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        migrate(conn, MIGRATIONS[:before])
        stream, version, event_id, kind, schema_version_, data, metadata = _old_row(1)
        conn.execute(
            "INSERT INTO events (stream_id, version, event_id, type, schema_version, data,"
            " metadata, recorded_at, category) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'note')",
            (stream, version, event_id.bytes, kind, schema_version_, data, metadata),
        )
        conn.execute("INSERT INTO streams VALUES ('note-1', 1, 'note')")  # dropped by version 4
        conn.execute("UPDATE events SET type = 'StillMutable'")  # no trigger yet
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        store.append("note-1", [_event()])
        assert [e.type for e in store.read_stream("note-1")] == ["StillMutable", "Noted"]
    with closing(sqlite3.connect(path)) as conn:
        assert schema_version(conn) == len(MIGRATIONS)
    assert_refused(url, UPDATE, "UPDATE")
    assert_refused(url, DELETE, "DELETE")


@pytest.mark.postgres
def test_an_existing_postgres_store_gets_the_triggers_when_opened(
    postgres_schema_url: str,
) -> None:
    import psycopg
    from psycopg import sql

    from fabula._postgres._settings import split_url
    from fabula.store.postgres._migrate import MIGRATIONS, migrate

    conninfo, schema = split_url(postgres_schema_url)
    assert schema is not None
    before = next(i for i, m in enumerate(MIGRATIONS) if m.name == "append_only")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        assert migrate(conn, schema, mode="auto", migrations=MIGRATIONS[:before]) == before
        name = sql.Identifier(schema)
        conn.execute(
            sql.SQL(
                "INSERT INTO {}.events (position, stream_id, version, event_id, type,"
                " schema_version, data, metadata) VALUES (65536, %s, %s, %s, %s, %s, %s, %s)"
            ).format(name),
            _old_row(1),
        )
        conn.execute(sql.SQL("INSERT INTO {}.streams VALUES ('note-1', 1)").format(name))
        conn.execute(sql.SQL("UPDATE {}.events SET type = 'StillMutable'").format(name))
    with open_store(postgres_schema_url) as store:  # migrate="auto"
        store.append("note-1", [_event()])
        assert [e.type for e in store.read_stream("note-1")] == ["StillMutable", "Noted"]
        store.truncate_stream("note-1", before=2)
        store.delete_stream("note-1")
    with psycopg.connect(conninfo) as conn:
        query = sql.SQL("SELECT max(version) FROM {}.schema_migrations")
        assert conn.execute(query.format(sql.Identifier(schema))).fetchone() == (len(MIGRATIONS),)
    assert_refused(postgres_schema_url, UPDATE, "UPDATE")
    assert_refused(postgres_schema_url, DELETE, "DELETE")


def test_an_inline_handler_that_rewrites_events_fails_its_append(url: str) -> None:
    from fabula.read import HandlerError, InlineProjection, Projection

    rewriter = Projection("rewriter")

    @rewriter.on(Registered)
    def rewrite(tx: Any, event: fabula.Recorded[Registered]) -> None:
        tx.execute("UPDATE events SET type = 'Rewritten'")

    with open_store(url) as store:
        store.append("note-1", [_event()])
        before = stored_rows(url)
        inline = InlineProjection(store, rewriter)  # type: ignore[arg-type]
        inline.attach()
        with pytest.raises(HandlerError) as caught:
            fabula.Repository(store, Customer).append("personal_customer-c1", [registered("c1")])
        inline.detach()
    assert isinstance(caught.value.__cause__, driver_errors(url))
    assert "append-only" in str(caught.value.__cause__)
    assert stored_rows(url) == before
