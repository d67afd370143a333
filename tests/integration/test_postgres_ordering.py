"""The PostgreSQL log's visibility horizon, step by step (see store/postgres/_ordering.py).

A gate makes one append stop inside its transaction, after it has its transaction id
(hence its positions): a trigger waits on an advisory lock the test holds. Meanwhile a
later append commits. A log ordered by a plain sequence would hand out the later events
first and skip the earlier ones once they commit; this one must hold the later ones back
until the earlier transaction ends, whether it commits or rolls back. Transactions that
are not appends of this store (in another database, or in this one on other tables) hold
nothing back.
"""

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from fabula._errors import StoreError
from fabula._postgres._settings import split_url
from fabula.cli._projections import slow_appends
from fabula.store import AppendResult, NewEvent
from fabula.store.postgres import AsyncPostgresStore, PostgresStore

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]

GATE = 4242

_GATE_SQL = """
CREATE FUNCTION {schema}.gate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.stream_id LIKE 'slow-%' THEN PERFORM pg_advisory_xact_lock_shared({gate}); END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER gate BEFORE INSERT ON {schema}.events
    FOR EACH ROW EXECUTE FUNCTION {schema}.gate();
"""


def _events(count: int) -> list[NewEvent]:
    return [NewEvent(event_id=uuid.uuid4(), type="Gated", data="{}") for _ in range(count)]


@pytest.fixture
def store(postgres_schema_url) -> Iterator[PostgresStore]:
    opened = PostgresStore.from_url(postgres_schema_url, application_name="gated-store")
    opened.open()
    schema = sql.Identifier(opened.settings.schema)
    with opened._db.pool.connection() as conn:
        conn.execute(sql.SQL(_GATE_SQL).format(schema=schema, gate=sql.Literal(GATE)))
    yield opened
    opened.close()


@pytest.fixture
def control(postgres_schema_url) -> Iterator[psycopg.Connection]:
    conninfo, _ = split_url(postgres_schema_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        yield conn


class _SlowAppend:
    """An append to a ``slow-`` stream, run in a thread, that waits at the gate."""

    def __init__(self, store: PostgresStore, control: psycopg.Connection) -> None:
        self.events = _events(2)
        self.result: AppendResult | None = None
        self.error: BaseException | None = None
        self._control = control
        control.execute("SELECT pg_advisory_lock(%s)", (GATE,))
        self._thread = threading.Thread(target=self._run, args=(store,), daemon=True)
        self._thread.start()
        self._wait_at_gate()

    def _run(self, store: PostgresStore) -> None:
        try:
            self.result = store.append("slow-1", self.events)
        except BaseException as exc:
            self.error = exc

    def _wait_at_gate(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.waiting_pid() is not None:
                return
            time.sleep(0.01)
        pytest.fail("the slow append never reached the gate")

    def waiting_pid(self) -> int | None:
        row = self._control.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'gated-store'"
            " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
        ).fetchone()
        return None if row is None else row[0]

    def open_gate(self) -> None:
        self._control.execute("SELECT pg_advisory_unlock(%s)", (GATE,))
        self._thread.join(10)


def test_a_later_commit_waits_behind_an_earlier_transaction(store, control):
    before = store.head()
    slow = _SlowAppend(store, control)
    later = _events(3)
    fast = store.append("fast-1", later)
    assert store.read_all(after=before) == [], "a position was returned past an open one"
    assert store.head() == before
    assert store.wait_for_events(before, timeout=0.3) is False
    assert store.read_stream("fast-1") != [], "stream reads are not held back"
    slow.open_gate()
    assert slow.error is None
    assert slow.result is not None
    # Other sessions of the server may hold the horizon back for a moment, never for good.
    assert store.wait_for_events(fast.positions[-1] - 1, timeout=10)
    log = store.read_all(after=before)
    assert [e.event_id for e in log] == [e.event_id for e in slow.events + later]
    assert max(slow.result.positions) < min(fast.positions), "positions follow transaction ids"
    assert store.head() == fast.positions[-1]


def test_a_rolled_back_transaction_releases_the_horizon(store, control):
    before = store.head()
    slow = _SlowAppend(store, control)
    fast = store.append("fast-1", _events(1))
    assert store.read_all(after=before) == []
    control.execute("SELECT pg_cancel_backend(%s)", (slow.waiting_pid(),))
    slow.open_gate()
    assert isinstance(slow.error, StoreError), slow.error
    assert "canceled" in str(slow.error)
    assert store.wait_for_events(fast.positions[-1] - 1, timeout=10)
    log = store.read_all(after=before)
    assert [e.position for e in log] == list(fast.positions)
    assert store.read_stream("slow-1") == []
    assert store.stream_version("slow-1") == 0


@contextlib.contextmanager
def _writers_outside_the_store(conninfo: str) -> Iterator[None]:
    """Hold two write transactions open: one in a scratch database, one in this database.

    Neither touches the store's tables; both have transaction ids, which PostgreSQL lists
    as running in every snapshot of the server until they end.
    """
    name = f"fabula_foreign_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            with (
                psycopg.connect(conninfo, dbname=name) as foreign,
                psycopg.connect(conninfo) as local,
            ):
                for conn in (foreign, local):  # not autocommit: transactions stay open
                    conn.execute("CREATE TEMPORARY TABLE scratch (n int)")
                    conn.execute("INSERT INTO scratch VALUES (1)")
                try:
                    yield
                finally:
                    foreign.rollback()
                    local.rollback()
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_transactions_outside_the_store_do_not_hold_the_log(store, postgres_schema_url):
    before = store.head()
    conninfo, _ = split_url(postgres_schema_url)
    subscription = store.subscribe(after=before, poll_interval=0.1)
    try:
        with _writers_outside_the_store(conninfo):
            result = store.append("ahead-1", _events(2))
            assert store.wait_for_events(before, timeout=5), "held back by foreign writers"
            assert [e.position for e in store.read_all(after=before)] == list(result.positions)
            assert store.head() == result.positions[-1]
            seen = subscription.next_batch(timeout=5)
            assert [e.position for e in seen] == list(result.positions)
    finally:
        subscription.close()


