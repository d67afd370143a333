# Generated from _leases_async.py by tools/unasync.py: do not edit, edit the source.
"""Target conformance, rule 4: leases are exclusive, renewable, expiring, and guard commits."""

from __future__ import annotations

import time

from fabula.read import Claim, LeaseLost
from fabula.testing.conformance._expect import expect, expect_equal, raises
from fabula.testing.conformance.targets._kit import TargetKit, put_step

__all__ = [
    "check_commit_with_a_lost_claim_raises_lease_lost",
    "check_lease_is_exclusive",
    "check_lease_lapses_after_its_ttl",
    "check_lease_renews_and_releases",
]

_LONG = 60.0


def check_lease_is_exclusive(kit: TargetKit) -> None:
    """Rule 4: while one owner holds the lease, another cannot take it."""
    name = "tc_lease_exclusive"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        expect(target.acquire_lease(name, "a", ttl=_LONG), "a free lease is taken")
        expect(not target.acquire_lease(name, "b", ttl=_LONG), "a held lease is refused")
        lease = target.lease(name)
        expect_equal(lease.owner if lease else None, "a", "the lease's holder")
    finally:
        target.close()


def check_lease_renews_and_releases(kit: TargetKit) -> None:
    """Rule 4: the holder renews by acquiring again; only the holder's release frees it."""
    name = "tc_lease_renew"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        expect(target.acquire_lease(name, "a", ttl=_LONG), "a free lease is taken")
        expect(target.acquire_lease(name, "a", ttl=_LONG), "the holder renews its lease")
        target.release_lease(name, "b")
        expect(not target.acquire_lease(name, "b", ttl=_LONG), "another's release is ignored")
        target.release_lease(name, "a")
        expect_equal(target.lease(name), None, "the lease after its holder released it")
        expect(target.acquire_lease(name, "b", ttl=_LONG), "a released lease is taken")
    finally:
        target.close()


def check_lease_lapses_after_its_ttl(kit: TargetKit) -> None:
    """Rule 4: a lease not renewed within its ``ttl`` lapses, and another owner takes it."""
    name = "tc_lease_lapses"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        expect(target.acquire_lease(name, "a", ttl=0.2), "a free lease is taken")
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            if target.lease(name) is None:
                break
            time.sleep(0.1)
        expect_equal(target.lease(name), None, "a lease 5 s past its 0.2 s ttl")
        expect(target.acquire_lease(name, "b", ttl=_LONG), "a lapsed lease is taken")
    finally:
        target.close()


def check_commit_with_a_lost_claim_raises_lease_lost(kit: TargetKit) -> None:
    """Rule 4: a commit with a claim succeeds only while the claimant holds the lease."""
    name = "tc_lease_claim"
    target = kit.open()
    try:
        target.prepare(name, setup=[kit.setup(name)])
        expect(target.acquire_lease(name, "a", ttl=_LONG), "a free lease is taken")
        step = put_step(kit, name, "x", "1", position=1)
        with raises(LeaseLost, "a commit claimed by an owner that does not hold the lease"):
            target.commit(name, after=0, position=1, steps=[step], claim=Claim("b", _LONG))
        expect_equal(kit.rows(target, name), {}, "the model after a refused claim")
        expect_equal((target.checkpoint(name)).position, 0, "the checkpoint after a refused claim")
        target.commit(name, after=0, position=1, steps=[step], claim=Claim("a", _LONG))
        expect_equal((target.checkpoint(name)).position, 1, "a commit claimed by the holder")
    finally:
        target.close()
