"""The commit checks' poisoned event, shared by the asyncio checks and their sync twins."""

from __future__ import annotations

__all__ = ["Boom", "Poison"]


class Boom(Exception):
    """What reading a poisoned event's value raises."""


class Poison:
    """An event whose ``value`` cannot be read: any ``put`` handler fails on it."""

    @property
    def value(self) -> str:
        raise Boom
