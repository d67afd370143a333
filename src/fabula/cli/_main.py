"""Argument parsing and dispatch for the ``fabula`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from fabula._errors import FabulaError
from fabula.cli import _demo, _inspect, _personal, _projections, _serve, _token

__all__ = ["build_parser", "main"]

DESCRIPTION = """\
fabula: CQRS and event sourcing for Python.

Store URLs: memory://, sqlite:///relative.db, sqlite:////absolute.db,
postgresql://user@host:5432/db?schema=name
"""

Command = Callable[[argparse.Namespace], int]
_registrars: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _demo.register,
    _inspect.register,
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
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for register in _registrars:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``fabula`` with ``argv`` (default: the process arguments); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except FabulaError as exc:
        print(f"fabula: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
