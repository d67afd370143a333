"""What the console knows of an app beyond its store: its consumers and its aggregates.

``fabula console URL --app package.module:name`` names a ``ConsoleApp``, a
``ProjectionSet`` (consumers only), or a function without arguments returning either.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fabula._errors import ConfigurationError
from fabula.codec import EventRegistry
from fabula.domain import Aggregate, Decider
from fabula.read import ProjectionSet

__all__ = ["ConsoleApp", "load_console_app"]

Model = Decider[Any, Any, Any] | type[Aggregate]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsoleApp:
    """The parts of an app the console shows besides the log.

    Args:
        projections: the app's projections and reactions (status, lag, parked events,
            and with a token retry, discard and rebuild).
        models: stream category -> the decider or aggregate class of its streams, to show
            a stream's state at any version (time travel through ``Repository.load``).
        registry: decodes events for ``models`` (default: one from the models' events).
    """

    projections: ProjectionSet | None = None
    models: Mapping[str, Model] = field(default_factory=dict)
    registry: EventRegistry | None = None


def load_console_app(spec: str, /) -> ConsoleApp:
    """Import ``package.module:name``: a ``ConsoleApp``, a ``ProjectionSet``, or a factory.

    Raises:
        ConfigurationError: the string is malformed, the name is missing, or it names
            something else.
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        msg = f"--app must look like package.module:name, not {spec!r}"
        raise ConfigurationError(msg)
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as exc:
        msg = f"cannot import {module_name!r} (from --app {spec!r}): {exc}"
        raise ConfigurationError(msg) from exc
    for part in attribute.split("."):
        if not hasattr(found, part):
            msg = f"{module_name!r} has no attribute {attribute!r} (from --app {spec!r})"
            raise ConfigurationError(msg)
        found = getattr(found, part)
    if not isinstance(found, ConsoleApp | ProjectionSet) and callable(found):
        found = found()
    if isinstance(found, ProjectionSet):
        return ConsoleApp(projections=found)
    if not isinstance(found, ConsoleApp):
        msg = f"--app {spec!r} names a {type(found).__name__}, not a ConsoleApp or ProjectionSet"
        raise ConfigurationError(msg)
    return found
