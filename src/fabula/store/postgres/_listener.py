"""The LISTEN side of wake-ups: one thread, one connection, reconnecting forever.

Rules:
1. Notifications are hints: each one (and each reconnection, which may have missed some)
   wakes the store's ``Notifier``; waiters then read the log, they never trust a payload.
2. The thread owns its connection. It waits on the connection's socket and on a wake-up
   socket, so ``close()`` returns at once instead of after a timeout.
3. A lost connection (``pg_terminate_backend``, a server restart) is replaced after a
   short, growing pause (50 ms up to 2 s). A silent network is found by a keep-alive
   query after ``keepalive`` seconds of quiet. Waiters poll meanwhile, so an outage
   delays them by at most the store's ``wake_interval``.

One listener serves the sync and the asyncio store alike: ``Notifier`` wakes threads and
asyncio tasks.
"""

from __future__ import annotations

import select
import socket
import threading
from typing import Any

import psycopg
from psycopg import pq, sql

from fabula.store._notify import Notifier

__all__ = ["Listener"]


class Listener:
    """Follows one NOTIFY channel from a background thread and wakes a ``Notifier``."""

    def __init__(
        self,
        conninfo: str,
        connect_kwargs: dict[str, Any],
        channel: str,
        notifier: Notifier,
        *,
        keepalive: float = 10.0,
    ) -> None:
        self._conninfo = conninfo
        self._kwargs = connect_kwargs
        self._listen = sql.SQL("LISTEN {}").format(sql.Identifier(channel))
        self._notifier = notifier
        self._keepalive = keepalive
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._wake_r, self._wake_w = socket.socketpair()
        self.connections = 0
        """How many times the listener has connected (and started listening)."""
        self.listening = threading.Event()
        """Set while a connection is listening; cleared while reconnecting."""

    def start(self) -> None:
        """Start the thread, once; later calls do nothing."""
        with self._lock:
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(
                target=self._run, name="fabula-postgres-listener", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        """Stop the thread and close its connection; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        self._wake_w.send(b"x")
        if thread is not None:
            thread.join(timeout=5.0)
        self._wake_r.close()
        self._wake_w.close()

    def _run(self) -> None:
        delay = 0.05
        while not self._closed:
            try:
                with psycopg.connect(self._conninfo, **self._kwargs) as conn:
                    conn.add_notify_handler(lambda _: self._notifier.notify())
                    conn.execute(self._listen)
                    self.connections += 1
                    self.listening.set()
                    delay = 0.05
                    self._notifier.notify()  # notifications may have been missed meanwhile
                    self._follow(conn)
            except (psycopg.Error, OSError):
                self.listening.clear()
                self._pause(delay)
                delay = min(delay * 2, 2.0)
        self.listening.clear()

    def _follow(self, conn: psycopg.Connection[Any]) -> None:
        """Wake the notifier per batch of notifications until closed or disconnected."""
        pgconn = conn.pgconn
        fileno, wake = conn.fileno(), self._wake_r.fileno()
        while not self._closed:
            ready, _, _ = select.select([fileno, wake], [], [], self._keepalive)
            if wake in ready:
                return
            if not ready:
                conn.execute("SELECT 1")  # raises if the connection died silently
                continue
            pgconn.consume_input()
            woken = False
            while pgconn.notifies() is not None:
                woken = True
            if woken:
                self._notifier.notify()
            if pgconn.status != pq.ConnStatus.OK:
                msg = "the listening connection was lost"
                raise psycopg.OperationalError(msg)

    def _pause(self, seconds: float) -> None:
        """Sleep before reconnecting, unless ``close()`` comes first."""
        select.select([self._wake_r], [], [], seconds)
