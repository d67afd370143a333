"""Run conformance checks against a backend: each check gets a fresh store from a factory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from fabula.store import AsyncEventStore, EventStore
from fabula.testing.conformance._check import AsyncCheck, Check
from fabula.testing.conformance._suite import CHECKS as SYNC_CHECKS
from fabula.testing.conformance._suite_async import CHECKS as ASYNC_CHECKS

__all__ = ["run_async_check", "run_async_checks", "run_check", "run_checks"]

StoreFactory = Callable[[], EventStore]
AsyncStoreFactory = Callable[[], AsyncEventStore | Awaitable[AsyncEventStore]]


def run_check(check: Check, factory: StoreFactory, /) -> None:
    """Open a store with ``factory()``, run ``check`` on it, and close the store.

    Raises:
        AssertionError: the store broke the contract; the message says where.
    """
    store = factory()
    try:
        check(store)
    finally:
        store.close()


async def run_async_check(check: AsyncCheck, factory: AsyncStoreFactory, /) -> None:
    """Open a store with ``factory()`` (awaited if need be), run ``check``, close the store.

    Raises:
        AssertionError: the store broke the contract; the message says where.
    """
    made = factory()
    store = await made if isinstance(made, Awaitable) else made
    try:
        await check(store)
    finally:
        await store.close()


def run_checks(factory: StoreFactory, /, *, checks: Iterable[Check] = SYNC_CHECKS) -> None:
    """Run every check (by default the whole sync suite), each on a fresh store.

    Raises:
        ExceptionGroup: one or more checks failed; each error carries a note naming its check.
    """
    _raise_failures(_failures(lambda check: run_check(check, factory), checks))


async def run_async_checks(
    factory: AsyncStoreFactory, /, *, checks: Iterable[AsyncCheck] = ASYNC_CHECKS
) -> None:
    """Run every asyncio check (by default the whole suite), each on a fresh store.

    Raises:
        ExceptionGroup: one or more checks failed; each error carries a note naming its check.
    """
    failures: list[Exception] = []
    for check in checks:
        try:
            await run_async_check(check, factory)
        except Exception as exc:
            exc.add_note(f"conformance check {check.__name__} failed")
            failures.append(exc)
    _raise_failures(failures)


def _failures(run: Callable[[Check], None], checks: Iterable[Check]) -> list[Exception]:
    failures: list[Exception] = []
    for check in checks:
        try:
            run(check)
        except Exception as exc:
            exc.add_note(f"conformance check {check.__name__} failed")
            failures.append(exc)
    return failures


def _raise_failures(failures: list[Exception]) -> None:
    if failures:
        msg = f"{len(failures)} conformance check(s) failed"
        raise ExceptionGroup(msg, failures)
