"""Sync read-side unit tests (tests/unit/read) re-run on PostgreSQL: store and target."""

import psycopg
import pytest
from psycopg import sql

from fabula.read.postgres import PostgresTarget
from tests.integration.read.kits import schema_of
from tests.unit.read.test_rebuild_swap import test_a_copy_swap_never_moves_the_checkpoint_back
from tests.unit.read.test_retries import (
    test_another_process_sees_retrying_the_error_and_the_attempts,
    test_retries_that_outlast_the_lease_keep_it_and_park,
    test_the_attempt_count_survives_a_restart,
)
from tests.unit.read.test_status_more import (
    test_status_shows_a_copy_rebuild_left_behind_then_running,
    test_wait_caught_up_waits_for_what_was_committed_before_the_call,
)
from tests.unit.read.test_target_upgrade import OLD_CHECKPOINTS, check_upgraded
from tests.unit.read.test_workers import (
    test_a_worker_resumes_a_projection_once_its_parked_event_is_retried,
)

pytestmark = pytest.mark.postgres

__all__ = [
    "test_a_copy_swap_never_moves_the_checkpoint_back",
    "test_a_worker_resumes_a_projection_once_its_parked_event_is_retried",
    "test_another_process_sees_retrying_the_error_and_the_attempts",
    "test_retries_that_outlast_the_lease_keep_it_and_park",
    "test_status_shows_a_copy_rebuild_left_behind_then_running",
    "test_the_attempt_count_survives_a_restart",
    "test_wait_caught_up_waits_for_what_was_committed_before_the_call",
]


def test_an_old_postgres_target_is_upgraded(postgres_schema_url: str) -> None:
    schema = schema_of(postgres_schema_url)
    with psycopg.connect(postgres_schema_url.split("?")[0], autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        conn.execute(OLD_CHECKPOINTS["postgres"])
        conn.execute("INSERT INTO fabula_checkpoints (name, position) VALUES ('old', 42)")
    target = PostgresTarget.from_url(postgres_schema_url)
    try:
        check_upgraded(target)
    finally:
        target.close()
