"""The event-type registry: stable names to classes and back, plus JSON encoding.

Rules:
1. A class is stored under the name and schema version its ``@event`` decorator gives.
2. Encoding and decoding go through msgspec for dataclasses and msgspec Structs, and
   through the model's own JSON methods for pydantic models; one decoder per class,
   built once.
3. A stored payload at an older schema version passes through the registered upcasters,
   one version step at a time, before it is decoded.
4. Every decoding failure names the stream, version and position of the stored event.
5. Personal fields (``Annotated[T, Personal(...)]``) are sealed when encoded through a
   keyring and, once their subject is forgotten, decode to their redacted value
   (``_personal.py``); such classes never take the ``current_decoders`` shortcut.
6. What cannot be read back as it was is refused at encode time with a ``CodecError``
   (non-finite floats, nesting past ``MAX_DEPTH``, metadata that is not JSON: see
   ``_refusals.py``), so nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import msgspec

from fabula._errors import CodecError, ConfigurationError, UnknownEventType
from fabula._json import MAX_DEPTH
from fabula.codec._personal import Plan, plan_of, redact
from fabula.codec._refusals import (
    ClockPlan,
    as_metadata,
    checked,
    clock_plan,
    metadata_problem,
)
from fabula.domain import EventType, event_type_of

__all__ = ["EventRegistry", "Upcaster", "encode_json", "encode_metadata"]

Upcaster: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns the JSON payload of one schema version into that of the next version."""

_encoder = msgspec.json.Encoder()


@dataclass(frozen=True, slots=True)
class _Entry:
    cls: type
    type: EventType
    decode: Callable[[str | bytes], Any]
    encode: Callable[[Any], bytes]
    clocks: ClockPlan
    what: str


def _codec_for(cls: type) -> tuple[Callable[[str | bytes], Any], Callable[[Any], bytes]]:
    validate_json = getattr(cls, "model_validate_json", None)
    if validate_json is not None:  # a pydantic model
        return validate_json, lambda value: value.model_dump_json().encode()
    return msgspec.json.Decoder(cls).decode, _encoder.encode


