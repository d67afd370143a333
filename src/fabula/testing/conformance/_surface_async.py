"""Conformance: the store offers every method of the contract, with the contract's parameters.

The contract's methods include ``__aenter__`` and ``__aexit__``: a store is a context
manager, and entering it gives the store itself.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from fabula.store import AsyncEventStore
from fabula.testing.conformance._expect import expect

__all__ = ["check_entering_gives_the_store", "check_provides_every_contract_method"]

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_CONTEXT_MANAGER = ("__aenter__", "__aexit__")


async def check_provides_every_contract_method(store: AsyncEventStore) -> None:
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


async def check_entering_gives_the_store(store: AsyncEventStore) -> None:
    """``async with store as entered`` gives the store itself, open (``with`` for sync)."""
    entered = await store.__aenter__()
    expect(entered is store, f"entering the store gave {entered!r}, not the store")
    await store.head()


def _contract_methods() -> list[tuple[str, Callable[..., object]]]:
    return [
        (name, member)
        for name, member in sorted(vars(AsyncEventStore).items())
        if (not name.startswith("_") or name in _CONTEXT_MANAGER) and callable(member)
    ]


def _expect_parameters(name: str, wanted: inspect.Signature, got: inspect.Signature) -> None:
    contract = list(wanted.parameters.values())[1:]  # without self
    offered = list(got.parameters.values())
    var_positional = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in offered)
    var_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in offered)
    positional = [p for p in offered if p.kind in _POSITIONAL]
    matched: set[str] = set()
    index = 0
    for param in contract:
        found: inspect.Parameter | None = None
        if param.kind in _POSITIONAL:
            if index < len(positional):
                found = positional[index]
            index += 1
            expect(
                found is not None or var_positional,
                f"{name}() must take {param.name!r} as positional parameter {index}",
            )
        else:
            found = got.parameters.get(param.name)
            ok = found is not None and found.kind in (
                inspect.Parameter.KEYWORD_ONLY,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
            )
            expect(ok or var_keyword, f"{name}() must take the keyword argument {param.name!r}")
            if not ok:
                found = None
        if found is None:
            continue
        matched.add(found.name)
        if param.default is not inspect.Parameter.empty:
            expect(
                found.default is not inspect.Parameter.empty,
                f"{name}(): parameter {found.name!r} needs a default, as in the contract",
            )
    for param in offered:
        required = param.default is inspect.Parameter.empty and param.kind not in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        )
        expect(
            param.name in matched or not required,
            f"{name}() requires the parameter {param.name!r}, which the contract does not have",
        )
