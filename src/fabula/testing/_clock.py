"""``FakeClock``: a ``fabula.flows.Clock`` that moves only when told (tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["FakeClock"]


class FakeClock:
    """A clock for tests: ``now()`` is ``start`` until ``advance`` or ``set``."""

    def __init__(self, start: datetime, /) -> None:
        self._now = start

    def now(self) -> datetime:
        """The fake current time."""
        return self._now

    def advance(self, delta: timedelta, /) -> None:
        """Move the time forward by ``delta``."""
        self._now += delta

    def set(self, when: datetime, /) -> None:
        """Set the time."""
        self._now = when
