"""``CustomerContactQuery``: the customer's contact details as a read model (seed 001, section C).

An ``Aggregate`` with only ``@evolves`` methods is a read model: it folds events and
decides nothing. Each event overwrites its field.
"""

from __future__ import annotations

from typing import ClassVar

from examples.customer.events import AddressUpdated, EmailUpdated, NameAdded
from fabula import Aggregate, evolves

__all__ = ["CustomerContactQuery"]


class CustomerContactQuery(Aggregate, name="customer_contact_query"):
    """How to reach a customer: name, email and the latest address."""

    query_type: ClassVar[str] = "customer_contact_query"
    """The seed's stable name of this query (its table or key prefix)."""

    name: str = ""
    email: str = ""
    latest_address: str = ""

    @evolves
    def name_added(self, event: NameAdded) -> None:
        """Take the name."""
        self.name = event.changed_name

    @evolves
    def email_updated(self, event: EmailUpdated) -> None:
        """Take the email."""
        self.email = event.new_email

    @evolves
    def address_updated(self, event: AddressUpdated) -> None:
        """Take the address as the latest one."""
        self.latest_address = event.new_address
