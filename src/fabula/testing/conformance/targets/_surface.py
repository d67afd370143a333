# Generated from _surface_async.py by tools/unasync.py: do not edit, edit the source.
"""Target conformance: the target offers every method of the four concerns."""

from __future__ import annotations

import inspect

from fabula.read import Target
from fabula.testing.conformance._expect import expect
from fabula.testing.conformance.targets._kit import TargetKit

__all__ = ["check_provides_every_contract_method"]


def check_provides_every_contract_method(kit: TargetKit) -> None:
    """The target has every method of ``Target``, coroutine or not as the contract says."""
    target = kit.open()
    try:
        for name, wanted in inspect.getmembers(Target, inspect.isfunction):
            if name.startswith("_") and name not in ("__enter__", "__exit__"):
                continue
            member = getattr(target, name, None)
            expect(callable(member), f"the target has no method {name}()")
            is_coroutine = inspect.iscoroutinefunction(wanted)
            expect(
                inspect.iscoroutinefunction(member) == is_coroutine,
                f"{name}() must {'' if is_coroutine else 'not '}be a coroutine function",
            )
    finally:
        target.close()
