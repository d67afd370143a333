"""UUIDv7 ids: ordered, unique across pool refills, and never shared with a forked child."""

from __future__ import annotations

import os
import sys

import pytest

from fabula._ids import uuid7

_RANDOM_B = (1 << 62) - 1


def test_ids_are_version_7_increasing_and_unique_across_many_draws() -> None:
    ids = [uuid7() for _ in range(2000)]  # several refills of the random pool
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)
    assert len({i.int & _RANDOM_B for i in ids}) == len(ids)


@pytest.mark.skipif(sys.platform == "win32", reason="os.fork")
def test_a_forked_child_draws_other_random_bits_than_its_parent() -> None:
    uuid7()  # the parent's pool holds bytes it has not used yet
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.write(write, uuid7().bytes)
        os._exit(0)
    os.close(write)
    child = os.read(read, 16)
    os.close(read)
    os.waitpid(pid, 0)
    parent = uuid7()
    assert int.from_bytes(child) & _RANDOM_B != parent.int & _RANDOM_B
