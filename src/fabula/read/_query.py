"""``Query[Result]``: the optional base of query classes, shared by both query buses."""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["Query"]

ResultT_co = TypeVar("ResultT_co", covariant=True)


class Query(Generic[ResultT_co]):
    """Optional base of query classes: ``Query[Result]`` types what ``ask`` returns."""

    __slots__ = ()
