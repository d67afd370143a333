"""``fabula console URL``: the web console over a store (needs the ``web`` extra).

The store is opened read-only: the console never writes events. With ``--app`` it
also shows the app's consumers and aggregate state; with ``--token`` (or
``FABULA_CONSOLE_TOKEN``) it may retry, discard and rebuild, for requests that carry
the token. Nothing here imports FastAPI or uvicorn until the command runs.
"""

from __future__ import annotations

import argparse
import os
import sys

from fabula.store import open_store

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``console`` subcommand."""
    console = commands.add_parser(
        "console",
        help="serve the web console: streams, events, state, the live log, consumers",
        description="Serve a web console over the store at URL (opened read-only). "
        "Actions on consumers (retry, discard, rebuild) need --token; without it the "
        "console only looks.",
    )
    console.add_argument(
        "url", nargs="?", help="store URL (default: the FABULA_URL environment variable)"
    )
    console.add_argument(
        "--app",
        help="package.module:name of a fabula.web.console.ConsoleApp or a ProjectionSet "
        "(consumers, aggregate state)",
    )
    console.add_argument(
        "--token",
        default=os.environ.get("FABULA_CONSOLE_TOKEN"),
        help="enable actions for requests with 'Authorization: Bearer TOKEN' "
        "(default: FABULA_CONSOLE_TOKEN; none: read-only)",
    )
    console.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    console.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    console.set_defaults(run=_console)


def _console(args: argparse.Namespace) -> int:
    url = args.url or os.environ.get("FABULA_URL")
    if not url:
        print("fabula console: give a store URL (or set FABULA_URL)", file=sys.stderr)
        return 2
    try:
        import uvicorn

        from fabula.web.console import ConsoleApp, create_console, load_console_app
    except ImportError as exc:
        missing = (exc.name or "").partition(".")[0]
        print(
            f"fabula console needs the 'web' extra ({missing} is missing): "
            "pip install 'fabula[web]'",
            file=sys.stderr,
        )
        return 2
    if args.app is not None and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as uvicorn does: the app's module is found here
    app = load_console_app(args.app) if args.app else ConsoleApp()
    projections = app.projections
    if projections is not None and not args.token:
        projections = projections.as_read_only()
        app = ConsoleApp(projections=projections, models=app.models, registry=app.registry)
    store = open_store(url, read_only=True)
    try:
        web = create_console(store, app=app, token=args.token or None)
        mode = "actions enabled by token" if args.token else "read-only"
        print(f"fabula console: {url} ({mode})")
        print(f"open http://{args.host}:{args.port}/", flush=True)
        uvicorn.run(web, host=args.host, port=args.port, timeout_graceful_shutdown=3)
    finally:
        store.close()
        if projections is not None:
            projections.close()
    return 0
