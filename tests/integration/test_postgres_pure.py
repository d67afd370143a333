"""The PostgreSQL backend's pure helpers (no server): URLs, ranges, positions, parameters."""

import re
import uuid

import psycopg
import pytest
from psycopg import errors
from psycopg_pool import PoolTimeout

from fabula._errors import ConcurrencyError, ConfigurationError, SchemaError, StoreError
from fabula._postgres._errors import map_errors
from fabula._postgres._settings import PostgresSettings, split_url
from fabula.store import (
    ANY_VERSION,
    NO_STREAM,
    STREAM_EXISTS,
    AppendResult,
    ExpectedVersion,
    NewEvent,
)
from fabula.store.postgres._in_doubt import Attempts, settled
from fabula.store.postgres._ordering import INDEX_BITS, rebased_offset
from fabula.store.postgres._rows import append_params, prefix_range


def test_split_url_takes_the_schema_out_and_keeps_the_rest():
    url = "postgresql://u:p@db.example:6543/app?sslmode=require&schema=orders"
    assert split_url(url) == ("postgresql://u:p@db.example:6543/app?sslmode=require", "orders")
    assert split_url("postgres://h/db") == ("postgres://h/db", None)
    with pytest.raises(ConfigurationError, match="more than one schema"):
        split_url("postgresql://h/db?schema=a&schema=b")


def test_where_names_the_server_without_the_password():
    settings = PostgresSettings(conninfo="postgresql://u:secret@db.example:6543/app")
    assert settings.where == "db.example:6543/app"
    assert "secret" not in settings.where
    assert PostgresSettings(conninfo="host=/tmp dbname=x").where == "/tmp:5432/x"


def test_channels_fit_postgres_identifiers():
    assert PostgresSettings(conninfo="", schema="orders").channel == "fabula_orders"
    long = PostgresSettings(conninfo="", schema="é" * 31).channel
    assert len(long.encode()) <= 63
    assert long != PostgresSettings(conninfo="", schema="e" * 60).channel


def test_connect_kwargs_keep_what_the_url_sets():
    kwargs = PostgresSettings(conninfo="postgresql://h/db?application_name=mine").connect_kwargs()
    assert "application_name" not in kwargs
    assert kwargs["autocommit"] is True
    assert (
        PostgresSettings(conninfo="", connect_timeout=0.2).connect_kwargs()["connect_timeout"] == 1
    )


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", ("", None)),
        ("ab", ("ab", "ac")),
        ("a\U0010ffff", ("a\U0010ffff", "b")),
        ("\U0010ffff", ("\U0010ffff", None)),
        ("a\ud7ff", ("a\ud7ff", "a\ue000")),
    ],
)
def test_prefix_range_bounds_exactly_the_strings_with_the_prefix(prefix, expected):
    assert prefix_range(prefix) == expected
    low, high = expected
    for inside in (prefix, prefix + "\x00", prefix + "\U0010ffff" * 3):
        assert low <= inside
        assert high is None or inside < high


def test_rebased_offset_moves_positions_past_the_last_one_only_when_needed():
    assert rebased_offset(1000, 0, None) is None
    assert rebased_offset(1000, 0, 999 << INDEX_BITS | 5) is None
    offset = rebased_offset(1000, 0, 5000 << INDEX_BITS | 7)
    assert offset == 4001
    assert (1000 + offset) << INDEX_BITS > 5000 << INDEX_BITS | 7
    assert rebased_offset(1000, offset, 5000 << INDEX_BITS | 7) is None


@pytest.mark.parametrize(
    ("precondition", "mode", "expected"),
    [
        (ANY_VERSION, "any", 0),
        (NO_STREAM, "new", 0),
        (ExpectedVersion(0), "new", 0),
        (ExpectedVersion(7), "exact", 7),
        (STREAM_EXISTS, "exists", 0),
    ],
)
def test_append_params_choose_the_statement(precondition, mode, expected):
    events = [NewEvent(event_id=uuid.uuid4(), type="T", data="{}") for _ in range(2)]
    chosen, params = append_params("s-1", events, precondition)
    assert (chosen, params["expected"], params["count"]) == (mode, expected, 2)
    assert params["event_ids"] == [e.event_id for e in events]
    chosen, params = append_params("s-1", events[:1], precondition)
    assert (chosen, params["expected"], params["count"]) == (f"one_{mode}", expected, 1)
    assert (params["event_id"], params["event_ids"]) == (events[0].event_id, [events[0].event_id])


DRIVER_ERRORS = [
    (
        psycopg.OperationalError("server closed the connection unexpectedly\nDETAIL: x"),
        StoreError,
        "lost the connection to PostgreSQL at db:5432/app: server closed the connection"
        " unexpectedly",
    ),
    (
        psycopg.OperationalError("connection failed: connection to server at x failed"),
        StoreError,
        "lost the connection to PostgreSQL at db:5432/app: connection to server at x failed",
    ),
    (
        errors.UndefinedTable('relation "orders.events" does not exist'),
        SchemaError,
        "schema 'orders' at db:5432/app is missing fabula's tables or is damaged",
    ),
    (
        errors.UndefinedColumn('column "version" does not exist'),
        SchemaError,
        "schema 'orders' at db:5432/app is missing fabula's tables or is damaged",
    ),
    (
        errors.UndefinedFunction("operator does not exist: text = smallint"),
        ConfigurationError,
        "cannot use an argument of this type [42883]: operator does not exist: text = smallint",
    ),
    (
        errors.DatatypeMismatch('column "version" is of type bigint but expression is text'),
        ConfigurationError,
        "cannot use an argument of this type [42804]",
    ),
    (errors.QueryCanceled("canceling statement"), StoreError, "canceled the statement"),
    (errors.DiskFull("no space left"), StoreError, "failed [53100]: no space left"),
    (PoolTimeout("couldn't get a connection after 30 sec"), StoreError, "in time"),
]
"""Driver errors, the fabula error each becomes (at db:5432/app, schema orders), a message part."""


@pytest.mark.parametrize(("error", "kind", "message"), DRIVER_ERRORS)
def test_driver_errors_become_fabula_errors_naming_the_server(error, kind, message):
    with (
        pytest.raises(kind, match=re.escape(message)) as caught,
        map_errors("db:5432/app", "orders"),
    ):
        raise error
    assert caught.value.__cause__ is error


def test_fabula_errors_pass_through_the_mapping():
    original = ConcurrencyError("s-1", "version 3", 4)
    with pytest.raises(ConcurrencyError) as caught, map_errors("db:5432/app", "orders"):
        raise original
    assert caught.value is original


def test_only_an_append_in_doubt_turns_a_replay_into_a_first_time_result():
    replay = AppendResult("s-1", 2, (10, 20), deduplicated=True)
    attempts = Attempts()
    assert settled(replay, attempts) is replay
    attempts.in_doubt = True
    assert settled(replay, attempts) == AppendResult("s-1", 2, (10, 20))
