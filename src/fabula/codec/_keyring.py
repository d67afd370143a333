# Generated from _keyring_async.py by tools/unasync.py: do not edit, edit the source.
"""``Keyring``: a store's per-subject keys at work in the codec path.

Encoding asks ``keys_for`` the keys of the subjects of events about to be appended
(creating keys for new subjects: exactly one wins a race, see ``store._keys``);
decoding passes stored records through ``open`` first, which fetches the keys of the
subjects it finds sealed, in one query per batch, and opens their fields. Keys are read
per call and never cached: a key destroyed by ``forget`` in another process is gone for
the next read here. ``keys_for`` also notes which streams each subject's key seals events
in (``KeyTable.note``, once per pair and keyring), so an export reads only those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fabula._errors import ConfigurationError, ForgottenSubject
from fabula.codec._personal import subjects_of
from fabula.codec._registry import EventRegistry
from fabula.codec._sealing import open_payloads, sealed_payloads, sealed_subjects
from fabula.store import KeyTable, StoredEvent

__all__ = ["Keyring"]

_NOTED_MAX = 100_000
"""How many noted ``(subject, stream)`` pairs a keyring remembers before starting over."""


class Keyring:
    """The personal-data keys of one store, for encoding and decoding events.

    Args:
        store: a store with a key table (``personal_keys()``: every fabula backend).
            A store without one can still read and write events without personal fields.
    """

    def __init__(self, store: object, /) -> None:
        table = getattr(store, "personal_keys", None)
        self._table: KeyTable | None = table() if callable(table) else None
        self._noted: set[tuple[str, str]] = set()

    @property
    def table(self) -> KeyTable:
        """The store's key table.

        Raises:
            ConfigurationError: the store keeps no personal keys.
        """
        if self._table is None:
            msg = "this store keeps no personal keys (it has no personal_keys() table)"
            raise ConfigurationError(msg)
        return self._table

    def keys_for(
        self,
        registry: EventRegistry,
        events: Sequence[object],
        /,
        *,
        stream_id: str | None = None,
    ) -> dict[str, bytes] | None:
        """Return the keys sealing the personal fields of ``events`` (``None``: none has any).

        ``stream_id`` is the stream ``events`` are appended to: the subject of fields
        marked ``Personal(subject=STREAM)``.

        Raises:
            ForgottenSubject: one of the subjects was forgotten; nothing is written.
            CodecError: a subject field does not hold a non-empty ``str``, or a
                ``STREAM`` field comes without ``stream_id``.
        """
        return self.keys_for_streams(registry, {stream_id or "": events})

    def keys_for_streams(
        self, registry: EventRegistry, appends: Mapping[str, Sequence[object]], /
    ) -> dict[str, bytes] | None:
        """``keys_for`` events appended to several streams (stream id -> events), one query."""
        subjects: dict[str, None] = {}
        pairs: dict[tuple[str, str], None] = {}
        for stream_id, events in appends.items():
            for value in events:
                plan = registry.personal_fields(type(value))
                if plan:
                    found = subjects_of(plan, value, stream_id or None)
                    subjects.update(dict.fromkeys(found))
                    if stream_id:
                        pairs.update(dict.fromkeys((subject, stream_id) for subject in found))
        if not subjects:
            return None
        rows = self.table.fetch(subjects)
        if any(subject not in rows for subject in subjects):
            rows = self.table.create(subjects)
        keys: dict[str, bytes] = {}
        for subject in subjects:
            key = rows.get(subject)
            if key is None:
                raise ForgottenSubject(subject)
            keys[subject] = key
        self._note([pair for pair in pairs if pair not in self._noted])
        return keys

    def _note(self, pairs: list[tuple[str, str]]) -> None:
        if not pairs:
            return
        self.table.note(pairs)
        if len(self._noted) > _NOTED_MAX:
            self._noted.clear()
        self._noted.update(pairs)

    def open(self, records: Sequence[StoredEvent], /) -> list[StoredEvent]:
        """Return ``records`` with their personal fields opened, or marked forgotten.

        Records without sealed fields come back as they are, without a query.

        Raises:
            PersonalKeyError: a sealed field's subject has no key row (the key table was
                lost) or its key does not open it (corrupt); it names the event.
        """
        found = sealed_payloads(records)
        if not found:
            return records if isinstance(records, list) else list(records)
        subjects: dict[str, None] = {}
        for _, payload in found:
            subjects.update(dict.fromkeys(sealed_subjects(payload)))
        return open_payloads(records, found, self.table.fetch(subjects))

    def forget(self, subject: str, /) -> bool:
        """Destroy the subject's key; return whether it had one (see ``forget``)."""
        return self.table.forget(subject)
