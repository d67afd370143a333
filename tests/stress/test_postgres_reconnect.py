"""A PostgreSQL subscriber whose connections are killed mid-stream resumes and misses nothing.

While a writer appends, the server terminates every connection of the subscriber's store
(``pg_terminate_backend``: its pooled connections and its LISTEN connection) three
times. The subscriber must go on, deliver every event exactly once and in order, and its
wake-up connection must come back.
"""

import asyncio
import itertools
import threading
import time
import uuid

import psycopg
import pytest

from fabula._postgres._settings import split_url
from fabula.store import NewEvent, StoredEvent
from fabula.store.postgres import AsyncPostgresStore, PostgresStore

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

APPENDS = 300
KILLS = 3


def _terminate(url: str, application_name: str) -> int:
    """Terminate every backend of ``application_name``; return how many there were."""
    conninfo, _ = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchall()
    return len(rows)


class _Writer:
    """Appends APPENDS single events from a thread, killing the subscriber's connections
    KILLS times along the way."""

    def __init__(self, url: str, victim: str) -> None:
        self.written: list[uuid.UUID] = []
        self.killed: list[int] = []
        self._url, self._victim = url, victim
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            with PostgresStore.from_url(self._url, application_name="stress-writer") as store:
                store.open()
                kill_every = APPENDS // (KILLS + 1)
                for n in range(APPENDS):
                    event = NewEvent(event_id=uuid.uuid4(), type="Followed", data="{}")
                    store.append(f"followed-{n % 5}", [event])
                    self.written.append(event.event_id)
                    if n % kill_every == kill_every - 1 and len(self.killed) < KILLS:
                        time.sleep(0.05)  # let the subscriber catch up and wait
                        self.killed.append(_terminate(self._url, self._victim))
                    time.sleep(0.002)
        except BaseException as exc:
            self._errors.append(exc)

    def join(self) -> None:
        self._thread.join(60)
        assert not self._errors, self._errors


def _expect_complete(seen: list[StoredEvent], writer: _Writer) -> None:
    assert len(writer.killed) == KILLS
    assert all(killed >= 1 for killed in writer.killed), writer.killed
    ids = [event.event_id for event in seen]
    assert ids == writer.written, f"missed {len(set(writer.written) - set(ids))} events"
    positions = [event.position for event in seen]
    assert all(a < b for a, b in itertools.pairwise(positions))


def test_sync_subscriber_survives_terminated_connections(postgres_schema_url):
    victim = f"stress-sub-{uuid.uuid4().hex[:8]}"
    store = PostgresStore.from_url(postgres_schema_url, application_name=victim)
    store.open()
    writer = _Writer(postgres_schema_url, victim)
    seen: list[StoredEvent] = []
    try:
        with store.subscribe(after=store.head(), poll_interval=0.5) as subscription:
            writer.start()
            deadline = time.monotonic() + 60
            while len(seen) < APPENDS and time.monotonic() < deadline:
                seen.extend(subscription.next_batch(timeout=1.0))
        writer.join()
        _expect_complete(seen, writer)
        assert store._wakeups.connections >= 2, "the LISTEN connection was never replaced"
        assert store._db.pool.get_stats().get("returns_bad", 0) >= 1, (
            "no read hit a dead connection"
        )
    finally:
        store.close()


def test_async_subscriber_survives_terminated_connections(postgres_schema_url):
    victim = f"stress-asub-{uuid.uuid4().hex[:8]}"

    async def follow() -> tuple[list[StoredEvent], _Writer, int, int]:
        seen: list[StoredEvent] = []
        async with AsyncPostgresStore.from_url(
            postgres_schema_url, application_name=victim
        ) as store:
            writer = _Writer(postgres_schema_url, victim)
            async with store.subscribe(after=await store.head()) as subscription:
                writer.start()
                deadline = time.monotonic() + 60
                while len(seen) < APPENDS and time.monotonic() < deadline:
                    seen.extend(await subscription.next_batch(timeout=1.0))
            await asyncio.to_thread(writer.join)
            bad = store._db.pool.get_stats().get("returns_bad", 0)
            return seen, writer, store._wakeups.connections, bad

    seen, writer, connections, bad = asyncio.run(follow())
    _expect_complete(seen, writer)
    assert connections >= 2, "the LISTEN connection was never replaced"
    assert bad >= 1, "no read hit a dead connection"
