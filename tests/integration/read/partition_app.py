"""One partitioned worker process (``PartitionedWorker``), configured like ``worker_app``.

``python -m tests.integration.read.partition_app`` runs until SIGTERM;
``FABULA_READ_TEST_PARTITIONS`` sets N (default 4).
"""

from __future__ import annotations

import logging
import os
import signal
import threading

from fabula.read import LeaseSettings, PartitionedWorker, open_target
from fabula.store import open_store
from tests.integration.read import worker_app
from tests.unit.read import domain


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(message)s")
    store_url = os.environ["FABULA_READ_TEST_STORE"]
    target_url = os.environ["FABULA_READ_TEST_TARGET"]
    delay = float(os.environ.get("FABULA_READ_TEST_DELAY", "0"))
    ttl = float(os.environ.get("FABULA_READ_TEST_TTL", "1.0"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    store, target = open_store(store_url), open_target(target_url)
    projection = worker_app.projection(mark=worker_app.mark_of(target_url), delay=delay)
    worker = PartitionedWorker(
        store,
        projection,
        target=target,
        partitions=int(os.environ.get("FABULA_READ_TEST_PARTITIONS", "4")),
        registry=domain.registry(),
        lease=LeaseSettings(ttl=ttl, acquire_interval=0.1),
        poll_interval=0.1,
    )
    worker.start()
    stop.wait()
    worker.stop()
    target.close()
    store.close()


if __name__ == "__main__":
    main()
