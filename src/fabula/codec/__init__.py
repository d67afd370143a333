"""The codec: stable event-type names to classes, JSON encoding and upcasting.

``encode_new`` turns typed events into the store's ``NewEvent`` records and
``decode_recorded`` / ``decode_records`` turn ``StoredEvent`` records back into typed
``Recorded`` events: the one bridge between the typed layers and the store's records.
"""

from fabula._json import MAX_DEPTH
from fabula.codec._envelopes import decode_recorded, decode_records, encode_new
from fabula.codec._keyring import Keyring
from fabula.codec._keyring_async import AsyncKeyring
from fabula.codec._refusals import as_metadata
from fabula.codec._registry import EventRegistry, Upcaster, encode_json, encode_metadata
from fabula.codec._sealing import open_sealed, sealed_subjects_of

__all__ = [
    "MAX_DEPTH",
    "AsyncKeyring",
    "EventRegistry",
    "Keyring",
    "Upcaster",
    "as_metadata",
    "decode_recorded",
    "decode_records",
    "encode_json",
    "encode_metadata",
    "encode_new",
    "open_sealed",
    "sealed_subjects_of",
]
