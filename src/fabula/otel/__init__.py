"""OpenTelemetry for fabula: spans, trace context in event metadata, metrics (``fabula[otel]``).

    from fabula.otel import instrument

    instrument()  # the global tracer and meter providers; or pass your own

Spans: ``fabula.dispatch <Command>`` with ``fabula.decide`` and ``fabula.append`` inside;
``fabula.project <projection>`` per committed batch and ``fabula.react <reaction>`` per
event, each a child of the trace that wrote its events (the context travels in the events'
metadata as ``traceparent``), so one trace follows a command across processes.
``fabula.process <manager>`` per process manager step (in its event's trace) and
``fabula.deadline <manager>`` per fired deadline (``fabula.flows._process_traced``).
"""

from fabula.otel._instrument import Instrumentation, instrument, uninstrument

__all__ = ["Instrumentation", "instrument", "uninstrument"]
