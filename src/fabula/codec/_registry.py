"""The event-type registry: stable names to classes and back, plus JSON encoding.

Rules:
1. A class is stored under the name and schema version its ``@event`` decorator gives.
2. Encoding and decoding go through msgspec for dataclasses and msgspec Structs, and
   through the model's own JSON methods for pydantic models; one decoder per class,
   built once.
3. A stored payload at an older schema version passes through the registered upcasters,
   one version step at a time, before it is decoded; a renamed type's old name, splits
   and metadata upcasters follow ``_upcasting.py`` (ADR 0014).
4. Every decoding failure names the stream, version and position of the stored event.
5. Personal fields (``Annotated[T, Personal(...)]``) are sealed when encoded through a
   keyring and, once their subject is forgotten, decode to their redacted value
   (``_personal.py``); such classes never take the ``current_decoders`` shortcut.
6. What cannot be read back as it was is refused at encode time with a ``CodecError``
   (non-finite floats, nesting past ``MAX_DEPTH``, metadata that is not JSON: see
   ``_refusals.py``), so nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from fabula._errors import CodecError, ConfigurationError, MissingUpcaster, UnknownEventType
from fabula._json import MAX_DEPTH
from fabula.codec._personal import Plan, plan_of, redact, redact_part
from fabula.codec._refusals import (
    ClockPlan,
    as_metadata,
    checked,
    clock_plan,
    metadata_problem,
)
from fabula.codec._upcasting import (
    Merge,
    Merger,
    MetadataUpcaster,
    Split,
    Splitter,
    Upcaster,
    first_parameter_type,
    typed_step,
)
from fabula.domain import EventType, event_type_of

__all__ = ["EventRegistry", "Upcaster", "encode_json", "encode_metadata"]

_F = TypeVar("_F", bound=Callable[..., Any])

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
        self._splits: dict[tuple[str, int], Split] = {}
        self._merges: dict[str, Merge] = {}  # by the last member's stored name
        self._absorbed: dict[str, Merge] = {}  # by the other members' stored names
        self._renamed: dict[str, str] = {}
        self._metadata_upcasters: list[tuple[frozenset[str] | None, MetadataUpcaster]] = []
        self._plans: dict[str, Plan] = {}
        for cls in classes:
            self.register(cls)

    def register(self, cls: type, /) -> None:
        """Register an event class under its stable type name (idempotent)."""
        if cls in self._by_class:
            return
        kind = event_type_of(cls)
        if kind.name in self._renamed:
            msg = f"event type {kind.name!r} was renamed to {self._renamed[kind.name]!r}"
            raise ConfigurationError(msg)
        if kind.name in self._by_name:
            other = self._by_name[kind.name].cls
            msg = (
                f"event type {kind.name!r} is taken by {other.__qualname__} and {cls.__qualname__}"
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

    def typed_upcaster(self, name: str, *, from_version: int) -> Callable[[_F], _F]:
        """Register ``(old: OldClass) -> value`` lifting ``name`` from ``from_version``.

        The stored payload decodes as the class annotated on the first parameter; the
        function returns the next version's value (the current class at the last step,
        or any value msgspec turns into a JSON object).
        """

        def register(func: _F) -> _F:
            old = first_parameter_type(func, f"typed upcaster of {name!r} v{from_version}")
            self._upcasters[(name, from_version)] = typed_step(old, func)
            return func

        return register

    def splitter(
        self, name: str, *, from_version: int, into: Sequence[type]
    ) -> Callable[[Splitter], Splitter]:
        """Register a function that turns one stored ``name`` event into several (or none).

        It gets the payload at ``from_version`` and returns current events, each an
        instance of a class in ``into`` (registered here). The parts share the stored
        event's stream, version and position; their envelopes carry ``part`` 0, 1, ...
        """
        classes = tuple(into)
        if not classes:
            msg = f"splitter of {name!r}: name the classes its parts may be (into=...)"
            raise ConfigurationError(msg)
        for cls in classes:
            self.register(cls)

        def register(func: Splitter) -> Splitter:
            self._splits[(name, from_version)] = Split(func, classes)
            return func

        return register

    def merger(
        self, names: Sequence[str], /, *, into: Sequence[type]
    ) -> Callable[[Merger], Merger]:
        """Register a function that turns stored events ``names`` (in order) into current ones.

        A group is ``len(names)`` events of one stream at consecutive versions whose stored
        types are ``names``. The function gets their payloads as stored, oldest first, and
        returns current events (instances of ``into``). They are delivered at the last
        member's envelope (its version, position, id, metadata; ``part`` 0, 1, ...); the
        other members decode to nothing. The last member's reader must give the earlier
        members (``decode_records(..., earlier=...)``; repositories and runners fetch them).

        Raises:
            ConfigurationError: fewer than two names, a name in another merge, or no ``into``.
        """
        group, classes = tuple(names), tuple(into)
        if len(group) < 2 or not classes:
            msg = f"a merger takes two names or more and into=..., not {group!r}"
            raise ConfigurationError(msg)
        taken = [n for n in group if n in self._merges or n in self._absorbed]
        if taken or len(set(group)) != len(group):
            msg = f"merger {group!r}: a stored name may end or join one merge only"
            raise ConfigurationError(msg)
        for cls in classes:
            self.register(cls)

        def register(func: Merger) -> Merger:
            merge = Merge(group, func, classes)
            self._merges[group[-1]] = merge
            for name in group[:-1]:
                self._absorbed[name] = merge
            return func

        return register

    def merge_span(self, name: str, version: int, /) -> tuple[int, int] | None:
        """The versions of the earlier members when stored ``name`` ends a merge, else ``None``."""
        merge = self._merges.get(name)
        if merge is None:
            return None
        return version - len(merge.names) + 1, version - 1

    def merge_names(self, name: str, /) -> tuple[str, ...]:
        """The stored names of the merge that ``name`` ends (oldest first)."""
        return self._merges[name].names

    @property
    def merges(self) -> bool:
        """Whether any merger is registered."""
        return bool(self._merges)

    def rename(self, old_name: str, /, *, to: type) -> None:
        """Decode events stored under ``old_name`` as ``to`` (their schema versions go on).

        Raises:
            ConfigurationError: ``old_name`` is a registered class's current name.
        """
        self.register(to)
        if old_name in self._by_name:
            msg = f"cannot rename {old_name!r}: it is the name of {self._by_name[old_name].cls}"
            raise ConfigurationError(msg)
        self._renamed[old_name] = self._by_class[to].type.name

    def metadata_upcaster(
        self, *, types: Iterable[str] | None = None
    ) -> Callable[[MetadataUpcaster], MetadataUpcaster]:
        """Register ``metadata -> metadata``, run on every decoded event's metadata.

        ``types`` limits it to those stored type names. Upcasters run in registration
        order, on metadata the stored event may lack (``{}``): make them idempotent.
        """
        names = frozenset(types) if types is not None else None

        def register(func: MetadataUpcaster) -> MetadataUpcaster:
            self._metadata_upcasters.append((names, func))
            return func

        return register

    @property
    def upcasts_metadata(self) -> bool:
        """Whether any metadata upcaster is registered."""
        return bool(self._metadata_upcasters)

    def upcast_metadata(self, name: str, metadata: dict[str, Any], /) -> dict[str, Any]:
        """Run the metadata upcasters that apply to stored type ``name``."""
        for names, func in self._metadata_upcasters:
            if names is None or name in names:
                metadata = func(metadata)
        return metadata

    def stored_names(self, classes: Iterable[type], /) -> frozenset[str]:
        """Return every stored type name that may decode into one of ``classes``.

        Their current names, the old names renamed to them, and the names split into
        them: what a reader of the log filters on.
        """
        wanted = {self.type_of(cls).name for cls in classes}
        targets = set(wanted)
        names = set(wanted)
        names.update(old for old, new in self._renamed.items() if new in targets)
        for (name, _), split in self._splits.items():
            if any(self.type_of(cls).name in targets for cls in split.into):
                names.add(name)
                names.update(old for old, new in self._renamed.items() if new == name)
        for merge in self._merges.values():
            if any(self.type_of(cls).name in targets for cls in merge.into):
                names.update(merge.names)
        return frozenset(names)

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
        earlier: Sequence[str | bytes] | None = None,
    ) -> Any:
        """Decode a stored payload into its event class, upcasting older versions first.

        Raises:
            CodecError: as ``decode_all``, or the stored event splits into other than one.
        """
        events = self.decode_all(
            name,
            schema_version,
            data,
            stream_id=stream_id,
            version=version,
            position=position,
            earlier=earlier,
        )
        if len(events) != 1:
            msg = f"event {name!r} v{schema_version} splits into {len(events)}: use decode_all"
            raise CodecError(msg, stream_id=stream_id, version=version, position=position)
        return events[0]

    def decode_all(
        self,
        name: str,
        schema_version: int,
        data: str | bytes,
        *,
        stream_id: str | None = None,
        version: int | None = None,
        position: int | None = None,
        earlier: Sequence[str | bytes] | None = None,
    ) -> list[Any]:
        """Decode a stored payload into its current events: one, a split's or a merge's parts.

        ``earlier``: the payloads of a merge's earlier members, oldest first, when ``name``
        ends a merge (``merge_span``). A merge's other members decode to ``[]``.

        Raises:
            UnknownEventType: no class, rename or split knows ``name``.
            MissingUpcaster: a version step from ``schema_version`` has no upcaster.
            CodecError: the payload does not decode, an upcaster failed, or a merge's
                earlier members are not given.
        """
        if self._merges and (name in self._merges or name in self._absorbed):
            if name in self._absorbed:
                return []
            return self._merge(name, data, earlier, stream_id, version, position)
        current = self._renamed.get(name, name) if self._renamed else name
        entry = self._by_name.get(current)
        where: dict[str, Any] = {"stream_id": stream_id, "version": version, "position": position}
        if (
            entry is not None
            and schema_version == entry.type.version
            and (not self._splits or (current, schema_version) not in self._splits)
        ):
            return [self._decode_entry(entry, data, name, schema_version, where)]
        try:
            return self._through_steps(current, entry, schema_version, data, where)
        except CodecError as exc:
            if exc.stream_id is not None or exc.position is not None:
                raise
            if isinstance(exc, (UnknownEventType, MissingUpcaster)):
                raise type(exc)(*_error_args(exc), **where) from exc
            raise CodecError(str(exc.args[0]), **where) from exc
        except Exception as exc:  # any upcaster or decoder failure is a codec error
            msg = f"cannot decode event {name!r} (schema version {schema_version}): {exc}"
            raise CodecError(msg, **where) from exc

    def _merge(
        self,
        name: str,
        data: str | bytes,
        earlier: Sequence[str | bytes] | None,
        stream_id: str | None,
        version: int | None,
        position: int | None,
    ) -> list[Any]:
        merge = self._merges[name]
        where: dict[str, Any] = {"stream_id": stream_id, "version": version, "position": position}
        if earlier is None or len(earlier) != len(merge.names) - 1:
            msg = (
                f"event {name!r} ends a merge of {list(merge.names)}: its reader must give the "
                f"{len(merge.names) - 1} earlier events of the group"
            )
            raise CodecError(msg, **where)
        try:
            payloads = [msgspec.json.decode(item) for item in [*earlier, data]]
            parts = list(merge.func(payloads))
        except Exception as exc:  # a failing merger is a codec error
            msg = f"cannot merge {list(merge.names)} into current events: {exc}"
            raise CodecError(msg, **where) from exc
        strangers = [p for p in parts if not isinstance(p, merge.into)]
        if strangers:
            msg = f"the merger of {list(merge.names)} returned a {type(strangers[0]).__qualname__}"
            raise CodecError(msg, **where)
        return self._redact_parts(parts)

    def _redact_parts(self, parts: list[Any]) -> list[Any]:
        if not self._plans:
            return parts
        redacted = []
        for part in parts:
            entry = self._by_class.get(type(part))
            plan = self._plans.get(entry.type.name) if entry is not None else None
            redacted.append(redact_part(plan, part) if plan else part)
        return redacted

    def _decode_entry(
        self, entry: _Entry, data: str | bytes, name: str, schema_version: int, where: Any
    ) -> Any:
        plan = self._plans.get(entry.type.name)
        if plan:  # sealed fields still closed here (a forgotten subject): redacted (ADR 0016)
            data = redact(plan, data)
        try:
            return entry.decode(data)
        except Exception as exc:  # any decoder failure is a codec error
            msg = f"cannot decode event {name!r} (schema version {schema_version}): {exc}"
            raise CodecError(msg, **where) from exc

    def _through_steps(
        self,
        name: str,
        entry: _Entry | None,
        schema_version: int,
        data: str | bytes,
        where: Any,
    ) -> list[Any]:
        step = schema_version
        payload: dict[str, Any] | None = None
        while True:
            split = self._splits.get((name, step))
            if split is not None:
                if payload is None:
                    payload = msgspec.json.decode(data)
                return self._split(split, name, step, payload)
            if entry is not None and step == entry.type.version:
                if payload is None:
                    return [self._decode_entry(entry, data, name, schema_version, where)]
                return [self._decode_entry(entry, _encoder.encode(payload), name, step, where)]
            if entry is not None and step > entry.type.version:
                msg = (
                    f"event {name!r} is stored at schema version {schema_version}, "
                    f"newer than this code's version {entry.type.version}"
                )
                raise CodecError(msg)
            upcast = self._upcasters.get((name, step))
            if upcast is None:
                if entry is None:
                    raise UnknownEventType(name)
                raise MissingUpcaster(name, step)
            if payload is None:
                payload = msgspec.json.decode(data)
            payload = upcast(payload)
            step += 1

    def _split(self, split: Split, name: str, step: int, payload: dict[str, Any]) -> list[Any]:
        parts = list(split.func(payload))
        for part in parts:
            if not isinstance(part, split.into):
                msg = (
                    f"the splitter of {name!r} v{step} returned a {type(part).__qualname__}, "
                    f"not one of {[cls.__qualname__ for cls in split.into]}"
                )
                raise CodecError(msg)
        return self._redact_parts(parts)

    def current_decoders(self) -> dict[tuple[str, int], Callable[[str | bytes], Any]]:
        """Return the decoder of each registered name at its current schema version.

        For readers that decode many events: a payload stored under one of these keys
        decodes with one call and no upcasting. Anything else (or any failure) goes
        through ``decode``, which upcasts and names the event in its errors.
        """
        return {
            (name, entry.type.version): entry.decode
            for name, entry in self._by_name.items()
            if (name, entry.type.version) not in self._splits
            and name not in self._merges
            and name not in self._absorbed
            and name not in self._plans
        }


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


def _error_args(exc: CodecError) -> tuple[Any, ...]:
    if isinstance(exc, MissingUpcaster):
        return (exc.type_name, exc.from_version)
    if isinstance(exc, UnknownEventType):
        return (exc.type_name,)
    return (str(exc.args[0]),)
