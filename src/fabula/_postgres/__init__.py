"""PostgreSQL plumbing shared by the event store and the read-model target (internal).

One home for what both ``fabula.store.postgres`` and ``fabula.read.postgres`` need:
settings and URL parsing (``_settings``), the driver-error mapping (``_errors``) and the
asyncio pool guard (``_pool_guard``). Not public: import the names from
``fabula.store.postgres`` or ``fabula.read.postgres``.
"""
