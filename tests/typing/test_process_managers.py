"""Process managers' public API is typed (mypy --strict and pyright strict)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, assert_type

from fabula.app import AsyncFlow, Flow
from fabula.flows import (
    AsyncProcessWorker,
    Clock,
    Deadline,
    ProcessContext,
    ProcessManager,
    ProcessWorker,
)
from fabula.read.running import Consumer
from fabula.store.memory import AsyncMemoryStore, MemoryStore
from fabula.testing import FakeClock, ProcessSpec


def test_process_manager_api_types() -> None:
    manager = ProcessManager("typed-pm", correlate=lambda event: None)
    clock: Clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    worker = ProcessWorker(manager, Flow(MemoryStore()), clock=clock)
    consumer: Consumer = worker
    assert_type(worker.fire_due(), int)
    assert_type(worker.state("x"), dict[str, Any])
    assert_type(worker.deadlines("x"), dict[str, Deadline])
    async_worker = AsyncProcessWorker(manager, AsyncFlow(AsyncMemoryStore()))
    async_consumer: Consumer = async_worker
    context = ProcessContext("x", {}, clock.now())
    assert_type(context.deadlines, dict[str, Deadline])
    spec = ProcessSpec(manager, start=clock.now())
    assert_type(spec.dispatched, list[object])
    assert consumer is worker
    assert async_consumer is async_worker
