"""Find an app's projections from an import string, as ``fabula projections ... --app`` does.

``--app package.module:name`` names a ``ProjectionSet``, or a function without
arguments that returns one (so that opening the store waits until it is needed)::

    # myapp/read.py
    projections = ProjectionSet(
        "sqlite:///app.db", "sqlite:///read.db", consumers=[todo_list], registry=registry
    )

    $ fabula projections status --app myapp.read:projections
"""

from __future__ import annotations

import importlib

from fabula._errors import ConfigurationError
from fabula.read.operations._set import ProjectionSet

__all__ = ["load_app"]


def load_app(spec: str, /) -> ProjectionSet:
    """Import ``package.module:name`` and return the ``ProjectionSet`` it names (or makes).

    Raises:
        ConfigurationError: the string is malformed, the module or name is missing, or
            the object is not a ``ProjectionSet`` (nor a function returning one).
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
    if not isinstance(found, ProjectionSet) and callable(found):
        found = found()
    if not isinstance(found, ProjectionSet):
        msg = f"--app {spec!r} names a {type(found).__name__}, not a fabula.read.ProjectionSet"
        raise ConfigurationError(msg)
    return found
