"""Running one consumer: the runner, its tasks, error policy and status.

``ProjectionRunner`` feeds one ``Consumer`` (a projection, a ``fabula.flows.Reaction``,
or your own) from the store's subscription and commits each batch with its checkpoint;
``InlineProjection`` runs one in each append's own transaction; ``read_status`` reads a
projection's status from the database alone. The runners are re-exported from
``fabula.read``; this package also holds the building blocks of a consumer
(``Consumer``, ``HandlerTable``, ``Entry``, ``check_name``).
"""

from fabula.read._handlers import Entry, HandlerTable, check_name
from fabula.read._projection import Handler
from fabula.read.running._consumer import Consumer
from fabula.read.running._monitor_async import LAG_COUNT_LIMIT

__all__ = ["LAG_COUNT_LIMIT", "Consumer", "Entry", "Handler", "HandlerTable", "check_name"]
