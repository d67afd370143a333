"""fabula.otel: spans, the trace context in event metadata, metrics (SDK in-memory exporters)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fabula import AsyncFlow, ConcurrencyError, DomainError, Flow, Recorded
from fabula._telemetry import hooks
from fabula.app import CallNext, CommandContext, DispatchResult, RetryOnConflict
from fabula.flows import Reaction, ReactionContext
from fabula.otel import uninstrument
from fabula.read import AsyncProjectionRunner, ErrorPolicy, ProjectionRunner
from fabula.read.memory import AsyncMemoryTarget
from fabula.read.sqlite import SqliteTarget
from fabula.store.memory import AsyncMemoryStore
from fabula.store.sqlite import SqliteStore
from tests.unit.otel.tracing import Tracing, ids_of
from tests.unit.read import domain
from tests.unit.read.domain import Complete, Create, Created, Note, Rename


@pytest.fixture(autouse=True)
def _no_telemetry_left() -> Iterator[None]:
    yield
    uninstrument()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(str(tmp_path / "events.db")) as opened:
        yield opened


def test_dispatch_has_decide_and_append_inside_and_its_events_carry_the_trace(
    store: SqliteStore,
) -> None:
    flow = domain.make_flow(store)
    with Tracing() as tracing:
        result = flow.dispatch(Create("a", "first"))
    (dispatch,) = tracing.named("fabula.dispatch")
    (decide,) = tracing.named("fabula.decide")
    (append,) = tracing.named("fabula.append")
    assert dispatch.name == "fabula.dispatch Create"
    assert dispatch.attributes is not None
    assert dispatch.attributes["fabula.command.id"] == str(result.command_id)
    assert decide.parent is not None
    assert append.parent is not None
    assert decide.parent.span_id == append.parent.span_id == ids_of(dispatch)[1]
    metadata = json.loads(store.read_all()[0].metadata)
    trace_id, span_id = ids_of(append)
    assert metadata["traceparent"].startswith(f"00-{trace_id:032x}-{span_id:016x}-")


def test_without_instrument_nothing_is_active_and_no_trace_is_stored(store: SqliteStore) -> None:
    assert hooks.active is None
    domain.make_flow(store).dispatch(Create("a", "first"))
    assert "traceparent" not in store.read_all()[0].metadata


def test_one_trace_follows_a_command_into_projection_and_reaction_across_providers(
    store: SqliteStore, tmp_path: Path
) -> None:
    # The writer and the consumer share only the store: two tracer providers, one after the other.
    with Tracing() as writer:
        domain.make_flow(store).dispatch(Create("a", "first"))
    (append,) = writer.named("fabula.append")
    trace_id, append_id = ids_of(append)

    reader_flow = domain.make_flow(store)
    noter = Reaction("noter")

    @noter.on(Created)
    def note(context: ReactionContext, event: Recorded[Created]) -> None:
        reader_flow.dispatch(Note(event.stream_id.removeprefix("todo-"), "seen"))

    with Tracing() as reader, SqliteTarget(str(tmp_path / "read.db")) as target:
        ProjectionRunner(reader_flow, domain.todo_sql(), target=target).run_until_caught_up()
        ProjectionRunner(reader_flow, noter, target=target).run_until_caught_up()
    (project,) = reader.named("fabula.project")
    (react,) = reader.named("fabula.react")
    (caused,) = reader.named("fabula.dispatch")
    assert project.name == "fabula.project todo_list"
    for span in (project, react):
        assert span.context is not None
        assert span.context.trace_id == trace_id
        assert span.parent is not None
        assert span.parent.span_id == append_id
    assert caused.parent is not None
    assert caused.parent.span_id == ids_of(react)[1]
    assert ids_of(caused)[0] == trace_id


def test_a_batch_of_events_from_many_traces_links_them(store: SqliteStore, tmp_path: Path) -> None:
    flow = domain.make_flow(store)
    with Tracing() as tracing:
        flow.dispatch(Create("a", "first"))
        flow.dispatch(Create("b", "second"))
        with SqliteTarget(str(tmp_path / "read.db")) as target:
            ProjectionRunner(flow, domain.todo_sql(), target=target).run_until_caught_up()
    (project,) = tracing.named("fabula.project")
    appends = {ids_of(s) for s in tracing.named("fabula.append")}
    assert project.parent is None
    assert {(link.context.trace_id, link.context.span_id) for link in project.links} == appends


class ConflictOnce:
    """Middleware that loses a race once, as a concurrent writer would make it."""

    def __init__(self) -> None:
        self.lost = False

    def __call__(self, context: CommandContext, call_next: CallNext) -> DispatchResult:
        if isinstance(context.command, Rename):
            raise DomainError("renames are refused here")
        if not self.lost:
            self.lost = True
            raise ConcurrencyError(str(context.command.todo_id), "v1", 2)
        return call_next(context)


def test_command_metrics(store: SqliteStore) -> None:
    flow = Flow(store, registry=domain.registry(), middleware=[RetryOnConflict(), ConflictOnce()])
    flow.register(domain.Todo, stream_id=domain.stream)
    with Tracing() as tracing:
        flow.dispatch(Create("a", "first"))
        flow.dispatch(Complete("a"))
        with pytest.raises(DomainError):
            flow.dispatch(Rename("a", "no"))
        with pytest.raises(ConcurrencyError):
            flow.dispatch(Complete("a"), expected_version=1)
    outcomes = {(p["command"], p["outcome"]): n for p, n in tracing.points("fabula.commands")}
    assert outcomes == {
        ("Create", "ok"): 1,
        ("Complete", "ok"): 1,
        ("Rename", "refused"): 1,
        ("Complete", "conflict"): 1,
    }
    durations = {
        (p["command"], p["outcome"]): n for p, n in tracing.points("fabula.command.duration")
    }
    assert durations[("Complete", "ok")] == 1
    assert tracing.points("fabula.command.retries") == [({"command": "Create"}, 1)]
    conflicts = {p["command"]: n for p, n in tracing.points("fabula.command.conflicts")}
    assert conflicts == {"Create": 1, "Complete": 1}
    assert tracing.points("fabula.events.appended") == [({}, 2)]


def test_parked_events_and_lag_are_measured(store: SqliteStore, tmp_path: Path) -> None:
    flow = domain.make_flow(store)
    flow.dispatch(Create("a", "poison"))
    flow.dispatch(Create("b", "fine"))
    policy = ErrorPolicy(retries=0, backoff=0.0, on_park="continue")
    with Tracing() as tracing, SqliteTarget(str(tmp_path / "read.db")) as target:
        runner = ProjectionRunner(flow, domain.todo_sql(batch_size=1), target=target, policy=policy)
        runner.run_until_caught_up()
    parked = tracing.points("fabula.consumer.parked")
    assert parked == [({"consumer": "todo_list", "event_type": "todo_created"}, 1)]
    lag = tracing.points("fabula.consumer.lag.events")
    assert lag
    assert lag[0][0] == {"consumer": "todo_list"}
    assert tracing.points("fabula.consumer.lag.seconds")


def test_the_asyncio_flow_and_runner_trace_alike() -> None:
    async def scenario() -> None:
        store = AsyncMemoryStore()
        flow = AsyncFlow(store, registry=domain.registry())
        flow.register(domain.Todo, stream_id=domain.stream)
        with Tracing() as tracing:
            await flow.dispatch(Create("a", "first"))
            target = AsyncMemoryTarget()
            runner = AsyncProjectionRunner(flow, domain.todo_dict(), target=target)
            await runner.run_until_caught_up()
        (append,) = tracing.named("fabula.append")
        (project,) = tracing.named("fabula.project")
        assert [s.name for s in tracing.named("fabula.d")] == [
            "fabula.decide",
            "fabula.dispatch Create",
        ]
        assert project.parent is not None
        assert project.parent.span_id == ids_of(append)[1]
        await store.close()

    asyncio.run(scenario())


def test_a_live_runner_reports_no_lag_once_at_the_head(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first batch of one event measures a lag of 1; the second is within the second.
    monkeypatch.setattr("fabula.read.running._runner.LAG_EVERY", 0.5)
    flow = domain.make_flow(store)
    flow.dispatch(Create("a", "first"))
    flow.dispatch(Create("b", "second"))
    with Tracing() as tracing, SqliteTarget(str(tmp_path / "read.db")) as target:
        projection = domain.todo_sql(batch_size=1)
        runner = ProjectionRunner(flow, projection, target=target, poll_interval=0.05)
        with runner:
            runner.start()
            runner.wait_for_position(store.head(), timeout=10)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                lag = tracing.points("fabula.consumer.lag.seconds")
                if lag and lag[0][1] == 0.0:
                    break
                time.sleep(0.05)
    assert tracing.points("fabula.consumer.lag.events") == [({"consumer": "todo_list"}, 0)]
    assert tracing.points("fabula.consumer.lag.seconds") == [({"consumer": "todo_list"}, 0.0)]
