"""What tracing costs a dispatch: the micro benchmark behind docs/operations.md's figures.

Dispatches ``n`` commands (one new stream each) on an in-memory store, best of
``repeat`` rounds, in three set-ups: fabula.otel not instrumented (the default), and
instrumented with the OpenTelemetry SDK (spans recorded but exported nowhere; and
spans sent to an in-memory exporter). Run it against another checkout with
``PYTHONPATH=that/src`` to compare the uninstrumented path with code before telemetry.

Usage: python -m benchmarks.telemetry_overhead [--n 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import time
from dataclasses import dataclass

from fabula import Aggregate, EventRegistry, Flow, decides, event, evolves
from fabula.store.memory import MemoryStore

__all__ = ["main", "measure"]


@event("bench_opened")
@dataclass(frozen=True)
class Opened:
    name: str


@dataclass(frozen=True)
class Open:
    account: int


class Account(Aggregate, name="bench_account"):
    name: str = ""

    @decides
    def open(self, command: Open) -> list[Opened]:
        return [Opened(str(command.account))]

    @evolves
    def opened(self, event: Opened) -> None:
        self.name = event.name


def measure(n: int, repeat: int) -> float:
    """Microseconds per dispatch, best of ``repeat`` rounds of ``n`` commands."""
    best = float("inf")
    for _ in range(repeat):
        flow = Flow(MemoryStore(), registry=EventRegistry([Opened]))
        flow.register(Account, stream_id=lambda c: f"account-{c.account}")
        started = time.perf_counter()
        for number in range(n):
            flow.dispatch(Open(number))
        best = min(best, (time.perf_counter() - started) / n * 1e6)
    return best


def hook_cost(n: int = 1_000_000) -> float:
    """Nanoseconds per dispatch of what the uninstrumented path adds: the statements
    ``Flow.dispatch`` and ``_handle`` run when ``hooks.active`` is ``None``."""
    from fabula._telemetry import hooks
    from fabula.app._traced import span

    attempt = 1
    started = time.perf_counter()
    for _ in range(n):
        telemetry = hooks.active
        _ = telemetry is None
        telemetry = hooks.active
        _ = telemetry is not None and attempt > 1
        with span(telemetry, "fabula.decide", "s"):
            pass
        with span(telemetry, "fabula.append", "s"):
            _ = telemetry is not None
    return (time.perf_counter() - started) / n * 1e9


def main() -> None:
    """Print microseconds per dispatch in each set-up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"not instrumented:            {measure(args.n, args.repeat):7.1f} us/dispatch")
    with contextlib.suppress(ImportError):  # a checkout from before the hooks has none
        print(f"added by the hooks when not instrumented: {hook_cost():.0f} ns/dispatch")
    try:
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        from fabula.otel import instrument, uninstrument
    except ImportError:
        return  # a checkout from before fabula.otel: only the first figure compares
    instrument(tracer_provider=TracerProvider())
    print(f"SDK, no exporter:            {measure(args.n, args.repeat):7.1f} us/dispatch")
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrument(tracer_provider=provider)
    print(f"SDK, in-memory exporter:     {measure(args.n, args.repeat):7.1f} us/dispatch")
    uninstrument()


if __name__ == "__main__":
    main()
