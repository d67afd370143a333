"""The in-memory backend: the reference implementation, for tests and prototypes."""

from fabula.store.memory._log import MemoryLog
from fabula.store.memory._store import MemoryStore
from fabula.store.memory._store_async import AsyncMemoryStore

__all__ = ["AsyncMemoryStore", "MemoryLog", "MemoryStore"]
