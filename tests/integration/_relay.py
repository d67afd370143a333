"""A TCP relay to PostgreSQL that can lose the reply to one statement after it committed.

Every connection through the relay is forwarded byte for byte, both ways. Once armed
with a marker, the first connection whose client sends that marker (in a statement's
parameters) loses the reply to what commits it: the statement itself outside a
transaction, else the ``COMMIT`` that follows. The relay keeps the server's replies from
then on and, when PostgreSQL says it is idle again (``ReadyForQuery`` with status ``I``,
sent after the commit), closes both sides. The client sees its connection die with the
commit done: a reply lost after commit.

Connect without SSL or GSS encryption (``Relay.to`` sees to it), so the relay can read
the protocol.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

__all__ = ["Relay"]


class Relay:
    """Forwards connections on a local port to ``host:port``; may drop one reply."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._lock = threading.Lock()
        self._marker: bytes | None = None
        self.dropped = 0
        """How many replies were dropped so far."""
        self._closing = False
        self._sockets: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    @classmethod
    def to(cls, url: str) -> tuple[Relay, str]:
        """Start a relay to the server of ``url``; return it and ``url`` through it."""
        parts = urlsplit(url)
        relay = cls(parts.hostname or "127.0.0.1", parts.port or 5432)
        netloc = parts.netloc.rsplit("@", 1)
        user = f"{netloc[0]}@" if len(netloc) == 2 else ""
        plain = "sslmode=disable&gssencmode=disable"
        query = f"{parts.query}&{plain}" if parts.query else plain
        through = urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{relay.port}", query=query))
        return relay, through

    def drop_reply_to(self, marker: bytes) -> None:
        """Lose the replies to the next statement whose parameters hold ``marker``."""
        with self._lock:
            self._marker = marker

    def close(self) -> None:
        """Stop relaying and close every connection."""
        with self._lock:
            self._closing = True
            sockets, self._sockets = self._sockets, []
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._server.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread waiting on it
            sock.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._closing:
                    client.close()
                    server.close()
                    return
                self._sockets += [client, server]
                thread = threading.Thread(target=self._pump, args=(client, server), daemon=True)
                self._threads.append(thread)
            thread.start()

    def _armed_by(self, data: bytes) -> bool:
        with self._lock:
            if self._marker is None or self._marker not in data:
                return False
            self._marker = None
            return True

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        replies = _Replies()
        marked = dropping = False
        seen = b""  # the client's recent bytes, so a marker split across reads is found
        try:
            while True:
                ready, _, _ = select.select([client, server], [], [])
                if client in ready:
                    data = client.recv(65536)
                    if not data:
                        return
                    seen = seen[-4096:] + data
                    if not marked and self._armed_by(seen):
                        marked, seen = True, b""
                        # Outside a transaction the statement commits on its own.
                        dropping = replies.status == ord("I")
                    elif marked and not dropping:
                        dropping = b"COMMIT" in seen
                    server.sendall(data)
                if server in ready:
                    data = server.recv(65536)
                    if not data:
                        return
                    idle = replies.feed(data)
                    if not dropping:
                        client.sendall(data)
                    elif idle:  # committed, and the reply saying so is lost
                        with self._lock:
                            self.dropped += 1
                        return
        except (OSError, ValueError):  # ValueError: ``close()`` closed a socket first
            return
        finally:
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


class _Replies:
    """Follows the server's messages to know its transaction status (``ReadyForQuery``)."""

    def __init__(self) -> None:
        self._buffer = b""
        self.status = 0
        """The status byte of the last ReadyForQuery: ``I`` idle, ``T`` in a transaction."""

    def feed(self, data: bytes) -> bool:
        """Take the next bytes; tell whether they hold a ReadyForQuery ``I``."""
        self._buffer += data
        idle = False
        while len(self._buffer) >= 5:
            end = 1 + int.from_bytes(self._buffer[1:5], "big")
            if end > len(self._buffer):
                break
            if self._buffer[0] == ord("Z"):
                self.status = self._buffer[end - 1]
                idle = idle or self.status == ord("I")
            self._buffer = self._buffer[end:]
        return idle
