"""What the sync and async runners share."""

from __future__ import annotations


class _Stopped(Exception):
    """Unwinds a runner asked to stop while it waited to retry an event (never escapes)."""
