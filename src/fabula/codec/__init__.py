"""The codec: stable event-type names to classes, JSON encoding and upcasting.

``encode_new`` turns typed events into the store's ``NewEvent`` records and
``decode_recorded`` / ``decode_records`` turn ``StoredEvent`` records back into typed
``Recorded`` events: the one bridge between the typed layers and the store's records.
"""

from fabula._json import MAX_DEPTH
from fabula.codec._envelopes import (
    decode_parts,
    decode_recorded,
    decode_records,
    encode_new,
    merge_lookups,
)
from fabula.codec._keyring import Keyring
from fabula.codec._keyring_async import AsyncKeyring
from fabula.codec._refusals import as_metadata
from fabula.codec._registry import EventRegistry, encode_json, encode_metadata
from fabula.codec._sealing import open_sealed, sealed_subjects_of, sealed_subjects_per_record
from fabula.codec._upcasting import Merger, MetadataUpcaster, Splitter, Upcaster

__all__ = [
    "MAX_DEPTH",
    "AsyncKeyring",
    "EventRegistry",
    "Keyring",
    "Merger",
    "MetadataUpcaster",
    "Splitter",
    "Upcaster",
    "as_metadata",
    "decode_parts",
    "decode_recorded",
    "decode_records",
    "encode_json",
    "encode_metadata",
    "encode_new",
    "merge_lookups",
    "open_sealed",
    "sealed_subjects_of",
    "sealed_subjects_per_record",
]