class EventRegistry:
    """Maps stable event type names to classes, and encodes/decodes event payloads."""

    def __init__(self, classes: Iterable[type] = ()) -> None:
        self._by_name: dict[str, _Entry] = {}
        self._by_class: dict[type, _Entry] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._plans: dict[str, Plan] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: type, /) -> None:
        """Register an event class under its stable type name (idempotent)."""
        if cls in self._by_class:
            return
        kind = event_type_of(cls)
        if kind.name in self._by_name:
            other = self._by_name[kind.name].cls
            msg = (
                f"event type {kind.name!r} is claimed by {other.__qualname__} "
                f"and {cls.__qualname__}"
            )
            raise ConfigurationError(msg)
        decode, encode = _codec_for(cls)
        entry = _Entry(cls, kind, decode, encode, clock_plan(cls), f"event {kind.name!r}")
        plan = plan_of(cls)
        self._by_name[kind.name] = entry
        self._by_class[cls] = entry
        if plan:
            self._plans[kind.name] = plan

    def upcaster(self, name: str, *, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function that lifts payloads of ``name`` from ``from_version`` to the next."""

        def register(func: Upcaster) -> Upcaster:
            self._upcasters[(name, from_version)] = func
            return func

        return register

    def __contains__(self, item: object) -> bool:
        return item in self._by_name or item in self._by_class

    def names(self) -> frozenset[str]:
        """Return every registered type name."""
        return frozenset(self._by_name)

    def type_of(self, cls: type, /) -> EventType:
        """Return the stable type of a registered class."""
        entry = self._by_class.get(cls)
        if entry is None:
            msg = f"{cls.__qualname__} is not registered with this event registry"
            raise ConfigurationError(msg)
        return entry.type

    def personal_fields(self, cls: type, /) -> Plan:
        """Return the personal fields of an event class (registering it first)."""
        if cls not in self._by_class:
            self.register(cls)
        return self._plans.get(self._by_class[cls].type.name, ())

    def encode(self, value: object, /) -> tuple[str, int, str]:
        """Return ``(type name, schema version, JSON payload)`` for an event value."""
        entry = self._by_class.get(type(value))
        if entry is None:
            self.register(type(value))
            entry = self._by_class[type(value)]
        data = _encode(entry.encode, value, entry.what, clocks=entry.clocks)
        return entry.type.name, entry.type.version, data

    def decode(
        self,
        name: str,
        schema_version: int,
        data: str | bytes,
        *,
        stream_id: str | None = None,
        version: int | None = None,
        position: int | None = None,
    ) -> Any:
        """Decode a stored payload into its event class, upcasting older versions first."""
        entry = self._by_name.get(name)
        if entry is None:
            raise UnknownEventType(name, stream_id=stream_id, version=version, position=position)
        try:
            if schema_version != entry.type.version:
                data = self._upcast(entry, schema_version, data)
            plan = self._plans.get(name)
            if plan:
                data = redact(plan, data)
            return entry.decode(data)
        except CodecError as exc:
            raise CodecError(
                str(exc.args[0]), stream_id=stream_id, version=version, position=position
            ) from exc
        except Exception as exc:  # any decoder failure is a codec error
            msg = f"cannot decode event {name!r} (schema version {schema_version}): {exc}"
            raise CodecError(msg, stream_id=stream_id, version=version, position=position) from exc

    def current_decoders(self) -> dict[tuple[str, int], Callable[[str | bytes], Any]]:
        """Return the decoder of each registered name at its current schema version.

        For readers that decode many events: a payload stored under one of these keys
        decodes with one call and no upcasting. Anything else (or any failure) goes
        through ``decode``, which upcasts and names the event in its errors.
        """
        return {
            (name, entry.type.version): entry.decode
            for name, entry in self._by_name.items()
            if name not in self._plans
        }

    def _upcast(self, entry: _Entry, schema_version: int, data: str | bytes) -> bytes:
        if schema_version > entry.type.version:
            msg = (
                f"event {entry.type.name!r} is stored at schema version {schema_version}, "
                f"newer than this code's version {entry.type.version}"
            )
            raise CodecError(msg)
        payload: dict[str, Any] = msgspec.json.decode(data)
        for step in range(schema_version, entry.type.version):
            upcast = self._upcasters.get((entry.type.name, step))
            if upcast is None:
                msg = f"no upcaster for event {entry.type.name!r} from schema version {step}"
                raise CodecError(msg)
            payload = upcast(payload)
        return _encoder.encode(payload)


def encode_json(value: Mapping[str, Any] | object) -> str:
    """Encode a JSON-able value (a snapshot's state) as compact JSON text.

    Raises:
        CodecError: the value cannot be encoded, or would not read back as it was.
    """
    return _encode(_encoder.encode, value, f"a {type(value).__name__}")


def encode_metadata(metadata: object, /) -> str:
    """Encode an event's metadata as a JSON object's text (``"{}"`` for none).

    Raises:
        InvalidMetadata: ``metadata`` is not a mapping.
        CodecError: it holds a key or value JSON cannot keep as it is.
    """
    mapping = as_metadata(metadata)
    if not mapping:
        return "{}"
    problem = metadata_problem(mapping)
    if problem is not None:
        msg = f"cannot encode metadata: {problem}"
        raise CodecError(msg)
    return _encode(_encoder.encode, mapping, "metadata", clocks=())


def _encode(
    encode: Callable[[Any], bytes], value: object, what: str, *, clocks: ClockPlan = None
) -> str:
    try:
        data = encode(value)
    except RecursionError as exc:
        msg = f"cannot encode {what}: it nests arrays and objects more than {MAX_DEPTH} deep"
        raise CodecError(msg) from exc
    except (TypeError, ValueError, msgspec.EncodeError) as exc:
        msg = f"cannot encode {what}: {exc}"
        raise CodecError(msg) from exc
    return checked(data, value, what, clocks=clocks).decode()
