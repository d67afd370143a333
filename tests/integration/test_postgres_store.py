"""The PostgreSQL store against a real server, beyond the conformance suite.

Opening by URL, errors a user sees, one schema per application, recovery after lost
connections, wake-ups between processes (and without them), bounded-memory reads.
"""

import asyncio
import threading
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import replace

import psycopg
import pytest
from psycopg import sql

from fabula._errors import ClosedError, CodecError, ConfigurationError, SchemaError, StoreError
from fabula._postgres._settings import split_url
from fabula.store import NewEvent, StreamAppend, open_async_store, open_store
from fabula.store.postgres import AsyncPostgresStore, PostgresStore, drop_schema
from fabula.store.postgres._ordering import MAX_APPEND

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]


def _events(count: int, data: str = "{}") -> list[NewEvent]:
    return [NewEvent(event_id=uuid.uuid4(), type="Tested", data=data) for _ in range(count)]


def _terminate(url: str, application_name: str) -> int:
    conninfo, _ = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchall()
    return len(rows)


class _Background:
    """Run a function in a thread for the duration of a ``with`` block."""

    def __init__(self, function) -> None:
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(function,), daemon=True)

    def _run(self, function) -> None:
        try:
            function()
        except BaseException as exc:
            self._errors.append(exc)

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(self, *exc_info) -> None:
        self._thread.join(10)
        assert not self._errors, self._errors


@pytest.fixture
def store(postgres_schema_url) -> Iterator[PostgresStore]:
    with PostgresStore.from_url(postgres_schema_url) as opened:
        yield opened


def test_open_store_routes_postgresql_urls(postgres_schema_url):
    sync_store = open_store(postgres_schema_url, max_size=2)
    try:
        assert isinstance(sync_store, PostgresStore)
        assert sync_store.settings.max_size == 2
        assert sync_store.settings.schema == split_url(postgres_schema_url)[1]
        sync_store.append("routed-1", _events(1))
    finally:
        sync_store.close()

    async def use() -> int:
        async_store = open_async_store(postgres_schema_url.replace("postgresql:", "postgres:"))
        assert isinstance(async_store, AsyncPostgresStore)
        try:
            return await async_store.stream_version("routed-1")
        finally:
            await async_store.close()

    assert asyncio.run(use()) == 1


def test_settings_are_checked_when_the_store_is_built():
    with pytest.raises(ConfigurationError, match="names schema 'a' and the settings 'b'"):
        PostgresStore.from_url("postgresql://h/db?schema=a", schema="b")
    with pytest.raises(ConfigurationError, match="1 to 63 bytes"):
        PostgresStore("postgresql://h/db", schema="x" * 64)
    with pytest.raises(ConfigurationError, match="not a PostgreSQL URL"):
        PostgresStore.from_url("mysql://h/db")
    with pytest.raises(ConfigurationError, match="migrate must be"):
        PostgresStore("postgresql://h/db", migrate="sometimes")  # type: ignore[arg-type]


def test_a_store_opens_from_a_url_a_libpq_string_or_settings_as_a_target_does():
    by_url = PostgresStore("postgresql://u@h/db?schema=orders&sslmode=disable", max_size=3)
    assert by_url.settings.schema == "orders"
    assert by_url.settings.conninfo == "postgresql://u@h/db?sslmode=disable"
    by_settings = PostgresStore(by_url.settings, migrate="check")
    assert by_settings.settings == replace(by_url.settings, migrate="check")
    assert PostgresStore("host=h dbname=db").settings.schema == "fabula"
    with pytest.raises(ConfigurationError, match="two schemas for one PostgreSQL store"):
        PostgresStore("postgresql://h/db?schema=a", schema="b")
    with pytest.raises(ConfigurationError, match="its PostgresSettings names schema 'orders'"):
        PostgresStore(by_url.settings, schema="other")
    for store in (by_url, by_settings):
        store.close()


def test_an_unreachable_server_gives_one_clear_error():
    store = PostgresStore("postgresql://postgres@127.0.0.1:1/test", connect_timeout=2)
    started = time.monotonic()
    try:
        with pytest.raises(
            StoreError, match=r"^cannot connect to PostgreSQL at 127\.0\.0\.1:1/test: "
        ):
            store.head()
    finally:
        store.close()
    assert time.monotonic() - started < 5


def test_each_schema_is_its_own_store(postgres_url, postgres_schema_url):
    other_url = postgres_schema_url.replace("schema=", "schema=other_")
    try:
        with (
            PostgresStore.from_url(postgres_schema_url, poll_interval=10) as one,
            PostgresStore.from_url(other_url) as other,
        ):
            other.append("shared-name-1", _events(2))
            assert one.read_all() == []
            assert one.stream_version("shared-name-1") == 0
            assert one.list_streams() == []
            started = time.monotonic()
            assert one.wait_for_events(0, timeout=0.5) is False, "woken by another schema"
            assert time.monotonic() - started >= 0.45
            one.append("shared-name-1", _events(1))
            assert other.stream_version("shared-name-1") == 2
    finally:
        drop_schema(other_url)


