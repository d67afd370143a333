"""The store conformance suite: the one definition of what an event store must do.

Every backend (``memory``, ``sqlite``, ``postgres``, and yours) passes all of it. A check
is a plain function taking an open store: ``SYNC_CHECKS`` take an ``EventStore``,
``ASYNC_CHECKS`` (same checks, same order) an ``AsyncEventStore``. The first check
asserts the store provides every method of the contract; each other one proves one
point of it and fails with an ``AssertionError`` that names the point.

Checks write under stream ids and types no other check uses, so they need not start
from an empty store, but each must be the only writer while it runs (run them one at a
time). A factory that opens a fresh store for each check is the simplest binding.

``read_stream`` must show an append as soon as it returns; ``head``, ``read_all`` and
subscriptions may show it a moment later (a store may hold positions back until no
earlier one can still commit), so checks wait for the log with ``wait_for_events``
(up to a few seconds) before reading it.

Binding a backend with pytest::

    import asyncio

    import pytest

    from fabula.testing.conformance import (
        ASYNC_CHECKS, SYNC_CHECKS, run_async_check, run_check
    )
    from my_backend import AsyncMyStore, MyStore


    @pytest.mark.parametrize("check", SYNC_CHECKS, ids=lambda check: check.__name__)
    def test_sync(check, tmp_path):
        run_check(check, lambda: MyStore(tmp_path / "events"))


    @pytest.mark.parametrize("check", ASYNC_CHECKS, ids=lambda check: check.__name__)
    def test_async(check, tmp_path):
        asyncio.run(run_async_check(check, lambda: AsyncMyStore(tmp_path / "events")))

Key tables (``store.personal_keys()``, personal data) have their own checks:
``KEY_CHECKS`` / ``ASYNC_KEY_CHECKS`` take a ``KeyTable`` / ``AsyncKeyTable``.

Without pytest, ``run_checks(factory)`` and ``await run_async_checks(factory)`` run the
whole suite and raise an ``ExceptionGroup`` of the failures.
"""

from fabula.testing.conformance._check import AsyncCheck, Check
from fabula.testing.conformance._keys import CHECKS as KEY_CHECKS
from fabula.testing.conformance._keys_async import CHECKS as ASYNC_KEY_CHECKS
from fabula.testing.conformance._runner import (
    run_async_check,
    run_async_checks,
    run_check,
    run_checks,
)
from fabula.testing.conformance._suite import CHECKS as SYNC_CHECKS
from fabula.testing.conformance._suite_async import CHECKS as ASYNC_CHECKS

__all__ = [
    "ASYNC_CHECKS",
    "ASYNC_KEY_CHECKS",
    "KEY_CHECKS",
    "SYNC_CHECKS",
    "AsyncCheck",
    "Check",
    "run_async_check",
    "run_async_checks",
    "run_check",
    "run_checks",
]
