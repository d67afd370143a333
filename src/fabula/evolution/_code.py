"""What ``check`` and ``copy`` decode with: the current code's registry and deciders."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from fabula._errors import ConfigurationError
from fabula.codec import EventRegistry
from fabula.domain import Decider

__all__ = ["CurrentCode", "load_code"]


@dataclass(frozen=True, slots=True)
class CurrentCode:
    """The event registry to decode with, and the deciders whose snapshots to check."""

    registry: EventRegistry
    deciders: tuple[Decider[Any, Any, Any], ...] = ()

    @classmethod
    def of(cls, found: object, /) -> CurrentCode:
        """Take a ``CurrentCode``, an ``EventRegistry``, or anything with ``.registry``.

        A ``Flow`` or ``ProjectionSet`` works; ``.deciders`` (a flow's) is read if present.

        Raises:
            ConfigurationError: ``found`` is none of these.
        """
        if isinstance(found, CurrentCode):
            return found
        if isinstance(found, EventRegistry):
            return cls(found)
        registry = getattr(found, "registry", None)
        if isinstance(registry, EventRegistry):
            deciders = getattr(found, "deciders", ())
            return cls(registry, tuple(d for d in deciders if isinstance(d, Decider)))
        msg = (
            f"--app names a {type(found).__name__}: give an EventRegistry, a "
            "fabula.evolution.CurrentCode, or an object with .registry (a Flow)"
        )
        raise ConfigurationError(msg)


def load_code(spec: str, /) -> CurrentCode:
    """Import ``package.module:name`` and return the code it names (or a function makes).

    Raises:
        ConfigurationError: the string is malformed, the module or name is missing, or
            the object is not one ``CurrentCode.of`` takes.
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
    if (
        callable(found)
        and not isinstance(found, EventRegistry | CurrentCode | type)
        and getattr(found, "registry", None) is None
    ):
        found = found()
    return CurrentCode.of(found)
