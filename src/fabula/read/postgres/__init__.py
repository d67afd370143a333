"""Read models in PostgreSQL: ``PostgresTarget`` (sync) and ``AsyncPostgresTarget`` (asyncio).

Needs the ``postgres`` extra: ``pip install 'fabula[postgres]'``.
"""

from fabula.read.postgres._target import PostgresTarget
from fabula.read.postgres._target_async import AsyncPostgresTarget

__all__ = ["AsyncPostgresTarget", "PostgresTarget"]
