# Generated from _kit_async.py by tools/unasync.py: do not edit, edit the source.
"""What the target suite needs from a backend: a way to open it, and a tiny read model.

The suite's read model is a key-value table: ``put(name)`` is a handler that stores an
event's ``value`` under its stream id, ``rows(target, name)`` reads the committed pairs
back. A backend binds the suite by writing these few lines in its own dialect (a dict for
the memory target, a two-column table for SQL): the checks then drive the target only
through the contract's methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fabula.read import Handler, SetupHook, Step, Target
from fabula.read.memory import MemoryTarget
from fabula.testing.conformance.targets._kit_base import (
    Put,
    letter,
    memory_put,
    memory_setup,
    recorded,
)

__all__ = ["Put", "Rows", "TargetKit", "letter", "memory_kit", "put_step", "recorded"]

Rows = dict[str, str]
"""A read model as the suite sees it: stream id -> last value put."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetKit:
    """A backend bound to the target suite (asyncio).

    Attributes:
        open: opens the target; called again, it opens the same database (a restart).
        setup: ``setup(name)`` creates the read model of projection ``name``.
        put: ``put(name)`` is the handler writing ``Put`` events into that model.
        rows: ``rows(target, name)`` reads the committed model back.
    """

    open: Callable[[], Target]
    setup: Callable[[str], SetupHook]
    put: Callable[[str], Handler]
    rows: Callable[[Target, str], Rows]


def put_step(kit: TargetKit, name: str, stream_id: str, value: str, /, *, position: int) -> Step:
    """Return the step that puts ``value`` under ``stream_id`` in the model of ``name``."""
    return (kit.put(name), recorded(stream_id, Put(value), position=position))


def memory_kit(target_class: type[MemoryTarget] = MemoryTarget, /) -> TargetKit:
    """Bind the suite to one memory target (of ``target_class``, for mutants).

    ``open`` returns that same object each time: a memory target lives as long as it.
    """
    target = target_class()

    def rows(opened: Target, name: str) -> Rows:
        assert isinstance(opened, MemoryTarget)
        return dict(opened.model(name))

    return TargetKit(open=lambda: target, setup=memory_setup, put=memory_put, rows=rows)
