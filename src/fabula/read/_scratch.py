"""``ScratchCopy``: the scratch target of a copy rebuild, seen from the live target.

A copy rebuild (``rebuild(name, mode="copy")``) replays into a scratch target beside the
live one (a schema, or a file) and holds the scratch's lease while it works. A scratch
found with its lease held is a running rebuild; one without is what a killed rebuild
left behind: the next copy rebuild of that projection starts it afresh, or drop it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ScratchCopy"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScratchCopy:
    """A copy rebuild's scratch target: where it is, how far it got, and whether it runs."""

    location: str
    position: int
    running: bool

    def describe(self, name: str, /) -> str:
        """One line for operators (what ``fabula projections status`` prints)."""
        if self.running:
            return f"{name}: copy rebuild running in {self.location}, at position {self.position}"
        return (
            f"{name}: copy rebuild left behind in {self.location} (position {self.position}): "
            "rebuild --copy starts it afresh, or drop it"
        )
