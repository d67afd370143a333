"""Find an app's object from an import string, as ``fabula projections ... --app`` does.

A shared leaf, not public API: the CLI and ``run_workers``' child processes both resolve
``--app`` through it, and it imports nothing from fabula but ``_errors`` (the caller says
which class it wants). ``--app package.module:name`` names an instance of that class, or a
function without arguments that returns one (so that opening the store waits until it is
needed)::

    # myapp/read.py
    projections = ProjectionSet(
        "sqlite:///app.db", "sqlite:///read.db", consumers=[todo_list], registry=registry
    )

    $ fabula projections status --app myapp.read:projections
"""

from __future__ import annotations

import importlib
from typing import TypeVar

from fabula._errors import ConfigurationError

__all__ = ["load_app"]

AppT = TypeVar("AppT")


def load_app(spec: str, kind: type[AppT], /) -> AppT:
    """Import ``package.module:name`` and return the ``kind`` instance it names (or makes).

    Raises:
        ConfigurationError: the string is malformed, the module or name is missing, or
            the object is not a ``kind`` (nor a function returning one).
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        msg = f"--app must look like package.module:name, not {spec!r}"
        raise ConfigurationError(msg)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        msg = f"cannot import {module_name!r} (from --app {spec!r}): {exc}"
        raise ConfigurationError(msg) from exc
    found: object = module
    for part in attribute.split("."):
        if not hasattr(found, part):
            msg = f"{module_name!r} has no attribute {attribute!r} (from --app {spec!r})"
            raise ConfigurationError(msg)
        found = getattr(found, part)
    if not isinstance(found, kind) and callable(found):
        found = found()
    if not isinstance(found, kind):
        msg = f"--app {spec!r} names a {type(found).__name__}, not a {kind.__qualname__}"
        raise ConfigurationError(msg)
    return found