def test_a_dropped_schema_is_a_schema_error(store, postgres_schema_url):
    store.append("dropped-1", _events(1))
    drop_schema(postgres_schema_url)
    with pytest.raises(SchemaError, match="missing fabula's tables"):
        store.read_stream("dropped-1")


def test_an_argument_of_the_wrong_type_is_not_a_damaged_schema(store):
    # Past the stores' own argument checks: the driver error itself must say what is wrong.
    store.append("typed-1", _events(1))
    with pytest.raises(ConfigurationError, match=r"argument of this type \[42883\]") as caught:
        store._db.read(store._sql.stream_version, {"stream_id": 42})
    assert not isinstance(caught.value, SchemaError)
    assert "operator does not exist" in str(caught.value)
    assert store.stream_version("typed-1") == 1


def test_a_closed_store_says_so(postgres_schema_url):
    store = PostgresStore.from_url(postgres_schema_url)
    store.close()
    with pytest.raises(ClosedError, match="is closed"):
        store.head()


def test_invalid_json_is_refused_and_nothing_is_written(store):
    bad = NewEvent(event_id=uuid.uuid4(), type="Bad", data="{not json")
    # Refused before any SQL runs, with the CodecError every backend raises.
    with pytest.raises(CodecError, match="is not valid JSON") as caught:
        store.append("json-1", [*_events(1), bad])
    assert type(caught.value) is CodecError
    assert store.stream_version("json-1") == 0


def test_an_oversized_append_is_refused_before_it_is_sent(store):
    with pytest.raises(ConfigurationError, match="at most 65536 events"):
        store.append("huge-1", _events(MAX_APPEND + 1))


def test_streams_are_listed_in_code_point_order(store):
    names = ["b", "a-1", "a-2", "é", "z", "日本", "a\U0010ffff", "ab"]
    for name in names:
        store.append(name, _events(1))
    assert [info.stream_id for info in store.list_streams()] == sorted(names)
    assert [info.stream_id for info in store.list_streams("a")] == sorted(
        n for n in names if n.startswith("a")
    )
    assert [i.stream_id for i in store.list_streams("a", after="a-2", limit=1)] == ["ab"]
    assert store.count_streams("a\U0010ffff") == 1
    assert store.count_streams("日") == 1


def test_the_pool_recovers_when_its_connections_are_killed(postgres_schema_url):
    name = f"killed-{uuid.uuid4().hex[:8]}"
    with PostgresStore.from_url(postgres_schema_url, application_name=name, min_size=3) as store:
        store.append("survivor-1", _events(1))
        time.sleep(0.2)  # let the pool open its minimum of connections
        assert _terminate(postgres_schema_url, name) >= 1
        assert store.stream_version("survivor-1") == 1
        result = store.append("survivor-1", _events(1))
        assert result.version == 2
        assert not result.deduplicated


def test_another_process_wakes_a_waiter_through_notify(postgres_schema_url):
    with (
        PostgresStore.from_url(postgres_schema_url, poll_interval=30) as waiter,
        PostgresStore.from_url(postgres_schema_url) as writer,
    ):
        head = waiter.head()
        assert waiter.wait_for_events(head, timeout=0.1) is False  # starts listening
        assert waiter._wakeups.listening.wait(5)
        writer.append("woken-1", _events(1))
        started = time.monotonic()
        assert waiter.wait_for_events(head, timeout=20) is True
        assert time.monotonic() - started < 2, "woken by polling, not by NOTIFY"


def test_a_lost_notification_only_delays_a_waiter(postgres_schema_url):
    with (
        PostgresStore.from_url(postgres_schema_url, poll_interval=0.3) as waiter,
        PostgresStore.from_url(postgres_schema_url) as writer,
    ):
        writer._wakeups.announce = lambda: None  # type: ignore[method-assign]  # all lost
        head = waiter.head()
        waiter.wait_for_events(head, timeout=0.1)
        assert waiter._wakeups.listening.wait(5)

        def late_append() -> None:
            time.sleep(0.2)
            writer.append("unannounced-1", _events(1))

        started = time.monotonic()
        with _Background(late_append):
            assert waiter.wait_for_events(head, timeout=10) is True
        assert time.monotonic() - started < 2, "a lost notification stalled the waiter"


