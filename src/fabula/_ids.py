"""Time-ordered ids: UUIDv7 (RFC 9562), monotonic within this process."""

from __future__ import annotations

import os
import threading
import time
from uuid import UUID

__all__ = ["uuid7"]

_lock = threading.Lock()
_last = 0
_POOL = 10 * 256  # random bytes drawn from the OS at once: one system call per 256 ids
_random = b""
_used = _POOL


def _forget_pool() -> None:
    """A forked child draws its own bytes: sharing the parent's would repeat its ids."""
    global _random, _used
    _random, _used = b"", _POOL


os.register_at_fork(after_in_child=_forget_pool)


def uuid7() -> UUID:
    """Return a new UUIDv7: 48 bits of Unix milliseconds, then random bits.

    Ids made in one process sort in creation order: when the clock stands still (or
    steps back) the previous value is incremented instead.
    """
    global _last, _random, _used  # the monotonic counter and the random pool: process state
    now = time.time_ns() // 1_000_000
    with _lock:
        if _used == _POOL:
            _random, _used = os.urandom(_POOL), 0
        drawn = _random[_used : _used + 10]
        _used += 10
        # 48 bits of milliseconds, then 74 random bits (12 + 62 around the version/variant).
        value = max(now << 74 | int.from_bytes(drawn) >> 6, _last + 1)
        _last = value
    unix_ms, rand_a, rand_b = value >> 74, (value >> 62) & 0xFFF, value & ((1 << 62) - 1)
    return UUID(int=unix_ms << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b)
