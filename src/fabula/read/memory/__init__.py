"""Read models in process memory: ``MemoryTarget`` and ``AsyncMemoryTarget`` (tests, prototypes)."""

from fabula.read.memory._target import MemoryTarget
from fabula.read.memory._target_async import AsyncMemoryTarget

__all__ = ["AsyncMemoryTarget", "MemoryTarget"]
