"""Personal data: the marker of a personal field, and the signal that a subject was forgotten.

A field marked ``Annotated[T, Personal(subject="customer_id")]`` is stored sealed with
the key of the subject named by the event's ``customer_id`` field (see
``fabula.codec.Keyring``); ``Personal(subject=STREAM)`` takes the subject from the
id of the stream the event is appended to, so an aggregate's events need no field for
it. Once that subject is forgotten the field decodes to the
marker's ``redacted`` value; the rest of the event stays readable.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from fabula.domain._event import event

__all__ = ["REDACTED", "STREAM", "Personal", "SubjectForgotten", "SubjectFrom"]

REDACTED = "[redacted]"
"""What a forgotten personal field decodes to unless its marker says otherwise."""


class SubjectFrom(enum.Enum):
    """Where a personal field's subject comes from when it is not a field of the event."""

    STREAM = "stream"
    """The id of the stream the event is appended to (``fabula.STREAM``)."""


STREAM: Final = SubjectFrom.STREAM
"""``Personal(subject=STREAM)``: the subject is the event's stream id (e.g. ``customer-c-1``)."""


@dataclass(frozen=True, slots=True)
class Personal:
    """Marks an event field as personal data of the subject named by another field.

    Args:
        subject: the name of the event's field holding the subject's id (a ``str``),
            or ``STREAM``: the id of the stream the event is appended to. Each subject
            has its own key, and forgetting it destroys that key.
        redacted: the value the field decodes to once the subject is forgotten
            (``REDACTED`` by default; give one of the field's type, e.g. ``None``).
    """

    subject: str | SubjectFrom
    redacted: object = REDACTED


@event("fabula.subject_forgotten")
@dataclass(frozen=True, slots=True)
class SubjectForgotten:
    """Appended once when a subject is forgotten: projections redact their read models.

    Stored in the stream ``fabula.forgotten-<subject>``; declare a handler for it in a
    projection to remove or redact what the read model keeps about ``subject``.
    """

    subject: str
