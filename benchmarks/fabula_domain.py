"""The benchmark domain in fabula's style: three events, three commands, a class-style ``Item``."""

from __future__ import annotations

from dataclasses import dataclass

import fabula

__all__ = ["Create", "Created", "Item", "Mark", "Marked", "Update", "Updated", "stream_of"]


@fabula.event("Created")
@dataclass(frozen=True, slots=True)
class Created:
    """A new item (version 1)."""

    name: str
    value: int = 0


@fabula.event("Updated")
@dataclass(frozen=True, slots=True)
class Updated:
    """The item's value grew by ``amount``."""

    amount: int


@fabula.event("Marked")
@dataclass(frozen=True, slots=True)
class Marked:
    """A contended update (W5b): value += 1, ``token`` names the attempt."""

    token: str


@dataclass(frozen=True, slots=True)
class Create:
    """Create item ``item_id``."""

    item_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Update:
    """Add ``amount`` to an item's value."""

    item_id: str
    amount: int = 1


@dataclass(frozen=True, slots=True)
class Mark:
    """Mark an item with a token."""

    item_id: str
    token: str


class Item(fabula.Aggregate, name="item"):
    """State ``{name, value}``."""

    name: str = ""
    value: int = 0

    @fabula.decides
    def create(self, command: Create) -> list[Created]:
        """Create the item."""
        return [Created(name=command.name, value=0)]

    @fabula.decides
    def update(self, command: Update) -> list[Updated]:
        """Add to its value."""
        return [Updated(amount=command.amount)]

    @fabula.decides
    def mark(self, command: Mark) -> list[Marked]:
        """Mark it."""
        return [Marked(token=command.token)]

    @fabula.evolves
    def created(self, event: Created) -> None:
        """Take the name and the initial value."""
        self.name = event.name
        self.value = event.value

    @fabula.evolves
    def updated(self, event: Updated) -> None:
        """Add the amount."""
        self.value += event.amount

    @fabula.evolves
    def marked(self, event: Marked) -> None:
        """Count the mark."""
        self.value += 1


def stream_of(command: Create | Update | Mark) -> str:
    """Each command names its stream."""
    return command.item_id
