from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import pytest

from fabula import (
    AsyncFlow,
    ConcurrencyError,
    DispatchResult,
    Flow,
    InvalidArgument,
    ListenerError,
    UnknownCommand,
    open_async_store,
    open_store,
)
from fabula.app import LogCommands, RetryOnConflict
from fabula.store.memory import MemoryStore

from .domain import (
    Add,
    Added,
    AlreadyOpen,
    Counter,
    NotOpen,
    Open,
    Opened,
    functional_counter,
    stream,
)

MODELS = [Counter, functional_counter]


@pytest.fixture(params=MODELS, ids=["class", "functional"])
def flow(request: pytest.FixtureRequest) -> Flow:
    flow = Flow(open_store("memory://"))
    flow.register(request.param, stream_id=stream)
    return flow


def test_dispatch_appends_and_reports_versions_and_positions(flow: Flow) -> None:
    first = flow.dispatch(Open("a", "apples"))
    second = flow.dispatch(Add("a", 3))
    assert (first.version, first.positions) == (1, (1,))
    assert (second.version, second.position) == (2, 2)
    assert [r.event for r in second.events] == [Added(3)]
    loaded = flow.repository(flow_model(flow)).load("counter-a")
    assert loaded.version == 2
    assert (loaded.state.name, loaded.state.total) == ("apples", 3)


def flow_model(flow: Flow) -> Any:
    return next(iter(flow._routes.values())).repository.decider


def test_envelope_carries_ids_and_metadata(flow: Flow) -> None:
    correlation = uuid.uuid4()
    result = flow.dispatch(Open("a", "x"), metadata={"user": "ann"}, correlation_id=correlation)
    stored = flow.store.read_stream("counter-a")[0]
    assert stored.causation_id == result.command_id
    assert stored.correlation_id == correlation
    assert stored.event_id == result.events[0].event_id
    assert stored.event_id.version == 7
    assert '"user":"ann"' in stored.metadata
    assert result.events[0].metadata == {"user": "ann"}


def test_domain_error_writes_nothing(flow: Flow) -> None:
    with pytest.raises(NotOpen) as caught:
        flow.dispatch(Add("a", 1))
    assert caught.value.as_json()["code"] == "not_open"
    flow.dispatch(Open("a", "x"))
    with pytest.raises(AlreadyOpen):
        flow.dispatch(Open("a", "y"))
    assert flow.store.head() == 1


def test_unknown_command_is_an_error(flow: Flow) -> None:
    with pytest.raises(UnknownCommand, match="str"):
        flow.dispatch("not a command")


def test_zero_events_is_a_no_op(flow: Flow) -> None:
    flow.dispatch(Open("a", "x"))
    result = flow.dispatch(Add("a", 0))
    assert (result.version, result.events, result.position) == (1, (), None)
    assert flow.store.head() == 1


def test_expected_version_mismatch_raises_before_deciding(flow: Flow) -> None:
    flow.dispatch(Open("a", "x"))
    with pytest.raises(ConcurrencyError) as caught:
        flow.dispatch(Add("a", 1), expected_version=3)
    assert (caught.value.stream_id, caught.value.actual) == ("counter-a", 1)
    assert flow.dispatch(Add("a", 1), expected_version=1).version == 2


def test_idempotent_command_id_runs_once(flow: Flow) -> None:
    command_id = uuid.uuid4()
    flow.dispatch(Open("a", "x"))
    first = flow.dispatch(Add("a", 5), command_id=command_id)
    again = flow.dispatch(Add("a", 5), command_id=command_id)
    assert again.deduplicated
    assert again.positions == first.positions
    assert flow.store.stream_version("counter-a") == 2


def test_listeners_run_after_commit_and_failures_are_reported(flow: Flow) -> None:
    seen: list[tuple[str, int]] = []
    flow.listen(Opened, lambda r: seen.append((r.stream_id, r.version)))

    def broken(_: object) -> None:
        raise RuntimeError("listener down")

    flow.listen(Added, broken)
    flow.dispatch(Open("a", "x"))
    result = flow.dispatch(Add("a", 1))
    assert seen == [("counter-a", 1)]
    assert [str(e) for e in result.listener_errors] == ["listener down"]
    assert flow.store.stream_version("counter-a") == 2


def test_listener_errors_can_raise_with_the_committed_result() -> None:
    flow = Flow(open_store("memory://"), listener_errors="raise")
    flow.register(Counter, stream_id=stream)
    flow.listen(Opened, lambda r: 1 / 0)
    with pytest.raises(ListenerError) as caught:
        flow.dispatch(Open("a", "x"))
    assert isinstance(caught.value.result, DispatchResult)
    assert caught.value.result.version == 1
    assert flow.store.stream_version("counter-a") == 1


