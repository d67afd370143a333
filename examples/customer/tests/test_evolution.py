"""Old ``EmailChanged`` events read as ``EmailUpdated``; ``fabula check`` agrees."""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.customer import EVENTS, Customer, EmailUpdated
from examples.customer.evolution import registry
from fabula.app import Repository, uuid7
from fabula.cli import main
from fabula.codec import EventRegistry
from fabula.evolution import CurrentCode, check_store
from fabula.store import NewEvent, open_store
from fabula.testing import assert_upcasts


def test_the_old_name_decodes_as_the_current_class() -> None:
    assert_upcasts(registry(), "EmailChanged", {"new_email": "a@b.c"}, EmailUpdated("a@b.c"))


def test_a_customer_with_old_events_loads_and_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'customers.db'}"
    with open_store(url) as store:
        old = NewEvent(event_id=uuid7(), type="EmailChanged", data='{"new_email":"a@b.c"}')
        store.append("customer-1", [old])
        loaded = Repository(store, Customer, registry=registry()).load("customer-1")
        assert loaded.version == 1
    assert main(["check", url, "--app", "examples.customer.evolution:registry"]) == 0
    assert "everything decodes" in capsys.readouterr().out
    with open_store(url, read_only=True) as store:  # without the rename: unknown
        report = check_store(store, CurrentCode(EventRegistry(EVENTS)))
    assert [(p.kind, p.type, p.count) for p in report.problems.values()] == [
        ("unknown_type", "EmailChanged", 1)
    ]
