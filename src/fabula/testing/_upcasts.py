"""``assert_upcasts``: a stored payload, as an old version wrote it, decodes to given events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from fabula.codec import EventRegistry

__all__ = ["assert_upcasts"]


def assert_upcasts(
    registry: EventRegistry,
    type_name: str,
    payload: Mapping[str, Any] | str,
    expected: object,
    /,
    *,
    schema_version: int = 1,
    metadata: Mapping[str, Any] | None = None,
    expected_metadata: Mapping[str, Any] | None = None,
    earlier: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Assert that ``payload`` stored as ``type_name`` v``schema_version`` decodes to ``expected``.

    ``expected`` is one event, or a list of events for a split (``[]``: dropped). With
    ``metadata``, the metadata upcasters must turn it into ``expected_metadata``. When
    ``type_name`` ends a merge, ``earlier`` holds the payloads of the group's other members.

    Raises:
        AssertionError: the events (or metadata) differ, or decoding fails (its error
            is chained).
    """
    data = payload if isinstance(payload, str) else msgspec.json.encode(dict(payload))
    where = f"{type_name!r} v{schema_version}"
    try:
        before = None if earlier is None else [msgspec.json.encode(dict(p)) for p in earlier]
        events = registry.decode_all(type_name, schema_version, data, earlier=before)
    except Exception as exc:
        msg = f"stored {where} does not decode: {exc}"
        raise AssertionError(msg) from exc
    if isinstance(expected, list):
        wanted: Sequence[object] = expected
        if events != list(wanted):
            msg = f"stored {where} upcasts to\n  {events!r}\nnot\n  {list(wanted)!r}"
            raise AssertionError(msg)
    elif events != [expected]:
        msg = f"stored {where} upcasts to\n  {events!r}\nnot\n  {expected!r}"
        raise AssertionError(msg)
    if metadata is not None:
        got = registry.upcast_metadata(type_name, dict(metadata))
        if expected_metadata is not None and got != dict(expected_metadata):
            msg = f"metadata of stored {where} upcasts to {got!r}, not {dict(expected_metadata)!r}"
            raise AssertionError(msg)