def test_concurrent_dispatches_retry_on_conflict_and_lose_nothing() -> None:
    store = MemoryStore()
    flow = Flow(store, middleware=[RetryOnConflict()])
    flow.register(Counter, stream_id=stream)
    flow.dispatch(Open("a", "x"))
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(20):
            flow.dispatch(Add("a", 1))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    loaded = flow.repository(Counter).load("counter-a")
    assert (loaded.version, loaded.state.total) == (161, 160)


def test_log_commands_middleware_logs(caplog: pytest.LogCaptureFixture) -> None:
    flow = Flow(open_store("memory://"), middleware=[LogCommands()])
    flow.register(Counter, stream_id=stream)
    with caplog.at_level("INFO", logger="fabula.commands"):
        flow.dispatch(Open("a", "x"))
        with pytest.raises(AlreadyOpen):
            flow.dispatch(Open("a", "x"))
    assert "Open" in caplog.records[0].getMessage()
    assert "already_open" in caplog.records[1].getMessage()


def test_duplicate_routes_are_refused() -> None:
    flow = Flow(open_store("memory://"))
    flow.register(Counter, stream_id=stream)
    with pytest.raises(Exception, match="already routed"):
        flow.register(functional_counter, stream_id=stream)


def test_async_flow_behaves_the_same() -> None:
    async def scenario() -> tuple[int, int, int]:
        flow = AsyncFlow(open_async_store("memory://"))
        flow.register(Counter, stream_id=stream)
        await flow.dispatch(Open("a", "x"))
        result = await flow.dispatch(Add("a", 4))
        with pytest.raises(NotOpen):
            await flow.dispatch(Add("b", 1))
        loaded = await flow.repository(Counter).load("counter-a")
        return result.version, loaded.state.total, await flow.store.head()

    assert asyncio.run(scenario()) == (2, 4, 2)


def test_enrich_metadata_adds_fields_under_the_callers() -> None:
    from fabula.app import EnrichMetadata

    flow = Flow(
        open_store("memory://"),
        middleware=[
            EnrichMetadata(lambda ctx: {"user": "system", "command": type(ctx.command).__name__})
        ],
    )
    flow.register(Counter, stream_id=stream)
    result = flow.dispatch(Open("a", "x"), metadata={"user": "ann"})
    assert result.events[0].metadata == {"user": "ann", "command": "Open"}


def test_causation_of_the_command_is_kept_in_metadata(flow: Flow) -> None:
    cause = uuid.uuid4()
    result = flow.dispatch(Open("a", "x"), causation_id=cause)
    assert result.events[0].causation_id == result.command_id
    assert result.events[0].metadata["caused_by"] == str(cause)


def test_create_with_expected_version_zero_skips_the_load_but_stays_correct(flow: Flow) -> None:
    reads: list[str] = []
    original = flow.store.read_stream

    def spy(stream_id: str, /, **options: Any) -> Any:
        reads.append(stream_id)
        return original(stream_id, **options)

    flow.store.read_stream = spy  # type: ignore[method-assign]
    assert flow.dispatch(Open("a", "x"), expected_version=0).version == 1
    assert reads == []
    # On an existing stream: a conflict, whether decide would refuse, append, or do nothing.
    with pytest.raises(ConcurrencyError):
        flow.dispatch(Open("a", "y"), expected_version=0)
    with pytest.raises(ConcurrencyError):
        flow.dispatch(Add("a", 1), expected_version=0)
    with pytest.raises(ConcurrencyError):
        flow.dispatch(Add("a", 0), expected_version=0)
    with pytest.raises(NotOpen):
        flow.dispatch(Add("new", 1), expected_version=0)
    assert flow.store.head() == 1


@pytest.mark.parametrize(
    "options",
    [
        {"command_id": str(uuid.uuid4())},
        {"correlation_id": str(uuid.uuid4())},
        {"causation_id": str(uuid.uuid4())},
        {"command_id": 7},
        {"expected_version": -1},
        {"expected_version": True},
        {"expected_version": 2**70},
    ],
)
def test_dispatch_refuses_ids_as_text_and_bad_expected_versions(
    flow: Flow, options: dict[str, Any]
) -> None:
    with pytest.raises(InvalidArgument, match=next(iter(options))):
        flow.dispatch(Open("a", "x"), **options)
    assert flow.store.head() == 0


def test_async_dispatch_refuses_a_correlation_id_as_text() -> None:
    async def run() -> None:
        flow = AsyncFlow(open_async_store("memory://"))
        flow.register(Counter, stream_id=stream)
        with pytest.raises(InvalidArgument, match="correlation_id"):
            await flow.dispatch(Open("a", "x"), correlation_id="req-1")  # type: ignore[arg-type]

    asyncio.run(run())
