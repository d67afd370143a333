"""RetryOnConflict: a deadline and jittered backoff, never a retry of the caller's version."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from fabula import ConcurrencyError, ConfigurationError, ContentionTimeout, Flow
from fabula.app import CallNext, CommandContext, DispatchResult, RetryOnConflict
from fabula.store.memory import MemoryStore

from .domain import Add, Counter, Open, stream


def context(expected_version: int | None = None) -> CommandContext:
    the_id = uuid.uuid4()
    return CommandContext(
        command=object(),
        command_id=the_id,
        correlation_id=the_id,
        expected_version=expected_version,
    )


class LosesRaces:
    """A handler that loses ``times`` races, then succeeds."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.calls = 0

    def __call__(self, context: CommandContext) -> DispatchResult:
        self.calls += 1
        if self.calls <= self.times:
            raise ConcurrencyError("s-1", f"version {self.calls}", self.calls + 1)
        return DispatchResult(stream_id="s-1", version=9, events=(), command_id=context.command_id)


def test_a_lost_race_is_retried_on_fresh_state_until_it_wins() -> None:
    handler = LosesRaces(30)  # far more than the five tries of old
    result = RetryOnConflict(backoff=0.0001, max_backoff=0.0005)(context(), handler)
    assert (result.version, handler.calls) == (9, 31)


def test_the_callers_expected_version_is_never_retried() -> None:
    handler = LosesRaces(1)
    with pytest.raises(ConcurrencyError) as caught:
        RetryOnConflict()(context(expected_version=1), handler)
    assert not isinstance(caught.value, ContentionTimeout)
    assert handler.calls == 1


def test_past_the_deadline_it_is_contention_not_a_conflict() -> None:
    handler = LosesRaces(10**9)
    retry = RetryOnConflict(deadline=0.05, backoff=0.001, max_backoff=0.004)
    with pytest.raises(ContentionTimeout) as caught:
        retry(context(), handler)
    assert isinstance(caught.value, ConcurrencyError)  # old handlers still catch it
    assert caught.value.attempts == handler.calls > 1
    assert (caught.value.stream_id, caught.value.deadline) == ("s-1", 0.05)


def test_backoff_is_jittered_and_capped() -> None:
    retry = RetryOnConflict(backoff=0.01, max_backoff=0.05)
    delays = [retry._delay(attempt) for attempt in range(1, 200)]
    assert all(0 <= d < 0.05 for d in delays)
    assert len(set(delays)) > 100  # random, so racing writers spread apart
    assert max(retry._delay(1) for _ in range(200)) < 0.01


def test_negative_settings_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        RetryOnConflict(deadline=-1)


class SlowStore(MemoryStore):
    """Appends take a moment, so racing writers overlap."""

    def append(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(0.002)
        return super().append(*args, **kwargs)


def test_losers_of_a_race_retry_in_turn_so_n_commands_cost_about_n_attempts() -> None:
    store = SlowStore()
    attempts: list[int] = []

    def count(context: CommandContext, call_next: CallNext) -> DispatchResult:
        attempts.append(context.attempt)
        return call_next(context)

    flow = Flow(store, middleware=[RetryOnConflict(), count])
    flow.register(Counter, stream_id=stream)
    flow.dispatch(Open("a", "x"))
    barrier = threading.Barrier(40)

    def work() -> None:
        barrier.wait()
        flow.dispatch(Add("a", 1))

    threads = [threading.Thread(target=work) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert flow.repository(Counter).load("counter-a").state.total == 40
    # Racing freely, 40 writers need up to 40 * 41 / 2 = 820 attempts; in turn, about 80.
    assert len(attempts) - 1 <= 3 * 40
