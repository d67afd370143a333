"""The two commands of the Eventuality todo flow (seed 002)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CreateTodo", "MarkAsCompleted"]


@dataclass(frozen=True, slots=True)
class CreateTodo:
    """Create the todo ``id`` with a description (the seed's ``CreateTodo({id, description})``)."""

    id: str
    description: str


@dataclass(frozen=True, slots=True)
class MarkAsCompleted:
    """Complete the todo ``id`` (the seed's ``MarkAsCompleted({id})``)."""

    id: str
