"""The customer app with personal data: contacts read model, forget a customer, export.

A customer's name, email and addresses are personal data of the customer's stream
(``Personal(subject=STREAM)`` in ``events.py``): the subject of a customer is its stream
id, ``customer-<id>``. ``Customers`` is the app (asyncio, SQLite or PostgreSQL):

- ``execute(customer_id, command)`` runs a command on the customer's stream;
- ``contact(customer_id)`` reads the ``customer_contacts`` read model
  (``CustomerContactQuery``: name, email, latest address);
- ``forget(customer_id)`` destroys the customer's key (crypto-shredding): loads read
  ``[redacted]`` from then on, and the read model redacts its row when it sees the
  ``SubjectForgotten`` signal; a ``rebuild()`` reads the fields redacted anyway;
- ``export(customer_id)`` returns everything stored about the customer (right of access).

Rules:
1. The read model's row of a customer is keyed by stream id; ``SubjectForgotten`` names
   that stream, and its handler overwrites the row's name, email and address with
   ``[redacted]``: no personal value stays in the read model after a forget.
2. A forgotten customer can still run commands that carry no personal data; one that
   would store some (a new email) is refused with ``ForgottenSubject``.
"""

from __future__ import annotations

from typing import Any

from examples._sql import Sql, SqlReadModel
from examples.customer.aggregate import Customer
from examples.customer.events import AddressUpdated, EmailUpdated, NameAdded
from examples.customer.evolution import registry as customer_registry
from examples.customer.query import CustomerContactQuery
from fabula import (
    REDACTED,
    AsyncEventStore,
    AsyncPersonalData,
    AsyncRepository,
    ExpectedVersion,
    Recorded,
    SubjectForgotten,
    open_async_store,
)
from fabula.codec import EventRegistry

__all__ = ["Customers", "contacts", "stream_id"]

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS customer_contacts ("
    " stream_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL,"
    " latest_address TEXT NOT NULL)"
]


def stream_id(customer_id: str) -> str:
    """The customer's stream id: the subject of its personal data."""
    return f"customer-{customer_id}"


def name_added(recorded: Recorded[NameAdded]) -> list[Sql]:
    """Take the name."""
    return _set("name", recorded.event.changed_name, recorded.stream_id)


def email_updated(recorded: Recorded[EmailUpdated]) -> list[Sql]:
    """Take the email."""
    return _set("email", recorded.event.new_email, recorded.stream_id)


def address_updated(recorded: Recorded[AddressUpdated]) -> list[Sql]:
    """Take the address as the latest one."""
    return _set("latest_address", recorded.event.new_address, recorded.stream_id)


def forgotten(recorded: Recorded[SubjectForgotten]) -> list[Sql]:
    """Redact the forgotten customer's row (its subject is its stream id)."""
    return [
        Sql(
            "UPDATE customer_contacts SET name = ?, email = ?, latest_address = ?"
            " WHERE stream_id = ?",
            (REDACTED, REDACTED, REDACTED, recorded.event.subject),
        )
    ]


def _set(column: str, value: str, stream: str) -> list[Sql]:
    return [
        Sql(
            "INSERT INTO customer_contacts (stream_id, name, email, latest_address)"
            " VALUES (?, '', '', '') ON CONFLICT (stream_id) DO NOTHING",
            (stream,),
        ),
        Sql(f"UPDATE customer_contacts SET {column} = ? WHERE stream_id = ?", (value, stream)),
    ]


def contacts() -> SqlReadModel:
    """Return a new (not yet started) ``customer_contacts`` read model."""
    return SqlReadModel(
        "customer_contacts",
        schema=SCHEMA,
        tables=["customer_contacts"],
        handlers={
            NameAdded: name_added,
            EmailUpdated: email_updated,
            AddressUpdated: address_updated,
            SubjectForgotten: forgotten,
        },
    )


class Customers:
    """The customer app on one store: commands, the contacts read model, forget, export.

    Args:
        store: the event store (``open_async_store(url)``).
        url: the read model's database (the store's URL: same file or schema).
    """

    def __init__(self, store: AsyncEventStore, url: str, /) -> None:
        self.store = store
        self.url = url
        self.registry: EventRegistry = customer_registry()
        self.registry.register(SubjectForgotten)
        self.customers = AsyncRepository(store, Customer, registry=self.registry)
        self.personal = AsyncPersonalData(store, registry=self.registry)
        self.contacts = contacts()

    @classmethod
    async def open(cls, url: str, /) -> Customers:
        """Open the store at ``url`` and start the read model beside it."""
        store = open_async_store(url)
        await store.__aenter__()
        app = cls(store, url)
        await app.contacts.start(store, url, registry=app.registry)
        return app

    async def close(self) -> None:
        """Stop the read model and close the store."""
        await self.contacts.close()
        await self.store.__aexit__(None, None, None)

    async def execute(self, customer_id: str, command: object, /) -> int | None:
        """Run a command on the customer; return the log position of its last event (if any).

        Raises:
            DomainError: the customer refused it (nothing is written).
            ForgottenSubject: it would store personal data of a forgotten customer.
        """
        stream = stream_id(customer_id)
        loaded = await self.customers.load(stream)
        events = self.customers.decider.decide(command, loaded.state)
        result, _ = await self.customers.append(
            stream, list(events), precondition=ExpectedVersion(loaded.version)
        )
        return result.position

    async def contact(
        self, customer_id: str, /, *, after: int | None = None
    ) -> CustomerContactQuery | None:
        """The customer's contact details from the read model, once it has passed ``after``."""
        await self.contacts.wait_for_position(after)
        row = await self.contacts.fetch_one(
            "SELECT name, email, latest_address FROM customer_contacts WHERE stream_id = ?",
            (stream_id(customer_id),),
        )
        if row is None:
            return None
        return CustomerContactQuery(name=row[0], email=row[1], latest_address=row[2])

    async def forget(self, customer_id: str, /) -> int:
        """Forget the customer (destroy its key); return the log position of the signal."""
        await self.personal.forget(stream_id(customer_id))
        return await self.store.head()

    async def export(self, customer_id: str, /) -> dict[str, Any]:
        """Everything stored about the customer, opened (right of access), as JSON."""
        return (await self.personal.export(stream_id(customer_id))).as_json()

    async def rebuild(self) -> int:
        """Rebuild the read model from the whole log; return the position it reached."""
        return await self.contacts.rebuild()
