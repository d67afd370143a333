"""Flows: what turns events into commands (reactions; process managers later).

A ``Reaction`` is a checkpointed consumer whose handlers act on events (send, call,
dispatch commands) instead of writing a read model. It is run by the read side's runner
(``ProjectionRunner``, ``ProjectionSet``), which is why its class is defined with the
running machinery (``fabula.read.running``); this package is where to import it from.
"""

from fabula.read.running import Reaction, ReactionContext

__all__ = ["Reaction", "ReactionContext"]
