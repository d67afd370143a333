"""Argument parsing and dispatch for the ``fabula`` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version

from fabula._errors import FabulaError
from fabula.cli import (
    _console,
    _demo,
    _evolution,
    _import,
    _inspect,
    _lifecycle,
    _migrate,
    _personal,
    _projections,
    _serve,
    _token,
)
from fabula.cli._options import URL_VARIABLE
from fabula.logs import configure_logging

__all__ = ["URL_VARIABLE", "build_parser", "importable_cwd", "main"]

DESCRIPTION = """\
fabula: CQRS and event sourcing for Python.

Store URLs: memory://, sqlite:///relative.db, sqlite:////absolute.db,
postgresql://user@host:5432/db?schema=name
A command given no URL reads it from $FABULA_URL. --app module:name is imported
from the current directory first. See docs/operations.md.
"""

Command = Callable[[argparse.Namespace], int]
_registrars: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _console.register,
    _demo.register,
    _evolution.register,
    _import.register,
    _inspect.register,
    _lifecycle.register,
    _migrate.register,
    _personal.register,
    _projections.register,
    _serve.register,
    _token.register,
]


def build_parser() -> argparse.ArgumentParser:
    """Build the parser for every ``fabula`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="fabula",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fabula {_version()}")
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=None,
        help="log lines as text or as one JSON object each (default: text)",
    )
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        default=None,
        help="the least severe log records shown (default: WARNING; INFO for projections run)",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for register in _registrars:
        register(commands)
    return parser


def _version() -> str:
    try:
        return version("fabula")
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        return "unknown"


def importable_cwd() -> None:
    """Put the current directory first on ``sys.path``, as uvicorn and flask do for --app."""
    here = os.getcwd()
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``fabula`` with ``argv`` (default: the process arguments); return the exit status.

    A store URL left out is read from ``$FABULA_URL``.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    importable_cwd()
    if args.log_format is not None or args.log_level is not None:
        configure_logging(format=args.log_format or "text", level=args.log_level or "WARNING")
    elif getattr(args, "run", None) is _projections.run_command:
        logging.basicConfig(level=logging.INFO, format=_projections.TEXT_FORMAT)  # unless set up
    run: Command = args.run
    try:
        return run(args)
    except FabulaError as exc:
        print(f"fabula: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
