"""``fabula store grants``: an application role's privileges on a PostgreSQL store (ADR 0025).

Applying them is tested against a real server with real roles in
``tests/integration/test_postgres_roles.py``; here, the printed SQL and the refusals.
"""

from __future__ import annotations

import pytest

from fabula.cli import main
from fabula.store.postgres import grants_sql


def test_the_sql_grants_select_and_insert_on_events_and_nothing_more() -> None:
    text = grants_sql("shop", app_role="shop_app")
    on_events = [line for line in text.splitlines() if '"shop"."events"' in line]
    assert [line for line in on_events if line.startswith("GRANT")] == [
        'GRANT SELECT, INSERT ON "shop"."events" TO "shop_app";'
    ]
    assert any(line.startswith("REVOKE ALL ON") for line in on_events)
    assert 'REVOKE ALL ON SCHEMA "shop" FROM "shop_app";' in text
    assert 'GRANT USAGE ON SCHEMA "shop" TO "shop_app";' in text
    assert 'GRANT EXECUTE ON FUNCTION "shop"."lock_log"() TO "shop_app";' in text
    assert 'CREATE TABLE IF NOT EXISTS "shop".personal_keys' in text
    assert 'CREATE TABLE IF NOT EXISTS "shop".personal_key_streams' in text
    assert "CREATE ON" not in text
    assert "ALL PRIVILEGES" not in text
    assert text.splitlines()[1] == "BEGIN;"
    assert text.rstrip().endswith("COMMIT;")


def test_names_are_quoted() -> None:
    text = grants_sql('we"ird', app_role="App Role")
    assert 'GRANT USAGE ON SCHEMA "we""ird" TO "App Role";' in text


def test_the_command_prints_the_sql_without_connecting(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://owner@db.invalid:5432/shop?schema=orders"
    assert main(["store", "grants", "--app-role", "orders_app", "--sql", url]) == 0
    assert capsys.readouterr().out == grants_sql("orders", app_role="orders_app")


def test_stores_without_roles_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["store", "grants", "--app-role", "app", "sqlite:///events.db"]) == 1
    assert "store grants needs a postgresql:// URL" in capsys.readouterr().err
