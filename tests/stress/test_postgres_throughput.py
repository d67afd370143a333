"""Eight writer processes: fabula's PostgreSQL append against a one-lock baseline.

The baseline is how the leading Python event store orders its log: each append takes
``LOCK TABLE ... IN EXCLUSIVE MODE`` and holds it until commit, so writers to different
streams queue behind one another. fabula's writers share no lock (see
store/postgres/_ordering.py). Both run the same way: eight processes, one connection
each, one event per append to the writer's own streams, for a fixed time.

Two rounds: without pauses (the server's own cost), and with 5 ms of work inside every
transaction (an application that does something while its transaction is open), where
one lock must serialize everything. Only the second round's ratio is asserted: the first
depends on the machine. Run with ``-s`` to see the figures.
"""

import multiprocessing
import time
import uuid

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from fabula._postgres._settings import split_url
from fabula.store import NewEvent
from fabula.store.postgres import PostgresStore

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

WRITERS = 8
SECONDS = 2.5
PAUSE = 0.005

_SETUP = """
CREATE TABLE {schema}.locked_events (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id text NOT NULL, version bigint NOT NULL, event_id uuid NOT NULL UNIQUE,
    type text NOT NULL, data json NOT NULL, metadata json NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, version));
CREATE FUNCTION {schema}.pause() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('stress.pause', true) = 'on' THEN PERFORM pg_sleep({pause}); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pause AFTER INSERT ON {schema}.events
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.pause();
CREATE TRIGGER pause AFTER INSERT ON {schema}.locked_events
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.pause();
"""

_LOCKED_APPEND = """
INSERT INTO {schema}.locked_events (stream_id, version, event_id, type, data, metadata)
VALUES (%s, %s, %s, 'Measured', '{{"n": 1}}', '{{}}')
"""


def _writer(url: str, kind: str, pause: bool, index: int, ready, go, counts) -> None:
    """Append for SECONDS after ``go``; report the number of appends (or the error)."""
    try:
        counts.put(_append_for_a_while(url, kind, pause, index, ready, go))
    except BaseException as exc:
        ready.put(index)
        counts.put(repr(exc))


def _append_for_a_while(url: str, kind: str, pause: bool, index: int, ready, go) -> int:
    url_conninfo, schema = split_url(url)
    conninfo = make_conninfo(url_conninfo, options=f"-c stress.pause={'on' if pause else 'off'}")
    versions: dict[str, int] = {}
    appends = 0
    if kind == "fabula":
        store = PostgresStore(conninfo, schema=schema or "", min_size=1, max_size=1)
        store.open()
        ready.put(index)
        go.wait(60)
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            event = NewEvent(event_id=uuid.uuid4(), type="Measured", data='{"n": 1}')
            store.append(f"{kind}{pause:d}w{index}-{appends % 20}", [event])
            appends += 1
        store.close()
    else:
        name = sql.Identifier(schema or "")
        lock = sql.SQL("LOCK TABLE {}.locked_events IN EXCLUSIVE MODE").format(name)
        insert = sql.SQL(_LOCKED_APPEND).format(schema=name)
        with psycopg.connect(conninfo) as conn:
            ready.put(index)
            go.wait(60)
            deadline = time.monotonic() + SECONDS
            while time.monotonic() < deadline:
                stream = f"{kind}{pause:d}w{index}-{appends % 20}"
                versions[stream] = versions.get(stream, 0) + 1
                with conn.transaction():
                    conn.execute(lock)
                    conn.execute(insert, (stream, versions[stream], uuid.uuid4()))
                appends += 1
    return appends


def _measure(url: str, kind: str, *, pause: bool) -> float:
    """Run WRITERS writer processes of ``kind``; return appends per second."""
    context = multiprocessing.get_context("spawn")
    ready, go, counts = context.Queue(), context.Event(), context.Queue()
    processes = [
        context.Process(target=_writer, args=(url, kind, pause, i, ready, go, counts))
        for i in range(WRITERS)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=60)
    go.set()
    reports = [counts.get(timeout=60) for _ in processes]
    assert all(isinstance(report, int) for report in reports), reports
    total: int = sum(reports)
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    return total / SECONDS


def test_writers_share_no_lock(postgres_schema_url):
    conninfo, schema = split_url(postgres_schema_url)
    with PostgresStore.from_url(postgres_schema_url) as store:
        store.head()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        setup = sql.SQL(_SETUP).format(
            schema=sql.Identifier(schema or ""), pause=sql.Literal(PAUSE)
        )
        conn.execute(setup)
    figures = {
        (kind, pause): _measure(postgres_schema_url, kind, pause=pause)
        for pause in (False, True)
        for kind in ("fabula", "lock")
    }
    for (kind, pause), rate in figures.items():
        label = f"{PAUSE * 1000:.0f} ms pause" if pause else "no pause"
        print(f"{kind:6s} writers={WRITERS} {label:12s} appends/s={rate:.0f}")
    # One lock makes 8 writers wait out each other's pause: at most 1 / PAUSE a second.
    assert figures["lock", True] < 1.1 / PAUSE
    assert figures["fabula", True] > 2.5 * figures["lock", True]
