"""Failure messages for the testing kit: events and states laid out so a diff is easy to see.

Rules:
1. Every message names what was expected and what happened, one event per line, with the
   lines that differ marked ``!``.
2. States that are dataclasses of the same class are compared field by field, and only
   the fields that differ are listed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from itertools import zip_longest
from typing import Final

__all__ = [
    "describe_events",
    "describe_state_difference",
    "first_difference",
    "plural",
    "short_repr",
]

_MAX_REPR: Final = 300


class _Missing:
    """Stands for "no value here" when two sequences have different lengths."""

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()


def short_repr(value: object) -> str:
    """Return ``repr(value)``, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def plural(count: int, noun: str) -> str:
    """Return ``"1 event"`` or ``"3 events"``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def first_difference(expected: Sequence[object], actual: Sequence[object]) -> int | None:
    """Return the first index where the two sequences differ, or ``None`` if they are equal."""
    for index, (want, got) in enumerate(zip_longest(expected, actual, fillvalue=_MISSING)):
        if want is _MISSING or got is _MISSING or want != got:
            return index
    return None


def describe_events(
    events: Sequence[object], *, other: Sequence[object] | None = None, indent: str = "    "
) -> str:
    """Lay out ``events`` one per line; mark ``!`` those that differ from ``other``'s."""
    if not events:
        return f"{indent}(none)"
    lines = []
    for index, item in enumerate(events):
        differs = other is not None and (index >= len(other) or other[index] != item)
        mark = "! " if differs else "  "
        lines.append(f"{indent}{mark}[{index}] {short_repr(item)}")
    return "\n".join(lines)


def describe_state_difference(expected: object, actual: object, *, indent: str = "    ") -> str:
    """Describe how ``actual`` differs from ``expected``, field by field when possible."""
    if (
        type(expected) is not type(actual)
        or isinstance(expected, type)
        or not dataclasses.is_dataclass(expected)
    ):
        return f"{indent}expected: {short_repr(expected)}\n{indent}actual:   {short_repr(actual)}"
    lines = [f"{indent}{type(expected).__qualname__}, fields that differ:"]
    for item in dataclasses.fields(expected):
        want = getattr(expected, item.name, _MISSING)
        got = getattr(actual, item.name, _MISSING)
        if want != got:
            lines.append(f"{indent}  {item.name}: expected {short_repr(want)}")
            lines.append(f"{indent}  {' ' * len(item.name)}  actual   {short_repr(got)}")
    if len(lines) == 1:  # equal fields, unequal objects: a custom __eq__ decided
        lines.append(f"{indent}  (none; the class's __eq__ tells them apart)")
        lines.append(f"{indent}expected: {short_repr(expected)}")
        lines.append(f"{indent}actual:   {short_repr(actual)}")
    return "\n".join(lines)
