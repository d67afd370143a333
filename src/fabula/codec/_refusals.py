"""What the codec refuses to write: JSON it could not read back as it was.

Rules:
1. A float that is NaN or infinite is refused (``CodecError``): JSON has no spelling for
   it and msgspec writes ``null``, which would fail the next load of the stream. The
   refusal names the field (``$.prices[2]``). Decimals are written as strings, so a
   Decimal NaN or Infinity round-trips and is kept.
2. Text nested past ``MAX_DEPTH`` levels is refused (``CodecError``), so a stream never
   holds an event that only decodes with a shallow enough call stack.
3. Metadata is a mapping (``InvalidMetadata`` otherwise) of string keys to JSON values:
   str, int, finite float, bool, None, lists and mappings of those (``CodecError``
   otherwise), since anything else would come back as something else.
4. Every check runs before anything is written, and the common case costs a scan of
   the encoded bytes done in C: only text holding ``null`` is walked for floats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import msgspec

from fabula._errors import CodecError, InvalidMetadata
from fabula._json import MAX_DEPTH, too_deep

__all__ = ["as_metadata", "checked", "metadata_problem"]

_SCALARS = (str, int, bool, type(None))


def checked(data: bytes, value: object, what: str) -> bytes:
    """Return ``data``, the JSON encoding of ``value``, if it reads back as ``value``.

    Raises:
        CodecError: ``value`` nests too deep or holds a non-finite float (rules 1, 2).
    """
    if too_deep(data):
        msg = f"cannot encode {what}: it nests arrays and objects more than {MAX_DEPTH} deep"
        raise CodecError(msg)
    # msgspec writes NaN and Infinity as null: no null, no non-finite float.
    if b"null" in data:
        path = _non_finite_float(_builtins(value))
        if path is not None:
            msg = (
                f"cannot encode {what}: {path} is a non-finite float "
                "(NaN or Infinity), which JSON cannot hold"
            )
            raise CodecError(msg)
    return data


def as_metadata(metadata: object, /) -> dict[str, Any]:
    """Return ``metadata`` as a new dict (``{}`` for ``None``).

    Raises:
        InvalidMetadata: ``metadata`` is not a mapping.
    """
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        msg = (
            f"metadata must be a mapping of str keys to JSON values, not {type(metadata).__name__}"
        )
        raise InvalidMetadata(msg)
    return dict(metadata)


def metadata_problem(metadata: Mapping[Any, Any], /) -> str | None:
    """Say which entry of ``metadata`` JSON cannot round-trip (rule 3), or ``None``."""
    stack: list[tuple[str, object, int]] = [("$", metadata, 1)]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, _SCALARS):
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                return f"{path} is a non-finite float (NaN or Infinity), which JSON cannot hold"
            continue
        if depth > MAX_DEPTH:
            return f"{path} nests lists and mappings more than {MAX_DEPTH} deep"
        if isinstance(value, list):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    return f"{path} has the key {key!r}: JSON object keys are strings"
                stack.append((f"{path}.{key}", item, depth + 1))
        else:
            return f"{path} is of type {type(value).__name__}, not a JSON value"
    return None


def _builtins(value: object) -> object:
    dump = getattr(value, "model_dump", None)
    if dump is not None:  # a pydantic model: its floats as they are
        return dump()
    return msgspec.to_builtins(value)


def _non_finite_float(value: object) -> str | None:
    stack: list[tuple[str, object]] = [("$", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return path
        elif isinstance(item, dict):
            stack.extend((f"{path}.{key}", inner) for key, inner in item.items())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend((f"{path}[{i}]", inner) for i, inner in enumerate(item))
        else:
            dump = getattr(item, "model_dump", None)
            if dump is not None:
                stack.append((path, dump()))
    return None
