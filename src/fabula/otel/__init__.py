"""OpenTelemetry for fabula: spans, trace context in event metadata, metrics (``fabula[otel]``).

    from fabula.otel import instrument

    instrument()  # the global tracer and meter providers; or pass your own

Spans: ``fabula.dispatch <Command>`` with ``fabula.decide`` and ``fabula.append`` inside;
``fabula.project <projection>`` per committed batch and ``fabula.react <reaction>`` per
event, each a child of the trace that wrote its events (the context travels in the events'
metadata as ``traceparent``), so one trace follows a command across processes.
"""

from fabula.otel._instrument import Instrumentation, instrument, uninstrument

__all__ = ["Instrumentation", "instrument", "uninstrument"]
