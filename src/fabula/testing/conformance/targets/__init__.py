"""The target conformance suite: what a read-model target must do, for yours to prove.

Every target (``memory``, ``sqlite``, ``postgres``, and yours, for MongoDB or
Elasticsearch) passes all of it. The rules are numbered in ``fabula.read.Target``'s module
(checkpointed commit, leases, dead letters, rebuild); each check proves one of them and
fails with an ``AssertionError`` that names it.

A check takes a kit: how to open the target (opening again must reach the same database),
and a tiny key-value read model in the target's own dialect (``setup``, the ``put``
handler, ``rows`` to read it back). The suite's events are ``Put(value)``::

    import pytest

    from fabula.testing.conformance.targets import SYNC_CHECKS, TargetKit

    def kit() -> TargetKit:
        return TargetKit(
            open=lambda: MyTarget("mydb://..."),
            setup=lambda name: lambda tx: tx.create_collection(name),
            put=lambda name: lambda tx, e: tx[name].put(e.stream_id, e.event.value),
            rows=lambda target, name: target.read_all(name),
        )

    @pytest.mark.parametrize("check", SYNC_CHECKS, ids=lambda check: check.__name__)
    def test_target(check):
        check(kit())

``memory_kit()`` / ``async_memory_kit()`` bind the reference memory target;
``run_checks(kit)`` / ``await run_async_checks(kit)`` run the whole suite without pytest
and raise an ``ExceptionGroup`` of the failures.
"""

from fabula.testing.conformance.targets._kit import TargetKit, memory_kit
from fabula.testing.conformance.targets._kit_async import (
    AsyncTargetKit,
    Put,
    Rows,
    memory_kit as async_memory_kit,
)
from fabula.testing.conformance.targets._runner import run_checks
from fabula.testing.conformance.targets._runner_async import run_checks as run_async_checks
from fabula.testing.conformance.targets._suite import CHECKS as SYNC_CHECKS, TargetCheck
from fabula.testing.conformance.targets._suite_async import (
    CHECKS as ASYNC_CHECKS,
    AsyncTargetCheck,
)

__all__ = [
    "ASYNC_CHECKS",
    "SYNC_CHECKS",
    "AsyncTargetCheck",
    "AsyncTargetKit",
    "Put",
    "Rows",
    "TargetCheck",
    "TargetKit",
    "async_memory_kit",
    "memory_kit",
    "run_async_checks",
    "run_checks",
]
