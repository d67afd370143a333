"""A customer is forgotten end to end: sealed in the store, redacted in loads, the read model,
a rebuild and the export (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from examples.customer import AddAddress, AddCustomerName, CustomerContactQuery, UpdateEmail
from examples.customer.privacy import Customers, stream_id
from fabula import REDACTED, ForgottenSubject

PERSONAL = ("Ann Lee", "ann@example.com", "1 Elm Street", "2 Oak Lane")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'customers.db'}"
    schema_url: str = request.getfixturevalue("fabula_postgres_schema_url")
    return schema_url


async def _read_model_rows(app: Customers) -> str:
    return repr(await app.contacts.fetch_all("SELECT * FROM customer_contacts"))


async def _forget_end_to_end(url: str) -> None:
    app = await Customers.open(url)
    try:
        await app.execute("c1", AddCustomerName("Ann Lee"))
        await app.execute("c1", UpdateEmail("ann@example.com"))
        await app.execute("c1", AddAddress("1 Elm Street"))
        at = await app.execute("c1", AddAddress("2 Oak Lane"))
        await app.execute("c2", AddCustomerName("Bob Roe"))
        assert await app.contact("c1", after=at) == CustomerContactQuery(
            name="Ann Lee", email="ann@example.com", latest_address="2 Oak Lane"
        )
        stored = repr(await app.store.read_stream(stream_id("c1")))
        assert not any(value in stored for value in PERSONAL)  # sealed at rest

        export = await app.export("c1")
        assert export["key"] == "active"
        assert [e["data"] for e in export["events"]] == [
            {"changed_name": "Ann Lee"},
            {"new_email": "ann@example.com"},
            {"new_address": "1 Elm Street"},
            {"new_address": "2 Oak Lane"},
        ]

        at = await app.forget("c1")
        redacted = CustomerContactQuery(name=REDACTED, email=REDACTED, latest_address=REDACTED)
        assert await app.contact("c1", after=at) == redacted
        assert (await app.contact("c2")) == CustomerContactQuery(
            name="Bob Roe", email="", latest_address=""
        )
        state = (await app.customers.load(stream_id("c1"))).state
        assert (state.name, state.email, state.addresses) == (REDACTED, REDACTED, [REDACTED] * 2)
        rows = await _read_model_rows(app)
        assert not any(value in rows for value in PERSONAL)

        await app.rebuild()
        assert await app.contact("c1") == redacted
        rows = await _read_model_rows(app)
        assert "Bob Roe" in rows
        assert not any(value in rows for value in PERSONAL)

        export = await app.export("c1")
        assert export["key"] == "forgotten"
        assert len(export["events"]) == 4
        assert not any(value in repr(export) for value in PERSONAL)
        with pytest.raises(ForgottenSubject):
            await app.execute("c1", UpdateEmail("new@example.com"))
    finally:
        await app.close()


def test_a_customer_is_forgotten_end_to_end(url: str) -> None:
    asyncio.run(_forget_end_to_end(url))
