"""``instrument()``: install an OpenTelemetry-backed ``Telemetry`` for the whole process."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager

from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, SpanContext
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from fabula._telemetry import Attributes, install

__all__ = ["Instrumentation", "instrument", "uninstrument"]

_SCOPE = "fabula"
_MAX_LINKS = 32
_propagator = TraceContextTextMapPropagator()


class Instrumentation:
    """fabula's tracer and instruments; ``instrument()`` makes one and installs it.

    Metrics (OpenTelemetry names, attributes in brackets):
    ``fabula.commands`` [command, outcome], ``fabula.command.duration`` (s) [command, outcome],
    ``fabula.command.conflicts`` [command], ``fabula.command.retries`` [command],
    ``fabula.events.appended``, ``fabula.consumer.lag.events`` and
    ``fabula.consumer.lag.seconds`` [consumer], ``fabula.consumer.parked`` [consumer, event_type],
    ``fabula.process.steps`` [manager, trigger, outcome], ``fabula.process.commands``,
    ``fabula.process.deadlines.fired`` [manager], ``fabula.process.compensations``
    [manager, command], ``fabula.process.failures`` [manager, trigger].
    """

    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._tracer = trace.get_tracer(_SCOPE, tracer_provider=tracer_provider)
        meter = metrics.get_meter(_SCOPE, meter_provider=meter_provider)
        self._commands = meter.create_counter("fabula.commands", description="commands handled")
        self._duration = meter.create_histogram(
            "fabula.command.duration", unit="s", description="dispatch time, retries included"
        )
        self._conflicts = meter.create_counter(
            "fabula.command.conflicts", description="appends refused by a concurrent writer"
        )
        self._retries = meter.create_counter(
            "fabula.command.retries", description="commands decided again after a conflict"
        )
        self._appended = meter.create_counter(
            "fabula.events.appended", description="events appended by commands"
        )
        self._lag_events = meter.create_gauge(
            "fabula.consumer.lag.events", description="events after a consumer's checkpoint"
        )
        self._lag_seconds = meter.create_gauge(
            "fabula.consumer.lag.seconds", unit="s", description="age of the newest event applied"
        )
        self._parked = meter.create_counter(
            "fabula.consumer.parked", description="events parked (dead letters)"
        )
        self._steps = meter.create_counter(
            "fabula.process.steps", description="process manager steps ended"
        )
        self._step_commands = meter.create_counter(
            "fabula.process.commands", description="commands sent by process manager steps"
        )
        self._fired = meter.create_counter(
            "fabula.process.deadlines.fired", description="process manager deadlines fired"
        )
        self._compensations = meter.create_counter(
            "fabula.process.compensations", description="compensations run for refused commands"
        )
        self._step_failures = meter.create_counter(
            "fabula.process.failures", description="process manager steps that raised"
        )

    def span(
        self,
        name: str,
        attributes: Attributes,
        /,
        *,
        carriers: Sequence[Mapping[str, str]] = (),
    ) -> AbstractContextManager[object]:
        """A current span; a child of the events' trace when they share one, else linked.

        Opened inside a span of that trace already (a process step inside the runner's
        reaction span), it is a child of that span instead.
        """
        parent, links = _parent_and_links(carriers)
        if parent is not None and _in_current_trace(parent):
            parent = None
        return self._span(name, attributes, parent, links)

    @contextmanager
    def _span(
        self,
        name: str,
        attributes: Attributes,
        parent: Context | None,
        links: list[Link],
    ) -> Iterator[object]:
        with self._tracer.start_as_current_span(
            name, context=parent, attributes=attributes, links=links
        ) as span:
            yield span

    def inject(self) -> dict[str, str]:
        """The current span's context as ``traceparent`` (and ``tracestate``) entries."""
        carrier: dict[str, str] = {}
        _propagator.inject(carrier)
        return carrier

    def command(self, command_type: str, seconds: float, outcome: str) -> None:
        """Count a finished dispatch and record its duration."""
        attributes = {"command": command_type, "outcome": outcome}
        self._commands.add(1, attributes)
        self._duration.record(seconds, attributes)
        if outcome == "conflict":
            self._conflicts.add(1, {"command": command_type})

    def retried(self, command_type: str) -> None:
        """Count a retry (and the conflict that caused it)."""
        self._retries.add(1, {"command": command_type})
        self._conflicts.add(1, {"command": command_type})

    def appended(self, count: int) -> None:
        """Count appended events."""
        if count:
            self._appended.add(count)

    def lag(self, consumer: str, events: int, seconds: float) -> None:
        """Record a consumer's lag."""
        self._lag_events.set(events, {"consumer": consumer})
        self._lag_seconds.set(seconds, {"consumer": consumer})

    def parked(self, consumer: str, event_type: str) -> None:
        """Count a parked event."""
        self._parked.add(1, {"consumer": consumer, "event_type": event_type})

    def annotate(self, span: object, attributes: Attributes, /) -> None:
        """Add attributes to a span this instrumentation opened."""
        if isinstance(span, trace.Span):
            span.set_attributes(attributes)

    def process_step(self, manager: str, trigger: str, outcome: str, commands: int) -> None:
        """Count an ended process step, its commands, a fired deadline or a failure."""
        self._steps.add(1, {"manager": manager, "trigger": trigger, "outcome": outcome})
        if commands:
            self._step_commands.add(commands, {"manager": manager})
        if outcome == "failed":
            self._step_failures.add(1, {"manager": manager, "trigger": trigger})
        elif outcome == "ok" and trigger == "deadline":
            self._fired.add(1, {"manager": manager})

    def compensated(self, manager: str, command_type: str) -> None:
        """Count a compensation."""
        self._compensations.add(1, {"manager": manager, "command": command_type})


def _parent_and_links(
    carriers: Sequence[Mapping[str, str]],
) -> tuple[Context | None, list[Link]]:
    seen: dict[tuple[int, int], tuple[Context, SpanContext]] = {}
    for carrier in carriers:
        context = _propagator.extract(carrier)
        found = trace.get_current_span(context).get_span_context()
        if found.is_valid:
            seen.setdefault((found.trace_id, found.span_id), (context, found))
    if len(seen) == 1:
        ((context, _),) = seen.values()
        return context, []
    return None, [Link(found) for _, found in list(seen.values())[:_MAX_LINKS]]


def _in_current_trace(context: Context) -> bool:
    current = trace.get_current_span().get_span_context()
    wanted = trace.get_current_span(context).get_span_context()
    return current.is_valid and current.trace_id == wanted.trace_id


def instrument(
    *,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
) -> Instrumentation:
    """Report fabula's spans and metrics to OpenTelemetry from now on (process-wide).

    Without providers, the global ones (``trace.set_tracer_provider``...) are used.
    """
    instrumentation = Instrumentation(
        tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    install(instrumentation)
    return instrumentation


def uninstrument() -> None:
    """Stop reporting: fabula goes back to its no-op path."""
    install(None)
