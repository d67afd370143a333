"""A partition never decodes other partitions' events nor commits for them (PostgreSQL)."""

from __future__ import annotations

from tests.unit.read import partition_checks
from tests.unit.read.kits import Kit


def test_a_foreign_event_is_never_decoded(kit: Kit) -> None:
    partition_checks.check_foreign_event_is_never_decoded(kit)


def test_pages_of_foreign_events_make_no_commit(kit: Kit) -> None:
    partition_checks.check_no_commit_for_foreign_pages(kit)


def test_an_idle_partition_commits_what_it_passed(kit: Kit) -> None:
    partition_checks.check_idle_partition_commits_what_it_passed(kit)
