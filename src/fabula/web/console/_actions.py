"""The console's actions on consumers: retry, discard, rebuild; only with the console's token.

Rules: an action needs ``Authorization: Bearer <token>`` with the token the console was
started with; a console started without one refuses every action (HTTP 403), and so
does a wrong or missing token. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import logging
import threading
from dataclasses import dataclass, field
from typing import Literal

from fastapi import HTTPException, Request

from fabula.read import ProjectionSet

__all__ = ["Rebuilds", "TokenCheck"]

logger = logging.getLogger("fabula.console")

RebuildState = Literal["running", "done", "failed"]


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """Refuse a request unless it carries the console's token (HTTP 403)."""

    token: str | None

    def __call__(self, request: Request) -> None:
        """FastAPI dependency: pass, or raise a 403."""
        if self.token is None:
            raise HTTPException(403, "the console is read-only: start it with --token to act")
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        ):
            raise HTTPException(403, "this action needs the console's token")


@dataclass(slots=True)
class Rebuilds:
    """Rebuilds started from the console, each in its own thread, and how they ended."""

    projections: ProjectionSet
    states: dict[str, tuple[RebuildState, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, name: str, /) -> bool:
        """Start rebuilding ``name`` unless a rebuild of it runs; return whether it started."""
        self.projections.get(name)  # an unknown name raises before a thread starts
        with self._lock:
            if self.states.get(name, ("done", ""))[0] == "running":
                return False
            self.states[name] = ("running", "")
        threading.Thread(target=self._run, args=(name,), daemon=True).start()
        return True

    def _run(self, name: str) -> None:
        try:
            status = self.projections.rebuild(name)
        except Exception as exc:  # reported on the page, and logged
            logger.exception("console: rebuild of %s failed", name)
            with self._lock:
                self.states[name] = ("failed", f"{type(exc).__name__}: {exc}")
        else:
            with self._lock:
                self.states[name] = ("done", f"position {status.position}")

    def snapshot(self) -> dict[str, dict[str, str]]:
        """Return each rebuild's state and detail."""
        with self._lock:
            return {n: {"state": s, "detail": d} for n, (s, d) in self.states.items()}
