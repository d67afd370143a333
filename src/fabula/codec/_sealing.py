"""Sealed personal fields in stored payloads: AES-GCM with one key per subject.

Rules:
1. A personal field is stored as ``{"fabula:sealed": <base64 nonce+ciphertext>,
   "subject": <subject>}`` in place of its value: the value's JSON, encrypted with
   AES-256-GCM under the subject's key, a fresh 96-bit nonce, and the subject as
   associated data (a sealed value moved to another subject does not open).
2. Opening a record (``open_record``) replaces each sealed field of its payload by its
   value, or by ``{"fabula:forgotten": <subject>}`` when the subject's key was destroyed;
   the decoder turns that marker into the field's redacted value.
3. A sealed field whose subject has no key row, or whose key does not open it, raises
   ``PersonalKeyError`` naming the subject and the event's stream, version and position.
4. Only top-level fields are sealed, so a payload is scanned without walking it.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from fabula._errors import ConfigurationError, PersonalKeyError
from fabula.store import NewEvent, StoredEvent

__all__ = [
    "FORGOTTEN",
    "SEALED",
    "might_be_sealed",
    "open_payloads",
    "open_record",
    "open_sealed",
    "seal",
    "sealed_payloads",
    "sealed_subjects",
    "sealed_subjects_of",
    "sealed_subjects_per_record",
]

SEALED = "fabula:sealed"
FORGOTTEN = "fabula:forgotten"
_SEALED_TEXT = f'"{SEALED}"'
_encoder = msgspec.json.Encoder()


def _aesgcm(key: bytes) -> Any:
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as exc:  # pragma: no cover - the extra is part of dev
        msg = "personal fields need the cryptography package: pip install 'fabula[personal]'"
        raise ConfigurationError(msg) from exc
    return AESGCM(key)


def seal(key: bytes, subject: str, value: object) -> dict[str, str]:
    """Return the sealed form of one field's value (rule 1)."""
    nonce = os.urandom(12)
    box = _aesgcm(key).encrypt(nonce, _encoder.encode(value), subject.encode())
    return {SEALED: base64.b64encode(nonce + box).decode(), "subject": subject}


def might_be_sealed(record: StoredEvent | NewEvent) -> bool:
    """Whether a record's payload may hold a sealed field (a text search, no parsing)."""
    return _SEALED_TEXT in record.data


def sealed_subjects(payload: Mapping[str, Any]) -> list[str]:
    """Return the subjects of the sealed top-level fields of a decoded payload."""
    return [
        value["subject"]
        for value in payload.values()
        if isinstance(value, dict) and SEALED in value and isinstance(value.get("subject"), str)
    ]


def open_record(
    record: StoredEvent, payload: dict[str, Any], keys: Mapping[str, bytes | None]
) -> StoredEvent:
    """Return the record with its sealed fields opened or marked forgotten (rules 2, 3)."""
    for name, value in payload.items():
        if not (isinstance(value, dict) and SEALED in value):
            continue
        subject = str(value.get("subject"))
        if subject not in keys:
            msg = (
                f"no key for subject {subject!r} (field {name!r} of {record.type!r}): "
                "the personal key table is missing or was emptied"
            )
            raise _key_error(msg, subject, record)
        key = keys[subject]
        if key is None:
            payload[name] = {FORGOTTEN: subject}
            continue
        try:
            raw = base64.b64decode(str(value[SEALED]), validate=True)
            plain = _aesgcm(key).decrypt(raw[:12], raw[12:], subject.encode())
            payload[name] = msgspec.json.decode(plain)
        except Exception as exc:  # InvalidTag, a key of the wrong length, bad base64
            msg = (
                f"the key of subject {subject!r} does not open field {name!r} of "
                f"{record.type!r}: the key or the sealed value is corrupt "
                f"({type(exc).__name__})"
            )
            raise _key_error(msg, subject, record) from exc
    return msgspec.structs.replace(record, data=_encoder.encode(payload).decode())


def sealed_payloads(records: Sequence[StoredEvent], /) -> list[tuple[int, dict[str, Any]]]:
    """Return the index and decoded payload of each record with a sealed field."""
    found = []
    for index, record in enumerate(records):
        if might_be_sealed(record):
            payload: dict[str, Any] = msgspec.json.decode(record.data)
            if sealed_subjects(payload):
                found.append((index, payload))
    return found


def sealed_subjects_per_record(
    records: Sequence[StoredEvent | NewEvent], /
) -> list[tuple[int, list[str]]]:
    """Return the index of each record with sealed fields, and those fields' subjects."""
    found = []
    for index, record in enumerate(records):
        if might_be_sealed(record):
            subjects = sealed_subjects(msgspec.json.decode(record.data))
            if subjects:
                found.append((index, subjects))
    return found


def sealed_subjects_of(records: Sequence[StoredEvent], /) -> list[str]:
    """Return the subjects whose keys opening ``records`` needs (none: nothing is sealed)."""
    subjects: dict[str, None] = {}
    for _, payload in sealed_payloads(records):
        subjects.update(dict.fromkeys(sealed_subjects(payload)))
    return list(subjects)


def open_sealed(
    records: Sequence[StoredEvent], keys: Mapping[str, bytes | None], /
) -> list[StoredEvent]:
    """Return ``records`` with their sealed fields opened, or marked forgotten.

    ``keys`` holds the key rows of ``sealed_subjects_of(records)`` (``None``: forgotten).
    For code that reads keys in its own transaction (inline projections); otherwise use
    ``Keyring.open``, which reads them itself.

    Raises:
        PersonalKeyError: a subject has no row in ``keys``, or its key does not open.
    """
    return open_payloads(records, sealed_payloads(records), keys)


def open_payloads(
    records: Sequence[StoredEvent],
    found: Sequence[tuple[int, dict[str, Any]]],
    keys: Mapping[str, bytes | None],
) -> list[StoredEvent]:
    """``open_sealed`` for payloads ``sealed_payloads`` decoded already."""
    opened = list(records)
    for index, payload in found:
        opened[index] = open_record(records[index], payload, keys)
    return opened


def _key_error(message: str, subject: str, record: StoredEvent) -> PersonalKeyError:
    return PersonalKeyError(
        message,
        subject=subject,
        stream_id=record.stream_id,
        version=record.version,
        position=record.position,
    )
