"""The bundled schema migrations and the messages about them, shared by both twins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_FILE_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: its version number, name and SQL text."""

    version: int
    name: str
    text: str


def _bundled() -> tuple[Migration, ...]:
    found: list[Migration] = []
    for item in resources.files("fabula.store.postgres").joinpath("migrations").iterdir():
        match = _FILE_NAME.match(item.name)
        if match:
            found.append(Migration(int(match[1]), match[2], item.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    assert [m.version for m in found] == list(range(1, len(found) + 1)), found
    return tuple(found)


MIGRATIONS = _bundled()


def _check_failure(schema: str, current: int, latest: int) -> str:
    if current == 0:
        return (
            f"schema {schema!r} holds no fabula tables; open the store with"
            " migrate='auto' to create them"
        )
    if current < latest:
        return (
            f"schema {schema!r} is at version {current} and this fabula needs version"
            f" {latest}; open the store with migrate='auto' to migrate it"
        )
    return (
        f"schema {schema!r} holds positions ahead of this server's transaction clock (was"
        " it restored from another cluster?); open the store once with migrate='auto' to"
        " move the clock forward"
    )


def schema_sql(schema: str, /, *, after: int = 0) -> str:
    """The SQL script that brings ``schema`` from version ``after`` to the latest.

    What ``migrate()`` runs, in one transaction, with the ``schema_migrations`` rows it
    records: for a DBA to read or run (``fabula store migrate --sql``).
    """
    name = '"' + schema.replace('"', '""') + '"'
    parts = [
        "BEGIN;",
        f"CREATE SCHEMA IF NOT EXISTS {name};",
        f"SET LOCAL search_path TO {name};",
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version integer PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now());",
    ]
    for migration in MIGRATIONS[after:]:
        parts.append(f"-- migration {migration.version:04d}_{migration.name}")
        parts.append(migration.text.strip())
        parts.append(
            "INSERT INTO schema_migrations (version, name)"  # noqa: S608 - our own file names
            f" VALUES ({migration.version}, '{migration.name}');"
        )
    parts.append("COMMIT;")
    return "\n".join(parts) + "\n"
