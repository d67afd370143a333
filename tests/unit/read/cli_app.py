"""The app ``tests/unit/read/test_cli.py`` names with ``--app``: store and target from the env."""

from __future__ import annotations

import os

from fabula.read import ErrorPolicy, ProjectionSet

from . import domain


def make() -> ProjectionSet:
    return ProjectionSet(
        os.environ["FABULA_READ_TEST_STORE"],
        os.environ["FABULA_READ_TEST_TARGET"],
        consumers=[domain.todo_sql()],
        registry=domain.registry(),
        policy=ErrorPolicy(retries=0, backoff=0.0, on_park="continue"),
    )


def make_postgres() -> ProjectionSet:
    """The same on PostgreSQL (one schema URL for store and target; psycopg's placeholders)."""
    return ProjectionSet(
        os.environ["FABULA_READ_TEST_STORE"],
        os.environ["FABULA_READ_TEST_STORE"],
        consumers=[domain.todo_sql(mark="%s")],
        registry=domain.registry(),
        policy=ErrorPolicy(retries=0, backoff=0.0, on_park="continue"),
    )


PARTITIONS = 3


def make_partitioned() -> ProjectionSet:
    """``make``, with ``todo_list`` in three partitions (run by ``PartitionedWorker``s)."""
    return ProjectionSet(
        os.environ["FABULA_READ_TEST_STORE"],
        os.environ["FABULA_READ_TEST_TARGET"],
        consumers=[domain.todo_sql()],
        registry=domain.registry(),
        partitions={"todo_list": PARTITIONS},
    )


def make_partitioned_postgres() -> ProjectionSet:
    """``make_partitioned`` on PostgreSQL (one schema URL for store and target)."""
    return ProjectionSet(
        os.environ["FABULA_READ_TEST_STORE"],
        os.environ["FABULA_READ_TEST_STORE"],
        consumers=[domain.todo_sql(mark="%s")],
        registry=domain.registry(),
        partitions={"todo_list": PARTITIONS},
    )
