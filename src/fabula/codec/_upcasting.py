"""The upcasting steps a registry keeps: payload steps, typed steps, splits and renames.

Rules (ADR 0014):
1. A stored event is named by ``(type name, schema version)``. A renamed type's old name
   resolves to its new name first; schema versions go on counting along the same line.
2. From the stored version up to the class's current one, each step lifts the payload
   one version: a ``dict -> dict`` upcaster, or a typed one (``OldClass -> next value``).
3. A split at ``(name, version)`` ends the chain: it turns the payload into zero or more
   current events (zero drops the stored event). Its parts share the stored event's
   stream, version, position and id, and carry ``part`` 0, 1, ... in their envelope.
4. A merge of stored names ``(A, ..., Z)`` (consecutive versions of one stream, as stored)
   delivers its events at ``Z``'s envelope; the members before ``Z`` decode to nothing.
   ``Z``'s reader gives the earlier members (``decode_records(..., earlier=...)``).
5. Any missing step is an error naming the type and the version (``MissingUpcaster``);
   nothing is decoded by guess.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, get_type_hints

import msgspec

from fabula._errors import ConfigurationError

__all__ = [
    "Merge",
    "Merger",
    "MetadataUpcaster",
    "Split",
    "Splitter",
    "Upcaster",
    "first_parameter_type",
    "to_payload",
    "typed_step",
]

Upcaster: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns the JSON payload of one schema version into that of the next version."""

Splitter: TypeAlias = Callable[[dict[str, Any]], Sequence[object]]
"""Turns one stored payload into zero or more current events."""

Merger: TypeAlias = Callable[[list[dict[str, Any]]], Sequence[object]]
"""Turns the payloads of a merge group (oldest first, as stored) into current events."""

MetadataUpcaster: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns a stored event's metadata into what the current code expects."""


@dataclass(frozen=True, slots=True)
class Split:
    """A registered split: the function and the classes its parts may be."""

    func: Splitter
    into: tuple[type, ...]


@dataclass(frozen=True, slots=True)
class Merge:
    """A registered merge: the stored names in order, the function, the part classes."""

    names: tuple[str, ...]
    func: Merger
    into: tuple[type, ...]


def first_parameter_type(func: Callable[..., object], what: str) -> type:
    """Return the annotated class of ``func``'s first parameter (a typed upcaster's input)."""
    try:
        params = list(inspect.signature(func).parameters.values())
        hints = get_type_hints(func)
    except (TypeError, ValueError, NameError) as exc:
        msg = f"{what}: cannot read the annotation of its parameter: {exc}"
        raise ConfigurationError(msg) from exc
    if not params or params[0].name not in hints or not isinstance(hints[params[0].name], type):
        msg = f"{what}: annotate its first parameter with the old event class"
        raise ConfigurationError(msg)
    found: type = hints[params[0].name]
    return found


def _from_payload(cls: type, payload: dict[str, Any]) -> object:
    validate = getattr(cls, "model_validate", None)
    if validate is not None:  # a pydantic model
        return validate(payload)
    return msgspec.convert(payload, cls)


def to_payload(value: object) -> dict[str, Any]:
    """Return the JSON payload (a dict) of an event value or a plain mapping."""
    dump = getattr(value, "model_dump", None)  # a pydantic model's
    result = dump(mode="json") if dump is not None else msgspec.to_builtins(value)
    if not isinstance(result, dict):
        msg = f"an upcaster returned a {type(value).__name__}, not an event or a dict"
        raise TypeError(msg)
    return result


def typed_step(old: type, func: Callable[[Any], object]) -> Upcaster:
    """Wrap ``OldClass -> value`` as a payload step: decode as ``old``, encode the result."""

    def step(payload: dict[str, Any]) -> dict[str, Any]:
        return to_payload(func(_from_payload(old, payload)))

    return step
