"""The ``fabula`` command: run the demo, look inside a store."""

from fabula.cli._main import main

__all__ = ["main"]
