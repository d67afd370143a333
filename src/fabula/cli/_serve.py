"""``fabula serve``: run one of the example apps over HTTP (needs the ``web`` extra).

| app | front end | seed |
|---|---|---|
| ``todo`` | GraphQL, GraphiQL at ``/graphql`` (``graphql`` extra) | 000 |
| ``bank`` | REST, OpenAPI docs at ``/docs`` | 001 |
| ``orders`` | REST with read-your-writes and a live feed (SSE), docs at ``/docs`` | 003 |
| ``balance`` | REST, docs at ``/docs`` | 004 |

The apps come from a fabula checkout's ``examples/`` (``--from DIR``; see
``fabula.cli._examples``): the wheel does not ship them.

The apps log through uvicorn's handlers: requests (``uvicorn.access``) and fabula's
loggers at INFO, among them the bank's command log (``fabula.commands``) and the
projections' parked events (``fabula.read``).

Rule: nothing here imports FastAPI, Strawberry or uvicorn until the command runs, so the
``fabula`` command works without them and says which extra to install when they are
missing.
"""

from __future__ import annotations

import argparse
import copy
import sys
from typing import Any

from fabula.cli._examples import ExamplesNotFound, add_source_argument, import_example

__all__ = ["APPS", "register"]

APPS: dict[str, tuple[str, str, str]] = {
    "todo": ("examples.todo_app.app", "graphql", "/graphql"),
    "bank": ("examples.bank.app", "web", "/docs"),
    "orders": ("examples.orders.app", "web", "/docs"),
    "balance": ("examples.balance.app", "web", "/docs"),
}
"""app name -> (module with ``create_app`` and ``DEFAULT_URL``, pip extra, page to open).

The modules are in a fabula checkout's ``examples/``, not in the wheel (ADR 0006).
"""

_WEB_MODULES = frozenset({"fastapi", "starlette", "uvicorn", "strawberry", "pydantic", "httpx"})


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` subcommand."""
    serve = commands.add_parser(
        "serve",
        help="run an example app over HTTP: todo (GraphQL), bank, orders, balance (REST)",
        description="Serve one of the example apps with uvicorn. The REST apps show their "
        "OpenAPI docs at /docs, the todo app GraphiQL at /graphql. Events and read models "
        "go to the store URL (default: sqlite:///<app>.db in the current directory).",
    )
    serve.add_argument("app", choices=sorted(APPS), help="which example app to serve")
    serve.add_argument(
        "--url", help="store URL, e.g. postgresql://user@host/db?schema=orders (default: SQLite)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    add_source_argument(serve)
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    module_name, extra, page = APPS[args.app]
    try:
        import uvicorn

        module = import_example(module_name, args.source)
    except ExamplesNotFound as exc:
        print(f"fabula serve {args.app}: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing in _WEB_MODULES:
            print(
                f"fabula serve {args.app} needs the {extra!r} extra ({missing} is missing): "
                f"pip install 'fabula[{extra}]'",
                file=sys.stderr,
            )
        else:
            print(f"fabula serve {args.app}: cannot import the app: {exc}", file=sys.stderr)
        return 2
    url = args.url or module.DEFAULT_URL
    app = module.create_app(url)
    print(f"fabula serve {args.app}: events in {url}")
    print(f"open http://{args.host}:{args.port}{page}")
    print(f"bearer tokens: fabula token <user> (signed as {_signer()})", flush=True)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        timeout_graceful_shutdown=5,
        log_config=_log_config(uvicorn.config.LOGGING_CONFIG),
    )
    return 0


def _signer() -> str:
    from fabula.web import AuthSettings

    settings = AuthSettings.from_env()
    return "the public DEVELOPMENT secret" if settings.is_development else "FABULA_AUTH_SECRET"


def _log_config(uvicorn_config: dict[str, Any]) -> dict[str, Any]:
    """Uvicorn's logging, plus fabula's loggers (the command log, parked events) at INFO."""
    config = copy.deepcopy(uvicorn_config)
    config["loggers"]["fabula"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
