"""Inline projections open personal fields with keys read in the append's own transaction."""

from __future__ import annotations

from typing import Any

import pytest

import fabula
from fabula.read import InlineProjection, Projection

from .domain import Customer, Registered, registered


def emails(mark: str) -> Projection:
    projection = Projection("emails", tables=["emails"])

    @projection.setup
    def create(tx: Any) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS emails (id TEXT PRIMARY KEY, email TEXT)")

    @projection.on(Registered)
    def on_registered(tx: Any, event: fabula.Recorded[Registered]) -> None:
        tx.execute(
            f"INSERT INTO emails (id, email) VALUES ({mark}, {mark})",
            (event.event.customer_id, event.event.email),
        )

    @projection.on(fabula.SubjectForgotten)
    def on_forgotten(tx: Any, event: fabula.Recorded[fabula.SubjectForgotten]) -> None:
        tx.execute(f"UPDATE emails SET email = NULL WHERE id = {mark}", (event.event.subject,))

    return projection


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


def rows(store: Any) -> dict[str, str | None]:
    from fabula.store.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        import sqlite3

        with sqlite3.connect(store.path) as conn:
            return dict(conn.execute("SELECT id, email FROM emails").fetchall())
    import psycopg

    with psycopg.connect(store.settings.conninfo) as conn:
        table = f'"{store.settings.schema}".emails'
        return dict(conn.execute(f"SELECT id, email FROM {table}").fetchall())


def test_inline_projection_sees_clear_values_and_the_forget_signal(sql_url: str):
    with fabula.open_store(sql_url) as store:
        repo = fabula.Repository(store, Customer)
        repo.append("customer-c0", [registered("c0")])  # before attach: caught up
        mark = "?" if sql_url.startswith("sqlite") else "%s"
        inline = InlineProjection(store, emails(mark))  # type: ignore[arg-type]
        inline.attach()
        repo.append("customer-c1", [registered("c1")])
        assert rows(store) == {"c0": "c0@example.com", "c1": "c1@example.com"}
        fabula.PersonalData(store, registry=inline.registry).forget("c1")
        assert rows(store) == {"c0": "c0@example.com", "c1": None}
        inline.detach()
