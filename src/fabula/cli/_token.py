"""``fabula token``: mint a development bearer token for the example apps (``web`` extra).

The token is signed with the settings ``fabula serve`` reads (``AuthSettings.from_env``:
``FABULA_AUTH_SECRET``, ``FABULA_AUTH_ISSUER``, ``FABULA_AUTH_AUDIENCE``), so run both
with the same environment. Without ``FABULA_AUTH_SECRET`` both use the public
development secret: fine on a laptop, never in production.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``token`` subcommand."""
    token = commands.add_parser(
        "token",
        help="print a development bearer token (JWT) for the example apps",
        description="Print a signed bearer token for USER, for the example apps served by "
        "'fabula serve' with the same FABULA_AUTH_* environment. Send it as "
        "'Authorization: Bearer <token>'.",
    )
    token.add_argument("user", help="who the token names (its subject, e.g. a customer id)")
    token.add_argument(
        "--scope",
        action="append",
        default=[],
        help="a scope to grant, e.g. orders:ship (repeatable)",
    )
    token.add_argument("--minutes", type=int, default=60, help="how long it is valid (default: 60)")
    token.set_defaults(run=_token)


def _token(args: argparse.Namespace) -> int:
    try:
        from fabula.web import BearerAuth
    except ImportError as exc:
        missing = (exc.name or "").partition(".")[0]
        print(
            f"fabula token needs the 'web' extra ({missing} is missing): pip install 'fabula[web]'",
            file=sys.stderr,
        )
        return 2
    auth = BearerAuth()
    if auth.settings.is_development:
        print(
            "fabula token: signed with the public development secret (set FABULA_AUTH_SECRET "
            "for anything else)",
            file=sys.stderr,
        )
    lifetime = timedelta(minutes=args.minutes)
    print(auth.mint(args.user, scopes=args.scope, lifetime=lifetime))
    return 0
