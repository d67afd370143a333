"""Wake-ups between processes: LISTEN for other writers, NOTIFY for our own appends.

Rules:
1. Wake-ups are hints. Each notification received (and each reconnection, which may have
   missed some) wakes the store's ``Notifier``; waiters then read the log. Payloads are
   never trusted, and waiters poll every ``poll_interval`` anyway.
2. An append never waits for its NOTIFY. It calls ``announce()``, which only marks a
   notification as due; this module's thread sends it, so a burst of appends costs one
   NOTIFY, not one each. A NOTIFY inside the append's transaction would instead take
   PostgreSQL's commit-time notification lock and serialize every writer's commit.
3. The NOTIFY goes out after the append committed (``announce()`` is called then), on a
   connection with ``synchronous_commit`` off: a notification need not survive a crash,
   so it never waits for a disk flush while holding that lock. NOTIFYs from one store
   are at least ``_NOTIFY_GAP`` apart; appends in between share the next one. None is
   sent while no other connection listens on the channel (see ``_KEY``).
4. One thread and one connection per store, started by the first ``announce()`` or
   ``listen()``. The thread waits on its connection and on a wake-up socket, so
   ``close()`` returns at once. A lost connection (``pg_terminate_backend``, a restart)
   is replaced after a short, growing pause (50 ms up to 2 s); a silent network is found
   by a keep-alive query after ``keepalive`` seconds of quiet.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from typing import Any

import psycopg
from psycopg import pq, sql

from fabula.store._notify import Notifier

__all__ = ["Wakeups"]

# Listeners hold this advisory lock (shared) while they listen, so a sender can tell
# whether anyone listens: if it gets the lock exclusively, nobody does, and it sends
# nothing. A listener wakes its waiters after it starts listening, so it misses nothing.
_KEY = "hashtext('fabula.listen'), hashtext({})"
_LISTEN = "SELECT pg_advisory_lock_shared({key}); LISTEN {channel}"
_NOTIFY = "SELECT pg_notify({channel}, '') WHERE NOT pg_try_advisory_xact_lock({key})"

_NOTIFY_GAP = 0.01
"""Least time between two NOTIFYs from one store: at most 100 a second, 10 ms late at most."""


class Wakeups:
    """Sends and receives NOTIFY on one channel from a background thread."""

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
        name, key = sql.Literal(channel), sql.SQL(_KEY).format(sql.Literal(channel))
        self._listen = sql.SQL(_LISTEN).format(key=key, channel=sql.Identifier(channel))
        self._notify = sql.SQL(_NOTIFY).format(key=key, channel=name)
        self._notifier = notifier
        self._keepalive = keepalive
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._listen_wanted = False
        self._due = False
        self._pair: tuple[socket.socket, socket.socket] | None = None
        self.connections = 0
        """How many connections the thread has opened so far."""
        self.listening = threading.Event()
        """Set while a connection is listening; cleared while reconnecting."""

    @property
    def started(self) -> bool:
        """Whether the thread was started (and ``close()`` has work to do)."""
        return self._thread is not None and not self._stop.is_set()

    def listen(self) -> None:
        """Start receiving notifications (once; later calls do nothing)."""
        with self._lock:
            if self._listen_wanted or self._stop.is_set():
                return
            self._listen_wanted = True
            self._start()
        self._poke()

    def announce(self) -> None:
        """Mark a NOTIFY as due for appends that have committed; never blocks on I/O."""
        with self._lock:
            if self._due or self._stop.is_set():
                return
            self._due = True
            self._start()
        self._poke()

    def close(self) -> None:
        """Send a due NOTIFY, then stop the thread and close its connection; idempotent."""
        with self._lock:
            if self._stop.is_set():
                return
            self._stop.set()
            thread = self._thread
        self._poke()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)  # if stuck connecting, it closes its sockets on exit

    def _start(self) -> None:
        if self._thread is None:
            self._pair = wake_r, _ = socket.socketpair()
            self._thread = threading.Thread(
                target=self._run, args=(wake_r,), name="fabula-postgres-wakeups", daemon=True
            )
            self._thread.start()

    def _poke(self) -> None:
        if self._pair is not None:
            with contextlib.suppress(OSError):  # closed: the thread is gone already
                self._pair[1].send(b"!")

    def _run(self, wake: socket.socket) -> None:
        delay = 0.05
        try:
            while not self._stop.is_set():
                try:
                    with psycopg.connect(self._conninfo, **self._kwargs) as conn:
                        self.connections += 1
                        conn.execute("SET synchronous_commit TO off")
                        conn.add_notify_handler(lambda _: self._notifier.notify())
                        delay = 0.05
                        self._serve(conn, wake)
                except (psycopg.Error, OSError):
                    self.listening.clear()
                    if self._stop.is_set():
                        break
                    self._due = True  # the NOTIFY in flight may be lost: send another
                    _pause(wake, delay)
                    delay = min(delay * 2, 2.0)
        finally:
            self.listening.clear()
            for end in self._pair or ():
                end.close()

    def _serve(self, conn: psycopg.Connection[Any], wake_socket: socket.socket) -> None:
        """Listen and notify on one connection until closed or disconnected."""
        pgconn = conn.pgconn
        fileno, wake = conn.fileno(), wake_socket.fileno()
        listening = False
        next_notify = 0.0
        while True:
            if self._listen_wanted and not listening:
                conn.execute(self._listen)
                listening = True
                self.listening.set()
                self._notifier.notify()  # notifications may have been missed until now
            timeout = self._keepalive
            stopping = self._stop.is_set()
            if self._due:
                now = time.monotonic()
                if now >= next_notify or stopping:
                    with self._lock:
                        self._due = False
                    conn.execute(self._notify)
                    next_notify = now + _NOTIFY_GAP
                else:
                    timeout = next_notify - now
            if stopping:
                return
            ready, _, _ = select.select([fileno, wake], [], [], timeout)
            if wake in ready:
                wake_socket.recv(4096)
            if not ready and timeout == self._keepalive:
                conn.execute("SELECT 1")  # raises if the connection died silently
            if fileno in ready:
                pgconn.consume_input()
                woken = False
                while pgconn.notifies() is not None:
                    woken = True
                if woken:
                    self._notifier.notify()
                if pgconn.status != pq.ConnStatus.OK:
                    msg = "the wake-up connection was lost"
                    raise psycopg.OperationalError(msg)


def _pause(wake: socket.socket, seconds: float) -> None:
    """Sleep before reconnecting, unless ``close()`` (or any poke) comes first."""
    ready, _, _ = select.select([wake], [], [], seconds)
    if ready:
        wake.recv(4096)
