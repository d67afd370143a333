"""Personal fields sealed per subject, forgotten by destroying the key: every backend, sync."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import fabula
from fabula.codec import Keyring
from fabula.read import ErrorPolicy, ProjectionRunner, ProjectionSet
from fabula.read.memory import MemoryTarget

from .domain import Customer, Register, Registered, Upgraded, customers, registered
from .tamper import corrupt_key, lose_keys


@pytest.fixture
def store(store_url: str):
    with fabula.open_store(store_url) as opened:
        yield opened


def test_personal_fields_are_stored_sealed_and_load_in_clear(store):
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1")])
    [record] = store.read_stream("customer-c1")
    assert "c1@example.com" not in record.data
    assert "Name of c1" not in record.data
    assert '"plan":"free"' in record.data  # the rest stays readable as it is
    state = repo.load("customer-c1").state
    assert (state.email, state.name) == ("c1@example.com", "Name of c1")
    assert repo.history("customer-c1")[0].event == registered("c1")
    assert set(store.personal_keys().fetch(["c1", "nobody"])) == {"c1"}


def test_forget_redacts_every_reader_and_keeps_the_rest(store):
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1"), Upgraded("c1", "pro")])
    repo.append("customer-c2", [registered("c2")])
    personal = fabula.PersonalData(store)
    assert personal.forget("c1") is True
    state = repo.load("customer-c1").state
    assert (state.email, state.name, state.plan) == (fabula.REDACTED, None, "pro")
    assert repo.history("customer-c1")[0].event == Registered("c1", fabula.REDACTED, None, "free")
    assert repo.load("customer-c2").state.email == "c2@example.com"
    assert personal.forget("c1") is False  # no key left; the signal is not sent twice
    signals = [r for r in store.read_all() if r.type == "fabula.subject_forgotten"]
    assert [r.stream_id for r in signals] == [fabula.app.FORGOTTEN_STREAM_PREFIX + "c1"]


def test_personal_data_of_a_forgotten_subject_is_refused(store):
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1")])
    fabula.PersonalData(store).forget("c1")
    with pytest.raises(fabula.ForgottenSubject) as caught:
        repo.append("customer-c1", [registered("c1")])
    assert caught.value.subject == "c1"
    assert store.stream_version("customer-c1") == 1
    repo.append("customer-c1", [Upgraded("c1", "pro")])  # no personal field: fine


def test_forgetting_an_unknown_subject_blocks_it_too(store):
    personal = fabula.PersonalData(store)
    assert personal.forget("never-seen") is False
    with pytest.raises(fabula.ForgottenSubject):
        fabula.Repository(store, Customer).append("customer-x", [registered("never-seen")])


def test_export_opens_every_event_of_one_subject(store):
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1"), Upgraded("c1", "pro")])
    repo.append("customer-c2", [registered("c2")])
    personal = fabula.PersonalData(store)
    export = personal.export("c1")
    assert export.key == "active"
    [event] = export.as_json()["events"]
    assert event["stream_id"] == "customer-c1"
    assert event["data"]["email"] == "c1@example.com"
    personal.forget("c1")
    after = personal.export("c1").as_json()
    assert after["key"] == "forgotten"
    assert after["events"][0]["data"]["email"] == {"fabula:forgotten": "c1"}
    assert personal.export("nobody").key == "none"


def test_a_lost_key_table_is_a_typed_error_naming_the_event(store):
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1")])
    lose_keys(store)
    with pytest.raises(fabula.PersonalKeyError) as caught:
        repo.load("customer-c1")
    error = caught.value
    assert (error.subject, error.stream_id, error.version) == ("c1", "customer-c1", 1)
    assert error.position == store.read_stream("customer-c1")[0].position
    assert "key table" in str(error)
    assert isinstance(error, fabula.CodecError)


def test_a_corrupt_key_is_a_typed_error(store):
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1")])
    corrupt_key(store, "c1")
    with pytest.raises(fabula.PersonalKeyError, match="corrupt") as caught:
        repo.history("customer-c1")
    assert caught.value.stream_id == "customer-c1"


def test_projections_get_the_signal_and_a_rebuild_holds_no_personal_data(store):
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1")])
    repo.append("customer-c2", [registered("c2")])
    target = MemoryTarget()
    runner = ProjectionRunner(store, customers(), target=target)
    runner.run_until_caught_up()
    assert target.model("customers")["c1"]["email"] == "c1@example.com"

    fabula.PersonalData(store).forget("c1")
    runner.run_until_caught_up()
    model = target.model("customers")
    assert model["c1"] == {"email": fabula.REDACTED, "plan": "free"}
    assert model["c2"]["email"] == "c2@example.com"

    projections = ProjectionSet(store, target, consumers=[customers()])
    projections.rebuild("customers")
    rebuilt = target.model("customers")
    assert rebuilt == model
    assert "c1@example.com" not in repr(rebuilt)


def test_a_lost_key_parks_the_event_instead_of_crashing_the_projection(store):
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1")])
    lose_keys(store)
    repo.append("customer-c2", [registered("c2")])
    target = MemoryTarget()
    policy = ErrorPolicy(retries=0, on_park="continue")
    runner = ProjectionRunner(store, customers(), target=target, policy=policy)
    status = runner.run_until_caught_up()
    assert status.parked == 1
    assert "PersonalKeyError" in (status.last_error or status.error or "")
    assert set(target.model("customers")) == {"c2"}


def test_two_writers_creating_one_subject_key_agree(store_url: str):
    with fabula.open_store(store_url) as first:
        stores: list[Any] = [first]
        if not store_url.startswith("memory"):
            stores.append(fabula.open_store(store_url))
        try:
            tables = [s.personal_keys() for s in stores]
            subjects = [f"s{i}" for i in range(20)]
            results: list[dict[str, bytes | None]] = []
            barrier = threading.Barrier(4)

            def create(index: int) -> None:
                barrier.wait()
                results.append(tables[index % len(tables)].create(subjects))

            threads = [threading.Thread(target=create, args=(i,)) for i in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(results) == 4
            assert all(r == results[0] for r in results)
            assert all(len(key or b"") == 32 for key in results[0].values())
            assert tables[0].fetch(subjects) == results[0]
        finally:
            for extra in stores[1:]:
                extra.close()


def test_concurrent_appends_for_a_new_subject_both_decode(store_url: str):
    with fabula.open_store(store_url) as first:
        second = first if store_url.startswith("memory") else fabula.open_store(store_url)
        try:
            barrier = threading.Barrier(2)
            errors: list[BaseException] = []

            def write(store: Any, stream: str) -> None:
                barrier.wait()
                try:
                    fabula.Repository(store, Customer).append(stream, [registered("shared")])
                except BaseException as exc:
                    errors.append(exc)
                    raise

            threads = [
                threading.Thread(target=write, args=(s, f"customer-{i}"))
                for i, s in enumerate([first, second])
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            repo = fabula.Repository(first, Customer)
            for i in range(2):
                assert repo.load(f"customer-{i}").state.email == "shared@example.com"
        finally:
            if second is not first:
                second.close()


def test_a_flow_seals_and_the_keyring_opens_raw_records(store):
    flow = fabula.Flow(store)
    flow.register(Customer, key=lambda command: command.customer_id)
    flow.dispatch(Register("c9", "c9@example.com", "Nine"))
    [stream] = [s.stream_id for s in store.list_streams()]
    records = store.read_stream(stream)
    assert "c9@example.com" not in records[0].data
    opened = Keyring(store).open(records)
    assert "c9@example.com" in opened[0].data


def test_a_replayed_command_returns_its_events_opened(store):
    flow = fabula.Flow(store)
    flow.register(Customer, key=lambda command: command.customer_id)
    command_id = fabula.uuid7()
    first = flow.dispatch(Register("c8", "c8@example.com", "Eight"), command_id=command_id)
    again = flow.dispatch(Register("c8", "c8@example.com", "Eight"), command_id=command_id)
    assert again.deduplicated
    assert [e.event for e in again.events] == [e.event for e in first.events]
    assert again.events[0].event.email == "c8@example.com"
