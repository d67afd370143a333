"""Least privilege on PostgreSQL, for real: an owner role and an application role (ADR 0025).

The owner migrates the schema and grants (``fabula store migrate``, ``fabula store
grants``); the application role appends, reads, subscribes, snapshots, changes streams'
lifecycle, forgets a subject and feeds projections (a runner and an inline one), and
cannot change, remove or alter stored events. Each test makes two roles and a database of
its own (the server is shared) and drops them afterwards.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import errors, sql

import fabula
from fabula.cli import main
from fabula.read import InlineProjection, Projection, ProjectionRunner
from fabula.read.postgres import PostgresTarget
from fabula.store import NewEvent, SnapshotRecord, StreamAppend
from fabula.store.postgres import AsyncPostgresStore, PostgresStore
from tests.unit.personal.domain import Customer, Registered, registered

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

SCHEMA = "shop"
READ_SCHEMA = "shop_read"


@dataclass(frozen=True)
class Roles:
    owner: str
    app: str
    owner_url: str
    app_url: str

    def conninfo(self, role: str) -> str:
        parts = urlsplit(self.owner_url)
        return urlunsplit(
            parts._replace(netloc=parts.netloc.replace(self.owner, role, 1), query="")
        )


def _url(base: str, user: str, database: str, schema: str) -> str:
    parts = urlsplit(base)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(
        parts._replace(netloc=f"{user}@{host}", path=f"/{database}", query=f"schema={schema}")
    )


@pytest.fixture
def roles(postgres_url: str) -> Iterator[Roles]:
    tag = uuid.uuid4().hex[:10]
    owner, app, database = f"fabula_t_{tag}_owner", f"fabula_t_{tag}_app", f"fabula_t_{tag}"
    names = {"owner": sql.Identifier(owner), "app": sql.Identifier(app)}
    db = sql.Identifier(database)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {owner} LOGIN").format(**names))
        admin.execute(sql.SQL("CREATE ROLE {app} LOGIN").format(**names))
        try:
            admin.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0").format(db, names["owner"])
            )
            yield Roles(
                owner,
                app,
                _url(postgres_url, owner, database, SCHEMA),
                _url(postgres_url, app, database, SCHEMA),
            )
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(db))
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {app}").format(**names))
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {owner}").format(**names))


def _set_up(roles: Roles) -> None:
    """What the owner does once: migrate, grant, and let the app create read-model schemas."""
    assert main(["store", "migrate", roles.owner_url]) == 0
    assert main(["store", "grants", "--app-role", roles.app, roles.owner_url]) == 0
    with psycopg.connect(roles.conninfo(roles.owner), autocommit=True) as conn:
        database = conn.info.dbname
        grant = sql.SQL("GRANT CREATE ON DATABASE {} TO {}")
        conn.execute(grant.format(sql.Identifier(database), sql.Identifier(roles.app)))


def _event(kind: str = "Noted") -> NewEvent:
    return NewEvent(event_id=uuid.uuid4(), type=kind, data='{"n": 1}')


def _emails() -> Projection:
    projection = Projection("emails", tables=["emails"])

    @projection.setup
    def create(tx: Any) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS emails (id text PRIMARY KEY, email text)")

    @projection.on(Registered)
    def on_registered(tx: Any, event: fabula.Recorded[Registered]) -> None:
        tx.execute(
            "INSERT INTO emails VALUES (%s, %s)"
            " ON CONFLICT (id) DO UPDATE SET email = excluded.email",
            (event.event.customer_id, event.event.email),
        )

    @projection.on(fabula.SubjectForgotten)
    def on_forgotten(tx: Any, event: fabula.Recorded[fabula.SubjectForgotten]) -> None:
        tx.execute("UPDATE emails SET email = NULL WHERE id = %s", (event.event.subject,))

    return projection


def _log(roles: Roles) -> list[tuple[Any, ...]]:
    with psycopg.connect(roles.conninfo(roles.owner)) as conn:
        query = sql.SQL("SELECT * FROM {}.events ORDER BY position").format(sql.Identifier(SCHEMA))
        return conn.execute(query).fetchall()


def test_the_application_role_does_everything_the_store_needs(roles: Roles) -> None:
    _set_up(roles)
    with PostgresStore.from_url(roles.app_url, migrate="check") as store:
        first = store.append("note-1", [_event(), _event()])
        assert [e.version for e in store.read_stream("note-1")] == [1, 2]
        assert store.wait_for_events(0, timeout=10)
        assert [e.position for e in store.read_all()] == list(first.positions)
        with store.subscribe(after=0) as subscription:
            seen = subscription.next_batch(timeout=10)
        assert [e.position for e in seen] == list(first.positions)
        store.append_many([StreamAppend("note-2", [_event()]), StreamAppend("note-3", [_event()])])
        store.save_snapshot(
            SnapshotRecord(stream_id="note-1", version=2, type="NoteState", data='{"n": 2}')
        )
        assert store.load_snapshot("note-1") is not None
        store.archive_stream("note-2")
        store.unarchive_stream("note-2")
        store.truncate_stream("note-1", before=2)
        store.delete_stream("note-3")
        assert store.stream_state("note-3").status == "deleted"

        inline = InlineProjection(store, _emails(), schema=READ_SCHEMA)
        inline.attach()  # takes the SHARE lock on events through lock_log()
        repo = fabula.Repository(store, Customer, registry=inline.registry)
        repo.append("personal_customer-c1", [registered("c1")])
        personal = fabula.PersonalData(store, registry=inline.registry)
        assert personal.export("c1").events  # through the export index the app role keeps
        assert personal.forget("c1")
        loaded = repo.load("personal_customer-c1")
        assert loaded.state.email == fabula.REDACTED
        inline.detach()

        runner_target = PostgresTarget(f"{roles.app_url.split('?')[0]}?schema={READ_SCHEMA}_runner")
        with runner_target:
            runner = ProjectionRunner(
                store, _emails(), target=runner_target, registry=inline.registry
            )
            runner.run_until_caught_up()
            with runner_target.connection() as conn:
                emails = conn.execute("SELECT id, email FROM emails").fetchall()
        assert emails == [("c1", None)]
    with psycopg.connect(roles.conninfo(roles.app)) as conn:
        inline_rows = conn.execute(
            sql.SQL("SELECT id, email FROM {}.emails").format(sql.Identifier(READ_SCHEMA))
        ).fetchall()
    assert inline_rows == [("c1", None)]


def test_the_async_application_role_appends_reads_and_changes_lifecycles(roles: Roles) -> None:
    _set_up(roles)

    async def run() -> None:
        async with AsyncPostgresStore.from_url(roles.app_url, migrate="check") as store:
            await store.append("note-1", [_event(), _event()])
            await store.save_snapshot(
                SnapshotRecord(stream_id="note-1", version=2, type="NoteState", data="{}")
            )
            await store.archive_stream("note-1")
            await store.unarchive_stream("note-1")
            await store.truncate_stream("note-1", before=2)
            await store.delete_stream("note-1")
            assert (await store.stream_state("note-1")).status == "deleted"
            assert len(await store.read_all()) == 3
            assert await fabula.AsyncPersonalData(store).forget("c9") is False

    asyncio.run(run())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {events} SET data = '{{\"n\": 2}}'",
        "DELETE FROM {events}",
        "TRUNCATE {events}",
    ],
)
def test_no_role_can_change_or_remove_stored_events(roles: Roles, statement: str) -> None:
    _set_up(roles)
    with PostgresStore.from_url(roles.app_url, migrate="check") as store:
        store.append("note-1", [_event(), _event()])
    before = _log(roles)
    text = sql.SQL(statement).format(events=sql.Identifier(SCHEMA, "events"))
    with (
        psycopg.connect(roles.conninfo(roles.app), autocommit=True) as conn,
        pytest.raises(errors.InsufficientPrivilege, match="permission denied for table events"),
    ):
        conn.execute(text)
    with (
        psycopg.connect(roles.conninfo(roles.owner), autocommit=True) as conn,
        pytest.raises(errors.RestrictViolation, match=r"shop\.events is append-only") as caught,
    ):
        conn.execute(text)
    assert caught.value.diag.constraint_name == "events_append_only"
    assert _log(roles) == before


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE {events} ADD COLUMN note text",
        "ALTER TABLE {events} DISABLE TRIGGER events_append_only",
        "DROP TABLE {events}",
        "DROP TRIGGER events_append_only ON {events}",
        "CREATE TABLE {schema}.mine (a int)",
    ],
)
def test_the_application_role_cannot_alter_the_schema(roles: Roles, statement: str) -> None:
    _set_up(roles)
    schema = sql.Identifier(SCHEMA)
    text = sql.SQL(statement).format(events=sql.Identifier(SCHEMA, "events"), schema=schema)
    with (
        psycopg.connect(roles.conninfo(roles.app), autocommit=True) as conn,
        pytest.raises(errors.InsufficientPrivilege),
    ):
        conn.execute(text)


def test_the_owner_can_disable_the_trigger_as_an_escape_hatch(roles: Roles) -> None:
    _set_up(roles)
    with PostgresStore.from_url(roles.app_url, migrate="check") as store:
        store.append("note-1", [_event()])
    before = _log(roles)
    events = sql.Identifier(SCHEMA, "events")
    with psycopg.connect(roles.conninfo(roles.owner)) as conn:
        conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER events_append_only").format(events))
        changed = conn.execute(sql.SQL("UPDATE {} SET type = 'Fixed'").format(events))
        assert changed.rowcount == 1
        conn.rollback()  # the trigger is back on, and the row as it was
    assert _log(roles) == before
