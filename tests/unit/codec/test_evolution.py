"""Upcasting real changes: renames, typed upcasters, splits, drops, metadata and snapshots.

Each backend gets records as older code wrote them; the current code reads them through
the repository, the log, a subscription and a projection runner.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from fabula import CodecError, ConfigurationError, MissingUpcaster, UnknownEventType
from fabula.app import AsyncRepository, Repository
from fabula.codec import EventRegistry, decode_parts, decode_records
from fabula.read import AsyncProjectionRunner, Projection, ProjectionRunner
from fabula.read.memory import AsyncMemoryTarget, MemoryTarget
from fabula.store import AsyncEventStore, EventStore, SnapshotRecord
from fabula.testing import assert_upcasts
from tests.unit.codec.evolution_kit import (
    HISTORY,
    Customer,
    Joined,
    Moved,
    NameChanged,
    decider,
    old,
    registry,
)

# --- the registry alone ------------------------------------------------------------


def test_a_renamed_type_decodes_as_the_new_class_through_a_typed_upcaster() -> None:
    assert_upcasts(registry(), "Renamed", {"name": "Bo"}, NameChanged("Bo", by="unknown"))


def test_the_current_name_at_an_old_version_is_upcast_too() -> None:
    assert_upcasts(registry(), "NameChanged", {"name": "Bo"}, NameChanged("Bo", "unknown"))


def test_a_split_gives_every_part_and_a_drop_gives_none() -> None:
    codec = registry()
    assert_upcasts(
        codec, "CustomerRegistered", {"name": "A", "street": "B"}, [Joined("A"), Moved("B")]
    )
    assert_upcasts(codec, "Noise", {}, [])


def test_assert_upcasts_fails_with_both_sides() -> None:
    with pytest.raises(AssertionError, match="upcasts to"):
        assert_upcasts(registry(), "Renamed", {"name": "Bo"}, NameChanged("Bo", by="me"))
    with pytest.raises(AssertionError, match="does not decode"):
        assert_upcasts(registry(), "Gone", {}, Joined("x"))


def test_assert_upcasts_checks_metadata() -> None:
    codec = registry()
    assert_upcasts(
        codec,
        "Joined",
        {"name": "a"},
        Joined("a"),
        metadata={},
        expected_metadata={"tenant": "default"},
    )
    with pytest.raises(AssertionError, match="metadata"):
        assert_upcasts(
            codec, "Joined", {"name": "a"}, Joined("a"), metadata={}, expected_metadata={}
        )


def test_a_gap_in_the_chain_is_a_missing_upcaster_naming_the_step() -> None:
    codec = EventRegistry([NameChanged])
    with pytest.raises(MissingUpcaster) as caught:
        codec.decode("NameChanged", 1, b'{"name": "x"}', stream_id="s", version=4, position=9)
    assert (caught.value.type_name, caught.value.from_version) == ("NameChanged", 1)
    assert (caught.value.stream_id, caught.value.version, caught.value.position) == ("s", 4, 9)


def test_an_unknown_old_name_stays_unknown() -> None:
    with pytest.raises(UnknownEventType, match="Whatever"):
        registry().decode_all("Whatever", 1, b"{}", position=3)


def test_decode_refuses_a_split_and_a_splitter_that_returns_a_stranger() -> None:
    codec = registry()
    with pytest.raises(CodecError, match="splits into 2"):
        codec.decode("CustomerRegistered", 1, b'{"name": "a", "street": "b"}')

    @codec.splitter("Odd", from_version=1, into=(Joined,))
    def odd(payload: dict[str, Any]) -> list[object]:
        return [Moved("x")]

    with pytest.raises(CodecError, match="not one of"):
        codec.decode_all("Odd", 1, b"{}")


def test_a_failing_upcaster_is_a_codec_error() -> None:
    codec = EventRegistry([NameChanged])

    @codec.upcaster("NameChanged", from_version=1)
    def broken(payload: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("by")

    with pytest.raises(CodecError, match="cannot decode event 'NameChanged'"):
        codec.decode("NameChanged", 1, b"{}", position=1)


def test_renames_cannot_hide_a_current_name() -> None:
    codec = registry()
    with pytest.raises(ConfigurationError, match="cannot rename"):
        codec.rename("Joined", to=NameChanged)
    with pytest.raises(ConfigurationError, match="typed upcaster"):
        codec.typed_upcaster("Joined", from_version=1)(lambda old: old)
    with pytest.raises(ConfigurationError, match="into="):
        codec.splitter("X", from_version=1, into=())


def test_stored_names_lead_readers_to_old_names() -> None:
    codec = registry()
    assert codec.stored_names([NameChanged]) == {"NameChanged", "Renamed"}
    assert codec.stored_names([Moved]) == {"Moved", "CustomerRegistered"}


# --- on every backend --------------------------------------------------------------


def _projection(seen: list[tuple[str, int, int, int, str]], *, batch: bool = True) -> Projection:
    projection = Projection("names")

    @projection.on(Joined, NameChanged, batch=batch)
    def named(model: dict[str, Any], item: Any) -> None:
        model[item.stream_id] = item.event.name
        seen.append(
            (
                type(item.event).__name__,
                item.version,
                item.position,
                item.part,
                item.metadata["tenant"],
            )
        )

    return projection


def test_loads_history_log_and_projections_read_old_events(fabula_store: EventStore) -> None:
    fabula_store.append("customer-1", HISTORY)
    codec = registry()
    repository = Repository(fabula_store, decider(), registry=codec)
    assert repository.load("customer-1").state == Customer("Anna", "Elm", ["unknown"])

    history = repository.history("customer-1")
    assert [(type(r.event), r.version, r.part) for r in history] == [
        (Joined, 1, 0),
        (Moved, 1, 1),
        (NameChanged, 3, 0),
    ]
    assert history[0].position == history[1].position
    assert history[0].event_id == history[1].event_id
    assert history[2].metadata == {"tenant": "default", "user": "u1"}
    log = decode_records(codec, fabula_store.read_all())
    assert [r.event for r in log] == [Joined("Ann"), Moved("Elm"), NameChanged("Anna", "unknown")]

    seen: list[tuple[str, int, int, int, str]] = []
    target = MemoryTarget()
    ProjectionRunner(
        fabula_store, _projection(seen), target=target, registry=codec
    ).run_until_caught_up()
    assert target.model("names") == {"customer-1": "Anna"}
    first, third = fabula_store.read_all()[0].position, fabula_store.read_all()[2].position
    assert seen == [("Joined", 1, first, 0, "default"), ("NameChanged", 3, third, 0, "default")]


def test_one_by_one_handlers_get_the_parts_too(fabula_store: EventStore) -> None:
    fabula_store.append("customer-1", HISTORY)
    seen: list[tuple[str, int, int, int, str]] = []
    target = MemoryTarget()
    projection = _projection(seen, batch=False)
    ProjectionRunner(
        fabula_store, projection, target=target, registry=registry()
    ).run_until_caught_up()
    assert [(s[0], s[1], s[3]) for s in seen] == [("Joined", 1, 0), ("NameChanged", 3, 0)]
    assert target.model("names") == {"customer-1": "Anna"}


def test_a_subscription_delivers_the_parts_in_order(fabula_store: EventStore) -> None:
    fabula_store.append("customer-1", HISTORY)
    codec = registry()
    names = codec.stored_names([Moved])
    with fabula_store.subscribe(types=names, poll_interval=0.01) as subscription:
        record = next(iter(subscription))
    assert record.type == "CustomerRegistered"
    parts = decode_parts(codec, record)
    assert [(type(p.event), p.part) for p in parts] == [(Joined, 0), (Moved, 1)]


def test_the_asyncio_twins_read_old_events(fabula_async_store: AsyncEventStore) -> None:
    async def scenario() -> None:
        await fabula_async_store.append("customer-1", HISTORY)
        codec = registry()
        repository = AsyncRepository(fabula_async_store, decider(), registry=codec)
        assert (await repository.load("customer-1")).state == Customer("Anna", "Elm", ["unknown"])
        assert [r.part for r in await repository.history("customer-1")] == [0, 1, 0]
        seen: list[tuple[str, int, int, int, str]] = []
        target = AsyncMemoryTarget()
        runner = AsyncProjectionRunner(
            fabula_async_store, _projection(seen), target=target, registry=codec
        )
        await runner.run_until_caught_up()
        assert target.model("names") == {"customer-1": "Anna"}
        assert [s[0] for s in seen] == ["Joined", "NameChanged"]

    asyncio.run(scenario())


# --- snapshots -----------------------------------------------------------------------


def _snapshot(version: int, data: str) -> SnapshotRecord:
    return SnapshotRecord(
        stream_id="customer-1", version=3, type="customer", data=data, schema_version=version
    )


def test_an_old_snapshot_is_upcast(fabula_store: EventStore) -> None:
    fabula_store.append("customer-1", HISTORY)
    fabula_store.save_snapshot(_snapshot(1, '{"name": "Snap", "street": "S"}'))

    def add_changes(state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "changes": ["from v1"]}

    current = decider(snapshot_version=2, snapshot_upcasters={1: add_changes})
    loaded = Repository(fabula_store, current, registry=registry(), read_snapshots=True).load(
        "customer-1"
    )
    assert loaded.snapshot_version == 3
    assert loaded.state == Customer("Snap", "S", ["from v1"])


@pytest.mark.parametrize(
    ("stored_version", "upcasters"),
    [(1, {}), (3, {}), (1, {1: lambda state: 1 / 0})],
    ids=["no-upcaster", "newer", "failing-upcaster"],
)
def test_a_snapshot_that_cannot_reach_the_current_version_is_replayed(
    fabula_store: EventStore, stored_version: int, upcasters: dict[int, Any]
) -> None:
    fabula_store.append("customer-1", HISTORY)
    fabula_store.save_snapshot(_snapshot(stored_version, '{"name": "Wrong", "street": "?"}'))
    current = decider(snapshot_version=2, snapshot_upcasters=upcasters)
    loaded = Repository(fabula_store, current, registry=registry(), read_snapshots=True).load(
        "customer-1"
    )
    assert loaded.snapshot_version is None
    assert loaded.state == Customer("Anna", "Elm", ["unknown"])


def test_old_records_helper_writes_version_one() -> None:
    assert old("X", {}).schema_version == 1
