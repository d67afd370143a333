"""Bad inputs for the argument checks, shared by both twins."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fabula._errors import InvalidArgument
from fabula.store import (
    MAX_STREAM_ID_LENGTH,
    NewEvent,
    SnapshotRecord,
)
from fabula.testing.conformance._events import new_events
from fabula.testing.conformance._expect import expect_equal, raises

_TOO_LONG = "x" * (MAX_STREAM_ID_LENGTH + 1)


def _refused_now(what: str, method: Callable[..., object], /, **kwargs: object) -> None:
    """Expect ``method(**kwargs)``, not awaited (``subscribe``), to raise ``InvalidArgument``."""
    with raises(InvalidArgument, what) as caught:
        method(**kwargs)
    expect_equal(type(caught.error), InvalidArgument, f"{what}: the error's class")


def _snapshot(stream: object, **fields: object) -> SnapshotRecord:
    values: dict[str, object] = {"version": 1, "type": "Counter", "data": "{}"}
    values.update(fields)
    return SnapshotRecord(stream_id=stream, **values)  # type: ignore[arg-type]


def _bad_events() -> list[tuple[str, object]]:
    good = new_events(1)[0]
    fields = {name: getattr(good, name) for name in good.__struct_fields__}
    text = str(uuid.uuid4())
    cases: list[tuple[str, dict[str, object]]] = [
        ("event_id as text", {"event_id": text}),
        ("empty type", {"type": ""}),
        ("type not a str", {"type": 5}),
        ("type with NUL", {"type": "a\0"}),
        ("type too long", {"type": _TOO_LONG}),
        ("schema_version 0", {"schema_version": 0}),
        ("schema_version True", {"schema_version": True}),
        ("schema_version 2**31", {"schema_version": 2**31}),
        ("data as bytes", {"data": b"{}"}),
        ("metadata as a dict", {"metadata": {}}),
        ("causation_id as text", {"causation_id": text}),
        ("correlation_id as text", {"correlation_id": text}),
    ]
    made: list[tuple[str, object]] = [
        (what, NewEvent(**{**fields, **changes})) for what, changes in cases
    ]
    return [*made, ("a dict, not a NewEvent", fields)]
