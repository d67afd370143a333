"""fabula.otel, fabula.logs and the backends' ``schema_sql``: real types (mypy checks this)."""

from __future__ import annotations

import io
import logging
from typing import assert_type

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider

from fabula.logs import JsonFormatter, configure_logging
from fabula.otel import Instrumentation, instrument, uninstrument
from fabula.store.postgres import schema_sql as postgres_sql
from fabula.store.sqlite import schema_sql as sqlite_sql


def test_instrument_returns_its_instrumentation() -> None:
    found = instrument(tracer_provider=TracerProvider(), meter_provider=MeterProvider())
    try:
        assert_type(found, Instrumentation)
    finally:
        assert_type(uninstrument(), None)


def test_configure_logging_returns_its_handler() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        handler = assert_type(
            configure_logging(format="json", stream=io.StringIO()), logging.Handler
        )
        assert isinstance(handler.formatter, JsonFormatter)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_schema_sql_is_text() -> None:
    assert_type(sqlite_sql(), str)
    assert_type(postgres_sql("app", after=1), str)
