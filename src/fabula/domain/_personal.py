"""Personal data: the marker of a personal field, and the signal that a subject was forgotten.

A field marked ``Annotated[T, Personal(subject="customer_id")]`` is stored sealed with
the key of the subject named by the event's ``customer_id`` field (see
``fabula.codec.Keyring``). Once that subject is forgotten the field decodes to the
marker's ``redacted`` value; the rest of the event stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from fabula.domain._event import event

__all__ = ["REDACTED", "Personal", "SubjectForgotten"]

REDACTED = "[redacted]"
"""What a forgotten personal field decodes to unless its marker says otherwise."""


@dataclass(frozen=True, slots=True)
class Personal:
    """Marks an event field as personal data of the subject named by another field.

    Args:
        subject: the name of the event's field holding the subject's id (a ``str``);
            each subject has its own key, and forgetting it destroys that key.
        redacted: the value the field decodes to once the subject is forgotten
            (``REDACTED`` by default; give one of the field's type, e.g. ``None``).
    """

    subject: str
    redacted: object = REDACTED


@event("fabula.subject_forgotten")
@dataclass(frozen=True, slots=True)
class SubjectForgotten:
    """Appended once when a subject is forgotten: projections redact their read models.

    Stored in the stream ``fabula.forgotten-<subject>``; declare a handler for it in a
    projection to remove or redact what the read model keeps about ``subject``.
    """

    subject: str
