"""Which fields of an event class are personal, and sealing or redacting them in a payload.

A class's plan is read once, at registration, from ``Annotated[T, Personal(...)]``
hints. Encoding seals each personal field with its subject's key (``_sealing.seal``);
decoding turns a forgotten marker into the field's redacted value, after upcasting.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec

from fabula._errors import CodecError, ConfigurationError
from fabula.codec._sealing import FORGOTTEN, SEALED, seal
from fabula.domain import REDACTED, Personal, SubjectFrom

__all__ = [
    "PersonalField",
    "Plan",
    "plan_of",
    "redact",
    "redact_part",
    "seal_payload",
    "subjects_of",
]


@dataclass(frozen=True, slots=True)
class PersonalField:
    """One personal field: its name, its subject's field (or ``STREAM``), its redacted value."""

    name: str
    subject: str | SubjectFrom
    redacted: object


Plan = tuple[PersonalField, ...]


def plan_of(cls: type) -> Plan:
    """Return the personal fields of an event class (empty for most classes).

    Raises:
        ConfigurationError: a marker names a missing subject field, or one that is itself
            personal, or a redacted value the field's type refuses.
    """
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as exc:
        # Never store a personal field in clear because its hints did not resolve.
        written = " ".join(map(str, getattr(cls, "__annotations__", {}).values()))
        if "Personal" not in written:
            return ()
        msg = (
            f"{cls.__qualname__}: its type hints do not resolve ({exc}), so its personal "
            "fields cannot be found: define the names they use at module level"
        )
        raise ConfigurationError(msg) from exc
    found: list[PersonalField] = []
    for name, hint in hints.items():
        if typing.get_origin(hint) is not Annotated:
            continue
        for mark in hint.__metadata__:
            if isinstance(mark, Personal):
                found.append(PersonalField(name, mark.subject, mark.redacted))
                _check_redacted(cls, name, hint, mark.redacted)
    personal = {field.name for field in found}
    for field in found:
        if isinstance(field.subject, SubjectFrom):
            continue
        if field.subject not in hints or field.subject in personal:
            msg = (
                f"{cls.__qualname__}.{field.name}: Personal(subject={field.subject!r}) must "
                "name a field of the class that is not personal itself"
            )
            raise ConfigurationError(msg)
    return tuple(found)


def _check_redacted(cls: type, name: str, hint: object, redacted: object) -> None:
    if hasattr(cls, "model_validate_json"):  # pydantic validates its own way, at decode
        return
    try:
        msgspec.convert(redacted, hint)
    except (msgspec.ValidationError, TypeError) as exc:
        msg = (
            f"{cls.__qualname__}.{name}: its redacted value {redacted!r} is not of the "
            f"field's type; give Personal(redacted=...) a value that is ({exc})"
        )
        raise ConfigurationError(msg) from exc


def subjects_of(plan: Plan, value: object, stream_id: str | None = None) -> list[str]:
    """Return the subjects an event's personal fields belong to.

    ``stream_id`` is the stream the event is appended to: the subject of ``STREAM`` fields.

    Raises:
        CodecError: a subject field does not hold a non-empty ``str``, or a ``STREAM``
            field is encoded without its stream id.
    """
    subjects = []
    for field in plan:
        if isinstance(field.subject, SubjectFrom):
            subjects.append(_stream_subject(type(value).__qualname__, field, stream_id))
            continue
        subject = getattr(value, field.subject, None)
        if not isinstance(subject, str) or not subject:
            msg = (
                f"{type(value).__qualname__}.{field.subject} names the subject of personal "
                f"field {field.name!r}: it must be a non-empty str, not {subject!r}"
            )
            raise CodecError(msg)
        subjects.append(subject)
    return subjects


def _stream_subject(owner: str, field: PersonalField, stream_id: str | None) -> str:
    if not stream_id:
        msg = (
            f"{owner}.{field.name} is personal data of its stream "
            "(Personal(subject=STREAM)): encode it with the stream id it is appended to"
        )
        raise CodecError(msg)
    return stream_id


def seal_payload(
    plan: Plan, data: str, keys: Mapping[str, bytes], stream_id: str | None = None
) -> str:
    """Seal the personal fields of an encoded payload with their subjects' keys.

    ``stream_id`` is the subject of the ``STREAM`` fields (see ``subjects_of``).
    """
    payload: dict[str, Any] = msgspec.json.decode(data)
    for field in plan:
        if isinstance(field.subject, SubjectFrom):
            subject = _stream_subject("the event", field, stream_id)
        else:
            subject = payload[field.subject]
        key = keys.get(subject)
        if key is None:
            msg = (
                f"no key for subject {subject!r}: events with personal fields are encoded "
                "through a Keyring (Repository and Flow do it)"
            )
            raise CodecError(msg)
        payload[field.name] = seal(key, subject, payload[field.name])
    return msgspec.json.encode(payload).decode()


def redact(plan: Plan, data: str | bytes) -> str | bytes:
    """Replace forgotten markers by their fields' redacted values (after upcasting).

    Raises:
        CodecError: the payload still holds a sealed field (it was not opened).
    """
    text = data if isinstance(data, str) else data.decode()
    if f'"{SEALED}"' in text:
        msg = "a personal field is still sealed: read personal events through a Keyring"
        raise CodecError(msg)
    if f'"{FORGOTTEN}"' not in text:
        return data
    payload: dict[str, Any] = msgspec.json.decode(text)
    redacted = {field.name: field.redacted for field in plan}
    for name, value in payload.items():
        if isinstance(value, dict) and FORGOTTEN in value:
            payload[name] = redacted.get(name, REDACTED)
    return msgspec.json.encode(payload)


def redact_part(plan: Plan, part: object) -> object:
    """Give a split's or merge's part the redacted value of each forgotten personal field.

    A splitter or merger copies an opened payload's values into its parts; a forgotten
    field arrives as its ``{"fabula:forgotten": subject}`` marker, replaced here.
    """
    changes = {
        field.name: field.redacted
        for field in plan
        if isinstance(value := getattr(part, field.name, None), dict) and FORGOTTEN in value
    }
    if not changes:
        return part
    if isinstance(part, msgspec.Struct):
        return msgspec.structs.replace(part, **changes)
    copy = getattr(part, "model_copy", None)
    if callable(copy):  # pydantic
        return copy(update=changes)
    return dataclasses.replace(part, **changes)  # type: ignore[type-var]
