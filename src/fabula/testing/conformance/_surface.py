# Generated from _surface_async.py by tools/unasync.py: do not edit, edit the source.
"""Conformance: the store offers every method of the contract, with the contract's parameters.

The contract's methods include ``__enter__`` and ``__exit__``: a store is a context
manager, and entering it gives the store itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from fabula.store import EventStore
from fabula.testing.conformance._expect import expect
from fabula.testing.conformance._surface_base import _expect_parameters

__all__ = ["check_entering_gives_the_store", "check_provides_every_contract_method"]

_CONTEXT_MANAGER = ("__enter__", "__exit__")


def check_provides_every_contract_method(store: EventStore) -> None:
    """The store has every contract method, coroutine or not as the contract says.

    Each method accepts the contract's positional parameters in order and its keyword
    parameters by name, with defaults wherever the contract has one, and requires
    nothing more.
    """
    for name, wanted in _contract_methods():
        member = getattr(store, name, None)
        expect(callable(member), f"the store has no method {name}()")
        assert callable(member)
        is_coroutine = inspect.iscoroutinefunction(wanted)
        expect(
            inspect.iscoroutinefunction(member) == is_coroutine,
            f"{name}() must {'' if is_coroutine else 'not '}be a coroutine function",
        )
        _expect_parameters(name, inspect.signature(wanted), inspect.signature(member))


def check_entering_gives_the_store(store: EventStore) -> None:
    """``with store as entered`` gives the store itself, open (``with`` for sync)."""
    entered = store.__enter__()
    expect(entered is store, f"entering the store gave {entered!r}, not the store")
    store.head()


def _contract_methods() -> list[tuple[str, Callable[..., object]]]:
    return [
        (name, member)
        for name, member in sorted(vars(EventStore).items())
        if (not name.startswith("_") or name in _CONTEXT_MANAGER) and callable(member)
    ]