def test_a_slow_append_is_named_while_it_holds_the_log(store, control):
    assert store.running_appends() == []
    slow = _SlowAppend(store, control)
    try:
        time.sleep(0.2)
        [running] = store.running_appends()
        assert running.pid == slow.waiting_pid()
        assert running.application_name == "gated-store"
        assert running.seconds >= 0.2
        [line] = slow_appends(store, longer_than=0.1)
        assert f"pid {running.pid}" in line
        assert "'gated-store'" in line
        assert slow_appends(store, longer_than=60) == []
    finally:
        slow.open_gate()
    assert slow.error is None
    assert store.running_appends() == []


def test_the_asyncio_store_lists_only_its_own_running_appends(postgres_schema_url):
    schema = split_url(postgres_schema_url)[1]
    announce = "SELECT pg_advisory_xact_lock_shared(hashtext('fabula.append'), hashtext(%s))"

    async def listed() -> list[int]:
        async with AsyncPostgresStore.from_url(postgres_schema_url) as store:
            return [running.pid for running in await store.running_appends()]

    conninfo, _ = split_url(postgres_schema_url)
    with psycopg.connect(conninfo) as ours, psycopg.connect(conninfo) as theirs:
        ours.execute(announce, (schema,))  # an append of this store, in flight
        theirs.execute(announce, (f"{schema}-other",))  # one of another store
        assert asyncio.run(listed()) == [ours.info.backend_pid]
        ours.rollback()
        assert asyncio.run(listed()) == []
        theirs.rollback()


def test_a_finished_transaction_binds_the_horizon_only_if_it_wrote_to_the_log(
    store, postgres_schema_url
):
    # log_horizon asks log_wrote about a listed transaction that ended during the read.
    schema = sql.Identifier(store.settings.schema)
    wrote = sql.SQL("SELECT {}.log_wrote(%s)").format(schema)
    conninfo, _ = split_url(postgres_schema_url)
    with psycopg.connect(conninfo, autocommit=True) as conn, psycopg.connect(conninfo) as other:
        row = other.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()
        assert row is not None
        running = row[0]
        assert conn.execute(wrote, (running,)).fetchone() == (True,), "running: may write"
        other.commit()
        assert conn.execute(wrote, (running,)).fetchone() == (False,), "ended, wrote nothing"
        result = store.append("wrote-1", _events(1))
        appended = (result.positions[0] >> 16) - _offset(conn, store)
        assert conn.execute(wrote, (appended,)).fetchone() == (True,), "an append of the log"


def _offset(conn: psycopg.Connection, store: PostgresStore) -> int:
    query = sql.SQL("SELECT xid_offset FROM {}.log_clock")
    row = conn.execute(query.format(sql.Identifier(store.settings.schema))).fetchone()
    assert row is not None
    return int(row[0])
