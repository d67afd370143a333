"""``fabula store migrate [--check | --sql] [URL]``: a store's schema, for operators and DBAs.

* no option: create the store or migrate its schema to this fabula's version.
* ``--check``: open it without creating or changing anything; exit 0 if its schema is the
  one this fabula expects, 1 (and why) if it is missing, older, newer or needs migrating.
* ``--sql``: print the DDL a migration would run, without connecting (for SQLite and
  PostgreSQL; the schema comes from the URL's ``?schema=``), for a DBA to review or run.

``fabula store grants --app-role NAME [--sql] [URL]`` (PostgreSQL): an application role's
privileges (``fabula.store.postgres.grants_sql``, ADR 0025).
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit

from fabula._errors import ConfigurationError, SchemaError
from fabula.cli._options import add_json, add_store_url, print_json, store_url
from fabula.store import open_store

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``store`` command and its ``migrate`` subcommand."""
    group = commands.add_parser(
        "store", help="look after a store's schema", description="Look after a store's schema."
    )
    actions = group.add_subparsers(title="subcommands", metavar="SUBCOMMAND", required=True)
    migrate = actions.add_parser(
        "migrate",
        help="create or migrate a store's schema, check it (--check) or print its DDL (--sql)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_store_url(migrate)
    how = migrate.add_mutually_exclusive_group()
    how.add_argument("--check", action="store_true", help="only check; change nothing")
    how.add_argument("--sql", action="store_true", help="print the DDL; do not connect")
    add_json(migrate)
    migrate.set_defaults(run=_migrate)
    grants = actions.add_parser(
        "grants",
        help="give a PostgreSQL application role what it needs, and no UPDATE/DELETE of events",
        description="Grant an application role SELECT and INSERT on the events of a PostgreSQL "
        "store (and what else appends, reads, snapshots, the lifecycle and forget need), "
        "never UPDATE, DELETE or TRUNCATE of events nor any right to alter the schema. "
        "Run it as the schema's owner after `fabula store migrate` (docs/postgres.md).",
    )
    add_store_url(grants)
    grants.add_argument("--app-role", required=True, help="the application's role name")
    grants.add_argument("--sql", action="store_true", help="print the SQL; do not connect")
    grants.set_defaults(run=_grants)


def _migrate(args: argparse.Namespace) -> int:
    url = store_url(args)
    scheme = urlsplit(url).scheme
    if args.sql:
        print(_ddl(url, scheme), end="")
        return 0
    if scheme == "memory":
        msg = "memory:// stores have no schema to migrate or check"
        raise ConfigurationError(msg)
    try:
        store = open_store(url, read_only=args.check)
        try:
            store.head()  # PostgreSQL checks (or migrates) its schema on first use
        finally:
            store.close()
    except SchemaError as exc:
        if args.json:
            print_json({"url": url, "current": False, "error": str(exc)})
        else:
            print(f"fabula: schema check failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json({"url": url, "current": True})
    elif args.check:
        print("schema is current: this fabula can use the store as it is")
    else:
        print("schema is current (created or migrated if it was not)")
    return 0


def _ddl(url: str, scheme: str) -> str:
    if scheme == "sqlite":
        from fabula.store.sqlite import schema_sql as sqlite_sql

        return sqlite_sql()
    if scheme in ("postgresql", "postgres"):
        from fabula._postgres._settings import settings_of
        from fabula.store.postgres import schema_sql as postgres_sql

        return postgres_sql(settings_of(url).schema)
    msg = f"--sql needs a sqlite:// or postgresql:// URL, not {scheme}://"
    raise ConfigurationError(msg)


def _grants(args: argparse.Namespace) -> int:
    url = store_url(args)
    if urlsplit(url).scheme not in ("postgresql", "postgres"):
        msg = "store grants needs a postgresql:// URL: other stores have no roles"
        raise ConfigurationError(msg)
    from fabula._postgres._settings import settings_of
    from fabula.store.postgres import grant_app_role, grants_sql

    if args.sql:
        print(grants_sql(settings_of(url).schema, app_role=args.app_role), end="")
        return 0
    try:
        grant_app_role(url, app_role=args.app_role)
    except SchemaError as exc:
        print(f"fabula: migrate the schema before granting: {exc}", file=sys.stderr)
        return 1
    print(f"granted {args.app_role} appends and reads; no UPDATE, DELETE or TRUNCATE of events")
    return 0
