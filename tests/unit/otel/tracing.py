"""One process's OpenTelemetry for tests: a tracer provider, span exporter and metric reader."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from fabula.otel import instrument, uninstrument

__all__ = ["Tracing", "ids_of"]


class Tracing:
    """One process's OpenTelemetry: its own tracer provider, span exporter and metric reader."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.metrics = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.metrics])

    def __enter__(self) -> Tracing:
        instrument(tracer_provider=self.tracer_provider, meter_provider=self.meter_provider)
        return self

    def __exit__(self, *exc: object) -> None:
        uninstrument()

    def named(self, prefix: str) -> list[ReadableSpan]:
        return [s for s in self.spans.get_finished_spans() if s.name.startswith(prefix)]

    def points(self, metric: str) -> list[tuple[dict[str, Any], Any]]:
        data = self.metrics.get_metrics_data()
        if data is None:
            return []
        return [
            (
                dict(point.attributes or {}),
                point.value if hasattr(point, "value") else point.count,
            )
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for found in scope.metrics
            if found.name == metric
            for point in found.data.data_points
        ]


def ids_of(span: ReadableSpan) -> tuple[int, int]:
    """The span's trace id and span id."""
    assert span.context is not None
    return span.context.trace_id, span.context.span_id
