"""What the codec refuses to write: JSON it could not read back as it was.

Rules:
1. A float that is NaN or infinite is refused (``CodecError``): JSON has no spelling for
   it and msgspec writes ``null``, which would fail the next load of the stream. The
   refusal names the field (``$.prices[2]``). Decimals are written as strings, so a
   Decimal NaN or Infinity round-trips and is kept.
2. Text nested past ``MAX_DEPTH`` levels is refused (``CodecError``), so a stream never
   holds an event that only decodes with a shallow enough call stack.
3. A datetime or time whose UTC offset is not whole minutes is refused (``CodecError``):
   RFC 3339 text, as msgspec and pydantic write it, rounds the offset to minutes, which
   moves the instant (zoneinfo gives such offsets to dates before about 1900).
4. Metadata is a mapping (``InvalidMetadata`` otherwise) of string keys to JSON values:
   str, int, finite float, bool, None, lists and mappings of those (``CodecError``
   otherwise), since anything else would come back as something else.
5. Every check runs before anything is written. The common case costs a scan of the
   encoded bytes done in C: a value is walked only when its text holds ``null`` or its
   class may hold a datetime or time below its top-level fields (``clock_plan``,
   decided once per class); top-level datetime fields are looked at one by one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any, TypeAlias

import msgspec
import msgspec.inspect

from fabula._errors import CodecError, InvalidMetadata
from fabula._json import MAX_DEPTH, too_deep

__all__ = ["ClockPlan", "as_metadata", "checked", "clock_plan", "metadata_problem"]

_SCALARS = (str, int, bool, type(None))
_MINUTE = timedelta(minutes=1)
_NON_FINITE = "is a non-finite float (NaN or Infinity), which JSON cannot hold"


ClockPlan: TypeAlias = tuple[str, ...] | None
"""Where a class keeps datetimes: ``()`` nowhere, field names, or ``None`` (walk it all)."""


def checked(data: bytes, value: object, what: str, *, clocks: ClockPlan = None) -> bytes:
    """Return ``data``, the JSON encoding of ``value``, if it reads back as ``value``.

    ``clocks`` (from ``clock_plan``) says where ``value`` may hold datetimes or times;
    the whole value is walked only when ``data`` holds ``null`` (msgspec's spelling of
    NaN and Infinity) or the plan is ``None``.

    Raises:
        CodecError: ``value`` nests too deep, holds a non-finite float or a datetime with
            an offset of seconds (rules 1 to 3).
    """
    if too_deep(data):
        msg = f"cannot encode {what}: it nests arrays and objects more than {MAX_DEPTH} deep"
        raise CodecError(msg)
    problem = None
    if clocks is None or b"null" in data:
        problem = _unreadable(_builtins(value))
    else:
        for name in clocks:
            problem = _offset_problem(f"$.{name}", getattr(value, name))
            if problem is not None:
                break
    if problem is not None:
        msg = f"cannot encode {what}: {problem}"
        raise CodecError(msg)
    return data


def clock_plan(cls: type, /) -> ClockPlan:
    """Return where values of ``cls`` may hold a datetime or time (see ``ClockPlan``).

    Top-level fields typed ``datetime`` or ``time`` (optional or not) are named; a class
    that may hold one anywhere else, or that msgspec cannot inspect, gets ``None``.
    """
    try:
        info = msgspec.inspect.type_info(cls)
    except (TypeError, ValueError):  # not a type msgspec knows (a pydantic model)
        return None
    if not isinstance(info, msgspec.inspect.DataclassType | msgspec.inspect.StructType):
        return None if _mentions_clock(info) else ()
    names = []
    for field in info.fields:
        kind = field.type
        if isinstance(kind, msgspec.inspect.UnionType):
            others = [t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)]
            kind = others[0] if len(others) == 1 else kind
        if isinstance(kind, msgspec.inspect.DateTimeType | msgspec.inspect.TimeType):
            names.append(field.name)
        elif _mentions_clock(kind):
            return None
    return tuple(names)


def _mentions_clock(info: object) -> bool:
    seen: set[int] = set()
    stack: list[object] = [info]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, _CLOCK_TYPES):
            return True
        if isinstance(node, list | tuple):
            stack.extend(node)
        elif isinstance(node, msgspec.inspect.Type | msgspec.inspect.Field):
            stack.extend(getattr(node, name) for name in node.__struct_fields__)
    return False


_CLOCK_TYPES = (
    msgspec.inspect.DateTimeType,
    msgspec.inspect.TimeType,
    msgspec.inspect.AnyType,
    msgspec.inspect.CustomType,
)


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
                return f"{path} {_NON_FINITE}"
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
    if dump is not None:  # a pydantic model: its floats and datetimes as they are
        return dump()
    return msgspec.to_builtins(value, builtin_types=(datetime, time))


def _unreadable(value: object) -> str | None:
    stack: list[tuple[str, object]] = [("$", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return f"{path} {_NON_FINITE}"
        elif isinstance(item, dict):
            stack.extend((f"{path}.{key}", inner) for key, inner in item.items())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend((f"{path}[{i}]", inner) for i, inner in enumerate(item))
        elif isinstance(item, datetime | time):
            problem = _offset_problem(path, item)
            if problem is not None:
                return problem
        else:
            dump = getattr(item, "model_dump", None)
            if dump is not None:
                stack.append((path, dump()))
    return None


def _offset_problem(path: str, value: object) -> str | None:
    if not isinstance(value, datetime | time):
        return None
    offset = value.utcoffset()
    if offset is None or not offset % _MINUTE:
        return None
    return (
        f"{path} has the UTC offset {offset}, which RFC 3339 text rounds to whole minutes "
        "(convert it to UTC first)"
    )
