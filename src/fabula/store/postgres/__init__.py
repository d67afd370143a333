"""The PostgreSQL backend (psycopg 3): many writers, gapless subscribers, no global lock.

Open it from a URL, ``postgresql://user@host:port/db?schema=name``, with
``fabula.store.open_store`` or ``PostgresStore.from_url``; see docs/postgres.md.
Needs the ``postgres`` extra: ``pip install 'fabula[postgres]'``.
"""

from fabula._postgres._settings import PostgresSettings
from fabula.store.postgres._admin import create_schema, drop_schema, unreachable_reason
from fabula.store.postgres._grants import grant_app_role, grants_sql
from fabula.store.postgres._keys_sql import personal_keys_query
from fabula.store.postgres._migrate_base import schema_sql
from fabula.store.postgres._rows import RunningAppend
from fabula.store.postgres._store import PostgresStore
from fabula.store.postgres._store_async import AsyncPostgresStore

__all__ = [
    "AsyncPostgresStore",
    "PostgresSettings",
    "PostgresStore",
    "RunningAppend",
    "create_schema",
    "drop_schema",
    "grant_app_role",
    "grants_sql",
    "personal_keys_query",
    "schema_sql",
    "unreachable_reason",
]
