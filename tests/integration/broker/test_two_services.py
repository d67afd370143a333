"""Two services in their own processes, with their own stores, talking only through JetStream.

The orders service (SQLite) publishes through its outbox relay; the shipping service
(PostgreSQL) ships through its inbox. Both are killed with ``kill -9`` mid-stream, inside
their windows of doubt (published but not checkpointed; shipped but not acked), then
restarted. Every order must end with exactly one parcel, and the broker with exactly one
message per order.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from examples.two_services import orders
from fabula import open_async_store, open_store
from tests.integration.broker._nats import count, jetstream

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[3]
ORDERS = 60


def place(url: str, first: int, n: int) -> None:
    async def main() -> None:
        store = open_async_store(url)
        flow = orders.make_flow(store)
        for i in range(first, first + n):
            await flow.dispatch(orders.PlaceOrder(f"o{i}", 1 + i % 3, f"street {i}"))
        await store.close()

    asyncio.run(main())


def parcels(url: str) -> Counter[str]:
    with open_store(url) as store:
        return Counter(e.stream_id for e in store.read_all(types=["ParcelSent"]))


def published(nats_url: str, stream: str) -> int:
    async def main() -> int:
        async with jetstream(nats_url, stream) as js:
            return await count(js, stream)

    return asyncio.run(main())


def relay_lag(orders_url: str, stream: str) -> int:
    """The relay's lag as ``fabula projections status`` prints it."""
    command = [sys.executable, "-m", "fabula", "projections", "status"]
    command += ["--app", "examples.two_services.service:projections"]
    env = {**os.environ, "ORDERS_STORE": orders_url, "ORDERS_STREAM": stream}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    row = next(line for line in done.stdout.splitlines() if line.startswith("orders_outbox"))
    return int(row.split()[3])


def wait_until(what: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def services(nats_url: str, stream_name: str) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(side: str, store: str, pause: float) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "examples.two_services.service", side]
        command += ["--store", store, "--nats", nats_url, "--stream", stream_name]
        command += ["--pause", str(pause)]
        process = subprocess.Popen(command, cwd=ROOT)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def kill9(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_every_order_ships_exactly_once_across_kill_9(
    tmp_path: Path,
    postgres_schema_url: str,
    nats_url: str,
    stream_name: str,
    services: Callable[..., subprocess.Popen[bytes]],
) -> None:
    orders_url = f"sqlite:///{tmp_path / 'orders.db'}"
    shipping_url = postgres_schema_url
    open_store(shipping_url).close()  # migrated before the inbox process starts
    place(orders_url, 0, ORDERS)

    relay = services("relay", orders_url, 0.02)
    inbox = services("inbox", shipping_url, 0.02)
    wait_until(lambda: published(nats_url, stream_name) >= ORDERS // 4)
    kill9(relay)
    assert published(nats_url, stream_name) < ORDERS  # killed mid-stream
    assert relay_lag(orders_url, stream_name) > 0
    wait_until(lambda: sum(parcels(shipping_url).values()) >= ORDERS // 8)
    kill9(inbox)
    assert sum(parcels(shipping_url).values()) < ORDERS

    place(orders_url, ORDERS, ORDERS)  # the orders service takes more while its relay is down
    services("relay", orders_url, 0.0)
    services("inbox", shipping_url, 0.0)
    wait_until(lambda: len(parcels(shipping_url)) == 2 * ORDERS)
    time.sleep(3.0)  # past the consumer's ack_wait: any redelivery has come and gone

    shipped = parcels(shipping_url)
    assert set(shipped) == {f"shipment-o{i}" for i in range(2 * ORDERS)}
    assert set(shipped.values()) == {1}, "a parcel shipped twice"
    assert published(nats_url, stream_name) == 2 * ORDERS
    assert relay_lag(orders_url, stream_name) == 0
