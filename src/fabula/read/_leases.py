"""Leases: which worker runs a projection, so each runs in exactly one worker at a time.

Theory of operation:
1. A worker runs a projection only while it holds the projection's lease: a row naming the
   owner and an expiry time, acquired when free or expired, and renewed by its holder
   every ``renew_interval`` seconds (and by every commit, in the commit's transaction:
   the commit carries a ``Claim``).
2. Every commit checks, in its own transaction, that its worker still holds an unexpired
   lease (fencing): a worker that was paused past its expiry cannot write once another
   took over. The checkpoint's compare-and-set (see ``_checkpoints``) backs this up.
3. A worker that stops releases its lease, so another takes over at once; a worker that
   dies is replaced once its lease expires: within ``ttl`` plus one ``acquire_interval``.
4. Expiry times are the database's clock (PostgreSQL) or the host's (SQLite, one host).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime

from fabula._errors import ConfigurationError
from fabula._ids import uuid7

__all__ = ["Claim", "Lease", "LeaseSettings", "default_owner"]


def default_owner() -> str:
    """Return a worker name unique to this process: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid7().hex[-8:]}"


@dataclass(frozen=True, slots=True)
class Lease:
    """The current holder of a projection's lease."""

    name: str
    owner: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    """What a commit asserts under a lease: ``owner`` holds it; extend it by ``ttl`` seconds.

    The one meaning of *claim* in fabula (ADR 0013): a lease holder's fenced assertion,
    carried by ``Target.commit(claim=...)``. Taking a lease is *acquiring* it
    (``acquire_lease``); giving it up is *releasing* it.
    """

    owner: str
    ttl: float


@dataclass(frozen=True, slots=True, init=False)
class LeaseSettings:
    """How a runner takes part in lease-based coordination.

    Attributes:
        ttl: seconds a lease lasts without renewal: how long a dead worker blocks.
        renew_interval: seconds between renewals while idle (default ``ttl / 3``).
        acquire_interval: seconds between attempts to acquire a lease another worker holds.
        owner: this worker's name (default: host, pid and a random suffix).
    """

    ttl: float
    renew_interval: float
    acquire_interval: float
    owner: str

    def __init__(
        self,
        *,
        ttl: float = 5.0,
        renew_interval: float | None = None,
        acquire_interval: float = 0.5,
        owner: str | None = None,
    ) -> None:
        if ttl <= 0 or acquire_interval <= 0:
            msg = "lease ttl and acquire_interval must be positive"
            raise ConfigurationError(msg)
        if renew_interval is not None and not 0 < renew_interval < ttl:
            msg = f"renew_interval must be between 0 and ttl ({ttl}), not {renew_interval}"
            raise ConfigurationError(msg)
        object.__setattr__(self, "ttl", ttl)
        object.__setattr__(
            self, "renew_interval", ttl / 3 if renew_interval is None else renew_interval
        )
        object.__setattr__(self, "acquire_interval", acquire_interval)
        object.__setattr__(self, "owner", default_owner() if owner is None else owner)

    @property
    def claim(self) -> Claim:
        """The claim a commit makes under these settings."""
        return Claim(self.owner, self.ttl)
