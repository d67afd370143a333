"""Logging helpers: one JSON object per log line, with fabula's structured fields.

    from fabula.logs import configure_logging

    configure_logging(format="json")  # what ``fabula --log-format json`` does

fabula's records about one event carry ``stream_id``, ``event_type``, ``position`` and
``correlation_id`` as ``extra`` fields; ``JsonFormatter`` prints every such field.
"""

from fabula.logs._json import JsonFormatter, LogFormat, configure_logging

__all__ = ["JsonFormatter", "LogFormat", "configure_logging"]
