"""The options every ``fabula`` command shares: the store URL, ``--json`` and ``--app``.

Commands add them with these functions, so that each habit works the same everywhere:

* ``add_store_url``: a positional URL that falls back on ``$FABULA_URL`` (``store_url``).
* ``add_json``: ``--json`` prints machine-readable output (``print_json``, ``print_json_line``).
* ``add_app``: ``--app package.module:name``; ``main`` puts the current directory on the
  import path first, as uvicorn and flask do, so a module beside the user is found.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from uuid import UUID

from fabula._errors import ConfigurationError

__all__ = [
    "URL_VARIABLE",
    "add_app",
    "add_json",
    "add_store_url",
    "print_json",
    "print_json_line",
    "store_url",
]

URL_VARIABLE = "FABULA_URL"
"""The environment variable a command reads when it is given no store URL."""


def add_store_url(parser: argparse.ArgumentParser) -> None:
    """A positional store URL that may be left out when ``$FABULA_URL`` is set."""
    parser.add_argument(
        "url",
        nargs="?",
        default=None,
        help=f"store URL, e.g. sqlite:///app.db (default: ${URL_VARIABLE})",
    )


def store_url(args: argparse.Namespace) -> str:
    """The URL given on the command line, else ``$FABULA_URL``.

    Raises:
        ConfigurationError: neither is there.
    """
    url: str | None = args.url or os.environ.get(URL_VARIABLE) or None
    if url is None:
        msg = f"no store URL: give one, or set {URL_VARIABLE}"
        raise ConfigurationError(msg)
    return url


def add_json(parser: argparse.ArgumentParser) -> None:
    """``--json``: machine-readable output instead of the table."""
    parser.add_argument(
        "--json", action="store_true", help="print JSON instead of text (see docs/operations.md)"
    )


def add_app(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """``--app package.module:name`` (imported from the current directory first)."""
    parser.add_argument(
        "--app",
        required=required,
        help="the app's projections, as package.module:name (found from the current directory)",
    )


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    msg = f"cannot print {type(value).__name__} as JSON"
    raise TypeError(msg)


def print_json(value: object, /) -> None:
    """Print one JSON document (indented, for a listing or a status)."""
    print(json.dumps(value, default=_default, indent=2, ensure_ascii=False), flush=True)


def print_json_line(value: object, /) -> None:
    """Print one compact JSON object on its own line (JSON Lines, for streamed output)."""
    print(json.dumps(value, default=_default, ensure_ascii=False), flush=True)
