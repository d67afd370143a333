"""Leases: which worker runs a projection, so each runs in exactly one worker at a time.

Theory of operation:
1. A worker runs a projection only while it holds the projection's lease: a row naming the
   owner and an expiry time, taken when free or expired, and renewed by its holder every
   ``renew_every`` seconds (and by every commit, in the commit's transaction).
2. Every commit checks, in its own transaction, that its worker still holds an unexpired
   lease (fencing): a worker that was paused past its expiry cannot write once another
   took over. The checkpoint's compare-and-set (see ``_checkpoints``) backs this up.
3. A worker that stops releases its lease, so another takes over at once; a worker that
   dies is replaced once its lease expires: within ``ttl`` plus one standby poll.
4. Expiry times are the database's clock (PostgreSQL) or the host's (SQLite, one host).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
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
    """What a commit asserts: ``owner`` holds the lease, to be extended by ``ttl`` seconds."""

    owner: str
    ttl: float


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaseSettings:
    """How a runner takes part in lease-based coordination.

    Attributes:
        ttl: seconds a lease lasts without renewal: how long a dead worker blocks.
        renew_every: seconds between renewals while idle (default ``ttl / 3``).
        standby_poll: seconds between attempts to take a lease another worker holds.
        owner: this worker's name (default: host, pid and a random suffix).
    """

    ttl: float = 5.0
    renew_every: float | None = None
    standby_poll: float = 0.5
    owner: str = field(default_factory=default_owner)

    def __post_init__(self) -> None:
        if self.ttl <= 0 or self.standby_poll <= 0:
            msg = "lease ttl and standby_poll must be positive"
            raise ConfigurationError(msg)
        if self.renew_every is not None and not 0 < self.renew_every < self.ttl:
            msg = f"renew_every must be between 0 and ttl ({self.ttl}), not {self.renew_every}"
            raise ConfigurationError(msg)

    @property
    def renew_interval(self) -> float:
        """Seconds between renewals."""
        return self.renew_every if self.renew_every is not None else self.ttl / 3

    @property
    def claim(self) -> Claim:
        """The claim a commit makes under these settings."""
        return Claim(self.owner, self.ttl)
