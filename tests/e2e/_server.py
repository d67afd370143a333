"""Run ``fabula serve <app>`` as a real server process on a free local port.

The server's signing secret comes from its environment (``FABULA_AUTH_SECRET``), as in
production; ``bearer`` mints tokens the server accepts.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import httpx
import pytest

from fabula.web import AuthSettings, BearerAuth

STARTUP_TIMEOUT = 30.0
SECRET = "the e2e tests' signing secret, 32 bytes or more"
TOKENS = BearerAuth(AuthSettings(secret=SECRET))

ServerLog = Callable[[], str]


def bearer(user: str, *scopes: str) -> dict[str, str]:
    """Return an ``Authorization`` header with a token for ``user`` the servers accept."""
    return {"Authorization": f"Bearer {TOKENS.mint(user, scopes=scopes)}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(app: str, url: str, tmp_path: Path) -> Iterator[tuple[str, ServerLog]]:
    """Start ``fabula serve app``; yield its base URL and a reader of its log; stop it."""
    port = free_port()
    log = (tmp_path / f"{app}-server.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "fabula", "serve", app, "--url", url, "--port", str(port)],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "FABULA_AUTH_SECRET": SECRET},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base, log)
        yield base, lambda: server_log(log)
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then exits by the signal it was sent.
        assert process.wait(timeout=15) in (0, -signal.SIGTERM), server_log(log)
        assert "Application shutdown complete" in server_log(log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def server_log(log: TextIO) -> str:
    log.flush()
    log.seek(0)
    text = log.read()
    log.seek(0, os.SEEK_END)
    return text


def wait_until_up(process: subprocess.Popen[bytes], base: str, log: TextIO) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{server_log(log)}")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the server did not answer within {STARTUP_TIMEOUT}s:\n{server_log(log)}")
