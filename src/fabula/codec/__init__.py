"""The codec: stable event-type names to classes, JSON encoding and upcasting."""

from fabula._json import MAX_DEPTH
from fabula.codec._refusals import as_metadata
from fabula.codec._registry import EventRegistry, Upcaster, encode_json, encode_metadata

__all__ = [
    "MAX_DEPTH",
    "EventRegistry",
    "Upcaster",
    "as_metadata",
    "encode_json",
    "encode_metadata",
]
