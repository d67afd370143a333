"""Fresh storage for every workload run: a new PostgreSQL database, or a new SQLite file.

The database is created from the admin URL (``--pg-url``, default the ``test`` database)
with a unique name and dropped (``WITH (FORCE)``) afterwards, whatever happened.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from benchmarks.workloads import Backend

__all__ = ["DEFAULT_PG_URL", "Storage", "fresh"]

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True, slots=True)
class Storage:
    """Where one workload run keeps its data.

    Attributes:
        backend: ``postgres`` or ``sqlite``.
        url: ``postgresql://.../bench_x`` or ``sqlite:////tmp/.../events.db``.
        path: the SQLite file (``""`` on PostgreSQL).
        dbname: the PostgreSQL database (``""`` on SQLite).
    """

    backend: Backend
    url: str
    path: str = ""
    dbname: str = ""

    def pg_params(self) -> dict[str, str]:
        """The connection parameters of the PostgreSQL URL (host, port, user, dbname...)."""
        return {key: str(value) for key, value in conninfo_to_dict(self.url).items()}


def _with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, ""))


@contextmanager
def fresh(backend: Backend, *, pg_url: str = DEFAULT_PG_URL) -> Iterator[Storage]:
    """Create empty storage for one run and remove it afterwards."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="fabula-bench-")
        try:
            path = str(Path(folder) / "events.db")
            yield Storage("sqlite", f"sqlite:///{path}", path=path)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    dbname = f"bench_{secrets.token_hex(6)}"
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield Storage("postgres", _with_database(pg_url, dbname), dbname=dbname)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )
