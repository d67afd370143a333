"""Running one consumer: the runner, its tasks, error policy and status.

``ProjectionRunner`` feeds one projection (or reaction) from the store's subscription and
commits each batch with its checkpoint; ``InlineProjection`` runs one in each append's own
transaction; ``read_status`` reads a projection's status from the database alone. The
public names are re-exported from ``fabula.read``, except ``Reaction`` and
``ReactionContext``, which ``fabula.flows`` re-exports (they dispatch commands, they are
not read models; the runner runs them, so they are defined here).
"""

from fabula.read.running._monitor_async import LAG_COUNT_LIMIT
from fabula.read.running._reaction import Reaction, ReactionContext

__all__ = ["LAG_COUNT_LIMIT", "Reaction", "ReactionContext"]