def test_the_listener_comes_back_after_its_connection_is_killed(postgres_schema_url):
    name = f"listener-{uuid.uuid4().hex[:8]}"
    with (
        PostgresStore.from_url(postgres_schema_url, poll_interval=30, application_name=name) as w,
        PostgresStore.from_url(postgres_schema_url) as writer,
    ):
        head = w.head()
        w.wait_for_events(head, timeout=0.1)
        assert w._wakeups.listening.wait(5)
        assert _terminate(postgres_schema_url, name) >= 1
        deadline = time.monotonic() + 10
        while w._wakeups.connections < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert w._wakeups.listening.wait(5), "the listener did not reconnect"
        writer.append("relistened-1", _events(1))
        started = time.monotonic()
        assert w.wait_for_events(head, timeout=20) is True
        assert time.monotonic() - started < 2, "woken by polling, not by NOTIFY"


def test_long_reads_page_with_bounded_memory(store):
    count, page = 6000, 200
    payload = '{"text": "' + "x" * 400 + '"}'
    results = [store.append("long-1", _events(1000, payload)) for _ in range(count // 1000)]
    assert store.wait_for_events(results[-1].positions[-1] - 1, timeout=10)  # past the horizon

    def peak(read) -> int:
        tracemalloc.start()
        try:
            read()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def iterate_stream() -> None:
        versions = [event.version for event in store.iter_stream("long-1", page_size=page)]
        assert versions == list(range(1, count + 1))

    def iterate_log() -> None:
        assert sum(1 for _ in store.iter_all(page_size=page)) == count

    whole = peak(lambda: store.read_stream("long-1"))
    assert peak(iterate_stream) < whole / 5
    assert peak(iterate_log) < whole / 5
    tail = list(store.iter_stream("long-1", from_version=count - 2, page_size=2))
    assert [event.version for event in tail] == [count - 2, count - 1, count]


def test_schema_names_are_quoted_identifiers(postgres_url):
    schema = f'Odd "name"; DROP {uuid.uuid4().hex[:6]}'
    url = f"{postgres_url}?schema={schema.replace(' ', '%20').replace(';', '%3B')}"
    try:
        with PostgresStore.from_url(url) as store:
            assert store.settings.schema == schema
            store.append("quoted-1", _events(1))
            assert store.stream_version("quoted-1") == 1
        conninfo, _ = split_url(url)
        with psycopg.connect(conninfo) as conn:
            query = sql.SQL("SELECT count(*) FROM {}.events").format(sql.Identifier(schema))
            assert conn.execute(query).fetchone() == (1,)
    finally:
        drop_schema(url)


def test_a_wake_up_held_back_by_the_horizon_looks_again_soon(postgres_schema_url):
    conninfo, _ = split_url(postgres_schema_url)
    with (
        PostgresStore.from_url(postgres_schema_url, poll_interval=30) as waiter,
        PostgresStore.from_url(postgres_schema_url) as writer,
        psycopg.connect(conninfo) as other,  # an append of the store that stays open a while
    ):
        head = waiter.head()
        waiter.wait_for_events(head, timeout=0.05)
        assert waiter._wakeups.listening.wait(5)
        # Like an append of another process: announced, with a transaction id, no NOTIFY.
        other.execute(
            "SELECT pg_advisory_xact_lock_shared(hashtext('fabula.append'), hashtext(%s)),"
            " pg_current_xact_id()",
            (waiter.settings.schema,),
        )

        def append_then_release() -> None:
            writer.append("held-1", _events(1))  # its NOTIFY comes while the horizon is held
            time.sleep(0.3)
            other.commit()  # no NOTIFY comes with this one

        started = time.monotonic()
        with _Background(append_then_release):
            assert waiter.wait_for_events(head, timeout=20) is True
            took = time.monotonic() - started
        assert 0.25 < took < 2, f"took {took:.2f} s: the waiter did not look again soon"


def test_append_many_batches_that_share_streams_never_deadlock(store):
    """Threads append to the same streams in opposite orders: every batch commits whole."""
    streams = [f"shared-{i}" for i in range(5)]
    errors: list[BaseException] = []
    rounds, threads = 20, 4

    def work(index: int) -> None:
        order = streams if index % 2 else streams[::-1]
        try:
            for _ in range(rounds):
                store.append_many([StreamAppend(s, _events(1)) for s in order])
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    for stream in streams:
        versions = [e.version for e in store.read_stream(stream)]
        assert versions == list(range(1, rounds * threads + 1))
    last = max(e.position for s in streams for e in store.read_stream(s))
    assert store.wait_for_events(last - 1, timeout=10), "the log's horizon stayed behind"
    positions = [e.position for e in store.iter_all()]
    assert len(positions) == len(set(positions)) == rounds * threads * len(streams)


def test_an_oversized_append_many_is_refused_before_it_is_sent(store):
    half = MAX_APPEND // 2 + 1
    with pytest.raises(ConfigurationError, match="append_many"):
        store.append_many([StreamAppend("a", _events(half)), StreamAppend("b", _events(half))])
    assert store.head() == 0
