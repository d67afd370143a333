"""The customer domain, reproducing seed 001 (``cqrs-es2`` ``example_impl``).

A class-style ``Aggregate`` (``Customer``) with ``@decides`` and ``@evolves`` methods, and
``CustomerContactQuery``, a read model written as an ``Aggregate`` with only ``@evolves``
methods. Its tests follow the seed's HandlerTester and ConsumerTester, with
``fabula.testing.DeciderSpec`` and ``ProjectionSpec``. ``evolution`` reads an old event
type name; ``privacy`` marks names, emails and addresses personal data of the customer's
stream and forgets a customer end to end (``Customers``).
"""

from examples.customer.aggregate import Customer
from examples.customer.commands import AddAddress, AddCustomerName, UpdateEmail
from examples.customer.errors import AddressAlreadyAdded, NameAlreadyAdded
from examples.customer.events import EVENTS, AddressUpdated, EmailUpdated, NameAdded
from examples.customer.query import CustomerContactQuery

__all__ = [
    "EVENTS",
    "AddAddress",
    "AddCustomerName",
    "AddressAlreadyAdded",
    "AddressUpdated",
    "Customer",
    "CustomerContactQuery",
    "EmailUpdated",
    "NameAdded",
    "NameAlreadyAdded",
    "UpdateEmail",
]
