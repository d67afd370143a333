"""Least privilege on PostgreSQL: what an application role needs on a store's schema (ADR 0025).

Two roles: the *owner* owns the schema, runs ``fabula store migrate`` and these grants;
the *application role* appends, reads, subscribes, snapshots, changes streams' lifecycle
and forgets subjects, and can neither change nor remove a stored event (no ``UPDATE``,
``DELETE`` or ``TRUNCATE`` on ``events``) nor alter or drop anything (it owns nothing
in the schema and may not create there). The triggers of migration 0004 refuse changes
to ``events`` from the owner too; only the owner can disable them.

| table | the application role may |
|---|---|
| ``events`` | ``SELECT``, ``INSERT`` |
| ``streams``, ``snapshots`` | ``SELECT``, ``INSERT``, ``UPDATE``, ``DELETE`` |
| ``stream_lifecycle``, ``personal_keys`` | ``SELECT``, ``INSERT``, ``UPDATE`` |
| ``personal_key_streams`` (the export index) | ``SELECT``, ``INSERT`` |
| ``schema_migrations``, ``log_clock`` | ``SELECT`` |
| function ``lock_log()`` (adding an append hook) | ``EXECUTE`` |

The key tables are created here, as the application role cannot create it on first use.
"""

from __future__ import annotations

from psycopg import sql

from fabula._postgres._errors import map_errors
from fabula.store.postgres._admin import _settings, connect
from fabula.store.postgres._keys_sql import STREAMS_TABLE as KEY_STREAMS_TABLE, TABLE as KEY_TABLE
from fabula.store.postgres._migrate import migrate

__all__ = ["grant_app_role", "grants_sql"]

_TABLES = (
    "events",
    "streams",
    "snapshots",
    "stream_lifecycle",
    "personal_keys",
    "personal_key_streams",
    "schema_migrations",
    "log_clock",
)
_GRANTS = (
    ("SELECT, INSERT", ("events",)),
    ("SELECT, INSERT, UPDATE, DELETE", ("streams", "snapshots")),
    ("SELECT, INSERT, UPDATE", ("stream_lifecycle", "personal_keys")),
    ("SELECT, INSERT", ("personal_key_streams",)),
    ("SELECT", ("schema_migrations", "log_clock")),
)


def _statements(schema: str, app_role: str) -> list[sql.Composed]:
    name, role = sql.Identifier(schema), sql.Identifier(app_role)

    def tables(names: tuple[str, ...]) -> sql.Composable:
        return sql.SQL(", ").join(sql.Identifier(schema, table) for table in names)

    statements: list[sql.Composed] = [
        KEY_TABLE.format(schema=name),
        KEY_STREAMS_TABLE.format(schema=name),
        sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(name, role),
        sql.SQL("REVOKE ALL ON {} FROM {}").format(tables(_TABLES), role),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(name, role),
    ]
    for privileges, names in _GRANTS:
        grant = sql.SQL("GRANT {} ON {} TO {}")
        statements.append(grant.format(sql.SQL(privileges), tables(names), role))
    lock_log = sql.Identifier(schema, "lock_log")
    statements.append(sql.SQL("GRANT EXECUTE ON FUNCTION {}() TO {}").format(lock_log, role))
    return statements


def grants_sql(schema: str, /, *, app_role: str) -> str:
    """The SQL that gives ``app_role`` what it needs on the store in ``schema``, and no more.

    Run it as the schema's owner, after ``fabula store migrate`` (``fabula store grants
    --sql``). Running it again sets the same privileges.
    """
    lines = [f"-- fabula: privileges of {app_role!r} on the store in schema {schema!r}"]
    lines.append("BEGIN;")
    lines += [statement.as_string() + ";" for statement in _statements(schema, app_role)]
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def grant_app_role(url: str, /, *, app_role: str) -> None:
    """Run ``grants_sql`` on the store of ``url`` (connected as the schema's owner).

    Raises:
        SchemaError: the schema is missing or not at this fabula's version (migrate first).
        StoreError: the server cannot be reached, or refused (not the owner, no such role).
    """
    settings = _settings(url)
    with connect(settings) as conn:
        conn.autocommit = True
        with map_errors(settings.where, settings.schema):
            migrate(conn, settings.schema, mode="check")
            with conn.transaction():
                for statement in _statements(settings.schema, app_role):
                    conn.execute(statement)
