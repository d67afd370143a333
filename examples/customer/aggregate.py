"""The customer aggregate, class style (seed 001, ``example_impl``).

Rules (the seed's):
1. A name can be added only once (``NameAlreadyAdded``).
2. An address the customer already has is refused (``AddressAlreadyAdded``).
3. An email update always succeeds.
"""

from __future__ import annotations

from dataclasses import field

from examples.customer.commands import AddAddress, AddCustomerName, UpdateEmail
from examples.customer.errors import AddressAlreadyAdded, NameAlreadyAdded
from examples.customer.events import AddressUpdated, EmailUpdated, NameAdded
from fabula import Aggregate, decides, evolves

__all__ = ["Customer"]


class Customer(Aggregate, name="customer"):
    """A customer: name, email and every address they gave.

    ``customer_id`` is the stream's id; as in the seed, no event sets it.
    """

    customer_id: str = ""
    name: str = ""
    email: str = ""
    addresses: list[str] = field(default_factory=list)

    @decides
    def add_customer_name(self, command: AddCustomerName) -> list[NameAdded]:
        """Add the name, unless one was added before."""
        if self.name:
            raise NameAlreadyAdded
        return [NameAdded(command.changed_name)]

    @decides
    def update_email(self, command: UpdateEmail) -> list[EmailUpdated]:
        """Update the email."""
        return [EmailUpdated(command.new_email)]

    @decides
    def add_address(self, command: AddAddress) -> list[AddressUpdated]:
        """Add an address, unless the customer has it already."""
        if command.new_address in self.addresses:
            raise AddressAlreadyAdded(params={"address": command.new_address})
        return [AddressUpdated(command.new_address)]

    @evolves
    def name_added(self, event: NameAdded) -> None:
        """Set the name."""
        self.name = event.changed_name

    @evolves
    def email_updated(self, event: EmailUpdated) -> None:
        """Set the email."""
        self.email = event.new_email

    @evolves
    def address_updated(self, event: AddressUpdated) -> None:
        """Append the address."""
        self.addresses.append(event.new_address)
