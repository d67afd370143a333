"""The codec: stable event-type names to classes, JSON encoding and upcasting."""

from fabula.codec._registry import EventRegistry, Upcaster, encode_json

__all__ = ["EventRegistry", "Upcaster", "encode_json"]
