"""Target conformance: the target offers every method of the four concerns."""

from __future__ import annotations

import inspect

from fabula.read import AsyncTarget
from fabula.testing.conformance._expect import expect
from fabula.testing.conformance.targets._kit_async import AsyncTargetKit

__all__ = ["check_provides_every_contract_method"]


async def check_provides_every_contract_method(kit: AsyncTargetKit) -> None:
    """The target has every method of ``AsyncTarget``, coroutine or not as the contract says."""
    target = kit.open()
    try:
        for name, wanted in inspect.getmembers(AsyncTarget, inspect.isfunction):
            if name.startswith("_") and name not in ("__aenter__", "__aexit__"):
                continue
            member = getattr(target, name, None)
            expect(callable(member), f"the target has no method {name}()")
            is_coroutine = inspect.iscoroutinefunction(wanted)
            expect(
                inspect.iscoroutinefunction(member) == is_coroutine,
                f"{name}() must {'' if is_coroutine else 'not '}be a coroutine function",
            )
    finally:
        await target.close()
