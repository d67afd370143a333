"""``JsonFormatter`` and ``configure_logging``."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal, TextIO, TypeAlias

__all__ = ["JsonFormatter", "LogFormat", "configure_logging"]

LogFormat: TypeAlias = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Every attribute a bare LogRecord has: the rest came in through ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, then ``extra`` fields.

    ``time`` is ISO 8601 in UTC; an exception's traceback is under ``exception``. Values
    JSON cannot hold are printed with ``str``.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str, ensure_ascii=False)


def configure_logging(
    *,
    format: LogFormat = "text",  # noqa: A002 - the word users know from --log-format
    level: int | str = logging.INFO,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send log records to ``stream`` (stderr by default) as text lines or JSON lines.

    Replaces the handlers of the root logger; returns the new handler.
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    if format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
