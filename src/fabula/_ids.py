"""Time-ordered ids: UUIDv7 (RFC 9562), monotonic within this process."""

from __future__ import annotations

import os
import threading
import time
from uuid import UUID

__all__ = ["uuid7"]

_lock = threading.Lock()
_last = 0


def uuid7() -> UUID:
    """Return a new UUIDv7: 48 bits of Unix milliseconds, then random bits.

    Ids made in one process sort in creation order: when the clock stands still (or
    steps back) the previous value is incremented instead.
    """
    global _last  # the monotonic counter is process state by design
    # 48 bits of milliseconds, then 74 random bits (12 + 62 around the version/variant).
    value = (time.time_ns() // 1_000_000) << 74 | int.from_bytes(os.urandom(10)) >> 6
    with _lock:
        value = max(value, _last + 1)
        _last = value
    unix_ms, rand_a, rand_b = value >> 74, (value >> 62) & 0xFFF, value & ((1 << 62) - 1)
    return UUID(int=unix_ms << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b)
