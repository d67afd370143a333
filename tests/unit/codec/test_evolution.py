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
from fabula.codec import EventRegistry, decode_parts, decode_records, merge_lookups
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
    assert codec.stored_names([Moved]) == {"Moved", "CustomerRegistered", "Line1", "Line2"}


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


# --- merges ----------------------------------------------------------------------------


def _merge_history(store: EventStore) -> None:
    """customer-9: Joined (v1), Line1 (v2), Line2 (v3); another stream between the lines."""
    store.append("customer-9", [old("Joined", {"name": "Cy"}), old("Line1", {"text": "1 Elm"})])
    store.append("other", [old("Joined", {"name": "Di"})])
    store.append("customer-9", [old("Line2", {"text": "Springfield"})])


def test_assert_upcasts_takes_a_merge_group() -> None:
    codec = registry()
    merged = Moved("a, b")
    assert_upcasts(codec, "Line2", {"text": "b"}, [merged], earlier=[{"text": "a"}])
    assert_upcasts(codec, "Line1", {"text": "a"}, [])
    with pytest.raises(AssertionError, match="earlier events of the group"):
        assert_upcasts(codec, "Line2", {"text": "b"}, [merged])


def test_a_merge_is_delivered_at_its_last_member(fabula_store: EventStore) -> None:
    _merge_history(fabula_store)
    codec = registry()
    repository = Repository(fabula_store, decider(), registry=codec)
    assert repository.load("customer-9").state == Customer("Cy", "1 Elm, Springfield")
    assert repository.load("customer-9", as_of_version=2).state == Customer("Cy", "")
    last = fabula_store.read_stream("customer-9")[-1]
    history = repository.history("customer-9")
    assert [(type(r.event), r.version, r.position, r.part) for r in history] == [
        (Joined, 1, fabula_store.read_stream("customer-9")[0].position, 0),
        (Moved, 3, last.position, 0),
    ]
    assert history[1].event_id == last.event_id
    # a reader that starts between the members fetches the earlier ones from the store
    assert [r.event for r in repository.history("customer-9", after_version=2)] == [
        Moved("1 Elm, Springfield")
    ]


def test_a_load_from_a_snapshot_inside_a_merge_group(fabula_store: EventStore) -> None:
    _merge_history(fabula_store)
    fabula_store.save_snapshot(
        SnapshotRecord(
            stream_id="customer-9",
            version=2,
            type="customer",
            data='{"name": "Cy", "street": "", "changes": []}',
        )
    )
    repository = Repository(fabula_store, decider(), registry=registry(), read_snapshots=True)
    loaded = repository.load("customer-9")
    assert (loaded.snapshot_version, loaded.state.street) == (2, "1 Elm, Springfield")


@pytest.mark.parametrize("batch_size", [1, 200])
def test_projections_get_the_merged_event_at_its_last_member(
    fabula_store: EventStore, batch_size: int
) -> None:
    _merge_history(fabula_store)
    projection = Projection("streets", batch_size=batch_size)
    seen: list[tuple[str, int, int]] = []

    @projection.on(Moved)
    def moved(model: dict[str, Any], item: Any) -> None:
        model[item.stream_id] = item.event.street
        seen.append((item.stream_id, item.version, item.position))

    target = MemoryTarget()
    ProjectionRunner(
        fabula_store, projection, target=target, registry=registry()
    ).run_until_caught_up()
    assert target.model("streets") == {"customer-9": "1 Elm, Springfield"}
    assert seen == [("customer-9", 3, fabula_store.head())]


def test_a_subscriber_fetches_what_a_merge_needs(fabula_store: EventStore) -> None:
    _merge_history(fabula_store)
    codec = registry()
    head = fabula_store.head()
    with fabula_store.subscribe(after=head - 1, types=codec.stored_names([Moved])) as subscription:
        record = next(iter(subscription))
    spans = merge_lookups(codec, [record])
    assert spans == [("customer-9", 2, 2)]
    earlier = [
        e for s, a, b in spans for e in fabula_store.read_stream(s, from_version=a, to_version=b)
    ]
    assert [r.event for r in decode_records(codec, [record], earlier=earlier)] == [
        Moved("1 Elm, Springfield")
    ]
    with pytest.raises(CodecError, match="version 2 of its stream is missing"):
        decode_records(codec, [record])


def test_a_broken_merge_group_is_a_codec_error(fabula_store: EventStore) -> None:
    fabula_store.append("customer-9", [old("Joined", {"name": "Cy"}), old("Line2", {"text": "x"})])
    repository = Repository(fabula_store, decider(), registry=registry())
    with pytest.raises(CodecError, match="version 1 of its stream is a 'Joined', not a 'Line1'"):
        repository.load("customer-9")


def test_mergers_refuse_overlaps() -> None:
    codec = registry()
    with pytest.raises(ConfigurationError, match="one merge only"):
        codec.merger(["Line2", "Line3"], into=(Moved,))
    with pytest.raises(ConfigurationError, match="two names or more"):
        codec.merger(["Solo"], into=(Moved,))


def test_the_asyncio_repository_and_runner_merge(fabula_async_store: AsyncEventStore) -> None:
    async def scenario() -> None:
        await fabula_async_store.append(
            "customer-9", [old("Joined", {"name": "Cy"}), old("Line1", {"text": "1 Elm"})]
        )
        await fabula_async_store.append("customer-9", [old("Line2", {"text": "Oak"})])
        codec = registry()
        repository = AsyncRepository(fabula_async_store, decider(), registry=codec)
        assert (await repository.load("customer-9")).state.street == "1 Elm, Oak"
        projection = Projection("streets", batch_size=1)

        @projection.on(Moved)
        def moved(model: dict[str, Any], item: Any) -> None:
            model[item.stream_id] = item.event.street

        target = AsyncMemoryTarget()
        runner = AsyncProjectionRunner(
            fabula_async_store, projection, target=target, registry=codec
        )
        await runner.run_until_caught_up()
        assert target.model("streets") == {"customer-9": "1 Elm, Oak"}

    asyncio.run(scenario())
