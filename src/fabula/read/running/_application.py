"""Take the store and the one event registry from an application (a flow), when given one.

Runners, sets and inline projections accept either a store or the application's flow
(anything with a ``store`` and an ``EventRegistry`` as ``registry``: structural, so the
read side needs nothing from ``fabula.app``). Given a flow, its registry is the registry:
an upcaster registered once reaches every consumer. Not generated: both twins use it.
"""

from __future__ import annotations

from fabula._errors import ConfigurationError
from fabula.codec import EventRegistry

__all__ = ["store_and_registry"]


def store_and_registry(
    owner: str, source: object, registry: EventRegistry | None, /
) -> tuple[object, EventRegistry | None]:
    """Return ``(store, registry)`` from a flow, or ``(source, registry)`` from a store.

    Raises:
        ConfigurationError: a flow and another registry than its own were both given.
    """
    found = getattr(source, "registry", None)
    if not isinstance(found, EventRegistry):
        return source, registry
    if registry is not None and registry is not found:
        msg = f"{owner}: one event registry per application: pass the flow's"
        raise ConfigurationError(msg)
    store: object = getattr(source, "store")  # noqa: B009 (structural, like the runner's protocol)
    return store, found
