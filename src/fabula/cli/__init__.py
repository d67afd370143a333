"""The ``fabula`` command: run the demo, look inside a store, operate projections.

``status_table`` formats projection statuses as ``fabula projections status`` prints them.
"""

from fabula.cli._main import main
from fabula.cli._status_table import status_table

__all__ = ["main", "status_table"]
