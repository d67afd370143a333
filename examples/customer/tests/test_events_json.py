"""Customer events keep their stable type names and JSON payloads (seed 001, section C)."""

from __future__ import annotations

import pytest

from examples.customer import EVENTS, AddressUpdated, EmailUpdated, NameAdded
from fabula.codec import EventRegistry


@pytest.mark.parametrize(
    ("value", "name", "payload"),
    [
        (NameAdded("John Doe"), "NameAdded", '{"changed_name":"John Doe"}'),
        (EmailUpdated("j@d.com"), "EmailUpdated", '{"new_email":"j@d.com"}'),
        (AddressUpdated("1 Main St"), "AddressUpdated", '{"new_address":"1 Main St"}'),
    ],
)
def test_pinned_json(value: object, name: str, payload: str) -> None:
    registry = EventRegistry(EVENTS)
    assert registry.encode(value) == (name, 1, payload)
    assert registry.decode(name, 1, payload) == value
